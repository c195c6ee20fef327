/**
 * The generic timer: the system counter (the board's TimeSource, in ticks of CNTFRQ =
 * 62.5 MHz on QEMU virt), the virtual offset CNTVOFF_EL2, and three timers (EL1 physical
 * CNTP, virtual CNTV, EL2 physical CNTHP). Counts, offsets and compare values are 64-bit
 * values modulo 2^64 (int32 lo/hi pairs): CNTVCT = CNTPCT - CNTVOFF may wrap, and a timer's
 * condition is the unsigned comparison count >= CVAL, exactly.
 */

import type { Aarch64Cpu } from "./cpu.js";
import { sysreg } from "./sysreg-encoding.js";
import { SR } from "./sysregs.js";

const TWO32 = 4294967296;

const T = {
  CNTFRQ: sysreg(3, 3, 14, 0, 0),
  CNTPCT: sysreg(3, 3, 14, 0, 1),
  CNTVCT: sysreg(3, 3, 14, 0, 2),
  CNTP_TVAL: sysreg(3, 3, 14, 2, 0),
  CNTP_CTL: sysreg(3, 3, 14, 2, 1),
  CNTP_CVAL: sysreg(3, 3, 14, 2, 2),
  CNTV_TVAL: sysreg(3, 3, 14, 3, 0),
  CNTV_CTL: sysreg(3, 3, 14, 3, 1),
  CNTV_CVAL: sysreg(3, 3, 14, 3, 2),
  CNTVOFF: sysreg(3, 4, 14, 0, 3),
  CNTHCTL: sysreg(3, 4, 14, 1, 0),
  CNTHP_TVAL: sysreg(3, 4, 14, 2, 0),
  CNTHP_CTL: sysreg(3, 4, 14, 2, 1),
  CNTHP_CVAL: sysreg(3, 4, 14, 2, 2),
} as const;

/** Output bits of timerLines(). */
export const LINE_CNTP = 1;
export const LINE_CNTV = 2;
export const LINE_CNTHP = 4;

interface Out {
  lo: number;
  hi: number;
}

export class Timer {
  private readonly cpu: Aarch64Cpu;
  /** The last count computed (lo, hi). */
  private cLo = 0;
  private cHi = 0;

  constructor(cpu: Aarch64Cpu) {
    this.cpu = cpu;
  }

  /** CNTPCT into cLo/cHi. */
  private phys(): void {
    const v = this.cpu.time.now();
    this.cLo = v | 0;
    this.cHi = Math.floor(v / TWO32) | 0;
  }

  /** CNTVCT = CNTPCT - CNTVOFF_EL2 (mod 2^64) into cLo/cHi. */
  private virt(): void {
    this.phys();
    this.physToVirt();
  }

  /** The count in cLo/cHi (CNTPCT) minus CNTVOFF_EL2. */
  private physToVirt(): void {
    if (!this.cpu.hasEl2) return;
    const r = this.cpu.sys.r;
    const oLo = r[SR.CNTVOFF_EL2 * 2]!;
    const oHi = r[SR.CNTVOFF_EL2 * 2 + 1]!;
    const l = (this.cLo >>> 0) - (oLo >>> 0);
    this.cHi = (this.cHi - oHi - (l < 0 ? 1 : 0)) | 0;
    this.cLo = l | 0;
  }

  /** Whether the count in cLo/cHi is at or past the compare value in `cval` (unsigned). */
  private met(cval: number): boolean {
    const r = this.cpu.sys.r;
    const h = r[cval * 2 + 1]! >>> 0;
    const ch = this.cHi >>> 0;
    if (ch !== h) return ch > h;
    return this.cLo >>> 0 >= r[cval * 2]! >>> 0;
  }

  lines(): number {
    const r = this.cpu.sys.r;
    const el2 = this.cpu.hasEl2;
    const p = (r[SR.CNTP_CTL * 2]! & 3) === 1;
    const hp = el2 && (r[SR.CNTHP_CTL * 2]! & 3) === 1;
    const vt = (r[SR.CNTV_CTL * 2]! & 3) === 1;
    // Asked on every GIC access and world switch: no clock read while no timer can fire.
    if (!p && !hp && !vt) return 0;
    let v = 0;
    this.phys();
    if (p && this.met(SR.CNTP_CVAL)) v |= LINE_CNTP;
    if (hp && this.met(SR.CNTHP_CVAL)) v |= LINE_CNTHP;
    if (vt) {
      this.physToVirt();
      if (this.met(SR.CNTV_CVAL)) v |= LINE_CNTV;
    }
    return v;
  }

  /** The earliest physical count at which an enabled, unmasked timer fires (or Infinity). */
  nextEvent(): number {
    const r = this.cpu.sys.r;
    let t = Number.POSITIVE_INFINITY;
    const at = (lo: number, hi: number): void => {
      const v = (hi >>> 0) * TWO32 + (lo >>> 0);
      if (v < t) t = v;
    };
    if ((r[SR.CNTP_CTL * 2]! & 3) === 1) at(r[SR.CNTP_CVAL * 2]!, r[SR.CNTP_CVAL * 2 + 1]!);
    if (this.cpu.hasEl2 && (r[SR.CNTHP_CTL * 2]! & 3) === 1) {
      at(r[SR.CNTHP_CVAL * 2]!, r[SR.CNTHP_CVAL * 2 + 1]!);
    }
    if ((r[SR.CNTV_CTL * 2]! & 3) === 1) {
      // Physical count at which CNTVCT reaches CVAL: CVAL + CNTVOFF (mod 2^64).
      let lo = r[SR.CNTV_CVAL * 2]!;
      let hi = r[SR.CNTV_CVAL * 2 + 1]!;
      if (this.cpu.hasEl2) {
        const l = (lo >>> 0) + (r[SR.CNTVOFF_EL2 * 2]! >>> 0);
        hi = (hi + r[SR.CNTVOFF_EL2 * 2 + 1]! + (l > 0xffffffff ? 1 : 0)) | 0;
        lo = l | 0;
      }
      at(lo, hi);
    }
    return t >= 2 ** 53 ? Number.POSITIVE_INFINITY : t;
  }

  /** CTL as read: ENABLE, IMASK and ISTATUS (the condition, while enabled). */
  private ctl(ctlSlot: number, cvalSlot: number): number {
    const c = this.cpu.sys.r[ctlSlot * 2]! & 3;
    return c | ((c & 1) !== 0 && this.met(cvalSlot) ? 4 : 0);
  }

  /** TVAL: the low 32 bits of CVAL - count, sign-extended. */
  private tval(cvalSlot: number, o: Out): void {
    const lo = (this.cpu.sys.r[cvalSlot * 2]! - this.cLo) | 0;
    o.lo = lo;
    o.hi = lo >> 31;
  }

  /** CVAL = count + SignExtend(TVAL). */
  private setTval(cvalSlot: number, tval: number): void {
    const r = this.cpu.sys.r;
    const l = (this.cLo >>> 0) + (tval | 0);
    r[cvalSlot * 2] = l | 0;
    r[cvalSlot * 2 + 1] = (this.cHi + Math.floor(l / TWO32)) | 0;
  }

  read(enc: number, o: Out): boolean {
    const r = this.cpu.sys.r;
    const el2 = this.cpu.hasEl2;
    o.hi = 0;
    switch (enc) {
      case T.CNTFRQ:
        o.lo = r[SR.CNTFRQ * 2]!;
        return true;
      case T.CNTPCT:
      case T.CNTVCT:
        if (enc === T.CNTPCT) this.phys();
        else this.virt();
        o.lo = this.cLo;
        o.hi = this.cHi;
        return true;
      case T.CNTP_CTL:
        this.phys();
        o.lo = this.ctl(SR.CNTP_CTL, SR.CNTP_CVAL);
        return true;
      case T.CNTV_CTL:
        this.virt();
        o.lo = this.ctl(SR.CNTV_CTL, SR.CNTV_CVAL);
        return true;
      case T.CNTHP_CTL:
        if (!el2) return false;
        this.phys();
        o.lo = this.ctl(SR.CNTHP_CTL, SR.CNTHP_CVAL);
        return true;
      case T.CNTP_CVAL:
      case T.CNTV_CVAL:
      case T.CNTHP_CVAL:
      case T.CNTVOFF:
      case T.CNTHCTL: {
        const slot = this.slotOf(enc);
        if (slot < 0) return false;
        o.lo = r[slot * 2]!;
        o.hi = r[slot * 2 + 1]!;
        return true;
      }
      case T.CNTP_TVAL:
        this.phys();
        this.tval(SR.CNTP_CVAL, o);
        return true;
      case T.CNTV_TVAL:
        this.virt();
        this.tval(SR.CNTV_CVAL, o);
        return true;
      case T.CNTHP_TVAL:
        if (!el2) return false;
        this.phys();
        this.tval(SR.CNTHP_CVAL, o);
        return true;
      default:
        return false;
    }
  }

  private slotOf(enc: number): number {
    const el2 = this.cpu.hasEl2;
    switch (enc) {
      case T.CNTP_CVAL:
        return SR.CNTP_CVAL;
      case T.CNTV_CVAL:
        return SR.CNTV_CVAL;
      case T.CNTHP_CVAL:
        return el2 ? SR.CNTHP_CVAL : -1;
      case T.CNTVOFF:
        return el2 ? SR.CNTVOFF_EL2 : -1;
      case T.CNTHCTL:
        return el2 ? SR.CNTHCTL_EL2 : -1;
      default:
        return -1;
    }
  }

  write(enc: number, lo: number, hi: number, _el: number): boolean {
    const r = this.cpu.sys.r;
    const el2 = this.cpu.hasEl2;
    // Any timer change may move an output edge: run() returns so the board re-reads them.
    this.cpu.sliceBreak = true;
    this.cpu.yieldRun = true;
    switch (enc) {
      case T.CNTFRQ:
        r[SR.CNTFRQ * 2] = lo;
        return true;
      case T.CNTP_CTL:
        r[SR.CNTP_CTL * 2] = lo & 3;
        return true;
      case T.CNTV_CTL:
        r[SR.CNTV_CTL * 2] = lo & 3;
        return true;
      case T.CNTHP_CTL:
        if (!el2) return false;
        r[SR.CNTHP_CTL * 2] = lo & 3;
        return true;
      case T.CNTHCTL:
        if (!el2) return false;
        r[SR.CNTHCTL_EL2 * 2] = lo & 0x3ff;
        return true;
      case T.CNTP_CVAL:
      case T.CNTV_CVAL:
      case T.CNTHP_CVAL:
      case T.CNTVOFF: {
        const slot = this.slotOf(enc);
        if (slot < 0) return false;
        r[slot * 2] = lo;
        r[slot * 2 + 1] = hi;
        return true;
      }
      case T.CNTP_TVAL:
        this.phys();
        this.setTval(SR.CNTP_CVAL, lo);
        return true;
      case T.CNTV_TVAL:
        this.virt();
        this.setTval(SR.CNTV_CVAL, lo);
        return true;
      case T.CNTHP_TVAL:
        if (!el2) return false;
        this.phys();
        this.setTval(SR.CNTHP_CVAL, lo);
        return true;
      default:
        return false;
    }
  }
}
