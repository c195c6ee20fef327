import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** The handlers of one register frame: offsets are relative to the frame's base. */
export interface FrameHandlers {
  read(offset: number, width: AccessWidth): number;
  write(offset: number, width: AccessWidth, value: number): void;
}

/**
 * One MMIO register frame of the GIC (GICD, GICC, GICH, GICV, GICR). All GIC registers are
 * at most 32 bits except GICR_TYPER and GICD_IROUTER, which the frames serve as two words:
 * a 64-bit access is split into two 32-bit ones, low word first.
 */
export class GicMmioFrame implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #h: FrameHandlers;
  readonly #type: EmulatedDeviceType;
  readonly #onReset: (() => void) | undefined;

  constructor(
    base: number,
    size: number,
    handlers: FrameHandlers,
    type: EmulatedDeviceType = EmulatedDeviceType.InterruptController,
    onReset?: () => void,
  ) {
    this.#range = rangeFromSize(base as GuestPhysAddr, size);
    this.#h = handlers;
    this.#type = type;
    this.#onReset = onReset;
  }

  emuType(): EmulatedDeviceType {
    return this.#type;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  reset(): void {
    this.#onReset?.();
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = addr - this.#range.start;
    if (width === 8) {
      const lo = this.#h.read(off, 4) >>> 0;
      const hi = this.#h.read(off + 4, 4) >>> 0;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    return BigInt(this.#h.read(off, width) >>> 0);
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const off = addr - this.#range.start;
    if (width === 8) {
      this.#h.write(off, 4, Number(value & 0xffff_ffffn));
      this.#h.write(off + 4, 4, Number((value >> 32n) & 0xffff_ffffn));
      return;
    }
    this.#h.write(off, width, Number(value & 0xffff_ffffn));
  }
}
