import { axErr } from "@axvisor/axerrno";
import { VMStatus } from "@axvisor/axvm";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import type { HostIrqController } from "../platform/host-platform.js";
import type { VmInstance } from "./vm-instance.js";

/**
 * Passthrough interrupts (AxVisor's `interrupt_mode = "passthrough"` devices): which VM owns
 * each board interrupt, claiming them from the board's controller and forwarding them to the
 * owner's virtual interrupt controller, and completing them on the board once the guest has.
 */
export class HostIrqRouter {
  /** Board interrupt -> the VM that owns it. */
  readonly #owners = new Map<number, VmInstance>();
  /** Interrupts claimed on the board and forwarded, waiting for the guest's completion. */
  readonly #claimed = new Set<number>();

  constructor(private readonly irq: HostIrqController) {}

  /** Some VM owns a board interrupt (the board must then be polled while vCPUs sleep). */
  get active(): boolean {
    return this.#owners.size > 0;
  }

  /** Throws when another VM already owns one of the config's interrupts. */
  check(config: AxVMCrateConfig): void {
    for (const d of config.devices.passthroughDevices) {
      if (d.irqId <= 0) continue;
      const owner = this.#owners.get(d.irqId);
      if (owner !== undefined) {
        throw axErr(
          "ResourceBusy",
          `VM ${config.base.id} "${config.base.name}": passthrough device "${d.name}" wants host interrupt ${d.irqId}, which VM ${owner.id} "${owner.name}" owns`,
        );
      }
    }
  }

  /** Routes the VM's passthrough interrupts from the board to the hypervisor. */
  claim(vm: VmInstance): void {
    for (const d of vm.config.devices.passthroughDevices) {
      if (d.irqId <= 0) continue;
      this.#owners.set(d.irqId, vm);
      this.irq.setEnabled(d.irqId, true);
    }
  }

  /** Gives the VM's interrupts back (masked, and completed if the guest still held one). */
  release(vm: VmInstance): void {
    for (const [irq, owner] of [...this.#owners]) {
      if (owner !== vm) continue;
      this.#owners.delete(irq);
      this.irq.setEnabled(irq, false);
      if (this.#claimed.delete(irq)) this.irq.complete(irq);
    }
  }

  /** Board devices advance with time even while no vCPU touches them. */
  poll(): void {
    if (!this.active) return;
    this.irq.poll();
    this.service();
  }

  /** Claims pending host interrupts and forwards each to the VM that owns it. */
  service(): void {
    for (;;) {
      const irq = this.irq.claim();
      if (irq === 0) return;
      const owner = this.#owners.get(irq);
      const live =
        owner !== undefined &&
        (owner.status === VMStatus.Running || owner.status === VMStatus.Suspended);
      if (!live || !owner.parts.forwardHostIrq(irq)) {
        this.irq.complete(irq);
        continue;
      }
      this.#claimed.add(irq);
    }
  }

  /** The guest completed a forwarded interrupt: complete it on the board. */
  complete(irq: number): void {
    if (this.#claimed.delete(irq)) this.irq.complete(irq);
  }
}
