/**
 * A64 loads and stores of general-purpose registers: single register (unsigned offset,
 * unscaled, pre/post-index, unprivileged, register offset, literal), pairs, exclusives,
 * load-acquire/store-release, and the LSE atomics (LDADD..., SWP, CAS, CASP) on "max".
 * SIMD&FP loads and stores (V = 1) go to the fpsimd unit.
 */

import type { Aarch64Cpu } from "./cpu.js";
import { EC } from "./cpu.js";
import { extend64 as extend64Fn } from "./execute.js";
import { fpSimdLoadStore } from "./fpsimd-bridge.js";
import { out as outArray } from "./int64.js";
import { ACC_LOAD, ACC_STORE, CTX_EL0, FSC_ALIGNMENT } from "./mmu.js";
import { SR } from "./sysregs.js";

const TWO32 = 4294967296;
// Local bindings (see cpu.ts).
const extend64 = extend64Fn;
const out = outArray;

// Effective address of the current access (set by the address computations below).
let aLo = 0;
let aHi = 0;

/** Base register (n = 31: SP, with the SP alignment check) plus a signed offset. */
function baseAddr(cpu: Aarch64Cpu, rn: number, off: number): void {
  const x = cpu.x;
  const blo = x[rn * 2]!;
  const bhi = x[rn * 2 + 1]!;
  if (rn === 31) checkSpAlign(cpu, blo);
  const l = (blo >>> 0) + off;
  aLo = l | 0;
  aHi = (bhi + Math.floor(l / TWO32)) | 0;
}

function checkSpAlign(cpu: Aarch64Cpu, lo: number): void {
  if ((lo & 15) === 0) return;
  const el = cpu.el;
  const sctlr = cpu.sys.r[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!;
  // SA0 (bit 4) for EL0, SA (bit 3) otherwise.
  if ((sctlr & (el === 0 ? 16 : 8)) !== 0) cpu.exception(EC.SP_ALIGN, 0, false);
}

/** Translation context of unprivileged (LDTR/STTR) accesses: EL0's at EL1 (and EL0). */
function unprivCtx(cpu: Aarch64Cpu): number {
  if (cpu.el === 2) return cpu.dataCtx;
  return (cpu.dataCtx & ~3) | CTX_EL0;
}

function setX(x: Int32Array, n: number, lo: number, hi: number): void {
  if (n !== 31) {
    x[n * 2] = lo;
    x[n * 2 + 1] = hi;
  }
}

export function loadStore(cpu: Aarch64Cpu, insn: number): void {
  if ((insn & 0x3fc00000) === 0x39400000 || (insn & 0x3fc00000) === 0x39000000) {
    // The most common form first: LDR/STR (unsigned offset) of a general register,
    // zero-extending, any size.
    const sizeLog = insn >>> 30;
    const rt = insn & 31;
    const rn = (insn >>> 5) & 31;
    const x = cpu.x;
    const blo = x[rn * 2]!;
    if (rn === 31) checkSpAlign(cpu, blo);
    const l = (blo >>> 0) + ((insn >>> 10) & 0xfff) * (1 << sizeLog);
    const lo = l | 0;
    const hi = (x[rn * 2 + 1]! + (l > 0xffffffff ? 1 : 0)) | 0;
    if ((insn & (1 << 22)) !== 0) {
      const v = cpu.read(lo, hi, 1 << sizeLog, cpu.dataCtx);
      if (rt !== 31) {
        x[rt * 2] = v;
        x[rt * 2 + 1] = sizeLog === 3 ? cpu.mhi : 0;
      }
    } else {
      cpu.write(
        lo,
        hi,
        1 << sizeLog,
        rt === 31 ? 0 : x[rt * 2]!,
        rt === 31 ? 0 : x[rt * 2 + 1]!,
        cpu.dataCtx,
      );
    }
    return;
  }
  if ((insn & (1 << 26)) !== 0) {
    fpSimdLoadStore(cpu, insn);
    return;
  }
  if ((insn & 0x3f000000) === 0x08000000) {
    exclusive(cpu, insn);
    return;
  }
  if ((insn & 0x3b000000) === 0x18000000) {
    literal(cpu, insn);
    return;
  }
  if ((insn & 0x3a000000) === 0x28000000) {
    pair(cpu, insn);
    return;
  }
  if ((insn & 0x38000000) === 0x38000000) {
    single(cpu, insn);
    return;
  }
  cpu.undefinedInstruction();
}

/** Loads of `size` bytes, extended per kind: 0 zero, 1 sign to 64, 2 sign to 32. */
function loadInto(cpu: Aarch64Cpu, rt: number, size: number, kind: number, ctx: number): void {
  let lo = cpu.read(aLo, aHi, size, ctx);
  let hi = size === 8 ? cpu.mhi : 0;
  if (kind !== 0 && size < 8) {
    if (size === 1) lo = (lo << 24) >> 24;
    else if (size === 2) lo = (lo << 16) >> 16;
    hi = kind === 1 ? lo >> 31 : 0;
  }
  setX(cpu.x, rt, lo, hi);
}

function storeFrom(cpu: Aarch64Cpu, rt: number, size: number, ctx: number): void {
  const x = cpu.x;
  const lo = rt === 31 ? 0 : x[rt * 2]!;
  const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
  cpu.write(aLo, aHi, size, lo, hi, ctx);
}

function single(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  const sizeLog = insn >>> 30;
  const size = 1 << sizeLog;
  const opc = (insn >>> 22) & 3;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  if ((insn & 0x01200c00) === 0x00200000) {
    // Atomic memory operations (bits 23:22 are A and R there, not opc).
    if (cpu.model !== "max") cpu.undefinedInstruction();
    atomic(cpu, insn, size);
    return;
  }
  // opc: 0 store, 1 load, 2 load signed to 64 (size 3: prefetch), 3 load signed to 32.
  let kind = 0;
  let prefetch = false;
  if (opc >= 2) {
    if (sizeLog === 3) {
      if (opc === 3) cpu.undefinedInstruction();
      prefetch = true;
    } else if (sizeLog === 2 && opc === 3) {
      cpu.undefinedInstruction();
    } else kind = opc === 2 ? 1 : 2;
  }
  const isLoad = opc !== 0;
  if ((insn & (1 << 24)) !== 0) {
    // Unsigned scaled 12-bit offset.
    const off = ((insn >>> 10) & 0xfff) * size;
    if (prefetch) return;
    baseAddr(cpu, rn, off);
    if (isLoad) loadInto(cpu, rt, size, kind, cpu.dataCtx);
    else storeFrom(cpu, rt, size, cpu.dataCtx);
    return;
  }
  if ((insn & (1 << 21)) === 0) {
    const imm9 = (insn << 11) >> 23;
    const mode = (insn >>> 10) & 3;
    if (mode === 0) {
      // Unscaled (LDUR/STUR/PRFUM).
      if (prefetch) return;
      baseAddr(cpu, rn, imm9);
      if (isLoad) loadInto(cpu, rt, size, kind, cpu.dataCtx);
      else storeFrom(cpu, rt, size, cpu.dataCtx);
      return;
    }
    if (prefetch) cpu.undefinedInstruction();
    if (mode === 2) {
      // Unprivileged (LDTR/STTR).
      baseAddr(cpu, rn, imm9);
      const ctx = unprivCtx(cpu);
      if (isLoad) loadInto(cpu, rt, size, kind, ctx);
      else storeFrom(cpu, rt, size, ctx);
      return;
    }
    // Pre-index (3) or post-index (1): writeback to the base.
    const pre = mode === 3;
    baseAddr(cpu, rn, pre ? imm9 : 0);
    const l = (aLo >>> 0) + (pre ? 0 : imm9);
    const wlo = pre ? aLo : l | 0;
    const whi = pre ? aHi : (aHi + Math.floor(l / TWO32)) | 0;
    if (isLoad) {
      loadInto(cpu, rt, size, kind, cpu.dataCtx);
      if (rn !== rt || rn === 31) {
        x[rn * 2] = wlo;
        x[rn * 2 + 1] = whi;
      }
    } else {
      storeFrom(cpu, rt, size, cpu.dataCtx);
      x[rn * 2] = wlo;
      x[rn * 2 + 1] = whi;
    }
    return;
  }
  const op4 = (insn >>> 10) & 3;
  if (op4 === 2) {
    // Register offset.
    const option = (insn >>> 13) & 7;
    if ((option & 2) === 0) cpu.undefinedInstruction();
    const rm = (insn >>> 16) & 31;
    const sh = (insn & (1 << 12)) !== 0 ? sizeLog : 0;
    extend64(rm === 31 ? 0 : x[rm * 2]!, rm === 31 ? 0 : x[rm * 2 + 1]!, option, sh);
    if (prefetch) return;
    const olo = out[0]!;
    const ohi = out[1]!;
    const blo = x[rn * 2]!;
    const bhi = x[rn * 2 + 1]!;
    if (rn === 31) checkSpAlign(cpu, blo);
    const l = (blo >>> 0) + (olo >>> 0);
    aLo = l | 0;
    aHi = (bhi + ohi + (l > 0xffffffff ? 1 : 0)) | 0;
    if (isLoad) loadInto(cpu, rt, size, kind, cpu.dataCtx);
    else storeFrom(cpu, rt, size, cpu.dataCtx);
    return;
  }
  cpu.undefinedInstruction();
}

function literal(cpu: Aarch64Cpu, insn: number): void {
  const opc = insn >>> 30;
  const rt = insn & 31;
  const off = ((insn << 8) >> 13) * 4;
  if (opc === 3) return; // PRFM (literal)
  const a = cpu.curPc + off;
  aLo = a | 0;
  aHi = Math.floor(a / TWO32) | 0;
  if (opc === 0) loadInto(cpu, rt, 4, 0, cpu.dataCtx);
  else if (opc === 1) loadInto(cpu, rt, 8, 0, cpu.dataCtx);
  else loadInto(cpu, rt, 4, 1, cpu.dataCtx);
}

function pair(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  const opc = insn >>> 30;
  const load = (insn & (1 << 22)) !== 0;
  const type = (insn >>> 23) & 3;
  if (opc === 3 || (opc === 1 && (!load || type === 0))) cpu.undefinedInstruction();
  const size = opc === 2 ? 8 : 4;
  const signed = opc === 1;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rt2 = (insn >>> 10) & 31;
  const off = ((insn << 10) >> 25) * size;
  // type: 0 non-temporal offset, 1 post-index, 2 offset, 3 pre-index.
  baseAddr(cpu, rn, type === 1 ? 0 : off);
  const a0lo = aLo;
  const a0hi = aHi;
  const ctx = cpu.dataCtx;
  if (load) {
    const l1 = cpu.read(a0lo, a0hi, size, ctx);
    const h1 = size === 8 ? cpu.mhi : signed ? l1 >> 31 : 0;
    const l = (a0lo >>> 0) + size;
    const l2 = cpu.read(l | 0, (a0hi + (l > 0xffffffff ? 1 : 0)) | 0, size, ctx);
    const h2 = size === 8 ? cpu.mhi : signed ? l2 >> 31 : 0;
    setX(x, rt, l1, h1);
    setX(x, rt2, l2, h2);
  } else {
    const v1lo = rt === 31 ? 0 : x[rt * 2]!;
    const v1hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
    const v2lo = rt2 === 31 ? 0 : x[rt2 * 2]!;
    const v2hi = rt2 === 31 ? 0 : x[rt2 * 2 + 1]!;
    cpu.write(a0lo, a0hi, size, v1lo, v1hi, ctx);
    const l = (a0lo >>> 0) + size;
    cpu.write(l | 0, (a0hi + (l > 0xffffffff ? 1 : 0)) | 0, size, v2lo, v2hi, ctx);
  }
  if (type === 1 || type === 3) {
    const l = (a0lo >>> 0) + (type === 1 ? off : 0);
    x[rn * 2] = l | 0;
    x[rn * 2 + 1] = (a0hi + Math.floor(l / TWO32)) | 0;
  }
}

// ------------------------------------------------------------------ physical access

/** Translates (aLo, aHi) for an exclusive or atomic access, checking alignment to `align`. */
function atomicPa(cpu: Aarch64Cpu, align: number, acc: number): number {
  if ((aLo & (align - 1)) !== 0) {
    cpu.abortSetFarPair(aLo, aHi);
    cpu.exception(EC.DABT_SAME, FSC_ALIGNMENT | (acc === ACC_STORE ? 1 << 6 : 0), cpu.el === 2);
  }
  return cpu.mmu.translate(aLo, aHi, acc, cpu.dataCtx, align);
}

let pHi = 0;
function physRead(cpu: Aarch64Cpu, pa: number, size: number): number {
  const ro = pa - cpu.ramBase;
  if (ro >= 0 && ro + size <= cpu.ramSize) {
    const dv = cpu.dv;
    pHi = 0;
    switch (size) {
      case 1:
        return dv.getUint8(ro);
      case 2:
        return dv.getUint16(ro, true);
      case 4:
        return dv.getInt32(ro, true);
      default:
        pHi = dv.getInt32(ro + 4, true);
        return dv.getInt32(ro, true);
    }
  }
  const v = cpu.bus.load(pa, size as 1 | 2 | 4 | 8);
  if (v === null) cpu.mmu.externalAbort(aLo, aHi, ACC_LOAD);
  pHi = Number((v >> 32n) & 0xffffffffn) | 0;
  return Number(v & 0xffffffffn) | 0;
}

function physWrite(cpu: Aarch64Cpu, pa: number, size: number, lo: number, hi: number): void {
  const ro = pa - cpu.ramBase;
  if (ro >= 0 && ro + size <= cpu.ramSize) {
    cpu.writeRam(ro, size, lo, hi);
    return;
  }
  const v =
    size === 8
      ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
      : BigInt(size === 4 ? lo >>> 0 : lo & (size === 2 ? 0xffff : 0xff));
  if (!cpu.bus.store(pa, size as 1 | 2 | 4 | 8, v)) cpu.mmu.externalAbort(aLo, aHi, ACC_STORE);
}

// ------------------------------------------------------------------ exclusives

function exclusive(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  const sizeLog = insn >>> 30;
  const o2 = (insn >>> 23) & 1;
  const load = (insn & (1 << 22)) !== 0;
  const o1 = (insn >>> 21) & 1;
  const rs = (insn >>> 16) & 31;
  const rt2 = (insn >>> 10) & 31;
  const rn = (insn >>> 5) & 31;
  const rt = insn & 31;
  const lse = cpu.model === "max";
  if (o2 === 1 && o1 === 1) {
    // CAS{A,L,AL}{B,H,}
    if (!lse || rt2 !== 31) cpu.undefinedInstruction();
    compareAndSwap(cpu, rs, rt, rn, 1 << sizeLog);
    return;
  }
  if (o2 === 0 && o1 === 1 && sizeLog < 2) {
    // CASP{A,L,AL}: sz (bit 30) selects W or X pairs.
    if (!lse || rt2 !== 31 || (rs & 1) !== 0 || (rt & 1) !== 0) cpu.undefinedInstruction();
    compareAndSwapPair(cpu, rs, rt, rn, sizeLog === 1 ? 8 : 4);
    return;
  }
  if (o2 === 1) {
    // LDAR/STLR (o0 = 1); LDLAR/STLLR need LOR, which neither model has.
    if ((insn & (1 << 15)) === 0 || rs !== 31 || rt2 !== 31) cpu.undefinedInstruction();
    baseAddr(cpu, rn, 0);
    const size = 1 << sizeLog;
    if (load) loadInto(cpu, rt, size, 0, cpu.dataCtx);
    else storeFrom(cpu, rt, size, cpu.dataCtx);
    return;
  }
  const pairOp = o1 === 1;
  const size = 1 << sizeLog;
  const total = pairOp ? size * 2 : size;
  baseAddr(cpu, rn, 0);
  if (load) {
    const pa = atomicPa(cpu, total, ACC_LOAD);
    if (pairOp) {
      const l1 = physRead(cpu, pa, size);
      const h1 = pHi;
      const l2 = physRead(cpu, pa + size, size);
      const h2 = pHi;
      setX(x, rt, l1, size === 8 ? h1 : 0);
      setX(x, rt2, l2, size === 8 ? h2 : 0);
    } else {
      const l = physRead(cpu, pa, size);
      setX(x, rt, l, size === 8 ? pHi : 0);
    }
    cpu.exclAddr = pa;
    cpu.exclSize = total;
    return;
  }
  const pa = atomicPa(cpu, total, ACC_STORE);
  let status = 1;
  if (cpu.exclAddr === pa && cpu.exclSize === total) {
    const vlo = rt === 31 ? 0 : x[rt * 2]!;
    const vhi = rt === 31 ? 0 : x[rt * 2 + 1]!;
    if (pairOp) {
      const v2lo = rt2 === 31 ? 0 : x[rt2 * 2]!;
      const v2hi = rt2 === 31 ? 0 : x[rt2 * 2 + 1]!;
      if (size === 8) {
        physWrite(cpu, pa, 8, vlo, vhi);
        physWrite(cpu, pa + 8, 8, v2lo, v2hi);
      } else physWrite(cpu, pa, 8, vlo, v2lo);
    } else physWrite(cpu, pa, size, vlo, vhi);
    status = 0;
  }
  cpu.exclAddr = -1;
  setX(x, rs, status, 0);
}

// ------------------------------------------------------------------ LSE atomics

function truncate(v: number, size: number): number {
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v;
}

function compareAndSwap(cpu: Aarch64Cpu, rs: number, rt: number, rn: number, size: number): void {
  const x = cpu.x;
  baseAddr(cpu, rn, 0);
  const pa = atomicPa(cpu, size, ACC_STORE);
  const olo = physRead(cpu, pa, size);
  const ohi = size === 8 ? pHi : 0;
  const clo = truncate(rs === 31 ? 0 : x[rs * 2]!, size);
  const chi = size === 8 && rs !== 31 ? x[rs * 2 + 1]! : 0;
  if (olo === clo && ohi === chi) {
    physWrite(cpu, pa, size, rt === 31 ? 0 : x[rt * 2]!, rt === 31 ? 0 : x[rt * 2 + 1]!);
  }
  cpu.exclAddr = -1;
  setX(x, rs, olo, ohi);
}

function compareAndSwapPair(
  cpu: Aarch64Cpu,
  rs: number,
  rt: number,
  rn: number,
  size: number,
): void {
  const x = cpu.x;
  baseAddr(cpu, rn, 0);
  const pa = atomicPa(cpu, size * 2, ACC_STORE);
  const o1lo = physRead(cpu, pa, size);
  const o1hi = size === 8 ? pHi : 0;
  const o2lo = physRead(cpu, pa + size, size);
  const o2hi = size === 8 ? pHi : 0;
  const r = (n: number, hi: boolean): number =>
    n === 31 ? 0 : hi ? (size === 8 ? x[n * 2 + 1]! : 0) : x[n * 2]!;
  if (
    o1lo === r(rs, false) &&
    o1hi === r(rs, true) &&
    o2lo === r(rs + 1, false) &&
    o2hi === r(rs + 1, true)
  ) {
    physWrite(cpu, pa, size, r(rt, false), r(rt, true));
    physWrite(cpu, pa + size, size, r(rt + 1, false), r(rt + 1, true));
  }
  cpu.exclAddr = -1;
  setX(x, rs, o1lo, o1hi);
  setX(x, rs + 1, o2lo, o2hi);
}

function atomic(cpu: Aarch64Cpu, insn: number, size: number): void {
  const x = cpu.x;
  const rs = (insn >>> 16) & 31;
  const rn = (insn >>> 5) & 31;
  const rt = insn & 31;
  const o3 = (insn >>> 15) & 1;
  const opc = (insn >>> 12) & 7;
  if (o3 === 1 && opc !== 0) cpu.undefinedInstruction(); // LDAPR needs RCpc
  baseAddr(cpu, rn, 0);
  const pa = atomicPa(cpu, size, ACC_STORE);
  const olo = physRead(cpu, pa, size);
  const ohi = size === 8 ? pHi : 0;
  const slo = rs === 31 ? 0 : x[rs * 2]!;
  const shi = rs === 31 || size < 8 ? 0 : x[rs * 2 + 1]!;
  let nlo: number;
  let nhi: number;
  if (o3 === 1) {
    nlo = slo;
    nhi = shi;
  } else {
    switch (opc) {
      case 0: {
        const l = (olo >>> 0) + (slo >>> 0);
        nlo = l | 0;
        nhi = (ohi + shi + (l > 0xffffffff ? 1 : 0)) | 0;
        break;
      }
      case 1:
        nlo = olo & ~slo;
        nhi = ohi & ~shi;
        break;
      case 2:
        nlo = olo ^ slo;
        nhi = ohi ^ shi;
        break;
      case 3:
        nlo = olo | slo;
        nhi = ohi | shi;
        break;
      default: {
        // SMAX, SMIN, UMAX, UMIN in the access size: keep the old value when it wins.
        const c = compare(olo, ohi, slo, shi, size, opc < 6);
        const old = opc === 4 || opc === 6 ? c >= 0 : c <= 0;
        nlo = old ? olo : slo;
        nhi = old ? ohi : shi;
      }
    }
  }
  physWrite(cpu, pa, size, nlo, nhi);
  cpu.exclAddr = -1;
  setX(x, rt, olo, ohi);
}

/** The value of a below-64-bit operand in its access size. */
function value(lo: number, size: number, signed: boolean): number {
  if (!signed) return size === 1 ? lo & 0xff : size === 2 ? lo & 0xffff : lo >>> 0;
  return size === 1 ? (lo << 24) >> 24 : size === 2 ? (lo << 16) >> 16 : lo | 0;
}

/** Compares two values of `size` bytes: -1, 0, 1. */
function compare(
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  size: number,
  signed: boolean,
): number {
  if (size < 8) {
    const a = value(alo, size, signed);
    const b = value(blo, size, signed);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ha = signed ? ahi | 0 : ahi >>> 0;
  const hb = signed ? bhi | 0 : bhi >>> 0;
  if (ha !== hb) return ha < hb ? -1 : 1;
  const la = alo >>> 0;
  const lb = blo >>> 0;
  return la < lb ? -1 : la > lb ? 1 : 0;
}
