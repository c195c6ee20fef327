import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  NO_IRQ,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** A wall clock in nanoseconds since the Unix epoch. */
export interface WallClock {
  nowNanos(): bigint;
}

export interface GoldfishRtcOptions {
  /** Physical base address (QEMU virt: 0x10_1000). */
  readonly base: number;
  /** Size of the MMIO window (QEMU virt: 0x1000). */
  readonly size?: number;
  /** The alarm interrupt (QEMU virt: PLIC source 11). */
  readonly irq?: IrqLine;
  /** Defaults to the host's clock (`hostWallClock`). */
  readonly clock?: WallClock;
}

/** Register offsets (Android GOLDFISH-VIRTUAL-HARDWARE.TXT, QEMU hw/rtc/goldfish_rtc.c). */
export const RtcReg = {
  TimeLow: 0x00,
  TimeHigh: 0x04,
  AlarmLow: 0x08,
  AlarmHigh: 0x0c,
  IrqEnabled: 0x10,
  ClearAlarm: 0x14,
  AlarmStatus: 0x18,
  ClearInterrupt: 0x1c,
} as const;

export const GOLDFISH_RTC_DEFAULT_SIZE = 0x1000;

const LOW32 = 0xffff_ffffn;
const HIGH32 = 0xffff_ffff_0000_0000n;

/**
 * The host's wall clock: Date.now() fixes the epoch once, the
 * monotonic high-resolution timer supplies the ticks.
 */
export function hostWallClock(): WallClock {
  // performance.now() is monotonic in every JavaScript host (Node, browsers, workers).
  const monotonic = (): bigint => BigInt(Math.round(performance.now() * 1e6));
  const epochAtStart = BigInt(Date.now()) * 1_000_000n - monotonic();
  return { nowNanos: () => epochAtStart + monotonic() };
}

/**
 * The Android goldfish RTC (`google,goldfish-rtc`): a 64-bit nanosecond clock read as two
 * 32-bit halves (reading TIME_LOW latches the high half for the next TIME_HIGH read), and one
 * alarm with an interrupt. The guest's time is the wall clock plus an offset its writes to
 * TIME_LOW/TIME_HIGH set. The alarm fires when `update()` (called by the board) or an
 * ALARM_LOW write finds the time at or past it.
 */
export class GoldfishRtc implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #irq: IrqLine;
  readonly #clock: WallClock;

  /** Guest time minus wall-clock time. Kept across reset(), like a battery-backed clock. */
  #offset = 0n;
  #timeHighLatch = 0;
  #alarmNext = 0n;
  #alarmRunning = false;
  #irqPending = false;
  #irqEnabled = false;
  #irqLevel = false;

  constructor(options: GoldfishRtcOptions) {
    this.#range = rangeFromSize(
      options.base as GuestPhysAddr,
      options.size ?? GOLDFISH_RTC_DEFAULT_SIZE,
    );
    this.#irq = options.irq ?? NO_IRQ;
    this.#clock = options.clock ?? hostWallClock();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  reset(): void {
    this.#timeHighLatch = 0;
    this.#alarmNext = 0n;
    this.#alarmRunning = false;
    this.#irqPending = false;
    this.#irqEnabled = false;
    this.#updateIrq();
  }

  // ---- board side ----

  /** Fires the alarm if the guest's time (at wall-clock `nowNanos`) has reached it. */
  update(nowNanos: bigint = this.#clock.nowNanos()): void {
    if (this.#alarmRunning && nowNanos + this.#offset >= this.#alarmNext) this.#fire();
  }

  /** The wall-clock time (ns) at which the armed alarm fires, or null when none is armed. */
  nextAlarm(): bigint | null {
    return this.#alarmRunning ? this.#alarmNext - this.#offset : null;
  }

  /** The guest-visible time in nanoseconds. */
  time(): bigint {
    return BigInt.asUintN(64, this.#clock.nowNanos() + this.#offset);
  }

  // ---- guest side ----

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = this.#checkAccess(addr, width);
    switch (off) {
      case RtcReg.TimeLow: {
        const now = this.time();
        this.#timeHighLatch = Number(now >> 32n);
        return now & LOW32;
      }
      case RtcReg.TimeHigh:
        return BigInt(this.#timeHighLatch);
      case RtcReg.AlarmLow:
        return this.#alarmNext & LOW32;
      case RtcReg.AlarmHigh:
        return this.#alarmNext >> 32n;
      case RtcReg.IrqEnabled:
        return this.#irqEnabled ? 1n : 0n;
      case RtcReg.AlarmStatus:
        return this.#alarmRunning ? 1n : 0n;
      default:
        return 0n;
    }
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const off = this.#checkAccess(addr, width);
    const v = value & LOW32;
    switch (off) {
      case RtcReg.TimeLow:
        this.#setTime((this.time() & HIGH32) | v);
        break;
      case RtcReg.TimeHigh:
        this.#setTime((v << 32n) | (this.time() & LOW32));
        break;
      case RtcReg.AlarmLow:
        // Writing the low half arms the alarm (the high half is written first).
        this.#alarmNext = (this.#alarmNext & HIGH32) | v;
        this.#arm();
        break;
      case RtcReg.AlarmHigh:
        this.#alarmNext = (v << 32n) | (this.#alarmNext & LOW32);
        break;
      case RtcReg.IrqEnabled:
        this.#irqEnabled = (v & 1n) === 1n;
        this.#updateIrq();
        break;
      case RtcReg.ClearAlarm:
        this.#alarmRunning = false;
        break;
      case RtcReg.ClearInterrupt:
        this.#irqPending = false;
        this.#updateIrq();
        break;
      default:
        break;
    }
  }

  /** QEMU's goldfish RTC accepts 32-bit accesses only; others fault the guest. */
  #checkAccess(addr: number, width: AccessWidth): number {
    const off = addr - this.#range.start;
    if (width !== AccessWidth.Dword || (off & 3) !== 0) {
      throw axErr(
        "InvalidInput",
        `goldfish-rtc: ${width}-byte access at offset 0x${off.toString(16)} (only aligned 4-byte accesses)`,
      );
    }
    return off;
  }

  #setTime(guestNanos: bigint): void {
    this.#offset = guestNanos - this.#clock.nowNanos();
  }

  #arm(): void {
    if (this.#alarmNext <= this.time()) {
      this.#fire();
    } else {
      this.#alarmRunning = true;
    }
  }

  #fire(): void {
    this.#alarmRunning = false;
    this.#irqPending = true;
    this.#updateIrq();
  }

  #updateIrq(): void {
    const level = this.#irqPending && this.#irqEnabled;
    if (level === this.#irqLevel) return;
    this.#irqLevel = level;
    this.#irq.setLevel(level);
  }
}
