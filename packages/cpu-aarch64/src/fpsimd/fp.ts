/**
 * ARM floating-point element operations on raw bits, as the A64 pseudocode and QEMU 7.2 define
 * them on top of @axvisor/softfloat: FPCR rounding, FZ (subnormal inputs read as zero with IDC,
 * tiny results become zero with UFC), DN, ARM NaN propagation, tininess before rounding.
 * binary32 operands and results are int32 bit patterns; binary64 operands are (lo, hi) word
 * pairs and results go to `dOut`. Flags accumulate in softfloat's `exc` cell; the caller moves
 * them into FPSR (./state.ts).
 */
import {
  addD,
  addS,
  divD,
  divS,
  exc,
  f32Bits,
  f32FromBits,
  f64FromWords,
  f64HiWord,
  f64LoWord,
  floatToInt,
  fmaD,
  fmaS,
  INPUT_DENORMAL,
  intOut,
  isNanD,
  isNanS,
  MIN_NORMAL_F64,
  mulD,
  mulS,
  NV,
  NX,
  nanDFromS,
  nanOut,
  nanSFromD,
  pickNanD,
  pickNanS,
  policy,
  RMM,
  RNE,
  roundS,
  roundToIntegral,
  SATURATE_NAN_ZERO,
  sqrtD,
  sqrtS,
} from "@axvisor/softfloat";

/** The FPCR controls in effect for the instruction being executed (./state.ts sets them). */
export const fp = { rm: RNE, fz: false, dn: false, ahp: false };

/** A binary64 result. */
export const dOut = { lo: 0, hi: 0 };

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_MAX = 4;
export const OP_MIN = 5;
export const OP_MAXNM = 6;
export const OP_MINNM = 7;
export const OP_MULX = 8;
export const OP_ABD = 9;
export const OP_RECPS = 10;
export const OP_RSQRTS = 11;

const DEFAULT_NAN_S = 0x7fc00000;
const SIGN = -0x80000000;

// ---------------------------------------------------------------- binary32

/** FZ: a subnormal input reads as a zero of its sign, raising IDC. */
export function inS(b: number): number {
  if (fp.fz && (b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
    exc.flags |= INPUT_DENORMAL;
    return b & SIGN;
  }
  return b;
}

/** Bits of a binary32 result value; an invalid operation's NaN becomes the default NaN. */
function outS(v: number): number {
  if (Number.isNaN(v)) return DEFAULT_NAN_S;
  return f32Bits(v);
}

function isQnanS(b: number): boolean {
  return isNanS(b) && (b & 0x400000) !== 0;
}

/** Two-operand arithmetic on binary32 bits. */
export function binS(op: number, a0: number, b0: number): number {
  const a = inS(a0);
  const b = inS(b0);
  if (op === OP_MAXNM || op === OP_MINNM) {
    // A single quiet NaN gives the other operand (IEEE 754-2008 maxNum/minNum).
    const an = isNanS(a);
    const bn = isNanS(b);
    if (an && !bn && isQnanS(a)) return b;
    if (bn && !an && isQnanS(b)) return a;
  }
  if (op === OP_RECPS || op === OP_RSQRTS) return stepS(op, a ^ SIGN, b);
  const n = pickNanS(a, b, 0);
  if (n !== 0) return op === OP_ABD ? n & 0x7fffffff : n;
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  switch (op) {
    case OP_ADD:
      return outS(addS(x, y, fp.rm));
    case OP_SUB:
      return outS(addS(x, -y, fp.rm));
    case OP_MUL:
      return outS(mulS(x, y, fp.rm));
    case OP_DIV:
      return outS(divS(x, y, fp.rm));
    case OP_MULX:
      if ((x === 0 && y - y !== 0) || (y === 0 && x - x !== 0)) {
        return ((a ^ b) & SIGN) | 0x40000000; // +-2.0
      }
      return outS(mulS(x, y, fp.rm));
    case OP_ABD:
      return outS(addS(x, -y, fp.rm)) & 0x7fffffff;
    case OP_MAX:
    case OP_MAXNM:
      if (x > y) return a;
      if (x < y) return b;
      return a & b; // equal: +0 wins over -0
    default:
      if (x < y) return a;
      if (x > y) return b;
      return a | b;
  }
}

/** FRECPS (2 - a*b) and FRSQRTS ((3 - a*b) / 2), fused; `na` is -a. */
function stepS(op: number, na: number, b: number): number {
  const n = pickNanS(na, b, 0);
  if (n !== 0) return n;
  const x = f32FromBits(na);
  const y = f32FromBits(b);
  const infZero = (x - x !== 0 && y === 0) || (y - y !== 0 && x === 0);
  if (op === OP_RECPS) return infZero ? 0x40000000 : outS(fmaS(x, y, 2, fp.rm));
  return infZero ? 0x3fc00000 : outS(fmaS(x * 0.5, y, 1.5, fp.rm));
}

/** Fused a*b + c on binary32 bits (operands already negated as the instruction requires). */
export function fmaBitsS(a0: number, b0: number, c0: number): number {
  const a = inS(a0);
  const b = inS(b0);
  const c = inS(c0);
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  const anyNan = isNanS(a) || isNanS(b) || isNanS(c);
  if (anyNan) {
    // inf * 0 with a quiet NaN addend: Invalid and the default NaN (FPMulAdd); a signalling
    // addend is propagated like any other NaN.
    const infZero =
      (x - x !== 0 && !isNanS(a) && y === 0) || (y - y !== 0 && !isNanS(b) && x === 0);
    if (infZero && isQnanS(c)) {
      pickNanS(c, a, b);
      exc.flags |= NV;
      return DEFAULT_NAN_S;
    }
    return pickNanS(c, a, b);
  }
  return outS(fmaS(x, y, f32FromBits(c), fp.rm));
}

export function sqrtBitsS(a0: number): number {
  const a = inS(a0);
  const n = pickNanS(a, 0, 0);
  if (n !== 0) return n;
  return outS(sqrtS(f32FromBits(a), fp.rm));
}

/** FRINT*: a (binary32 bits) rounded to an integral value under rm; `exact` raises IXC. */
export function rintS(a0: number, rm: number, exact: boolean): number {
  const a = inS(a0);
  const n = pickNanS(a, 0, 0);
  if (n !== 0) return n;
  const x = f32FromBits(a);
  if (x - x !== 0 || x === 0) return a;
  const r = roundToIntegral(x, rm);
  if (exact && r !== x) exc.flags |= NX;
  return f32Bits(r);
}

/**
 * FCMP/FCMPE on binary32 bits: NZCV (0110 equal, 1000 less, 0010 greater, 0011 unordered).
 * `signalling` raises IOC for any NaN, otherwise only for signalling ones.
 */
export function cmpS(a0: number, b0: number, signalling: boolean): number {
  const a = inS(a0);
  const b = inS(b0);
  if (isNanS(a) || isNanS(b)) {
    if (signalling || (isNanS(a) && !isQnanS(a)) || (isNanS(b) && !isQnanS(b))) exc.flags |= NV;
    return 0b0011;
  }
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  return x === y ? 0b0110 : x < y ? 0b1000 : 0b0010;
}

/** binary32 to integer (I32/U32/I64/U64) under rm, ARM saturation, scaled by 2^fbits. */
export function toIntS(a0: number, rm: number, kind: number, fbits: number): void {
  const a = inS(a0);
  let x = isNanS(a) ? Number.NaN : f32FromBits(a);
  if (fbits !== 0) x *= 2 ** fbits;
  floatToInt(x, rm, kind, SATURATE_NAN_ZERO);
}

/** binary32 bits to binary64 (FCVT Dd, Sn): exact; NaNs keep their payload. */
export function sToD(a0: number): void {
  const a = inS(a0);
  if (isNanS(a)) {
    nanDFromS(a);
    dOut.lo = nanOut.lo;
    dOut.hi = nanOut.hi;
    return;
  }
  setD(f32FromBits(a));
}

// ---------------------------------------------------------------- binary64

/** FZ on a binary64 operand's words; returns the (possibly flushed) high word, sets `flushed.lo`. */
/**
 * The (possibly flushed) low word of the last inD operand. An object field rather than a
 * module-level `let`: V8 boxes doubles (and int32s beyond the Smi range) written to a module
 * variable, which would allocate on every instruction.
 */
const flushed = { lo: 0 };
function inD(lo: number, hi: number): number {
  if (fp.fz && (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) !== 0 || lo !== 0)) {
    exc.flags |= INPUT_DENORMAL;
    flushed.lo = 0;
    return hi & SIGN;
  }
  flushed.lo = lo;
  return hi;
}

/** Writes a binary64 result value to dOut (invalid -> default NaN; FZ flushes exact subnormals). */
export function setD(v: number): undefined {
  if (Number.isNaN(v)) {
    dOut.lo = 0;
    dOut.hi = 0x7ff80000;
    return;
  }
  let r = v;
  if (policy.flushToZero && r !== 0 && r < MIN_NORMAL_F64 && r > -MIN_NORMAL_F64) {
    exc.flags |= 32; // FLUSHED
    r = r < 0 ? -0 : 0;
  }
  dOut.lo = f64LoWord(r);
  dOut.hi = f64HiWord(r);
}

function setDWords(lo: number, hi: number): undefined {
  dOut.lo = lo;
  dOut.hi = hi;
}

function isQnanD(lo: number, hi: number): boolean {
  return isNanD(lo, hi) && (hi & 0x80000) !== 0;
}

/** Two-operand arithmetic on binary64 words; result in dOut. */
export function binD(op: number, alo: number, ahi0: number, blo: number, bhi0: number): undefined {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  const bhi = inD(blo, bhi0);
  const bl = flushed.lo;
  if (op === OP_MAXNM || op === OP_MINNM) {
    const an = isNanD(al, ahi);
    const bn = isNanD(bl, bhi);
    if (an && !bn && isQnanD(al, ahi)) return setDWords(bl, bhi);
    if (bn && !an && isQnanD(bl, bhi)) return setDWords(al, ahi);
  }
  if (op === OP_RECPS || op === OP_RSQRTS) return stepD(op, al, ahi ^ SIGN, bl, bhi);
  if (pickNanD(al, ahi, bl, bhi, 0, 0)) {
    return setDWords(nanOut.lo, op === OP_ABD ? nanOut.hi & 0x7fffffff : nanOut.hi);
  }
  const va = f64FromWords(al, ahi);
  const vb = f64FromWords(bl, bhi);
  switch (op) {
    case OP_ADD:
      return setD(addD(va, vb, fp.rm));
    case OP_SUB:
      return setD(addD(va, -vb, fp.rm));
    case OP_MUL:
      return setD(mulD(va, vb, fp.rm));
    case OP_DIV:
      return setD(divD(va, vb, fp.rm));
    case OP_MULX:
      if ((va === 0 && vb - vb !== 0) || (vb === 0 && va - va !== 0)) {
        return setDWords(0, ((ahi ^ bhi) & SIGN) | 0x40000000);
      }
      return setD(mulD(va, vb, fp.rm));
    case OP_ABD:
      setD(addD(va, -vb, fp.rm));
      dOut.hi &= 0x7fffffff;
      return;
    case OP_MAX:
    case OP_MAXNM:
      if (va > vb) return setDWords(al, ahi);
      if (va < vb) return setDWords(bl, bhi);
      return setDWords(al & bl, ahi & bhi);
    default:
      if (va < vb) return setDWords(al, ahi);
      if (va > vb) return setDWords(bl, bhi);
      return setDWords(al | bl, ahi | bhi);
  }
}

function stepD(op: number, alo: number, ahi: number, blo: number, bhi: number): undefined {
  if (pickNanD(alo, ahi, blo, bhi, 0, 0)) return setDWords(nanOut.lo, nanOut.hi);
  const x = f64FromWords(alo, ahi);
  const y = f64FromWords(blo, bhi);
  const infZero = (x - x !== 0 && y === 0) || (y - y !== 0 && x === 0);
  if (op === OP_RECPS) {
    if (infZero) return setDWords(0, 0x40000000);
    return setD(fmaD(x, y, 2, fp.rm));
  }
  if (infZero) return setDWords(0, 0x3ff80000);
  // (3 - x*y) / 2 = (-x/2)*y + 1.5, exact when halving x (or y) is exact.
  if (Math.abs(x) >= 2 ** -1021 || x === 0) return setD(fmaD(x * 0.5, y, 1.5, fp.rm));
  return setD(fmaD(x, y * 0.5, 1.5, fp.rm));
}

/** Fused a*b + c on binary64 words; result in dOut. */
export function fmaBitsD(
  alo: number,
  ahi0: number,
  blo: number,
  bhi0: number,
  clo: number,
  chi0: number,
): undefined {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  const bhi = inD(blo, bhi0);
  const bl = flushed.lo;
  const chi = inD(clo, chi0);
  const cl = flushed.lo;
  const x = f64FromWords(al, ahi);
  const y = f64FromWords(bl, bhi);
  if (isNanD(al, ahi) || isNanD(bl, bhi) || isNanD(cl, chi)) {
    const infZero =
      (x - x !== 0 && !Number.isNaN(x) && y === 0) || (y - y !== 0 && !Number.isNaN(y) && x === 0);
    if (infZero && isQnanD(cl, chi)) {
      pickNanD(cl, chi, al, ahi, bl, bhi);
      exc.flags |= NV;
      return setDWords(0, 0x7ff80000);
    }
    pickNanD(cl, chi, al, ahi, bl, bhi);
    return setDWords(nanOut.lo, nanOut.hi);
  }
  setD(fmaD(x, y, f64FromWords(cl, chi), fp.rm));
}

export function sqrtBitsD(alo: number, ahi0: number): undefined {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  if (pickNanD(al, ahi, 0, 0, 0, 0)) return setDWords(nanOut.lo, nanOut.hi);
  setD(sqrtD(f64FromWords(al, ahi), fp.rm));
}

export function rintD(alo: number, ahi0: number, rm: number, exact: boolean): undefined {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  if (pickNanD(al, ahi, 0, 0, 0, 0)) return setDWords(nanOut.lo, nanOut.hi);
  const x = f64FromWords(al, ahi);
  if (x - x !== 0 || x === 0) return setDWords(al, ahi);
  const r = roundToIntegral(x, rm);
  if (exact && r !== x) exc.flags |= NX;
  setDWords(f64LoWord(r), f64HiWord(r));
}

export function cmpD(alo: number, ahi0: number, blo: number, bhi0: number, sig: boolean): number {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  const bhi = inD(blo, bhi0);
  const bl = flushed.lo;
  const an = isNanD(al, ahi);
  const bn = isNanD(bl, bhi);
  if (an || bn) {
    if (sig || (an && !isQnanD(al, ahi)) || (bn && !isQnanD(bl, bhi))) exc.flags |= NV;
    return 0b0011;
  }
  const x = f64FromWords(al, ahi);
  const y = f64FromWords(bl, bhi);
  return x === y ? 0b0110 : x < y ? 0b1000 : 0b0010;
}

export function toIntD(alo: number, ahi0: number, rm: number, kind: number, fbits: number): void {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  let x = isNanD(al, ahi) ? Number.NaN : f64FromWords(al, ahi);
  if (fbits !== 0) x *= 2 ** fbits;
  floatToInt(x, rm, kind, SATURATE_NAN_ZERO);
}

/** binary64 words to binary32 bits under rm (FCVT Sd, Dn; FCVTN; FCVTXN with odd rounding). */
export function dToS(alo: number, ahi0: number, rm: number): number {
  const ahi = inD(alo, ahi0);
  const al = flushed.lo;
  if (isNanD(al, ahi)) return nanSFromD(al, ahi);
  const x = f64FromWords(al, ahi);
  if (x === 0 || x - x !== 0) return f32Bits(x);
  return outS(roundS(x, 0, rm));
}

/** The integer result of toIntS/toIntD. */
/** Reused by callers that need RMM for the FCVTA* forms. */
export { intOut, RMM };
