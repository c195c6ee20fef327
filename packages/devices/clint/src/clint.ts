import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** The platform timer (same shape as `TimeSource` of @axvisor/cpu-riscv64): ticks as a number. */
export interface TimeSource {
  now(): number;
}

export interface ClintOptions {
  /** Physical base address (QEMU virt: 0x200_0000). */
  readonly base: number;
  /** Size of the MMIO window (default 0x10000). */
  readonly size?: number;
  readonly numHarts: number;
  /** mtime is this clock (plus whatever offset guest writes to mtime introduce). */
  readonly time: TimeSource;
  /** Drives a hart's MSIP (mip bit 3). Called on changes only. */
  readonly setMsip: (hart: number, level: boolean) => void;
  /** Drives a hart's MTIP (mip bit 7). Called on changes only. */
  readonly setMtip: (hart: number, level: boolean) => void;
}

/** Register offsets of the SiFive CLINT (= ACLINT MSWI at 0 followed by MTIMER at 0x4000). */
export const CLINT_MSIP = 0x0000;
export const CLINT_MTIMECMP = 0x4000;
export const CLINT_MTIME = 0xbff8;
export const CLINT_DEFAULT_SIZE = 0x10000;
/** The layout leaves room for 4095 harts (msip up to 0x3FFC, mtimecmp up to 0xBFF0). */
export const CLINT_MAX_HARTS = 4095;

const TWO_POW_64 = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint as a number, saturating to ±Infinity outside the exactly representable range. */
function saturate(v: bigint): number {
  if (v > MAX_SAFE) return Number.POSITIVE_INFINITY;
  if (v < -MAX_SAFE) return Number.NEGATIVE_INFINITY;
  return Number(v);
}

/**
 * The SiFive CLINT (`sifive,clint0`), i.e. the ACLINT MSWI + MTIMER pair at their classic
 * offsets.
 *
 * mtime is `time.now()` plus an offset that guest writes to mtime adjust, modulo 2^64. To keep
 * the per-slice check free of BigInt, each hart's compare value is turned into a deadline on
 * the TimeSource's own scale whenever mtimecmp or mtime is written: MTIP is then
 * `deadline <= now < wrapAt` (wrapAt being when mtime wraps past 2^64), which `update(now)`
 * evaluates with plain number comparisons.
 */
export class Clint implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #numHarts: number;
  readonly #time: TimeSource;
  readonly #setMsip: (hart: number, level: boolean) => void;
  readonly #setMtip: (hart: number, level: boolean) => void;

  readonly #msip: Uint8Array;
  readonly #mtip: Uint8Array;
  readonly #cmpLo: Uint32Array;
  readonly #cmpHi: Uint32Array;
  /** TimeSource tick at which each hart's mtime reaches its mtimecmp. */
  readonly #deadline: Float64Array;
  /** mtime - now, as an integer (may be negative). */
  #offset = 0n;
  /** TimeSource tick at which mtime wraps to 0. */
  #wrapAt = Number.POSITIVE_INFINITY;
  #lastNow = Number.NEGATIVE_INFINITY;

  constructor(options: ClintOptions) {
    const n = options.numHarts;
    if (!Number.isInteger(n) || n < 1 || n > CLINT_MAX_HARTS) {
      throw new RangeError(`clint: numHarts must be 1..${CLINT_MAX_HARTS}, got ${n}`);
    }
    const size = options.size ?? CLINT_DEFAULT_SIZE;
    if (size < CLINT_MTIME + 8) {
      throw new RangeError(`clint: window of 0x${size.toString(16)} bytes does not reach mtime`);
    }
    this.#range = rangeFromSize(options.base as GuestPhysAddr, size);
    this.#numHarts = n;
    this.#time = options.time;
    this.#setMsip = options.setMsip;
    this.#setMtip = options.setMtip;
    this.#msip = new Uint8Array(n);
    this.#mtip = new Uint8Array(n);
    this.#cmpLo = new Uint32Array(n);
    this.#cmpHi = new Uint32Array(n);
    this.#deadline = new Float64Array(n);
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.InterruptController;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  get numHarts(): number {
    return this.#numHarts;
  }

  /**
   * Power-on state: MSIP clear, mtime = the time source, mtimecmp all ones (so no timer
   * interrupt is pending until software programs one; the ACLINT spec leaves it unspecified).
   */
  reset(): void {
    this.#offset = 0n;
    this.#wrapAt = saturate(TWO_POW_64);
    for (let h = 0; h < this.#numHarts; h++) {
      this.#cmpLo[h] = 0xffff_ffff;
      this.#cmpHi[h] = 0xffff_ffff;
      this.#writeMsip(h, 0);
    }
    this.#recomputeDeadlines();
    this.update(this.#time.now());
  }

  // ---- board side ----

  /** Re-evaluates every hart's MTIP at `now` (TimeSource ticks); call at slice boundaries. */
  update(now: number): void {
    this.#lastNow = now;
    const wrapAt = this.#wrapAt;
    for (let h = 0; h < this.#numHarts; h++) {
      const level = now >= this.#deadline[h]! && now < wrapAt ? 1 : 0;
      if (level !== this.#mtip[h]) {
        this.#mtip[h] = level;
        this.#setMtip(h, level === 1);
      }
    }
  }

  /**
   * The earliest TimeSource tick at which some hart's MTIP changes after the last `update`
   * (a deadline being reached, or an asserted MTIP dropping because mtime wraps), or Infinity.
   * A board with every hart in WFI can sleep until then.
   */
  nextDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    for (let h = 0; h < this.#numHarts; h++) {
      if (this.#mtip[h]) {
        next = Math.min(next, this.#wrapAt);
      } else {
        const d = this.#deadline[h]!;
        if (d > this.#lastNow && d < this.#wrapAt) next = Math.min(next, d);
      }
    }
    return next;
  }

  /** The current mtime (64-bit). */
  mtime(): bigint {
    return BigInt.asUintN(64, BigInt(this.#time.now()) + this.#offset);
  }

  mtimecmp(hart: number): bigint {
    this.#checkHart(hart);
    return (BigInt(this.#cmpHi[hart]!) << 32n) | BigInt(this.#cmpLo[hart]!);
  }

  msip(hart: number): boolean {
    this.#checkHart(hart);
    return this.#msip[hart] === 1;
  }

  mtip(hart: number): boolean {
    this.#checkHart(hart);
    return this.#mtip[hart] === 1;
  }

  // ---- guest side ----

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const offset = this.#checkAccess(addr, width);
    // One sample of the clock for both halves, so a 64-bit read cannot tear.
    if (offset === CLINT_MTIME && width === AccessWidth.Qword) return this.mtime();
    if (width === AccessWidth.Qword) {
      return BigInt(this.#read32(offset)) | (BigInt(this.#read32(offset + 4)) << 32n);
    }
    return BigInt(this.#read32(offset));
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const offset = this.#checkAccess(addr, width);
    if (offset === CLINT_MTIME && width === AccessWidth.Qword) {
      this.#setMtime(BigInt.asUintN(64, value));
      this.#afterTimerWrite(offset);
      return;
    }
    if (width === AccessWidth.Qword) {
      // A 64-bit store updates both halves before MTIP is re-evaluated, so there is no
      // transient compare value in between (unlike two 32-bit stores).
      this.#write32(offset, Number(value & 0xffff_ffffn), false);
      this.#write32(offset + 4, Number((value >> 32n) & 0xffff_ffffn), false);
      this.#afterTimerWrite(offset);
      return;
    }
    this.#write32(offset, Number(value & 0xffff_ffffn), true);
  }

  /** QEMU's CLINT accepts aligned 4- and 8-byte accesses only; others fault the guest. */
  #checkAccess(addr: number, width: AccessWidth): number {
    const offset = addr - this.#range.start;
    if ((width !== AccessWidth.Dword && width !== AccessWidth.Qword) || offset % width !== 0) {
      throw axErr(
        "InvalidInput",
        `clint: ${width}-byte access at offset 0x${offset.toString(16)} (only aligned 4/8-byte accesses)`,
      );
    }
    return offset;
  }

  #read32(offset: number): number {
    if (offset < CLINT_MTIMECMP) {
      const hart = offset >> 2;
      return hart < this.#numHarts ? this.#msip[hart]! : 0;
    }
    if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
      const mtime = this.mtime();
      return Number(offset === CLINT_MTIME ? mtime & 0xffff_ffffn : mtime >> 32n);
    }
    if (offset < CLINT_MTIME) {
      const hart = (offset - CLINT_MTIMECMP) >> 3;
      if (hart >= this.#numHarts) return 0;
      return offset & 4 ? this.#cmpHi[hart]! : this.#cmpLo[hart]!;
    }
    return 0;
  }

  #write32(offset: number, value: number, reevaluate: boolean): void {
    if (offset < CLINT_MTIMECMP) {
      const hart = offset >> 2;
      if (hart < this.#numHarts) this.#writeMsip(hart, value & 1);
      return;
    }
    if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
      const mtime = this.mtime();
      const next =
        offset === CLINT_MTIME
          ? (mtime & 0xffff_ffff_0000_0000n) | BigInt(value)
          : (BigInt(value) << 32n) | (mtime & 0xffff_ffffn);
      this.#setMtime(next);
    } else if (offset < CLINT_MTIME) {
      const hart = (offset - CLINT_MTIMECMP) >> 3;
      if (hart >= this.#numHarts) return;
      if (offset & 4) this.#cmpHi[hart] = value;
      else this.#cmpLo[hart] = value;
    } else {
      return;
    }
    if (reevaluate) this.#afterTimerWrite(offset);
  }

  #setMtime(value: bigint): void {
    this.#offset = value - BigInt(this.#time.now());
    this.#wrapAt = saturate(TWO_POW_64 - this.#offset);
  }

  #afterTimerWrite(offset: number): void {
    if (offset < CLINT_MTIMECMP) return;
    // An mtime write moves every deadline; an mtimecmp write only its hart's, but the
    // recomputation is cheap and writes are rare.
    this.#recomputeDeadlines();
    this.update(this.#time.now());
  }

  #writeMsip(hart: number, bit: number): void {
    if (this.#msip[hart] === bit) return;
    this.#msip[hart] = bit;
    this.#setMsip(hart, bit === 1);
  }

  #recomputeDeadlines(): void {
    for (let h = 0; h < this.#numHarts; h++) {
      const cmp = (BigInt(this.#cmpHi[h]!) << 32n) | BigInt(this.#cmpLo[h]!);
      this.#deadline[h] = saturate(cmp - this.#offset);
    }
  }

  #checkHart(hart: number): void {
    if (!Number.isInteger(hart) || hart < 0 || hart >= this.#numHarts) {
      throw new RangeError(`clint: no hart ${hart} (have ${this.#numHarts})`);
    }
  }
}
