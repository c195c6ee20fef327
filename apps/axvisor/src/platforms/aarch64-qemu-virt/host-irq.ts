import { axErr } from "@axvisor/axerrno";
import { gpa } from "@axvisor/memory-addr";
import type { ArmVirtMachine } from "@axvisor/platform-aarch64-qemu-virt";
import type { HostIrqController } from "../../platform/host-platform.js";

/** GICD registers the hypervisor drives (the same offsets on GICv2 and GICv3). */
const GICD_ISENABLER = 0x100;
const GICD_ICENABLER = 0x180;
const GICD_ISPENDR = 0x200;
const GICD_ISACTIVER = 0x300;
const GICD_ICACTIVER = 0x380;
const FIRST_SPI = 32;

/**
 * Passthrough interrupts through the board's GIC distributor. A passthrough row's `irq_id`
 * is the board SPI number (QEMU virt's PL011: 1), as in the emulated rows. The hypervisor
 * polls GICD_ISPENDR for the SPIs it routed, claims one by making it active (GICD_ISACTIVER:
 * it cannot be taken again while the guest serves it) and completes it by deactivating it
 * (GICD_ICACTIVER), after the guest completed the virtual interrupt the vGIC got for it; a
 * level line still high is then pending again and is forwarded again.
 */
export class ArmHostIrq implements HostIrqController {
  readonly #routed = new Set<number>();

  constructor(private readonly board: ArmVirtMachine) {}

  setEnabled(irq: number, enabled: boolean): void {
    const intid = FIRST_SPI + irq;
    if (!Number.isInteger(irq) || irq < 1 || intid >= 1020) {
      throw axErr(
        "InvalidInput",
        `aarch64 passthrough interrupt ${irq} is not a board SPI (1..987)`,
      );
    }
    this.#write(enabled ? GICD_ISENABLER : GICD_ICENABLER, intid);
    if (enabled) this.#routed.add(irq);
    else this.#routed.delete(irq);
  }

  claim(): number {
    for (const irq of this.#routed) {
      const intid = FIRST_SPI + irq;
      if (this.#bit(GICD_ISPENDR, intid) && !this.#bit(GICD_ISACTIVER, intid)) {
        this.#write(GICD_ISACTIVER, intid);
        return irq;
      }
    }
    return 0;
  }

  complete(irq: number): void {
    this.#write(GICD_ICACTIVER, FIRST_SPI + irq);
  }

  poll(): void {
    // Board devices the CPUs are not stepping: the PL011's output reaches its owner's console.
    this.board.flushConsole();
    this.board.rtc.update();
  }

  #bit(reg: number, intid: number): boolean {
    const d = this.board.gic.distributor;
    const word = d.handleRead(gpa(d.addressRange().start + reg + 4 * (intid >> 5)), 4);
    return ((Number(word) >>> (intid & 31)) & 1) === 1;
  }

  #write(reg: number, intid: number): void {
    const d = this.board.gic.distributor;
    d.handleWrite(
      gpa(d.addressRange().start + reg + 4 * (intid >> 5)),
      4,
      BigInt((1 << (intid & 31)) >>> 0),
    );
  }
}
