/**
 * SSE/SSE2/SSE3/SSE4.1 floating point on @axvisor/softfloat: arithmetic, MIN/MAX, compares,
 * COMIS/UCOMIS, conversions, RCP/RSQRT, ADDSUB/HADD/HSUB, ROUND, DP, under MXCSR: its rounding
 * control, DAZ (denormal operands read as zero, raising nothing) and FTZ (tiny results become
 * zero with UE and PE), exception flags, and masks: when a raised exception is unmasked nothing
 * is written and the unit returns FPU_SIMD_EXCEPTION (#XM, or #UD with CR4.OSXMMEXCPT = 0).
 *
 * NaN results: the first NaN source operand (destination first), quieted; an invalid operation
 * on non-NaN operands gives the "QNaN floating-point indefinite" (sign set). RCPPS/RSQRTPS
 * return QEMU's values, the correctly rounded 1/x and 1/sqrt(x) (the square root rounded to
 * single first), and never raise flags.
 */
import * as softfloatModule from "@axvisor/softfloat";
import type { GprPort, MemPort, SseInsn } from "../contract.js";
import * as contractModule from "../contract.js";
import type { FpuState } from "../state.js";
import * as vectorModule from "./vector.js";

// Module-local bindings for the hot paths: a bundler's module-namespace indirection for
// imported names (vitest's, for one) costs more than the arithmetic itself.
const {
  addD,
  addS,
  DZ,
  divD,
  divS,
  exc,
  FLUSHED,
  f32Bits,
  f32FromBits,
  f64FromWords,
  f64HiWord,
  f64LoWord,
  floatToInt,
  I32,
  I64,
  intOut,
  intToD,
  intToS,
  isNanD,
  isNanS,
  isSnanD,
  isSnanS,
  MIN_NORMAL_F32,
  MIN_NORMAL_F64,
  mulD,
  mulS,
  NAN_X86,
  NV,
  NX,
  nanDFromS,
  nanOut,
  nanPolicy,
  nanSFromD,
  OF,
  pickNanD,
  pickNanS,
  policy,
  RDN,
  RNE,
  RTZ,
  RUP,
  roundS,
  roundToIntegral,
  SATURATE_INDEFINITE,
  sqrtD,
  sqrtS,
  UF,
} = softfloatModule;
const { FPU_FAULT, FPU_GP, FPU_OK, FPU_SIMD_EXCEPTION, FPU_UD } = contractModule;
const { clear, D, enterMmx, loadMm, loadXmm, R, readMem, S, storeMm, storeXmm, u32 } = vectorModule;

const NOT_MINE = -1;

const MX_IE = 1;
const MX_ZE = 4;
const MX_OE = 8;
const MX_UE = 16;
const MX_PE = 32;
const MX_DAZ = 0x40;
const MX_FTZ = 0x8000;

const RC_TO_RM = [RNE, RDN, RUP, RTZ];
const INDEFINITE_S = 0xffc00000;
const INDEFINITE_D_HI = 0xfff80000;

const w = (at: number) => at >> 2;

/** Per-instruction context: rounding mode, DAZ, and the MXCSR flags raised so far. */
let rm = RNE;
let daz = false;
let raised = 0;

function begin(s: FpuState): void {
  const m = s.mxcsr;
  rm = RC_TO_RM[(m >> 13) & 3]!;
  daz = (m & MX_DAZ) !== 0;
  policy.tininessBeforeRounding = false;
  policy.flushToZero = (m & MX_FTZ) !== 0;
  nanPolicy.mode = NAN_X86;
  nanPolicy.defaultNegative = true;
  exc.flags = 0;
  raised = 0;
}

/** Moves softfloat's flags into MXCSR terms. */
function collect(): void {
  const f = exc.flags;
  if (f & NV) raised |= MX_IE;
  if (f & DZ) raised |= MX_ZE;
  if (f & OF) raised |= MX_OE;
  if (f & UF) raised |= MX_UE;
  if (f & NX) raised |= MX_PE;
  if (f & FLUSHED) raised |= MX_UE | MX_PE;
  exc.flags = 0;
}

/** Records the flags; true when one of them is unmasked (then nothing may be written). */
function finish(s: FpuState): boolean {
  collect();
  s.mxcsr = s.mxcsr | raised;
  return (raised & ~(s.mxcsr >> 7) & 0x3f) !== 0;
}

function inS(bits: number): number {
  const v = f32FromBits(bits);
  if (daz && (bits & 0x7f800000) === 0) return bits & 0x80000000 ? -0 : 0;
  return v;
}
function inD(lo: number, hi: number): number {
  if (daz && (hi & 0x7ff00000) === 0) return hi & 0x80000000 ? -0 : 0;
  return f64FromWords(lo, hi);
}

/** A binary32 result's bits, flushing an exact subnormal result under FTZ. */
function outS(v: number): number {
  if (Number.isNaN(v)) return INDEFINITE_S;
  if (policy.flushToZero && v !== 0 && Math.abs(v) < MIN_NORMAL_F32) {
    exc.flags |= FLUSHED;
    return v < 0 ? 0x80000000 : 0;
  }
  return f32Bits(v);
}
/** Writes a binary64 result into R's lane k. */
function outD(k: number, v: number): void {
  let lo: number;
  let hi: number;
  if (Number.isNaN(v)) {
    lo = 0;
    hi = INDEFINITE_D_HI;
  } else if (policy.flushToZero && v !== 0 && Math.abs(v) < MIN_NORMAL_F64) {
    exc.flags |= FLUSHED;
    lo = 0;
    hi = v < 0 ? 0x80000000 : 0;
  } else {
    lo = f64LoWord(v);
    hi = f64HiWord(v);
  }
  u32[w(R) + 2 * k] = lo >>> 0;
  u32[w(R) + 2 * k + 1] = hi >>> 0;
}

const laneS = (at: number, i: number) => u32[w(at) + i]!;
const loD = (at: number, k: number) => u32[w(at) + 2 * k]!;
const hiD = (at: number, k: number) => u32[w(at) + 2 * k + 1]!;

/** 0 add, 1 mul, 2 sub, 3 div, 4 min, 5 max, 6 sqrt (of b). */
function opS(op: number, a: number, b: number): number {
  if (op === 6) {
    if (isNanS(b)) return pickNanS(b, 0, 0);
    return outS(sqrtS(inS(b), rm));
  }
  if (op === 4 || op === 5) return minMaxS(op === 5, a, b);
  const nan = pickNanS(a, b, 0);
  if (nan !== 0) return nan;
  const x = inS(a);
  const y = inS(b);
  switch (op) {
    case 0:
      return outS(addS(x, y, rm));
    case 1:
      return outS(mulS(x, y, rm));
    case 2:
      return outS(addS(x, -y, rm));
    default:
      return outS(divS(x, y, rm));
  }
}

function opD(k: number, op: number, alo: number, ahi: number, blo: number, bhi: number): void {
  if (op === 6) {
    if (pickNanD(blo, bhi, 0, 0, 0, 0)) {
      putNan(k);
      return;
    }
    outD(k, sqrtD(inD(blo, bhi), rm));
    return;
  }
  if (op === 4 || op === 5) {
    minMaxD(k, op === 5, alo, ahi, blo, bhi);
    return;
  }
  if (pickNanD(alo, ahi, blo, bhi, 0, 0)) {
    putNan(k);
    return;
  }
  const x = inD(alo, ahi);
  const y = inD(blo, bhi);
  switch (op) {
    case 0:
      outD(k, addD(x, y, rm));
      return;
    case 1:
      outD(k, mulD(x, y, rm));
      return;
    case 2:
      outD(k, addD(x, -y, rm));
      return;
    default:
      outD(k, divD(x, y, rm));
      return;
  }
}

function putNan(k: number): void {
  u32[w(R) + 2 * k] = nanOut.lo >>> 0;
  u32[w(R) + 2 * k + 1] = nanOut.hi >>> 0;
}

/**
 * MIN/MAX: a < b ? a : b (MAX: a > b ? a : b); with a NaN operand (either kind: IE) or two
 * zeros, the second operand.
 */
function minMaxS(max: boolean, a: number, b: number): number {
  if (isNanS(a) || isNanS(b)) {
    exc.flags |= NV;
    return b;
  }
  const x = inS(a);
  const y = inS(b);
  return (max ? x > y : x < y) ? a : b;
}
function minMaxD(
  k: number,
  max: boolean,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): void {
  let pickA = false;
  if (isNanD(alo, ahi) || isNanD(blo, bhi)) exc.flags |= NV;
  else {
    const x = inD(alo, ahi);
    const y = inD(blo, bhi);
    pickA = max ? x > y : x < y;
  }
  u32[w(R) + 2 * k] = pickA ? alo : blo;
  u32[w(R) + 2 * k + 1] = pickA ? ahi : bhi;
}

/** CMPPS predicates 0..7: EQ LT LE UNORD NEQ NLT NLE ORD; true = all ones. */
function cmp(
  pred: number,
  x: number,
  y: number,
  xNan: boolean,
  yNan: boolean,
  sn: boolean,
): boolean {
  const unordered = xNan || yNan;
  const signaling = pred === 1 || pred === 2 || pred === 5 || pred === 6;
  if (unordered && (signaling || sn)) exc.flags |= NV;
  switch (pred) {
    case 0:
      return !unordered && x === y;
    case 1:
      return !unordered && x < y;
    case 2:
      return !unordered && x <= y;
    case 3:
      return unordered;
    case 4:
      return unordered || x !== y;
    case 5:
      return unordered || !(x < y);
    case 6:
      return unordered || !(x <= y);
    default:
      return !unordered;
  }
}

/** Loads D (the destination register) and S (n bytes of the source; aligned for 16). */
function operands(x: SseInsn, s: FpuState, mem: MemPort, n: number, aligned: boolean): number {
  loadXmm(s, x.reg, D);
  if (x.rm >= 0) {
    loadXmm(s, x.rm, S);
    return FPU_OK;
  }
  if (aligned && n === 16 && (x.eaLo & 15) !== 0) return FPU_GP;
  clear(S);
  return readMem(mem, x.eaLo, x.eaHi, n, S) ? FPU_OK : FPU_FAULT;
}

/** Writes R to the destination unless an unmasked exception was raised. */
function commit(x: SseInsn, s: FpuState): number {
  if (finish(s)) return FPU_SIMD_EXCEPTION;
  storeXmm(s, x.reg, R);
  return FPU_OK;
}

/** Lanes of the packed (none/66) or scalar (F3/F2) form: [single, count, memory bytes]. */
function shape(p: number): [boolean, number, number] {
  if (p === 0) return [true, 4, 16];
  if (p === 0x66) return [false, 2, 16];
  if (p === 0xf3) return [true, 1, 4];
  return [false, 1, 8];
}

export function executeFloat(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  if (x.map === 3) return map3a(x, s, mem);
  if (x.map !== 1) return NOT_MINE;
  const op = x.opcode;
  switch (op) {
    case 0x51:
    case 0x58:
    case 0x59:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f: {
      const kind = { 88: 0, 89: 1, 92: 2, 94: 3, 93: 4, 95: 5, 81: 6 }[op]!;
      return lanes(x, s, mem, (single, i) => {
        if (single) u32[w(R) + i] = opS(kind, laneS(D, i), laneS(S, i));
        else opD(i, kind, loD(D, i), hiD(D, i), loD(S, i), hiD(S, i));
      });
    }
    case 0xc2: {
      const pred = x.imm8 & 7;
      return lanes(x, s, mem, (single, i) => {
        if (single) {
          const a = laneS(D, i);
          const b = laneS(S, i);
          const r = cmp(pred, inS(a), inS(b), isNanS(a), isNanS(b), isSnanS(a) || isSnanS(b));
          u32[w(R) + i] = r ? 0xffffffff : 0;
        } else {
          const [al, ah, bl, bh] = [loD(D, i), hiD(D, i), loD(S, i), hiD(S, i)];
          const r = cmp(
            pred,
            inD(al, ah),
            inD(bl, bh),
            isNanD(al, ah),
            isNanD(bl, bh),
            isSnanD(al, ah) || isSnanD(bl, bh),
          );
          u32[w(R) + 2 * i] = r ? 0xffffffff : 0;
          u32[w(R) + 2 * i + 1] = r ? 0xffffffff : 0;
        }
      });
    }
    case 0x2e:
    case 0x2f:
      return comis(x, s, gpr, mem, op === 0x2e);
    case 0x5a:
      return cvtFloatFloat(x, s, mem);
    case 0x5b:
      return cvtDq(x, s, mem);
    case 0xe6:
      return cvtE6(x, s, mem);
    case 0x2a:
      return cvtFromInt(x, s, gpr, mem);
    case 0x2c:
    case 0x2d:
      return cvtToInt(x, s, gpr, mem, op === 0x2c);
    case 0x52:
    case 0x53:
      return estimate(x, s, mem, op === 0x52);
    case 0xd0:
    case 0x7c:
    case 0x7d:
      return horizontal(x, s, mem);
    default:
      return NOT_MINE;
  }
}

/** Runs f over the lanes of a packed or scalar instruction; R starts as a copy of D. */
function lanes(
  x: SseInsn,
  s: FpuState,
  mem: MemPort,
  f: (single: boolean, i: number) => void,
): number {
  const [single, count, bytes] = shape(x.prefix);
  const r = operands(x, s, mem, bytes, bytes === 16);
  if (r !== FPU_OK) return r;
  begin(s);
  u32.copyWithin(w(R), w(D), w(D) + 4);
  for (let i = 0; i < count; i++) f(single, i);
  return commit(x, s);
}

function comis(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort, quiet: boolean): number {
  if (x.prefix !== 0 && x.prefix !== 0x66) return FPU_UD;
  const single = x.prefix === 0;
  const r = operands(x, s, mem, single ? 4 : 8, false);
  if (r !== FPU_OK) return r;
  begin(s);
  let a: number;
  let b: number;
  let nan: boolean;
  let snan: boolean;
  if (single) {
    const ab = laneS(D, 0);
    const bb = laneS(S, 0);
    a = inS(ab);
    b = inS(bb);
    nan = isNanS(ab) || isNanS(bb);
    snan = isSnanS(ab) || isSnanS(bb);
  } else {
    a = inD(loD(D, 0), hiD(D, 0));
    b = inD(loD(S, 0), hiD(S, 0));
    nan = isNanD(loD(D, 0), hiD(D, 0)) || isNanD(loD(S, 0), hiD(S, 0));
    snan = isSnanD(loD(D, 0), hiD(D, 0)) || isSnanD(loD(S, 0), hiD(S, 0));
  }
  if (nan && (!quiet || snan)) exc.flags |= NV;
  if (finish(s)) return FPU_SIMD_EXCEPTION;
  if (nan) gpr.setFlags(true, true, true);
  else gpr.setFlags(a === b, false, a < b);
  return FPU_OK;
}

/** 5A: CVTPS2PD, CVTPD2PS (66), CVTSS2SD (F3), CVTSD2SS (F2). */
function cvtFloatFloat(x: SseInsn, s: FpuState, mem: MemPort): number {
  const p = x.prefix;
  const bytes = p === 0 ? 8 : p === 0x66 ? 16 : p === 0xf3 ? 4 : 8;
  const r = operands(x, s, mem, bytes, bytes === 16);
  if (r !== FPU_OK) return r;
  begin(s);
  u32.copyWithin(w(R), w(D), w(D) + 4);
  const toDouble = (k: number, bits: number) => {
    if (isNanS(bits)) {
      nanDFromS(bits);
      putNan(k);
    } else outD(k, inS(bits));
  };
  const toSingle = (lo: number, hi: number) => {
    if (isNanD(lo, hi)) return nanSFromD(lo, hi) >>> 0;
    const v = inD(lo, hi);
    if (v === 0 || !Number.isFinite(v)) return f32Bits(v);
    return outS(roundS(v, 0, rm));
  };
  if (p === 0) {
    const a = laneS(S, 0);
    const b = laneS(S, 1);
    toDouble(0, a);
    toDouble(1, b);
  } else if (p === 0xf3) toDouble(0, laneS(S, 0));
  else if (p === 0x66) {
    u32[w(R)] = toSingle(loD(S, 0), hiD(S, 0));
    u32[w(R) + 1] = toSingle(loD(S, 1), hiD(S, 1));
    u32[w(R) + 2] = 0;
    u32[w(R) + 3] = 0;
  } else u32[w(R)] = toSingle(loD(S, 0), hiD(S, 0));
  return commit(x, s);
}

/** A float to int32/int64 (indefinite when invalid), under rm or truncating. */
function toInt(v: number, nan: boolean, trunc: boolean, wide: boolean): void {
  floatToInt(nan ? Number.NaN : v, trunc ? RTZ : rm, wide ? I64 : I32, SATURATE_INDEFINITE);
}

/** 5B: CVTDQ2PS (none), CVTPS2DQ (66), CVTTPS2DQ (F3). */
function cvtDq(x: SseInsn, s: FpuState, mem: MemPort): number {
  const p = x.prefix;
  if (p === 0xf2) return FPU_UD;
  const r = operands(x, s, mem, 16, true);
  if (r !== FPU_OK) return r;
  begin(s);
  for (let i = 0; i < 4; i++) {
    const b = laneS(S, i);
    if (p === 0) u32[w(R) + i] = outS(intToS(b | 0, b >> 31, I32, rm));
    else {
      toInt(inS(b), isNanS(b), p === 0xf3, false);
      u32[w(R) + i] = intOut.lo >>> 0;
    }
  }
  return commit(x, s);
}

/** E6: CVTTPD2DQ (66), CVTDQ2PD (F3), CVTPD2DQ (F2). */
function cvtE6(x: SseInsn, s: FpuState, mem: MemPort): number {
  const p = x.prefix;
  if (p === 0) return FPU_UD;
  const r = operands(x, s, mem, p === 0xf3 ? 8 : 16, p !== 0xf3);
  if (r !== FPU_OK) return r;
  begin(s);
  if (p === 0xf3) {
    const a = laneS(S, 0);
    const b = laneS(S, 1);
    outD(0, intToD(a | 0, a >> 31, I32, rm));
    outD(1, intToD(b | 0, b >> 31, I32, rm));
  } else {
    for (let k = 0; k < 2; k++) {
      toInt(inD(loD(S, k), hiD(S, k)), isNanD(loD(S, k), hiD(S, k)), p === 0x66, false);
      u32[w(R) + k] = intOut.lo >>> 0;
    }
    u32[w(R) + 2] = 0;
    u32[w(R) + 3] = 0;
  }
  return commit(x, s);
}

/** 2A: CVTPI2PS (mm), CVTPI2PD (66, mm), CVTSI2SS (F3, r/m32/64), CVTSI2SD (F2). */
function cvtFromInt(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const p = x.prefix;
  loadXmm(s, x.reg, D);
  u32.copyWithin(w(R), w(D), w(D) + 4);
  if (p === 0 || p === 0x66) {
    if (x.rm >= 0) loadMm(s, x.rm, S);
    else if (!readMem(mem, x.eaLo, x.eaHi, 8, S)) return FPU_FAULT;
    begin(s);
    for (let i = 0; i < 2; i++) {
      const v = laneS(S, i);
      if (p === 0) u32[w(R) + i] = outS(intToS(v | 0, v >> 31, I32, rm));
      else outD(i, intToD(v | 0, v >> 31, I32, rm));
    }
    if (finish(s)) return FPU_SIMD_EXCEPTION;
    storeXmm(s, x.reg, R);
    if (x.rm >= 0) enterMmx(s);
    return FPU_OK;
  }
  let lo: number;
  let hi: number;
  if (x.rm >= 0) {
    lo = gpr.getLo(x.rm);
    hi = gpr.getHi(x.rm);
  } else {
    if (!readMem(mem, x.eaLo, x.eaHi, x.rexW ? 8 : 4, S)) return FPU_FAULT;
    lo = laneS(S, 0);
    hi = laneS(S, 1);
  }
  if (!x.rexW) hi = (lo | 0) >> 31;
  begin(s);
  const kind = x.rexW ? I64 : I32;
  if (p === 0xf3) u32[w(R)] = outS(intToS(lo | 0, hi | 0, kind, rm));
  else outD(0, intToD(lo | 0, hi | 0, kind, rm));
  return commit(x, s);
}

/** 2C/2D: CVT(T)PS2PI, CVT(T)PD2PI (mm destination), CVT(T)SS2SI, CVT(T)SD2SI (GPR). */
function cvtToInt(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort, trunc: boolean): number {
  const p = x.prefix;
  const single = p === 0 || p === 0xf3;
  const bytes = p === 0 ? 8 : p === 0x66 ? 16 : p === 0xf3 ? 4 : 8;
  if (x.rm >= 0) loadXmm(s, x.rm, S);
  else {
    if (bytes === 16 && (x.eaLo & 15) !== 0) return FPU_GP;
    if (!readMem(mem, x.eaLo, x.eaHi, bytes, S)) return FPU_FAULT;
  }
  begin(s);
  if (p === 0 || p === 0x66) {
    for (let i = 0; i < 2; i++) {
      if (single) toInt(inS(laneS(S, i)), isNanS(laneS(S, i)), trunc, false);
      else toInt(inD(loD(S, i), hiD(S, i)), isNanD(loD(S, i), hiD(S, i)), trunc, false);
      u32[w(R) + i] = intOut.lo >>> 0;
    }
    if (finish(s)) return FPU_SIMD_EXCEPTION;
    storeMm(s, x.reg, R);
    enterMmx(s);
    return FPU_OK;
  }
  if (single) toInt(inS(laneS(S, 0)), isNanS(laneS(S, 0)), trunc, x.rexW);
  else toInt(inD(loD(S, 0), hiD(S, 0)), isNanD(loD(S, 0), hiD(S, 0)), trunc, x.rexW);
  if (finish(s)) return FPU_SIMD_EXCEPTION;
  gpr.set(x.reg, intOut.lo >>> 0, x.rexW ? intOut.hi >>> 0 : 0);
  return FPU_OK;
}

/** RSQRTPS/SS (52), RCPPS/SS (53): QEMU's correctly rounded values, no flags. */
function estimate(x: SseInsn, s: FpuState, mem: MemPort, rsqrt: boolean): number {
  const p = x.prefix;
  if (p !== 0 && p !== 0xf3) return FPU_UD;
  const count = p === 0 ? 4 : 1;
  const r = operands(x, s, mem, p === 0 ? 16 : 4, p === 0);
  if (r !== FPU_OK) return r;
  begin(s);
  u32.copyWithin(w(R), w(D), w(D) + 4);
  for (let i = 0; i < count; i++) {
    const b = laneS(S, i);
    if (isNanS(b)) {
      u32[w(R) + i] = (b | 0x400000) >>> 0;
      continue;
    }
    const v = inS(b);
    const den = rsqrt ? f32FromBits(outS(sqrtS(v, rm))) : v;
    u32[w(R) + i] = Number.isNaN(den) ? INDEFINITE_S : outS(divS(1, den, rm));
  }
  exc.flags = 0;
  storeXmm(s, x.reg, R);
  return FPU_OK;
}

/** ADDSUBPD (66 D0), ADDSUBPS (F2 D0), HADDPD/PS (7C), HSUBPD/PS (7D). */
function horizontal(x: SseInsn, s: FpuState, mem: MemPort): number {
  const p = x.prefix;
  if (p !== 0x66 && p !== 0xf2) return FPU_UD;
  const single = p === 0xf2;
  const r = operands(x, s, mem, 16, true);
  if (r !== FPU_OK) return r;
  begin(s);
  const op = x.opcode;
  if (op === 0xd0) {
    if (single)
      for (let i = 0; i < 4; i++) u32[w(R) + i] = opS(i & 1 ? 0 : 2, laneS(D, i), laneS(S, i));
    else
      for (let k = 0; k < 2; k++) opD(k, k & 1 ? 0 : 2, loD(D, k), hiD(D, k), loD(S, k), hiD(S, k));
    return commit(x, s);
  }
  const kind = op === 0x7c ? 0 : 2;
  if (single) {
    const out = [
      opS(kind, laneS(D, 0), laneS(D, 1)),
      opS(kind, laneS(D, 2), laneS(D, 3)),
      opS(kind, laneS(S, 0), laneS(S, 1)),
      opS(kind, laneS(S, 2), laneS(S, 3)),
    ];
    for (let i = 0; i < 4; i++) u32[w(R) + i] = out[i]! >>> 0;
  } else {
    const [d0l, d0h, d1l, d1h] = [loD(D, 0), hiD(D, 0), loD(D, 1), hiD(D, 1)];
    const [s0l, s0h, s1l, s1h] = [loD(S, 0), hiD(S, 0), loD(S, 1), hiD(S, 1)];
    opD(0, kind, d0l, d0h, d1l, d1h);
    opD(1, kind, s0l, s0h, s1l, s1h);
  }
  return commit(x, s);
}

function map3a(x: SseInsn, s: FpuState, mem: MemPort): number {
  const op = x.opcode;
  if (x.prefix !== 0x66) return NOT_MINE;
  if (op >= 0x08 && op <= 0x0b) return roundOp(x, s, mem);
  if (op === 0x40 || op === 0x41) return dot(x, s, mem);
  return NOT_MINE;
}

/** ROUNDPS/PD/SS/SD: imm8[2] selects MXCSR.RC, else imm8[1:0]; imm8[3] suppresses PE. */
function roundOp(x: SseInsn, s: FpuState, mem: MemPort): number {
  const op = x.opcode;
  const single = op === 0x08 || op === 0x0a;
  const scalar = op >= 0x0a;
  const bytes = scalar ? (single ? 4 : 8) : 16;
  const r = operands(x, s, mem, bytes, bytes === 16);
  if (r !== FPU_OK) return r;
  begin(s);
  const mode = x.imm8 & 4 ? rm : RC_TO_RM[x.imm8 & 3]!;
  const quiet = (x.imm8 & 8) !== 0;
  u32.copyWithin(w(R), w(D), w(D) + 4);
  const count = scalar ? 1 : single ? 4 : 2;
  for (let i = 0; i < count; i++) {
    if (single) {
      const b = laneS(S, i);
      if (isNanS(b)) u32[w(R) + i] = pickNanS(b, 0, 0) >>> 0;
      else {
        const v = inS(b);
        const n = Number.isFinite(v) ? roundToIntegral(v, mode) : v;
        if (n !== v && !quiet) exc.flags |= NX;
        u32[w(R) + i] = f32Bits(n);
      }
    } else {
      const bl = loD(S, i);
      const bh = hiD(S, i);
      if (pickNanD(bl, bh, 0, 0, 0, 0)) putNan(i);
      else {
        const v = inD(bl, bh);
        const n = Number.isFinite(v) ? roundToIntegral(v, mode) : v;
        if (n !== v && !quiet) exc.flags |= NX;
        outD(i, n);
      }
    }
  }
  return commit(x, s);
}

/**
 * DPPS/DPPD: the products selected by imm8[7:4] (others +0), summed pairwise as the SDM's
 * pseudocode does ((p0 + p1) + (p2 + p3)), written to the lanes imm8[3:0] selects (others +0).
 */
function dot(x: SseInsn, s: FpuState, mem: MemPort): number {
  const r = operands(x, s, mem, 16, true);
  if (r !== FPU_OK) return r;
  begin(s);
  const imm = x.imm8;
  if (x.opcode === 0x40) {
    const prod: number[] = [];
    for (let i = 0; i < 4; i++)
      prod.push((imm >> (4 + i)) & 1 ? opS(1, laneS(D, i), laneS(S, i)) : 0);
    const sum = opS(0, opS(0, prod[0]!, prod[1]!), opS(0, prod[2]!, prod[3]!));
    for (let i = 0; i < 4; i++) u32[w(R) + i] = (imm >> i) & 1 ? sum >>> 0 : 0;
  } else {
    const p: number[][] = [];
    for (let k = 0; k < 2; k++) {
      if ((imm >> (4 + k)) & 1) {
        opD(0, 1, loD(D, k), hiD(D, k), loD(S, k), hiD(S, k));
        p.push([u32[w(R)]!, u32[w(R) + 1]!]);
      } else p.push([0, 0]);
    }
    opD(0, 0, p[0]![0]!, p[0]![1]!, p[1]![0]!, p[1]![1]!);
    const lo = u32[w(R)]!;
    const hi = u32[w(R) + 1]!;
    for (let k = 0; k < 2; k++) {
      u32[w(R) + 2 * k] = (imm >> k) & 1 ? lo : 0;
      u32[w(R) + 2 * k + 1] = (imm >> k) & 1 ? hi : 0;
    }
  }
  return commit(x, s);
}
