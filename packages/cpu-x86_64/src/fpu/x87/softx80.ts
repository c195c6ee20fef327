/**
 * IEEE arithmetic on the x87 80-bit extended format (sign, 15-bit exponent, 64-bit significand
 * with an explicit integer bit), exactly rounded under the x87 precision control (24/53/64
 * significand bits over the full extended exponent range) and the four rounding modes, with
 * x87 flags. Values cross as (se, hi, lo): sign/exponent halfword and the significand's uint32
 * halves. Results land in `res`; flags accumulate in `flags` (the caller clears them).
 *
 * Special cases follow QEMU 7.2's x87 model: unsupported encodings (unnormals, pseudo-NaNs,
 * pseudo-infinities) are invalid operands; two NaNs propagate the larger significand; a
 * signalling NaN is quieted with IE; tininess is detected after rounding, and underflow is
 * only flagged when the tiny result is also inexact. Like QEMU, denormal operands do not
 * raise DE (the hardware does); FXTRACT is the one place that reports it.
 */

import type { Limbs } from "./limbs.js";
import * as limbsModule from "./limbs.js";

// Module-local bindings for the hot paths: a bundler's module-namespace indirection for
// imported names (vitest's, for one) costs more than the arithmetic itself.
const {
  add,
  addBit,
  bit,
  clearBelow,
  clz,
  compare,
  copy,
  hi32,
  isZero,
  lo32,
  load64,
  roundClass,
  setBit,
  shiftLeft,
  shiftRightJam,
  sub,
} = limbsModule;

export const F_IE = 1;
export const F_DE = 2;
export const F_ZE = 4;
export const F_OE = 8;
export const F_UE = 16;
export const F_PE = 32;

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** Flags raised since the caller last cleared them; c1 = the last rounding went up. */
export const flags = { exc: 0, c1: 0 };
/** The result of the last operation. */
export const res = { se: 0, hi: 0, lo: 0 };

export const BIAS = 16383;
export const KIND_ZERO = 0;
export const KIND_FINITE = 1;
export const KIND_INF = 2;
export const KIND_QNAN = 3;
export const KIND_SNAN = 4;
/** Unnormals, pseudo-NaNs, pseudo-infinities: always an invalid operand. */
export const KIND_UNSUPPORTED = 5;

export function kindOf(se: number, hi: number, lo: number): number {
  const e = se & 0x7fff;
  if (e === 0x7fff) {
    if (!(hi & 0x80000000)) return KIND_UNSUPPORTED;
    if ((hi & 0x7fffffff) === 0 && lo === 0) return KIND_INF;
    return hi & 0x40000000 ? KIND_QNAN : KIND_SNAN;
  }
  if (e === 0) return (hi | lo) === 0 ? KIND_ZERO : KIND_FINITE;
  return hi & 0x80000000 ? KIND_FINITE : KIND_UNSUPPORTED;
}

export const isDenormal = (se: number, hi: number, lo: number) =>
  (se & 0x7fff) === 0 && (hi | lo) !== 0;

/** An operand unpacked into a normalized 128-bit significand (bit 127 set) and unbiased exponent. */
export class Unpacked {
  sign = 0;
  exp = 0;
  kind = KIND_ZERO;
  readonly sig: Limbs = new Int32Array(8);
  se = 0;
  hi = 0;
  lo = 0;

  set(se: number, hi: number, lo: number): this {
    this.se = se;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    this.sign = se >>> 15;
    this.kind = kindOf(se, hi, lo);
    load64(this.sig, hi, lo);
    if (this.kind === KIND_FINITE) {
      const e = se & 0x7fff;
      const z = clz(this.sig);
      shiftLeft(this.sig, z);
      // Denormals and pseudo-denormals both sit at the minimum exponent.
      this.exp = (e === 0 ? 1 : e) - BIAS - z;
    }
    return this;
  }
}

const ua = new Unpacked();
const ub = new Unpacked();

function setRes(se: number, hi: number, lo: number): void {
  res.se = se & 0xffff;
  res.hi = hi >>> 0;
  res.lo = lo >>> 0;
}

/** The x87 default NaN ("real indefinite"). */
export function setIndefinite(): void {
  setRes(0xffff, 0xc0000000, 0);
}

function invalid(): void {
  flags.exc |= F_IE;
  setIndefinite();
}

/** NaN propagation between one or two operands, at least one a NaN (kinds QNAN/SNAN). */
function propagateNaN(a: Unpacked, b: Unpacked | null): void {
  const aNaN = a.kind === KIND_QNAN || a.kind === KIND_SNAN;
  const bNaN = b !== null && (b.kind === KIND_QNAN || b.kind === KIND_SNAN);
  if ((aNaN && a.kind === KIND_SNAN) || (bNaN && b!.kind === KIND_SNAN)) flags.exc |= F_IE;
  let pick: Unpacked;
  if (aNaN && bNaN && b !== null) {
    if (a.kind === KIND_SNAN && b.kind === KIND_QNAN) pick = b;
    else if (a.kind === KIND_QNAN && b.kind === KIND_SNAN) pick = a;
    else {
      const ah = a.hi & 0x7fffffff;
      const bh = b.hi & 0x7fffffff;
      if (ah !== bh) pick = ah > bh ? a : b;
      else if (a.lo !== b.lo) pick = a.lo > b.lo ? a : b;
      else pick = a.sign === 0 ? a : b;
    }
  } else pick = aNaN ? a : b!;
  setRes(pick.se, pick.hi | 0x40000000, pick.lo);
}

/** Rounding/packing target: significand bits and exponent range (unbiased). */
export interface Format {
  p: number;
  emin: number;
  emax: number;
}
export const EXT64: Format = { p: 64, emin: -16382, emax: 16383 };
export const EXT53: Format = { p: 53, emin: -16382, emax: 16383 };
export const EXT24: Format = { p: 24, emin: -16382, emax: 16383 };
export const DOUBLE: Format = { p: 53, emin: -1022, emax: 1023 };
export const SINGLE: Format = { p: 24, emin: -126, emax: 127 };

export function extFormat(pc: number): Format {
  return pc === 0 ? EXT24 : pc === 2 ? EXT53 : EXT64;
}

/** The rounded value of the last `roundPack`. */
export const rounded = {
  sign: 0,
  kind: KIND_ZERO,
  exp: 0,
  denormal: false,
  sig: new Int32Array(8),
};
const probe: Limbs = new Int32Array(8);

function increments(r: number, lsb: number, sign: number, rc: number): boolean {
  if (r === 0) return false;
  switch (rc) {
    case RC_NEAREST:
      return r === 3 || (r === 2 && lsb === 1);
    case RC_DOWN:
      return sign === 1;
    case RC_UP:
      return sign === 0;
    default:
      return false;
  }
}

/**
 * Rounds sign × 1.sig × 2^exp (sig normalized, bit 127 set) to the format under rounding
 * control rc, into `rounded`, raising PE/UE/OE and C1.
 */
export function roundPack(sign: number, exp: number, sig: Limbs, f: Format, rc: number): void {
  const out = rounded;
  out.sign = sign;
  const s = out.sig;
  copy(s, sig);
  const unit = 128 - f.p;
  let tiny = false;
  if (exp < f.emin) {
    tiny = true;
    if (exp === f.emin - 1) {
      // Tininess after rounding: the value rounded with an unbounded exponent reaches 2^emin.
      copy(probe, sig);
      const r = roundClass(probe, unit);
      if (increments(r, bit(probe, unit), sign, rc)) {
        clearBelow(probe, unit);
        if (addBit(probe, unit) !== 0) tiny = false;
      }
    }
    shiftRightJam(s, Math.min(f.emin - exp, 130));
    exp = f.emin;
  }
  const r = roundClass(s, unit);
  const inc = increments(r, bit(s, unit), sign, rc);
  clearBelow(s, unit);
  flags.c1 = 0;
  if (r !== 0) flags.exc |= F_PE;
  if (inc) {
    flags.c1 = 1;
    if (addBit(s, unit) !== 0) {
      s.fill(0);
      s[0] = 0x8000;
      exp++;
    }
  }
  if (tiny && r !== 0) flags.exc |= F_UE;
  if (isZero(s)) {
    out.kind = KIND_ZERO;
    out.denormal = false;
    return;
  }
  out.kind = KIND_FINITE;
  out.denormal = bit(s, 127) === 0;
  out.exp = exp;
  if (exp > f.emax) {
    flags.exc |= F_OE | F_PE;
    if (rc === RC_NEAREST || (rc === RC_DOWN && sign === 1) || (rc === RC_UP && sign === 0)) {
      out.kind = KIND_INF;
      flags.c1 = 1;
    } else {
      s.fill(0);
      for (let i = 0; i < f.p; i++) setBit(s, 127 - i);
      out.exp = f.emax;
      flags.c1 = 0;
    }
  }
}

/** Packs `rounded` as an extended value into `res`. */
export function packRoundedExt(): void {
  const o = rounded;
  const sgn = o.sign << 15;
  if (o.kind === KIND_ZERO) {
    setRes(sgn, 0, 0);
    return;
  }
  if (o.kind === KIND_INF) {
    setRes(sgn | 0x7fff, 0x80000000, 0);
    return;
  }
  setRes(sgn | (o.denormal ? 0 : o.exp + BIAS), hi32(o.sig), lo32(o.sig));
}

/** Rounds to the extended format under precision control pc and packs into `res`. */
export function roundPackExt(sign: number, exp: number, sig: Limbs, pc: number, rc: number): void {
  roundPack(sign, exp, sig, extFormat(pc), rc);
  packRoundedExt();
}

function signedZero(sign: number): void {
  setRes(sign << 15, 0, 0);
}
function signedInf(sign: number): void {
  setRes((sign << 15) | 0x7fff, 0x80000000, 0);
}

/** Checks operands for NaN/unsupported; true when `res` already holds the answer. */
function specials2(a: Unpacked, b: Unpacked): boolean {
  if (a.kind === KIND_UNSUPPORTED || b.kind === KIND_UNSUPPORTED) {
    invalid();
    return true;
  }
  if (a.kind >= KIND_QNAN || b.kind >= KIND_QNAN) {
    propagateNaN(a, b);
    return true;
  }
  return false;
}

const t1: Limbs = new Int32Array(8);
const t2: Limbs = new Int32Array(8);

function addUnpacked(a: Unpacked, b: Unpacked, negB: boolean, pc: number, rc: number): void {
  const bSign = b.sign ^ (negB ? 1 : 0);
  if (a.kind === KIND_INF || b.kind === KIND_INF) {
    if (a.kind === KIND_INF && b.kind === KIND_INF) {
      if (a.sign !== bSign) {
        invalid();
        return;
      }
      signedInf(a.sign);
      return;
    }
    signedInf(a.kind === KIND_INF ? a.sign : bSign);
    return;
  }
  if (a.kind === KIND_ZERO && b.kind === KIND_ZERO) {
    signedZero(a.sign === bSign ? a.sign : rc === RC_DOWN ? 1 : 0);
    return;
  }
  if (b.kind === KIND_ZERO) {
    roundPackExt(a.sign, a.exp, a.sig, pc, rc);
    return;
  }
  if (a.kind === KIND_ZERO) {
    roundPackExt(bSign, b.exp, b.sig, pc, rc);
    return;
  }
  let big = a;
  let small = b;
  let bigSign = a.sign;
  let smallSign = bSign;
  if (b.exp > a.exp || (b.exp === a.exp && compare(b.sig, a.sig) > 0)) {
    big = b;
    small = a;
    bigSign = bSign;
    smallSign = a.sign;
  }
  copy(t1, big.sig);
  copy(t2, small.sig);
  // Keep one spare bit at the top for the carry of an addition.
  shiftRightJam(t1, 1);
  shiftRightJam(t2, 1 + big.exp - small.exp);
  let exp = big.exp + 1;
  if (bigSign === smallSign) add(t1, t2);
  else {
    sub(t1, t2);
    if (isZero(t1)) {
      signedZero(rc === RC_DOWN ? 1 : 0);
      return;
    }
  }
  const z = clz(t1);
  shiftLeft(t1, z);
  exp -= z;
  roundPackExt(bigSign, exp, t1, pc, rc);
}

export function addExt(
  ase: number,
  ahi: number,
  alo: number,
  bse: number,
  bhi: number,
  blo: number,
  subtract: boolean,
  pc: number,
  rc: number,
): void {
  const a = ua.set(ase, ahi, alo);
  const b = ub.set(bse, bhi, blo);
  if (specials2(a, b)) return;
  addUnpacked(a, b, subtract, pc, rc);
}

export function mulExt(
  ase: number,
  ahi: number,
  alo: number,
  bse: number,
  bhi: number,
  blo: number,
  pc: number,
  rc: number,
): void {
  const a = ua.set(ase, ahi, alo);
  const b = ub.set(bse, bhi, blo);
  if (specials2(a, b)) return;
  const sign = a.sign ^ b.sign;
  if (a.kind === KIND_INF || b.kind === KIND_INF) {
    if (a.kind === KIND_ZERO || b.kind === KIND_ZERO) {
      invalid();
      return;
    }
    signedInf(sign);
    return;
  }
  if (a.kind === KIND_ZERO || b.kind === KIND_ZERO) {
    signedZero(sign);
    return;
  }
  // 64 x 64 -> 128-bit product, limb by limb.
  const p = t1;
  p.fill(0);
  const acc = new Array<number>(8).fill(0);
  for (let i = 3; i >= 0; i--) {
    for (let j = 3; j >= 0; j--) acc[i + j + 1]! += a.sig[i]! * b.sig[j]!;
  }
  let carry = 0;
  for (let k = 7; k >= 0; k--) {
    const v = acc[k]! + carry;
    p[k] = v % 0x10000;
    carry = Math.floor(v / 0x10000);
  }
  let exp = a.exp + b.exp + 1;
  if (bit(p, 127) === 0) {
    shiftLeft(p, 1);
    exp--;
  }
  roundPackExt(sign, exp, p, pc, rc);
}

const rem: Limbs = new Int32Array(5);
const div: Limbs = new Int32Array(5);

export function divExt(
  ase: number,
  ahi: number,
  alo: number,
  bse: number,
  bhi: number,
  blo: number,
  pc: number,
  rc: number,
): void {
  const a = ua.set(ase, ahi, alo);
  const b = ub.set(bse, bhi, blo);
  if (specials2(a, b)) return;
  const sign = a.sign ^ b.sign;
  if (a.kind === KIND_INF) {
    if (b.kind === KIND_INF) {
      invalid();
      return;
    }
    signedInf(sign);
    return;
  }
  if (b.kind === KIND_INF) {
    signedZero(sign);
    return;
  }
  if (b.kind === KIND_ZERO) {
    if (a.kind === KIND_ZERO) {
      invalid();
      return;
    }
    flags.exc |= F_ZE;
    signedInf(sign);
    return;
  }
  if (a.kind === KIND_ZERO) {
    signedZero(sign);
    return;
  }
  // Restoring long division of the 64-bit significands: 128 quotient bits plus a sticky bit.
  rem.fill(0);
  div.fill(0);
  for (let i = 0; i < 4; i++) {
    rem[i + 1] = a.sig[i]!;
    div[i + 1] = b.sig[i]!;
  }
  const q = t1;
  q.fill(0);
  for (let i = 127; i >= 0; i--) {
    if (compare(rem, div) >= 0) {
      sub(rem, div);
      setBit(q, i);
    }
    shiftLeft(rem, 1);
  }
  if (!isZero(rem)) q[7]! |= 1;
  let exp = a.exp - b.exp;
  if (bit(q, 127) === 0) {
    shiftLeft(q, 1);
    exp--;
  }
  roundPackExt(sign, exp, q, pc, rc);
}

const sqRem: Limbs = new Int32Array(6);
const sqTrial: Limbs = new Int32Array(6);
const sqRoot: Limbs = new Int32Array(6);

export function sqrtExt(se: number, hi: number, lo: number, pc: number, rc: number): void {
  const a = ua.set(se, hi, lo);
  if (a.kind === KIND_UNSUPPORTED) {
    invalid();
    return;
  }
  if (a.kind >= KIND_QNAN) {
    propagateNaN(a, null);
    return;
  }
  if (a.kind === KIND_ZERO) {
    setRes(se, hi, lo);
    return;
  }
  if (a.sign === 1) {
    invalid();
    return;
  }
  if (a.kind === KIND_INF) {
    setRes(se, hi, lo);
    return;
  }
  // The radicand X = S << shift (160 bits, S the 64-bit significand) has an even scale, so
  // sqrt(X) is an 80-bit integer root; the remainder gives the sticky bit.
  const odd = (a.exp & 1) !== 0;
  const shift = odd ? 96 : 95;
  const scale = (a.exp - 63 - shift) / 2;
  const sHi = hi32(a.sig);
  const sLo = lo32(a.sig);
  const xbit = (j: number) => {
    const k = j - shift;
    if (k < 0 || k > 63) return 0;
    return k >= 32 ? (sHi >>> (k - 32)) & 1 : (sLo >>> k) & 1;
  };
  sqRem.fill(0);
  sqRoot.fill(0);
  for (let i = 79; i >= 0; i--) {
    shiftLeft(sqRem, 2);
    sqRem[5]! |= (xbit(2 * i + 1) << 1) | xbit(2 * i);
    copy(sqTrial, sqRoot);
    shiftLeft(sqTrial, 2);
    sqTrial[5]! |= 1;
    shiftLeft(sqRoot, 1);
    if (compare(sqRem, sqTrial) >= 0) {
      sub(sqRem, sqTrial);
      sqRoot[5]! |= 1;
    }
  }
  // Root occupies bits 79..0 of sqRoot: move it to the top of a 128-bit significand.
  const s = t1;
  s.fill(0);
  for (let i = 0; i < 5; i++) s[i] = sqRoot[i + 1]!;
  if (!isZero(sqRem)) s[7]! |= 1;
  roundPackExt(0, scale + 79, s, pc, rc);
}

/** Loads an integer magnitude (hi, lo uint32) with a sign, exactly. */
export function fromInt64(sign: number, hi: number, lo: number): void {
  if ((hi | lo) === 0) {
    setRes(0, 0, 0);
    return;
  }
  load64(t1, hi, lo);
  const z = clz(t1);
  shiftLeft(t1, z);
  setRes((sign << 15) | (63 - z + BIAS), hi32(t1), lo32(t1));
}

/** The integer of the last `roundToInt`: magnitude (hi, lo), and whether it exceeds 64 bits. */
export const intRes = { hi: 0, lo: 0, big: false, inexact: false };

/** Rounds |1.sig × 2^exp| to an integer under rc (sign matters for directed rounding). */
export function roundToInt(sign: number, exp: number, sig: Limbs, rc: number): void {
  intRes.big = false;
  if (exp > 63) {
    intRes.big = true;
    intRes.inexact = false;
    return;
  }
  copy(t2, sig);
  shiftRightJam(t2, Math.min(63 - exp, 130));
  const r = roundClass(t2, 64);
  intRes.inexact = r !== 0;
  const inc = increments(r, bit(t2, 64), sign, rc);
  flags.c1 = inc ? 1 : 0;
  clearBelow(t2, 64);
  if (inc && addBit(t2, 64) !== 0) intRes.big = true;
  intRes.hi = hi32(t2);
  intRes.lo = lo32(t2);
}

/** FRNDINT: round to an integral value in the extended format. */
export function roundIntExt(se: number, hi: number, lo: number, rc: number): void {
  const a = ua.set(se, hi, lo);
  if (a.kind === KIND_UNSUPPORTED) {
    invalid();
    return;
  }
  if (a.kind >= KIND_QNAN) {
    propagateNaN(a, null);
    return;
  }
  if (a.kind !== KIND_FINITE) {
    setRes(se, hi, lo);
    return;
  }
  if (a.exp >= 63) {
    setRes(se, hi, lo);
    return;
  }
  roundToInt(a.sign, a.exp, a.sig, rc);
  if (intRes.inexact) flags.exc |= F_PE;
  if (intRes.big) {
    setRes((a.sign << 15) | (64 + BIAS), 0x80000000, 0);
    return;
  }
  fromInt64(a.sign, intRes.hi, intRes.lo);
  if ((intRes.hi | intRes.lo) === 0) setRes(a.sign << 15, 0, 0);
}

/** Integer conversion result for FIST/FISTP/FISTTP: bits (hi, lo) of the two's complement. */
export const toIntRes = { hi: 0, lo: 0 };

/**
 * Converts to a signed integer of `bits` (16, 32, 64) under rc (RC_ZERO for FISTTP); invalid,
 * NaN, infinity or out of range give the integer indefinite (the minimum integer) with IE.
 */
export function toInt(se: number, hi: number, lo: number, bits: number, rc: number): void {
  const a = ua.set(se, hi, lo);
  const indefinite = () => {
    flags.exc |= F_IE;
    flags.c1 = 0;
    toIntRes.hi = bits === 64 ? 0x80000000 : 0;
    toIntRes.lo = bits === 64 ? 0 : bits === 32 ? 0x80000000 : 0x8000;
  };
  flags.c1 = 0;
  if (a.kind === KIND_ZERO) {
    toIntRes.hi = 0;
    toIntRes.lo = 0;
    return;
  }
  if (a.kind !== KIND_FINITE) {
    indefinite();
    return;
  }
  roundToInt(a.sign, a.exp, a.sig, rc);
  if (intRes.big) {
    indefinite();
    return;
  }
  let mh = intRes.hi;
  let ml = intRes.lo;
  // Range: magnitude <= 2^(bits-1) - 1, or exactly 2^(bits-1) when negative.
  if (bits === 64) {
    if (mh > 0x80000000 || (mh === 0x80000000 && (ml !== 0 || a.sign === 0))) {
      indefinite();
      return;
    }
  } else {
    const lim = bits === 32 ? 0x80000000 : 0x8000;
    if (mh !== 0 || ml > lim || (ml === lim && a.sign === 0)) {
      indefinite();
      return;
    }
  }
  if (intRes.inexact) flags.exc |= F_PE;
  if (a.sign === 1) {
    ml = (~ml + 1) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  if (bits === 16) ml &= 0xffff;
  toIntRes.hi = mh;
  toIntRes.lo = ml;
}

/** Converts an extended value to binary64 bits (hi, lo) or binary32 bits (lo) for FST. */
export const narrowRes = { hi: 0, lo: 0 };

export function toNarrow(se: number, hi: number, lo: number, double: boolean, rc: number): void {
  const a = ua.set(se, hi, lo);
  const sgn = a.sign;
  flags.c1 = 0;
  const put = (h: number, l: number) => {
    narrowRes.hi = h >>> 0;
    narrowRes.lo = l >>> 0;
  };
  switch (a.kind) {
    case KIND_ZERO:
      if (double) put(sgn << 31, 0);
      else put(0, sgn << 31);
      return;
    case KIND_INF:
      if (double) put((sgn << 31) | 0x7ff00000, 0);
      else put(0, (sgn << 31) | 0x7f800000);
      return;
    case KIND_UNSUPPORTED:
      flags.exc |= F_IE;
      if (double) put(0xfff80000, 0);
      else put(0, 0xffc00000);
      return;
    case KIND_SNAN:
    case KIND_QNAN: {
      if (a.kind === KIND_SNAN) flags.exc |= F_IE;
      if (double)
        put((sgn << 31) | 0x7ff80000 | ((a.hi >>> 11) & 0x7ffff), (a.hi << 21) | (a.lo >>> 11));
      else put(0, (sgn << 31) | 0x7fc00000 | ((a.hi >>> 8) & 0x3fffff));
      return;
    }
  }
  const f = double ? DOUBLE : SINGLE;
  roundPack(sgn, a.exp, a.sig, f, rc);
  const o = rounded;
  if (o.kind === KIND_ZERO) {
    if (double) put(sgn << 31, 0);
    else put(0, sgn << 31);
    return;
  }
  if (o.kind === KIND_INF) {
    if (double) put((sgn << 31) | 0x7ff00000, 0);
    else put(0, (sgn << 31) | 0x7f800000);
    return;
  }
  const th = hi32(o.sig);
  const tl = lo32(o.sig);
  if (double) {
    const e = o.denormal ? 0 : o.exp + 1023;
    put((sgn << 31) | (e << 20) | ((th >>> 11) & 0xfffff), (th << 21) | (tl >>> 11));
    return;
  }
  const e = o.denormal ? 0 : o.exp + 127;
  put(0, (sgn << 31) | (e << 23) | ((th >>> 8) & 0x7fffff));
  return;
}

/**
 * Widens binary64 (hi, lo) or binary32 (lo) exactly to extended. A signalling NaN is quieted
 * with IE and a denormal source raises DE, as FLD m32/m64 and arithmetic with memory operands do.
 */
export function fromNarrow(hi: number, lo: number, double: boolean): void {
  let sign: number;
  let e: number;
  let fh: number; // fraction, left-aligned below the integer bit: bits 62..0 of the significand
  let fl: number;
  let emaxField: number;
  let bias: number;
  if (double) {
    sign = hi >>> 31;
    e = (hi >>> 20) & 0x7ff;
    fh = ((hi & 0xfffff) << 11) | (lo >>> 21);
    fl = lo << 11;
    emaxField = 0x7ff;
    bias = 1023;
  } else {
    sign = lo >>> 31;
    e = (lo >>> 23) & 0xff;
    fh = (lo & 0x7fffff) << 8;
    fl = 0;
    emaxField = 0xff;
    bias = 127;
  }
  fh >>>= 0;
  fl >>>= 0;
  if (e === emaxField) {
    if ((fh | fl) === 0) {
      signedInf(sign);
      return;
    }
    if (!(fh & 0x40000000)) flags.exc |= F_IE;
    setRes((sign << 15) | 0x7fff, 0xc0000000 | fh, fl);
    return;
  }
  if (e === 0) {
    if ((fh | fl) === 0) {
      signedZero(sign);
      return;
    }
    load64(t1, fh, fl);
    const z = clz(t1);
    shiftLeft(t1, z);
    setRes((sign << 15) | (1 - bias - z + BIAS), hi32(t1), lo32(t1));
    return;
  }
  setRes((sign << 15) | (e - bias + BIAS), 0x80000000 | fh, fl);
}

/** Compare result: 0 less, 1 equal, 2 greater, 3 unordered. */
export const CMP_LT = 0;
export const CMP_EQ = 1;
export const CMP_GT = 2;
export const CMP_UN = 3;

/** Compares a with b; quiet compares raise IE only for signalling NaNs. */
export function compareExt(
  ase: number,
  ahi: number,
  alo: number,
  bse: number,
  bhi: number,
  blo: number,
  quiet: boolean,
): number {
  const a = ua.set(ase, ahi, alo);
  const b = ub.set(bse, bhi, blo);
  if (a.kind === KIND_UNSUPPORTED || b.kind === KIND_UNSUPPORTED) {
    flags.exc |= F_IE;
    return CMP_UN;
  }
  if (a.kind >= KIND_QNAN || b.kind >= KIND_QNAN) {
    if (!quiet || a.kind === KIND_SNAN || b.kind === KIND_SNAN) flags.exc |= F_IE;
    return CMP_UN;
  }
  return compareOrdered(a, b);
}

function compareOrdered(a: Unpacked, b: Unpacked): number {
  if (a.kind === KIND_ZERO && b.kind === KIND_ZERO) return CMP_EQ;
  const mag = (u: Unpacked) => (u.kind === KIND_ZERO ? -1 : u.kind === KIND_INF ? 1 : 0);
  if (a.sign !== b.sign) {
    // Different signs and not both zero.
    return a.sign === 1 ? CMP_LT : CMP_GT;
  }
  let c: number;
  const ma = mag(a);
  const mb = mag(b);
  if (ma !== mb || ma !== 0) c = ma === mb ? 0 : ma < mb ? -1 : 1;
  else if (a.exp !== b.exp) c = a.exp < b.exp ? -1 : 1;
  else c = compare(a.sig, b.sig);
  if (a.sign === 1) c = -c;
  return c < 0 ? CMP_LT : c > 0 ? CMP_GT : CMP_EQ;
}

export { invalid, propagateNaN, setRes, signedInf, signedZero, ua as scratchA, ub as scratchB };
