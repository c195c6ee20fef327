/**
 * The generic timer: the system counter (the board's TimeSource, in ticks of CNTFRQ =
 * 62.5 MHz on QEMU virt), the virtual offset CNTVOFF_EL2, and three timers (EL1 physical
 * CNTP, virtual CNTV, EL2 physical CNTHP). Compare values are kept as numbers: counts stay
 * far below 2^53, and a compare value above that (software's "never") still compares right.
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
export const TIMER_ENC = T;

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

  constructor(cpu: Aarch64Cpu) {
    this.cpu = cpu;
  }

  physCount(): number {
    return this.cpu.time.now();
  }

  private slot64(slot: number): number {
    const r = this.cpu.sys.r;
    return (r[slot * 2 + 1]! >>> 0) * TWO32 + (r[slot * 2]! >>> 0);
  }

  private virtOffset(): number {
    const r = this.cpu.sys.r;
    // CNTVOFF_EL2 is a signed-looking 64-bit offset in practice (hypervisors subtract).
    return r[SR.CNTVOFF_EL2 * 2 + 1]! * TWO32 + (r[SR.CNTVOFF_EL2 * 2]! >>> 0);
  }

  virtCount(): number {
    return this.physCount() - (this.cpu.hasEl2 ? this.virtOffset() : 0);
  }

  /** Whether timer (ctl slot, cval slot) against `count` has its condition met. */
  private met(cval: number, count: number): boolean {
    return count >= this.slot64(cval);
  }

  lines(): number {
    const r = this.cpu.sys.r;
    const pc = this.physCount();
    let v = 0;
    if ((r[SR.CNTP_CTL * 2]! & 3) === 1 && this.met(SR.CNTP_CVAL, pc)) v |= LINE_CNTP;
    if ((r[SR.CNTV_CTL * 2]! & 3) === 1 && this.met(SR.CNTV_CVAL, this.virtCount())) v |= LINE_CNTV;
    if (this.cpu.hasEl2 && (r[SR.CNTHP_CTL * 2]! & 3) === 1 && this.met(SR.CNTHP_CVAL, pc)) {
      v |= LINE_CNTHP;
    }
    return v;
  }

  /** The earliest physical count at which an enabled, unmasked timer fires. */
  nextEvent(): number {
    const r = this.cpu.sys.r;
    let t = Number.POSITIVE_INFINITY;
    if ((r[SR.CNTP_CTL * 2]! & 3) === 1) t = Math.min(t, this.slot64(SR.CNTP_CVAL));
    if ((r[SR.CNTV_CTL * 2]! & 3) === 1) {
      t = Math.min(t, this.slot64(SR.CNTV_CVAL) + (this.cpu.hasEl2 ? this.virtOffset() : 0));
    }
    if (this.cpu.hasEl2 && (r[SR.CNTHP_CTL * 2]! & 3) === 1)
      t = Math.min(t, this.slot64(SR.CNTHP_CVAL));
    return t >= 2 ** 64 - 2 ** 11 ? Number.POSITIVE_INFINITY : t;
  }

  private ctl(ctlSlot: number, cvalSlot: number, count: number): number {
    const c = this.cpu.sys.r[ctlSlot * 2]! & 3;
    return c | ((c & 1) !== 0 && this.met(cvalSlot, count) ? 4 : 0);
  }

  private tval(cvalSlot: number, count: number, o: Out): void {
    o.lo = (this.slot64(cvalSlot) - count) | 0;
    o.hi = 0;
  }

  private setTval(cvalSlot: number, count: number, lo: number): void {
    const v = count + (lo | 0);
    const r = this.cpu.sys.r;
    r[cvalSlot * 2] = v | 0;
    r[cvalSlot * 2 + 1] = Math.floor(v / TWO32) | 0;
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
      case T.CNTVCT: {
        const v = enc === T.CNTPCT ? this.physCount() : this.virtCount();
        o.lo = v | 0;
        o.hi = Math.floor(v / TWO32) | 0;
        return true;
      }
      case T.CNTP_CTL:
        o.lo = this.ctl(SR.CNTP_CTL, SR.CNTP_CVAL, this.physCount());
        return true;
      case T.CNTV_CTL:
        o.lo = this.ctl(SR.CNTV_CTL, SR.CNTV_CVAL, this.virtCount());
        return true;
      case T.CNTHP_CTL:
        if (!el2) return false;
        o.lo = this.ctl(SR.CNTHP_CTL, SR.CNTHP_CVAL, this.physCount());
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
        this.tval(SR.CNTP_CVAL, this.physCount(), o);
        return true;
      case T.CNTV_TVAL:
        this.tval(SR.CNTV_CVAL, this.virtCount(), o);
        return true;
      case T.CNTHP_TVAL:
        if (!el2) return false;
        this.tval(SR.CNTHP_CVAL, this.physCount(), o);
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
    // Any timer change may move an output edge: the board re-reads the lines after run().
    this.cpu.sliceBreak = true;
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
        this.setTval(SR.CNTP_CVAL, this.physCount(), lo);
        return true;
      case T.CNTV_TVAL:
        this.setTval(SR.CNTV_CVAL, this.virtCount(), lo);
        return true;
      case T.CNTHP_TVAL:
        if (!el2) return false;
        this.setTval(SR.CNTHP_CVAL, this.physCount(), lo);
        return true;
      default:
        return false;
    }
  }
}
