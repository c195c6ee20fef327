/**
 * The integer data-processing instructions (immediate and register forms); the run loop in
 * cpu.ts dispatches the top-level encoding groups here and to the other units. Loads and
 * stores are in loadstore.ts; branches, exception
 * generation and system instructions in system.ts; FP/AdvSIMD goes to the fpsimd unit.
 */

import type { Aarch64Cpu } from "./cpu.js";
import * as i64 from "./int64.js";

// Local bindings (see cpu.ts: no namespace getter per use).
const asr64 = i64.asr64;
const CRC32_TABLE = i64.CRC32_TABLE;
const CRC32C_TABLE = i64.CRC32C_TABLE;
const cls32 = i64.cls32;
const crc32 = i64.crc32;
const lsl64 = i64.lsl64;
const lsr64 = i64.lsr64;
const mul64 = i64.mul64;
const out = i64.out;
const rbit32 = i64.rbit32;
const rev16 = i64.rev16;
const rev32 = i64.rev32;
const ror64 = i64.ror64;
const sdiv64 = i64.sdiv64;
const smulh = i64.smulh;
const udiv64 = i64.udiv64;
const umulh = i64.umulh;

const TWO32 = 4294967296;

// ------------------------------------------------------------------ helpers

/** Writes X[n] (n = 31: XZR, discarded). */
function setX(x: Int32Array, n: number, lo: number, hi: number): void {
  if (n !== 31) {
    x[n * 2] = lo;
    x[n * 2 + 1] = hi;
  }
}

/** Condition check (cond 0..15) against PSTATE.NZCV. */
export function condHolds(cpu: Aarch64Cpu, cond: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = cpu.zf === 1;
      break;
    case 1:
      r = cpu.cf === 1;
      break;
    case 2:
      r = cpu.nf === 1;
      break;
    case 3:
      r = cpu.vf === 1;
      break;
    case 4:
      r = cpu.cf === 1 && cpu.zf === 0;
      break;
    case 5:
      r = cpu.nf === cpu.vf;
      break;
    case 6:
      r = cpu.nf === cpu.vf && cpu.zf === 0;
      break;
    default:
      return true;
  }
  return (cond & 1) !== 0 ? !r : r;
}

/** 64-bit add with carry; sets NZCV when `s`. Result in out. */
function adc64(
  cpu: Aarch64Cpu,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  c: number,
  s: boolean,
): void {
  const l = (alo >>> 0) + (blo >>> 0) + c;
  const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0);
  const rlo = l | 0;
  const rhi = h | 0;
  if (s) {
    cpu.nf = rhi >>> 31;
    cpu.zf = (rlo | rhi) === 0 ? 1 : 0;
    cpu.cf = h > 0xffffffff ? 1 : 0;
    cpu.vf = ((ahi ^ rhi) & (bhi ^ rhi)) >>> 31;
  }
  out[0] = rlo;
  out[1] = rhi;
}

function adc32(cpu: Aarch64Cpu, a: number, b: number, c: number, s: boolean): number {
  const t = (a >>> 0) + (b >>> 0) + c;
  const r = t | 0;
  if (s) {
    cpu.nf = r >>> 31;
    cpu.zf = r === 0 ? 1 : 0;
    cpu.cf = t > 0xffffffff ? 1 : 0;
    cpu.vf = ((a ^ r) & (b ^ r)) >>> 31;
  }
  return r;
}

function setNZ64(cpu: Aarch64Cpu, lo: number, hi: number): void {
  cpu.nf = hi >>> 31;
  cpu.zf = (lo | hi) === 0 ? 1 : 0;
  cpu.cf = 0;
  cpu.vf = 0;
}

function setNZ32(cpu: Aarch64Cpu, v: number): void {
  cpu.nf = v >>> 31;
  cpu.zf = v === 0 ? 1 : 0;
  cpu.cf = 0;
  cpu.vf = 0;
}

/** Logical-immediate masks by N:immr:imms (13 bits): 0 unknown, 1 valid, 2 reserved. */
const bmState = new Uint8Array(8192);
const bmValue = new Int32Array(8192 * 2);

/**
 * DecodeBitMasks for logical immediates; false if the encoding is reserved. The mask is left
 * in int64's `out` (lo, hi); the JIT uses it too.
 */
export function bitMask(n: number, immr: number, imms: number, sf: boolean): boolean {
  const key = (n << 12) | (immr << 6) | imms;
  let st = bmState[key]!;
  if (st === 0) {
    st = computeBitMask(key, n, immr, imms) ? 1 : 2;
    bmState[key] = st;
  }
  if (st === 2) return false;
  if (!sf && n !== 0) return false;
  out[0] = bmValue[key * 2]!;
  out[1] = bmValue[key * 2 + 1]!;
  return true;
}

function computeBitMask(key: number, n: number, immr: number, imms: number): boolean {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return false;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return false;
  const esize = 1 << len;
  const levels = esize - 1;
  const s = imms & levels;
  const r = immr & levels;
  if (s === levels) return false;
  // welem = ones(s+1) in esize bits, rotated right by r, replicated to 64 bits.
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < esize; bit++) {
    // Element bit `bit` after rotation came from bit (bit + r) % esize of welem.
    const src = (bit + r) % esize;
    if (src <= s) {
      for (let k = bit; k < 64; k += esize) {
        if (k < 32) lo |= 1 << k;
        else hi |= 1 << (k - 32);
      }
    }
  }
  bmValue[key * 2] = lo;
  bmValue[key * 2 + 1] = hi;
  return true;
}

/** Shifted register operand (type: LSL, LSR, ASR, ROR). */
function shift64(lo: number, hi: number, type: number, amt: number): void {
  switch (type) {
    case 0:
      lsl64(lo, hi, amt);
      return;
    case 1:
      lsr64(lo, hi, amt);
      return;
    case 2:
      asr64(lo, hi, amt);
      return;
    default:
      ror64(lo, hi, amt);
  }
}

function shift32(v: number, type: number, amt: number): number {
  if (amt === 0) return v;
  switch (type) {
    case 0:
      return v << amt;
    case 1:
      return v >>> amt;
    case 2:
      return v >> amt;
    default:
      return (v >>> amt) | (v << (32 - amt));
  }
}

/** Extended register operand: option (UXTB..SXTX) then LSL by sh; result in out. */
export function extend64(lo: number, hi: number, option: number, sh: number): void {
  switch (option) {
    case 0:
      lo &= 0xff;
      hi = 0;
      break;
    case 1:
      lo &= 0xffff;
      hi = 0;
      break;
    case 2:
      hi = 0;
      break;
    case 3:
      break;
    case 4:
      lo = (lo << 24) >> 24;
      hi = lo >> 31;
      break;
    case 5:
      lo = (lo << 16) >> 16;
      hi = lo >> 31;
      break;
    case 6:
      hi = lo >> 31;
      break;
    default:
      break;
  }
  lsl64(lo, hi, sh);
}

function extend32(v: number, option: number, sh: number): number {
  switch (option & 3) {
    case 0:
      v = option & 4 ? (v << 24) >> 24 : v & 0xff;
      break;
    case 1:
      v = option & 4 ? (v << 16) >> 16 : v & 0xffff;
      break;
    default:
      break;
  }
  return v << sh;
}

// ------------------------------------------------------------------ DP immediate

export function dpImmediate(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const sf = insn < 0;
  switch ((insn >>> 23) & 7) {
    case 0:
    case 1: {
      // ADR / ADRP
      const imm = (((insn >> 5) << 2) & ~3) | ((insn >>> 29) & 3);
      const simm = (imm << 11) >> 11;
      const v =
        insn < 0
          ? cpu.curPc - (((cpu.curPc % 4096) + 4096) % 4096) + simm * 4096
          : cpu.curPc + simm;
      setX(x, rd, v | 0, Math.floor(v / TWO32) | 0);
      return;
    }
    case 2: {
      // ADD/ADDS/SUB/SUBS (immediate)
      const sub = (insn & (1 << 30)) !== 0;
      const s = (insn & (1 << 29)) !== 0;
      let imm = (insn >>> 10) & 0xfff;
      if (insn & (1 << 22)) imm *= 4096;
      const alo = x[rn * 2]!;
      const ahi = x[rn * 2 + 1]!;
      if (sf && !s) {
        // ADD/SUB (immediate) without flags, the common case (Rd may be SP).
        const l = (alo >>> 0) + (sub ? -imm : imm);
        x[rd * 2] = l | 0;
        x[rd * 2 + 1] = (ahi + Math.floor(l / TWO32)) | 0;
        return;
      }
      if (sf) {
        if (sub) adc64(cpu, alo, ahi, ~imm, -1, 1, s);
        else adc64(cpu, alo, ahi, imm, 0, 0, s);
        if (s) setX(x, rd, out[0]!, out[1]!);
        else {
          x[rd * 2] = out[0]!;
          x[rd * 2 + 1] = out[1]!;
        }
      } else {
        const r = sub ? adc32(cpu, alo, ~imm, 1, s) : adc32(cpu, alo, imm, 0, s);
        if (s) setX(x, rd, r, 0);
        else {
          x[rd * 2] = r;
          x[rd * 2 + 1] = 0;
        }
      }
      return;
    }
    case 4: {
      // Logical (immediate)
      const n = (insn >>> 22) & 1;
      if (!bitMask(n, (insn >>> 16) & 63, (insn >>> 10) & 63, sf)) cpu.undefinedInstruction();
      const mlo = out[0]!;
      const mhi = sf ? out[1]! : 0;
      const alo = rn === 31 ? 0 : x[rn * 2]!;
      const ahi = rn === 31 || !sf ? 0 : x[rn * 2 + 1]!;
      let lo: number;
      let hi: number;
      const opc = (insn >>> 29) & 3;
      switch (opc) {
        case 0:
        case 3:
          lo = alo & mlo;
          hi = ahi & mhi;
          break;
        case 1:
          lo = alo | mlo;
          hi = ahi | mhi;
          break;
        default:
          lo = alo ^ mlo;
          hi = ahi ^ mhi;
      }
      if (opc === 3) {
        if (sf) setNZ64(cpu, lo, hi);
        else setNZ32(cpu, lo);
        setX(x, rd, lo, hi);
      } else {
        // Rd may be SP for AND/ORR/EOR (immediate).
        x[rd * 2] = lo;
        x[rd * 2 + 1] = hi;
      }
      return;
    }
    case 5: {
      // MOVN / MOVZ / MOVK
      const opc = (insn >>> 29) & 3;
      const hw = (insn >>> 21) & 3;
      if (opc === 1 || (!sf && hw >= 2)) cpu.undefinedInstruction();
      const imm = (insn >>> 5) & 0xffff;
      const sh = hw * 16;
      let lo = sh < 32 ? (imm << sh) | 0 : 0;
      let hi = sh >= 32 ? (imm << (sh - 32)) | 0 : 0;
      if (opc === 3) {
        const olo = rd === 31 ? 0 : x[rd * 2]!;
        const ohi = rd === 31 ? 0 : x[rd * 2 + 1]!;
        if (sh < 32) lo = (olo & ~(0xffff << sh)) | lo;
        else lo = olo;
        if (sh >= 32) hi = (ohi & ~(0xffff << (sh - 32))) | hi;
        else hi = ohi;
      } else if (opc === 0) {
        lo = ~lo;
        hi = ~hi;
      }
      setX(x, rd, lo, sf ? hi : 0);
      return;
    }
    case 6:
      bitfield(cpu, insn, sf);
      return;
    case 7: {
      // EXTR
      const n = (insn >>> 22) & 1;
      const lsb = (insn >>> 10) & 63;
      const rm = (insn >>> 16) & 31;
      if (
        (insn >>> 29) & 3 ||
        (insn & (1 << 21)) !== 0 ||
        n !== (sf ? 1 : 0) ||
        (!sf && lsb >= 32)
      ) {
        cpu.undefinedInstruction();
      }
      const mlo = rm === 31 ? 0 : x[rm * 2]!;
      const mhi = rm === 31 ? 0 : x[rm * 2 + 1]!;
      const nlo = rn === 31 ? 0 : x[rn * 2]!;
      const nhi = rn === 31 ? 0 : x[rn * 2 + 1]!;
      if (sf) {
        if (lsb === 0) {
          setX(x, rd, mlo, mhi);
          return;
        }
        lsr64(mlo, mhi, lsb);
        const l = out[0]!;
        const h = out[1]!;
        lsl64(nlo, nhi, 64 - lsb);
        setX(x, rd, l | out[0]!, h | out[1]!);
      } else {
        const v = lsb === 0 ? mlo : (mlo >>> lsb) | (nlo << (32 - lsb));
        setX(x, rd, v, 0);
      }
      return;
    }
    default:
      cpu.undefinedInstruction();
  }
}

/** SBFM / BFM / UBFM. */
function bitfield(cpu: Aarch64Cpu, insn: number, sf: boolean): void {
  const x = cpu.x;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const opc = (insn >>> 29) & 3;
  const n = (insn >>> 22) & 1;
  const immr = (insn >>> 16) & 63;
  const imms = (insn >>> 10) & 63;
  if (opc === 3 || n !== (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32)))
    cpu.undefinedInstruction();
  const size = sf ? 64 : 32;
  const slo = rn === 31 ? 0 : x[rn * 2]!;
  const shi = rn === 31 || !sf ? 0 : x[rn * 2 + 1]!;
  let vlo: number;
  let vhi: number;
  let mlo: number;
  let mhi: number;
  let width: number;
  let pos: number;
  if (imms >= immr) {
    // Extract bits imms:immr to the bottom.
    width = imms - immr + 1;
    pos = 0;
    lsr64(slo, shi, immr);
  } else {
    // Insert bits imms:0 at size - immr.
    width = imms + 1;
    pos = size - immr;
    out[0] = slo;
    out[1] = shi;
  }
  // Keep `width` bits.
  vlo = out[0]!;
  vhi = out[1]!;
  if (width < 32) {
    vlo &= (1 << width) - 1;
    vhi = 0;
  } else if (width < 64) {
    vhi &= width === 32 ? 0 : (1 << (width - 32)) - 1;
  }
  if (opc === 0) {
    // Sign-extend from bit width-1.
    if (width < 32) {
      vlo = (vlo << (32 - width)) >> (32 - width);
      vhi = vlo >> 31;
    } else if (width === 32) {
      vhi = vlo >> 31;
    } else if (width < 64) {
      vhi = (vhi << (64 - width)) >> (64 - width);
    }
  }
  // Field mask (width bits) and the value moved to its position.
  if (width >= 64) {
    mlo = -1;
    mhi = -1;
  } else if (width >= 32) {
    mlo = -1;
    mhi = width === 32 ? 0 : (1 << (width - 32)) - 1;
  } else {
    mlo = (1 << width) - 1;
    mhi = 0;
  }
  lsl64(mlo, mhi, pos);
  mlo = out[0]!;
  mhi = out[1]!;
  lsl64(vlo, vhi, pos);
  let rlo: number;
  let rhi: number;
  if (opc === 1) {
    const dlo = rd === 31 ? 0 : x[rd * 2]!;
    const dhi = rd === 31 ? 0 : x[rd * 2 + 1]!;
    rlo = (dlo & ~mlo) | (out[0]! & mlo);
    rhi = (dhi & ~mhi) | (out[1]! & mhi);
  } else if (opc === 0) {
    // Bits above the field are copies of its top bit; bits below are zero.
    rlo = out[0]!;
    rhi = out[1]!;
  } else {
    rlo = out[0]! & mlo;
    rhi = out[1]! & mhi;
  }
  if (!sf) rhi = 0;
  setX(x, rd, rlo, rhi);
}

// ------------------------------------------------------------------ DP register

export function dpRegister(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  const sf = insn < 0;
  const nlo = rn === 31 ? 0 : x[rn * 2]!;
  const nhi = rn === 31 ? 0 : x[rn * 2 + 1]!;
  const mlo0 = rm === 31 ? 0 : x[rm * 2]!;
  const mhi0 = rm === 31 ? 0 : x[rm * 2 + 1]!;
  if ((insn & (1 << 28)) === 0) {
    const amt = (insn >>> 10) & 63;
    const type = (insn >>> 22) & 3;
    if ((insn & (1 << 24)) === 0) {
      // Logical (shifted register)
      if (!sf && amt >= 32) cpu.undefinedInstruction();
      let blo: number;
      let bhi: number;
      if (sf) {
        shift64(mlo0, mhi0, type, amt);
        blo = out[0]!;
        bhi = out[1]!;
      } else {
        blo = shift32(mlo0, type, amt);
        bhi = 0;
      }
      if (insn & (1 << 21)) {
        blo = ~blo;
        bhi = sf ? ~bhi : 0;
      }
      const opc = (insn >>> 29) & 3;
      let lo: number;
      let hi: number;
      const ahi = sf ? nhi : 0;
      switch (opc) {
        case 0:
        case 3:
          lo = nlo & blo;
          hi = ahi & bhi;
          break;
        case 1:
          lo = nlo | blo;
          hi = ahi | bhi;
          break;
        default:
          lo = nlo ^ blo;
          hi = ahi ^ bhi;
      }
      if (opc === 3) {
        if (sf) setNZ64(cpu, lo, hi);
        else setNZ32(cpu, lo);
      }
      setX(x, rd, lo, hi);
      return;
    }
    const sub = (insn & (1 << 30)) !== 0;
    const s = (insn & (1 << 29)) !== 0;
    if ((insn & (1 << 21)) === 0) {
      // Add/subtract (shifted register)
      if (type === 3 || (!sf && amt >= 32)) cpu.undefinedInstruction();
      if (sf) {
        shift64(mlo0, mhi0, type, amt);
        const blo = out[0]!;
        const bhi = out[1]!;
        if (sub) adc64(cpu, nlo, nhi, ~blo, ~bhi, 1, s);
        else adc64(cpu, nlo, nhi, blo, bhi, 0, s);
        setX(x, rd, out[0]!, out[1]!);
      } else {
        const b = shift32(mlo0, type, amt);
        setX(x, rd, sub ? adc32(cpu, nlo, ~b, 1, s) : adc32(cpu, nlo, b, 0, s), 0);
      }
      return;
    }
    // Add/subtract (extended register): Rn and (without S) Rd may be SP.
    const opt = (insn >>> 13) & 7;
    const sh = (insn >>> 10) & 7;
    if (sh > 4 || type !== 0) cpu.undefinedInstruction();
    const alo = x[rn * 2]!;
    const ahi = x[rn * 2 + 1]!;
    if (sf) {
      extend64(mlo0, mhi0, opt, sh);
      const blo = out[0]!;
      const bhi = out[1]!;
      if (sub) adc64(cpu, alo, ahi, ~blo, ~bhi, 1, s);
      else adc64(cpu, alo, ahi, blo, bhi, 0, s);
      if (s) setX(x, rd, out[0]!, out[1]!);
      else {
        x[rd * 2] = out[0]!;
        x[rd * 2 + 1] = out[1]!;
      }
    } else {
      const b = extend32(mlo0, opt, sh);
      const r = sub ? adc32(cpu, alo, ~b, 1, s) : adc32(cpu, alo, b, 0, s);
      if (s) setX(x, rd, r, 0);
      else {
        x[rd * 2] = r;
        x[rd * 2 + 1] = 0;
      }
    }
    return;
  }
  switch ((insn >>> 21) & 0xf) {
    case 0: {
      // ADC/ADCS/SBC/SBCS
      if (((insn >>> 10) & 63) !== 0) cpu.undefinedInstruction();
      const sub = (insn & (1 << 30)) !== 0;
      const s = (insn & (1 << 29)) !== 0;
      if (sf) {
        if (sub) adc64(cpu, nlo, nhi, ~mlo0, ~mhi0, cpu.cf, s);
        else adc64(cpu, nlo, nhi, mlo0, mhi0, cpu.cf, s);
        setX(x, rd, out[0]!, out[1]!);
      } else {
        setX(x, rd, adc32(cpu, nlo, sub ? ~mlo0 : mlo0, cpu.cf, s), 0);
      }
      return;
    }
    case 2: {
      // CCMN / CCMP (register or immediate)
      if ((insn & (1 << 29)) === 0 || (insn & (1 << 10)) !== 0 || (insn & (1 << 4)) !== 0) {
        cpu.undefinedInstruction();
      }
      const cond = (insn >>> 12) & 15;
      if (condHolds(cpu, cond)) {
        const imm = (insn & (1 << 11)) !== 0;
        const blo = imm ? rm : mlo0;
        const bhi = imm ? 0 : mhi0;
        const sub = (insn & (1 << 30)) !== 0;
        if (sf) {
          if (sub) adc64(cpu, nlo, nhi, ~blo, ~bhi, 1, true);
          else adc64(cpu, nlo, nhi, blo, bhi, 0, true);
        } else if (sub) adc32(cpu, nlo, ~blo, 1, true);
        else adc32(cpu, nlo, blo, 0, true);
      } else {
        const f = insn & 15;
        cpu.nf = (f >>> 3) & 1;
        cpu.zf = (f >>> 2) & 1;
        cpu.cf = (f >>> 1) & 1;
        cpu.vf = f & 1;
      }
      return;
    }
    case 4: {
      // CSEL / CSINC / CSINV / CSNEG
      if ((insn & (1 << 29)) !== 0 || (insn & (1 << 11)) !== 0) cpu.undefinedInstruction();
      const cond = (insn >>> 12) & 15;
      let lo: number;
      let hi: number;
      if (condHolds(cpu, cond)) {
        lo = nlo;
        hi = nhi;
      } else {
        const op = ((insn >>> 29) & 2) | ((insn >>> 10) & 1);
        lo = mlo0;
        hi = mhi0;
        if (op === 1) {
          lo = (lo + 1) | 0;
          if (lo === 0) hi = (hi + 1) | 0;
        } else if (op === 2) {
          lo = ~lo;
          hi = ~hi;
        } else if (op === 3) {
          lo = -lo | 0;
          hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
        }
      }
      setX(x, rd, lo, sf ? hi : 0);
      return;
    }
    case 6:
      if (insn & (1 << 30)) dp1Source(cpu, insn, sf, rd, nlo, nhi);
      else dp2Source(cpu, insn, sf, rd, nlo, nhi, mlo0, mhi0);
      return;
    default:
      if ((insn & (1 << 24)) !== 0) {
        dp3Source(cpu, insn, sf, rd, nlo, nhi, mlo0, mhi0);
        return;
      }
      cpu.undefinedInstruction();
  }
}

function dp1Source(
  cpu: Aarch64Cpu,
  insn: number,
  sf: boolean,
  rd: number,
  lo: number,
  hi: number,
): void {
  const x = cpu.x;
  if ((insn & (1 << 29)) !== 0 || ((insn >>> 16) & 31) !== 0) cpu.undefinedInstruction();
  const op = (insn >>> 10) & 63;
  if (!sf) {
    let v: number;
    switch (op) {
      case 0:
        v = rbit32(lo);
        break;
      case 1:
        v = rev16(lo);
        break;
      case 2:
        v = rev32(lo);
        break;
      case 4:
        v = Math.clz32(lo);
        break;
      case 5:
        v = cls32(lo);
        break;
      default:
        cpu.undefinedInstruction();
    }
    setX(x, rd, v, 0);
    return;
  }
  switch (op) {
    case 0:
      setX(x, rd, rbit32(hi), rbit32(lo));
      return;
    case 1:
      setX(x, rd, rev16(lo), rev16(hi));
      return;
    case 2:
      setX(x, rd, rev32(lo), rev32(hi));
      return;
    case 3:
      setX(x, rd, rev32(hi), rev32(lo));
      return;
    case 4:
      setX(x, rd, hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo), 0);
      return;
    case 5: {
      // CLS: leading zeros of x XOR (x >> 1), minus one.
      const yhi = hi ^ (hi >> 1);
      const ylo = lo ^ ((lo >>> 1) | (hi << 31));
      const clz = yhi !== 0 ? Math.clz32(yhi) : 32 + Math.clz32(ylo);
      setX(x, rd, clz - 1, 0);
      return;
    }
    default:
      cpu.undefinedInstruction();
  }
}

function dp2Source(
  cpu: Aarch64Cpu,
  insn: number,
  sf: boolean,
  rd: number,
  nlo: number,
  nhi: number,
  mlo: number,
  mhi: number,
): void {
  const x = cpu.x;
  if ((insn & (1 << 29)) !== 0) cpu.undefinedInstruction();
  const op = (insn >>> 10) & 63;
  switch (op) {
    case 2:
    case 3: {
      // UDIV / SDIV (division by zero gives zero)
      if (sf) {
        if ((mlo | mhi) === 0) {
          setX(x, rd, 0, 0);
          return;
        }
        if (op === 2) udiv64(nlo, nhi, mlo, mhi);
        else sdiv64(nlo, nhi, mlo, mhi);
        setX(x, rd, out[0]!, out[1]!);
      } else {
        let v: number;
        if (mlo === 0) v = 0;
        else if (op === 2) v = Math.floor((nlo >>> 0) / (mlo >>> 0)) | 0;
        else v = mlo === -1 ? -nlo | 0 : Math.trunc(nlo / mlo) | 0;
        setX(x, rd, v, 0);
      }
      return;
    }
    case 8:
    case 9:
    case 10:
    case 11: {
      // LSLV / LSRV / ASRV / RORV
      const type = op - 8;
      if (sf) {
        shift64(nlo, nhi, type, mlo & 63);
        setX(x, rd, out[0]!, out[1]!);
      } else {
        setX(x, rd, shift32(nlo, type, mlo & 31), 0);
      }
      return;
    }
    default:
      if (op >= 16 && op <= 23) {
        // CRC32{B,H,W,X} and CRC32C{B,H,W,X}: sz = op & 3, C = op & 4.
        const sz = op & 3;
        if ((sz === 3) !== sf) cpu.undefinedInstruction();
        const table = op & 4 ? CRC32C_TABLE : CRC32_TABLE;
        setX(x, rd, crc32(table, nlo, mlo, mhi, 1 << sz), 0);
        return;
      }
      cpu.undefinedInstruction();
  }
}

function dp3Source(
  cpu: Aarch64Cpu,
  insn: number,
  sf: boolean,
  rd: number,
  nlo: number,
  nhi: number,
  mlo: number,
  mhi: number,
): void {
  const x = cpu.x;
  const ra = (insn >>> 10) & 31;
  const alo = ra === 31 ? 0 : x[ra * 2]!;
  const ahi = ra === 31 ? 0 : x[ra * 2 + 1]!;
  const op31 = (insn >>> 21) & 7;
  const o0 = (insn >>> 15) & 1;
  if ((insn >>> 29) & 3) cpu.undefinedInstruction();
  switch (op31) {
    case 0:
      if (!sf) {
        const p = Math.imul(nlo, mlo);
        setX(x, rd, o0 ? (alo - p) | 0 : (alo + p) | 0, 0);
        return;
      }
      mul64(nlo, nhi, mlo, mhi);
      break;
    case 1:
    case 5: {
      // SMADDL / SMSUBL / UMADDL / UMSUBL: 32x32 -> 64.
      if (!sf) cpu.undefinedInstruction();
      if (op31 === 1) mul64(nlo, nlo >> 31, mlo, mlo >> 31);
      else mul64(nlo, 0, mlo, 0);
      break;
    }
    case 2:
    case 6:
      // SMULH / UMULH
      if (!sf || o0 !== 0) cpu.undefinedInstruction();
      if (op31 === 2) smulh(nlo, nhi, mlo, mhi);
      else umulh(nlo, nhi, mlo, mhi);
      setX(x, rd, out[0]!, out[1]!);
      return;
    default:
      cpu.undefinedInstruction();
  }
  const plo = out[0]!;
  const phi = out[1]!;
  if (o0) adc64(cpu, alo, ahi, ~plo, ~phi, 1, false);
  else adc64(cpu, alo, ahi, plo, phi, 0, false);
  setX(x, rd, out[0]!, out[1]!);
}
