import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import type { TimeSource } from "@axvisor/machine";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

export const HPET_BASE = 0xfed0_0000;
export const HPET_SIZE = 0x400;
export const HPET_TIMERS = 3;
/** The counter runs at 100 MHz, as QEMU's: a period of 10 ns = 10^7 fs. */
export const HPET_HZ = 100_000_000;
export const HPET_PERIOD_FS = 10_000_000;
/** Capabilities low word: vendor 8086, legacy replacement capable, 64-bit, 3 timers, rev 1. */
export const HPET_CAP_LOW = 0x8086_a201;
/** The IOAPIC pins a timer may be routed to (Tn_INT_ROUTE_CAP): 2, 8 and 20-23. */
export const HPET_ROUTE_CAP = 0x00f0_0104;

const CFG_ENABLE = 1;
const CFG_LEGACY = 2;
const TN_LEVEL = 1 << 1;
const TN_INT_ENABLE = 1 << 2;
const TN_PERIODIC = 1 << 3;
const TN_PERIODIC_CAP = 1 << 4;
const TN_SIZE_CAP = 1 << 5;
const TN_VAL_SET = 1 << 6;
const TN_32BIT = 1 << 8;
const TN_WRITABLE = TN_LEVEL | TN_INT_ENABLE | TN_PERIODIC | TN_VAL_SET | TN_32BIT | (0x1f << 9);
const TWO32 = 2 ** 32;

export interface HpetOptions {
  readonly base?: number;
  readonly time: TimeSource;
  readonly timeHz: number;
  /** Drives an IOAPIC pin (a timer's Tn_INT_ROUTE). */
  readonly ioapicIrq: (pin: number, level: boolean) => void;
  /**
   * Legacy replacement routing: timer 0 takes over ISA IRQ0 (PIC 0, IOAPIC 2) and timer 1
   * ISA IRQ8 (PIC 8, IOAPIC 8); the board disconnects the PIT and RTC outputs meanwhile.
   */
  readonly legacyIrq: (isaIrq: 0 | 8, level: boolean) => void;
  /** Called when legacy replacement routing is switched on or off. */
  readonly onLegacyMode?: (on: boolean) => void;
}

interface Timer {
  config: number;
  /** The comparator register (exact), and as a number for the checks. */
  cmpReg: bigint;
  cmp: number;
  /** Periodic mode: the increment added to the comparator at each match. */
  periodReg: bigint;
  period: number;
  /** Counter value up to which matches have been handled. */
  checked: number;
}

/**
 * The HPET of QEMU's pc boards at 0xFED0_0000: a 64-bit main counter at 100 MHz and three
 * comparators (one-shot or periodic, 64- or 32-bit, edge or level interrupts routed to an
 * IOAPIC pin, or to IRQ0/IRQ8 in legacy replacement mode).
 *
 * The counter is computed from the board clock while enabled and frozen while not. A timer
 * fires when the counter crosses its comparator; `update()` checks the crossings at slice
 * boundaries and `nextDeadline()` gives the board tick of the next one.
 */
export class Hpet implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #time: TimeSource;
  readonly #ticksPerCount: number;
  readonly #ioapicIrq: (pin: number, level: boolean) => void;
  readonly #legacyIrq: (isaIrq: 0 | 8, level: boolean) => void;
  readonly #onLegacyMode: (on: boolean) => void;
  readonly timers: Timer[] = [];
  config = 0;
  /** General interrupt status: level interrupts that are active. */
  isr = 0;
  /** Counter value at `#origin` (the counter while disabled). */
  #counterBase = 0;
  /** Board tick at which the counter was last enabled or written. */
  #origin = 0;

  constructor(options: HpetOptions) {
    this.#range = rangeFromSize((options.base ?? HPET_BASE) as GuestPhysAddr, HPET_SIZE);
    this.#time = options.time;
    this.#ticksPerCount = options.timeHz / HPET_HZ;
    this.#ioapicIrq = options.ioapicIrq;
    this.#legacyIrq = options.legacyIrq;
    this.#onLegacyMode = options.onLegacyMode ?? (() => {});
    for (let i = 0; i < HPET_TIMERS; i++)
      this.timers.push({ config: 0, cmpReg: 0n, cmp: 0, periodReg: 0n, period: 0, checked: 0 });
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  reset(): void {
    const wasLegacy = (this.config & CFG_LEGACY) !== 0;
    this.config = 0;
    this.isr = 0;
    this.#counterBase = 0;
    this.#origin = this.#time.now();
    for (let i = 0; i < HPET_TIMERS; i++) {
      const t = this.timers[i]!;
      t.config = TN_PERIODIC_CAP | TN_SIZE_CAP;
      this.#setCmp(t, 0xffff_ffff_ffff_ffffn);
      t.periodReg = 0n;
      t.period = 0;
      t.checked = 0;
      this.#lower(i);
    }
    if (wasLegacy) this.#onLegacyMode(false);
  }

  get enabled(): boolean {
    return (this.config & CFG_ENABLE) !== 0;
  }

  get legacy(): boolean {
    return (this.config & CFG_LEGACY) !== 0;
  }

  /** The main counter now. */
  counter(): number {
    if (!this.enabled) return this.#counterBase;
    return this.#counterBase + Math.floor((this.#time.now() - this.#origin) / this.#ticksPerCount);
  }

  #route(i: number): (level: boolean) => void {
    if (this.legacy && i < 2) return (l) => this.#legacyIrq(i === 0 ? 0 : 8, l);
    const pin = (this.timers[i]!.config >> 9) & 0x1f;
    return (l) => this.#ioapicIrq(pin, l);
  }

  #lower(i: number): void {
    this.isr &= ~(1 << i);
    this.#route(i)(false);
  }

  #fire(i: number): void {
    const t = this.timers[i]!;
    if ((t.config & TN_INT_ENABLE) === 0) return;
    const line = this.#route(i);
    if (t.config & TN_LEVEL) {
      this.isr |= 1 << i;
      line(true);
    } else {
      line(true);
      line(false);
    }
  }

  /** Fires the timers whose comparator the counter crossed; call at slice boundaries. */
  update(): void {
    if (!this.enabled) return;
    const now = this.counter();
    for (let i = 0; i < HPET_TIMERS; i++) {
      const t = this.timers[i]!;
      const cmp = this.#effectiveCmp(t);
      if (t.checked < cmp && cmp <= now) {
        this.#fire(i);
        if (t.config & TN_PERIODIC && t.period > 0) {
          const periods = Math.floor((now - cmp) / t.period) + 1;
          this.#setCmp(t, t.cmpReg + BigInt(periods) * t.periodReg);
        }
      }
      t.checked = now;
    }
  }

  #setCmp(t: Timer, v: bigint): void {
    t.cmpReg = t.config & TN_32BIT ? BigInt.asUintN(32, v) : BigInt.asUintN(64, v);
    t.cmp = Number(t.cmpReg);
  }

  /** The comparator as a counter value ≥ the last check (32-bit timers match modulo 2^32). */
  #effectiveCmp(t: Timer): number {
    if ((t.config & TN_32BIT) === 0) return t.cmp;
    const low = t.cmp;
    const base = t.checked - (t.checked % TWO32);
    const c = base + low;
    return c > t.checked ? c : c + TWO32;
  }

  /** Board tick of the next comparator match with interrupts enabled (Infinity: none). */
  nextDeadline(): number {
    if (!this.enabled) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.timers) {
      if ((t.config & TN_INT_ENABLE) === 0) continue;
      const cmp = this.#effectiveCmp(t);
      if (cmp < next) next = cmp;
    }
    if (!Number.isFinite(next)) return next;
    return this.#origin + (next - this.#counterBase) * this.#ticksPerCount;
  }

  #read64(off: number): bigint {
    if (off === 0x000) return (BigInt(HPET_PERIOD_FS) << 32n) | BigInt(HPET_CAP_LOW);
    if (off === 0x010) return BigInt(this.config);
    if (off === 0x020) return BigInt(this.isr);
    if (off === 0x0f0) return BigInt(this.counter());
    if (off >= 0x100 && off < 0x100 + 0x20 * HPET_TIMERS) {
      const t = this.timers[(off - 0x100) >> 5]!;
      switch (off & 0x1f) {
        case 0x00:
          return (BigInt(HPET_ROUTE_CAP) << 32n) | BigInt(t.config);
        case 0x08:
          return t.cmpReg;
        default:
          return 0n;
      }
    }
    return 0n;
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = (addr as number) - (this.#range.start as number);
    const reg = off & ~7;
    const v = this.#read64(reg);
    const shifted = v >> BigInt((off & 7) * 8);
    return width === 8 ? shifted : shifted & ((1n << BigInt(width * 8)) - 1n);
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const off = (addr as number) - (this.#range.start as number);
    const reg = off & ~7;
    // A narrower write replaces its bytes of the 64-bit register.
    const shift = BigInt((off & 7) * 8);
    const mask = width === 8 ? 0xffff_ffff_ffff_ffffn : ((1n << BigInt(width * 8)) - 1n) << shift;
    const merge = (old: bigint) => BigInt.asUintN(64, (old & ~mask) | ((value << shift) & mask));
    this.#write(reg, merge, (off & 7) >= 4 && width <= 4);
  }

  #write(reg: number, merge: (old: bigint) => bigint, highOnly: boolean): void {
    if (reg === 0x010) {
      if (highOnly) return;
      const low = Number(merge(BigInt(this.config)) & 0xffff_ffffn);
      const wasEnabled = this.enabled;
      const wasLegacy = this.legacy;
      if (wasEnabled) this.#counterBase = this.counter();
      this.#origin = this.#time.now();
      this.config = low & (CFG_ENABLE | CFG_LEGACY);
      if (wasLegacy !== this.legacy) {
        for (let i = 0; i < 2; i++) if (this.isr & (1 << i)) this.#lower(i);
        this.#onLegacyMode(this.legacy);
      }
      if (!wasEnabled && this.enabled) {
        for (const t of this.timers) t.checked = this.#counterBase;
      }
      return;
    }
    if (reg === 0x020) {
      if (highOnly) return;
      const low = Number(merge(0n) & 0xffff_ffffn);
      for (let i = 0; i < HPET_TIMERS; i++) {
        if (low & (1 << i) && this.isr & (1 << i)) this.#lower(i);
      }
      return;
    }
    if (reg === 0x0f0) {
      // The counter may only be written while halted (the spec leaves the rest undefined).
      if (this.enabled) return;
      this.#counterBase = Number(merge(BigInt(this.#counterBase)));
      for (const t of this.timers) t.checked = this.#counterBase;
      return;
    }
    if (reg < 0x100 || reg >= 0x100 + 0x20 * HPET_TIMERS) return;
    const i = (reg - 0x100) >> 5;
    const t = this.timers[i]!;
    switch (reg & 0x1f) {
      case 0x00: {
        if (highOnly) return;
        const low = Number(merge(BigInt(t.config)) & 0xffff_ffffn);
        if (this.isr & (1 << i)) this.#lower(i);
        t.config = (t.config & ~TN_WRITABLE) | (low & TN_WRITABLE);
        return;
      }
      case 0x08: {
        const periodic = (t.config & TN_PERIODIC) !== 0;
        // Periodic timers: writes set the period; with VAL_SET also the comparator (Linux
        // writes the first deadline with VAL_SET, then the period).
        if (!periodic || t.config & TN_VAL_SET) this.#setCmp(t, merge(t.cmpReg));
        if (periodic) {
          const p = merge(t.periodReg);
          t.periodReg = t.config & TN_32BIT ? BigInt.asUintN(32, p) : p;
          t.period = Number(t.periodReg);
        }
        t.config &= ~TN_VAL_SET;
        t.checked = this.counter();
        return;
      }
      default:
        return;
    }
  }
}
