/**
 * Sdtrig debug triggers as QEMU 7.2 implements them: two triggers (tselect 0-1; a write of a
 * larger value is ignored), tinfo = 0x44 (types 2 mcontrol and 6 mcontrol6) for both, tdata3
 * reading 0, and no tcontrol or m/s/hcontext (those CSRs do not exist: illegal instruction).
 * A trigger fires with the only action QEMU keeps, "raise a breakpoint exception" (cause 3,
 * tval 0), before the instruction executes or the access is made:
 *   - execute: the PC equals tdata2;
 *   - load/store: the access overlaps [tdata2, tdata2 + size bytes), size ANY meaning 8.
 * A write to tdata1 keeps only what QEMU keeps: the type (2 or 6; any other type leaves tdata1
 * unchanged), the m/s/u/execute/store/load bits, for mcontrol6 also vs/vu, and a size that
 * exists (any, 1, 2, 4 or 8 bytes, else size any); dmode, action, chain, match, select, timing
 * and the hit bits read 0. An mcontrol (type 2) trigger never fires while V=1.
 *
 * The hart consults `armed` only on its slow paths (TLB misses, uncached fetches, entering
 * compiled code): while a trigger can fire it caches no translations and runs no compiled
 * code, so every fetch and access reaches these checks; with none armed nothing changes.
 */
import type { HartCore as Hart } from "./hart-core.js";

export const TRIGGER_COUNT = 2;
/** tinfo: trigger types 2 and 6. */
export const TINFO = (1 << 2) | (1 << 6);
export const CSR_TSELECT = 0x7a0;
export const CSR_TDATA1 = 0x7a1;
export const CSR_TDATA2 = 0x7a2;
export const CSR_TDATA3 = 0x7a3;
export const CSR_TINFO = 0x7a4;

const TYPE_MCONTROL = 2;
const TYPE_MCONTROL6 = 6;
const LOAD = 1;
const STORE = 2;
const EXECUTE = 4;
const U = 8;
const S = 16;
const M = 64;
const VU = 1 << 23;
const VS = 1 << 24;
const CAUSE_BREAKPOINT = 3;
/** Access length for each size code; 0 = size not supported. */
const SIZE_BYTES = [8, 1, 2, 4, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] as const;
const TWO32 = 4294967296;

export class Triggers {
  select = 0;
  /** tdata1 of each trigger as int32 halves (type in the top nibble of hi). */
  readonly data1Lo = new Int32Array(TRIGGER_COUNT);
  readonly data1Hi = new Int32Array(TRIGGER_COUNT).fill(TYPE_MCONTROL << 28);
  readonly data2Lo = new Int32Array(TRIGGER_COUNT);
  readonly data2Hi = new Int32Array(TRIGGER_COUNT);
  /** Some trigger can fire in some mode. */
  armed = false;

  /** Reads trigger CSR `num` into h.csrLo/h.csrHi; false when it is not a trigger CSR. */
  read(h: Hart, num: number): boolean {
    const t = this.select;
    switch (num) {
      case CSR_TSELECT:
        h.csrLo = t;
        h.csrHi = 0;
        return true;
      case CSR_TDATA1:
        h.csrLo = this.data1Lo[t]!;
        h.csrHi = this.data1Hi[t]!;
        return true;
      case CSR_TDATA2:
        h.csrLo = this.data2Lo[t]!;
        h.csrHi = this.data2Hi[t]!;
        return true;
      case CSR_TDATA3:
        h.csrLo = 0;
        h.csrHi = 0;
        return true;
      case CSR_TINFO:
        h.csrLo = TINFO;
        h.csrHi = 0;
        return true;
      default:
        return false;
    }
  }

  /** Writes trigger CSR `num`; false when it is not a trigger CSR. */
  write(h: Hart, num: number, lo: number, hi: number): boolean {
    const t = this.select;
    switch (num) {
      case CSR_TSELECT:
        if (hi === 0 && lo >>> 0 < TRIGGER_COUNT) this.select = lo;
        return true;
      case CSR_TDATA1: {
        const type = hi >>> 28;
        if (type === TYPE_MCONTROL6) {
          let v = lo & (VS | VU | M | S | U | EXECUTE | STORE | LOAD);
          const size = (lo >>> 16) & 15;
          if (SIZE_BYTES[size] !== 0) v |= size << 16;
          this.data1Lo[t] = v;
          this.data1Hi[t] = TYPE_MCONTROL6 << 28;
        } else if (type === TYPE_MCONTROL) {
          let v = lo & (M | S | U | EXECUTE | STORE | LOAD);
          const size = ((lo >>> 16) & 3) | (((lo >>> 21) & 3) << 2);
          if (SIZE_BYTES[size] !== 0) v |= lo & ((3 << 16) | (3 << 21));
          this.data1Lo[t] = v;
          this.data1Hi[t] = TYPE_MCONTROL << 28;
        } else {
          return true; // QEMU 7.2 ignores writes of a type it does not implement
        }
        break;
      }
      case CSR_TDATA2:
        this.data2Lo[t] = lo;
        this.data2Hi[t] = hi;
        return true;
      case CSR_TDATA3:
      case CSR_TINFO:
        return true;
      default:
        return false;
    }
    const was = this.armed;
    this.armed = false;
    for (let i = 0; i < TRIGGER_COUNT; i++) {
      const d = this.data1Lo[i]!;
      if ((d & (EXECUTE | LOAD | STORE)) !== 0 && (d & (M | S | U | VS | VU)) !== 0) {
        this.armed = true;
      }
    }
    // Arming drops every cached translation and the fetch window, so the next fetch and
    // access take the slow paths that check.
    if (this.armed !== was) h.flushTlb(false);
    return true;
  }

  /** Breakpoint exception if an execute trigger matches `pc` in the current mode. */
  checkFetch(h: Hart, pc: number): void {
    for (let i = 0; i < TRIGGER_COUNT; i++) {
      const d = this.data1Lo[i]!;
      if ((d & EXECUTE) !== 0 && this.modeMatches(h, i) && this.address(i) === pc) {
        h.fault(CAUSE_BREAKPOINT, 0, 0, 0, false);
      }
    }
  }

  /** Breakpoint exception if a load (`store` false) or store trigger overlaps the access. */
  checkData(h: Hart, va: number, len: number, store: boolean): void {
    const bit = store ? STORE : LOAD;
    for (let i = 0; i < TRIGGER_COUNT; i++) {
      const d = this.data1Lo[i]!;
      if ((d & bit) === 0 || !this.modeMatches(h, i)) continue;
      const at = this.address(i);
      const size =
        this.data1Hi[i]! >>> 28 === TYPE_MCONTROL6
          ? (d >>> 16) & 15
          : ((d >>> 16) & 3) | (((d >>> 21) & 3) << 2);
      const span = SIZE_BYTES[size]!;
      if (va < at + span && at < va + len) h.fault(CAUSE_BREAKPOINT, 0, 0, 0, false);
    }
  }

  /** tdata2 as the hart's signed address numbers. */
  private address(i: number): number {
    return this.data2Hi[i]! * TWO32 + (this.data2Lo[i]! >>> 0);
  }

  private modeMatches(h: Hart, i: number): boolean {
    const d = this.data1Lo[i]!;
    const priv = h.priv;
    if (h.virt) {
      if (this.data1Hi[i]! >>> 28 !== TYPE_MCONTROL6) return false;
      return priv === 1 ? (d & VS) !== 0 : priv === 0 && (d & VU) !== 0;
    }
    return priv === 3 ? (d & M) !== 0 : priv === 1 ? (d & S) !== 0 : (d & U) !== 0;
  }
}
