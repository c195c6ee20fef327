import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  NO_IRQ,
} from "@axvisor/axdevice-base";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** A wall clock in nanoseconds since the Unix epoch. */
export interface Pl031Clock {
  nowNanos(): bigint;
}

export interface Pl031Options {
  /** Physical base address (QEMU virt: 0x0901_0000). */
  readonly base: number;
  /** Size of the MMIO window (QEMU virt: 0x1000). */
  readonly size?: number;
  /** The alarm interrupt (QEMU virt: SPI 2). */
  readonly irq?: IrqLine;
  /** Defaults to the host's clock. */
  readonly clock?: Pl031Clock;
}

/** Register offsets (ARM PrimeCell RTC PL031 TRM, ARM DDI 0224). */
export const Pl031Reg = {
  /** Data: the current count of seconds (read only). */
  DR: 0x00,
  /** Match: the alarm fires when the count reaches it. */
  MR: 0x04,
  /** Load: writing sets the count. */
  LR: 0x08,
  /** Control: bit 0 starts the counter (QEMU's counter always runs: reads 1). */
  CR: 0x0c,
  /** Interrupt mask (bit 0). */
  IMSC: 0x10,
  /** Raw interrupt status. */
  RIS: 0x14,
  /** Masked interrupt status. */
  MIS: 0x18,
  /** Interrupt clear (write only). */
  ICR: 0x1c,
  ID_FIRST: 0xfe0,
} as const;

/** The PrimeCell IDs QEMU's "pl031" reports: part 0x031, designer ARM, revision 1. */
export const PL031_ID: readonly number[] = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

const DEFAULT_SIZE = 0x1000;
const NS = 1_000_000_000n;

function hostClock(): Pl031Clock {
  // performance.now() is monotonic in every JavaScript host (Node, browsers, workers).
  const monotonic = (): bigint => BigInt(Math.round(performance.now() * 1e6));
  const epochAtStart = BigInt(Date.now()) * 1_000_000n - monotonic();
  return { nowNanos: () => epochAtStart + monotonic() };
}

/**
 * An ARM PL031 real-time clock with QEMU 7.2's behaviour: a 32-bit count of seconds that
 * starts at the host's wall-clock time and always runs, a load register that sets it, and a
 * match register whose alarm raises the interrupt (RIS bit 0) when the count reaches it.
 * The board calls `update()` to let time-based alarms fire; `nextAlarm()` tells it when.
 */
export class Pl031 implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #irq: IrqLine;
  readonly #clock: Pl031Clock;

  /** Guest count minus host seconds; kept across reset() like a battery-backed clock. */
  #offset = 0;
  #mr = 0;
  #lr = 0;
  #im = 0;
  #is = 0;
  #alarmArmed = false;
  /** Host second at which the armed alarm fires. */
  #alarmAt = 0n;
  #irqLevel = false;

  constructor(options: Pl031Options) {
    this.#range = rangeFromSize(options.base as GuestPhysAddr, options.size ?? DEFAULT_SIZE);
    this.#irq = options.irq ?? NO_IRQ;
    this.#clock = options.clock ?? hostClock();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  reset(): void {
    this.#mr = 0;
    this.#lr = 0;
    this.#im = 0;
    this.#is = 0;
    this.#alarmArmed = false;
    this.#update();
  }

  // ---- board side ----

  /** The guest-visible count of seconds. */
  count(nowNanos: bigint = this.#clock.nowNanos()): number {
    return (Number(nowNanos / NS) + this.#offset) >>> 0;
  }

  /** Fires the alarm if the count has reached the match register. */
  update(nowNanos: bigint = this.#clock.nowNanos()): void {
    if (this.#alarmArmed && nowNanos / NS >= this.#alarmAt) this.#fire();
  }

  /** The host wall-clock time (ns) at which the armed alarm fires, or null. */
  nextAlarm(): bigint | null {
    return this.#alarmArmed ? this.#alarmAt * NS : null;
  }

  // ---- guest side ----

  handleRead(addr: GuestPhysAddr, _width: AccessWidth): bigint {
    const off = addr - this.#range.start;
    if (off >= Pl031Reg.ID_FIRST && off < 0x1000) {
      return (off & 3) === 0 ? BigInt(PL031_ID[(off - Pl031Reg.ID_FIRST) >> 2]!) : 0n;
    }
    switch (off) {
      case Pl031Reg.DR:
        return BigInt(this.count());
      case Pl031Reg.MR:
        return BigInt(this.#mr);
      case Pl031Reg.LR:
        return BigInt(this.#lr);
      case Pl031Reg.CR:
        return 1n;
      case Pl031Reg.IMSC:
        return BigInt(this.#im);
      case Pl031Reg.RIS:
        return BigInt(this.#is);
      case Pl031Reg.MIS:
        return BigInt(this.#is & this.#im);
      default:
        return 0n;
    }
  }

  handleWrite(addr: GuestPhysAddr, _width: AccessWidth, value: bigint): void {
    const v = Number(value & 0xffff_ffffn);
    switch (addr - this.#range.start) {
      case Pl031Reg.MR:
        this.#mr = v;
        this.#arm();
        break;
      case Pl031Reg.LR: {
        const now = this.#clock.nowNanos();
        this.#offset += (v - this.count(now)) | 0;
        this.#lr = v;
        this.#arm();
        break;
      }
      case Pl031Reg.IMSC:
        this.#im = v & 1;
        break;
      case Pl031Reg.ICR:
        this.#is &= ~v;
        break;
      default:
        // CR: the counter cannot be stopped (QEMU ignores the write); DR/RIS/MIS are read only.
        return;
    }
    this.#update();
  }

  /**
   * The alarm is a match: the count wraps at 2^32, so a match value behind the count fires
   * only after the wrap, and one equal to it fires at once.
   */
  #arm(): void {
    const now = this.#clock.nowNanos();
    const ticks = (this.#mr - this.count(now)) >>> 0;
    if (ticks === 0) {
      this.#fire();
      return;
    }
    this.#alarmArmed = true;
    this.#alarmAt = now / NS + BigInt(ticks);
  }

  #fire(): void {
    this.#alarmArmed = false;
    this.#is = 1;
    this.#update();
  }

  #update(): void {
    const level = (this.#is & this.#im) !== 0;
    if (level === this.#irqLevel) return;
    this.#irqLevel = level;
    this.#irq.setLevel(level);
  }
}
