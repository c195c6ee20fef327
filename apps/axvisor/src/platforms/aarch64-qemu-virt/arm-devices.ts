import { type GichAccess, VGicV2, VGicV3 } from "@axvisor/arm-vgic";
import type { DeviceFactories, DeviceSet } from "@axvisor/axdevice";
import { EmulatedDeviceType, type IrqLine, NO_IRQ } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { VmDeviceContext } from "@axvisor/axvm";
import type { EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import { Pl011 } from "@axvisor/device-pl011";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { ARM_VIRT } from "@axvisor/platform-aarch64-qemu-virt";
import { VmVirtioDevices } from "../../platform/vm-virtio-devices.js";
import type { VmConsole } from "../../vmm/vm-console.js";

/** What the device models of one VM are wired to. */
export interface ArmDeviceWiring {
  readonly console: VmConsole;
  /** The guest's vCPUs by MPIDR, in vCPU order (the vGIC's redistributors). */
  readonly mpidrs: readonly number[];
  /** Drives a level interrupt (GIC INTID) of a vCPU and wakes it. */
  setInterruptLevel(vcpu: number, intid: number, level: boolean): void;
  /** The vGIC made an interrupt pending for a vCPU (a vGICv2 SGI or SPI target): wake it. */
  wakeVcpu(vcpu: number): void;
  /**
   * The guest completed INTID `intid`; `hardware`: through a HW list register, which already
   * deactivated the board's interrupt (a software-listed forwarded one is completed on the board).
   */
  completed(intid: number, hardware: boolean): void;
  /** Which vGIC: 3 (ICH list registers) or 2 (the host's GICH frames given here). */
  readonly gic: { readonly version: 3 } | { readonly version: 2; readonly gich: GichAccess };
  deviceError(device: string, message: string): void;
  /** The disk behind a virtio-blk row. */
  openDisk(): BlockBacking;
}

/**
 * The emulated devices of one aarch64 VM. The vGIC always exists (GICD, and GICR for a
 * GICv3, at QEMU virt's addresses), because the guest's CPU interface is the hardware's
 * virtual one; the config's rows add by type: 0x01 maps its frames, 0x02 a PL011 console
 * (irq_id = SPI number, QEMU: 1), 0xE1 virtio-blk, 0xE3 virtio-console.
 */
export class ArmVmDevices {
  readonly vgic: VGicV3 | VGicV2;
  readonly #wiring: ArmDeviceWiring;
  readonly #virtio: VmVirtioDevices;

  constructor(wiring: ArmDeviceWiring) {
    this.#wiring = wiring;
    this.#virtio = new VmVirtioDevices(wiring);
    this.vgic =
      wiring.gic.version === 2
        ? new VGicV2({
            vcpus: wiring.mpidrs.length,
            distributorBase: ARM_VIRT.gicDist.base,
            gich: wiring.gic.gich,
            wake: (v) => wiring.wakeVcpu(v),
            onComplete: (i, hw) => wiring.completed(i, hw),
          })
        : new VGicV3({
            mpidrs: wiring.mpidrs,
            distributorBase: ARM_VIRT.gicDist.base,
            redistributorBase: ARM_VIRT.gicRedist.base,
            onComplete: (i, hw) => wiring.completed(i, hw),
          });
  }

  factories(): DeviceFactories<VmDeviceContext> {
    return {
      [EmulatedDeviceType.InterruptController]: (cfg) => this.#gic(cfg),
      [EmulatedDeviceType.Console]: (cfg) => this.#uart(cfg),
      [EmulatedDeviceType.VirtioBlk]: (cfg, ctx) =>
        this.#virtio.blk(cfg, ctx, this.#line(cfg), () => this.#wiring.openDisk()),
      [EmulatedDeviceType.VirtioConsole]: (cfg, ctx) =>
        this.#virtio.console(cfg, ctx, this.#line(cfg)),
    };
  }

  /** The vGIC's GICD (and GICR) frames, at QEMU virt's addresses (the row names the GICD). */
  #gic(cfg: EmulatedDeviceConfig): DeviceSet {
    if (cfg.baseGpa !== ARM_VIRT.gicDist.base) {
      throw axErr(
        "InvalidInput",
        `${cfg.name}: the vGIC distributor is at 0x${ARM_VIRT.gicDist.base.toString(16)} (QEMU virt), not 0x${cfg.baseGpa.toString(16)}`,
      );
    }
    return { mmio: this.vgic.devices };
  }

  /**
   * An SPI line: the level goes into the vGIC's distributor through vCPU 0's interface, which
   * also wakes vCPU 0 if it halted (SPIs are routed to the boot CPU until the guest moves them).
   */
  #line(cfg: EmulatedDeviceConfig): IrqLine {
    if (cfg.irqId === 0) return NO_IRQ;
    if (cfg.irqId >= 256)
      throw axErr("InvalidInput", `${cfg.name}: SPI ${cfg.irqId} is not in 1..255`);
    const intid = 32 + cfg.irqId;
    return { setLevel: (level) => this.#wiring.setInterruptLevel(0, intid, level) };
  }

  #uart(cfg: EmulatedDeviceConfig): Pl011 {
    const console = this.#wiring.console;
    const uart = new Pl011({
      base: cfg.baseGpa,
      size: cfg.length,
      irq: this.#line(cfg),
      onTransmit: (b) => console.putByte(b),
    });
    console.attachUart(uart);
    return uart;
  }
}
