/**
 * x87 operations beyond the basic arithmetic: FPREM/FPREM1, FSCALE, FXTRACT and the
 * transcendentals. FPREM's partial remainder for exponent differences of 64 and more reduces by
 * N = 32 + (difference mod 32) bits per step, as AMD documents and QEMU 7.2 implements.
 *
 * The transcendentals are evaluated with JS Math at double precision. FSIN, FCOS, FPTAN and
 * FSINCOS round that double to the precision control and raise no flags, which is what QEMU 7.2
 * does (so they match it wherever V8's and the host libm's results agree). F2XM1, FYL2X, FYL2XP1
 * and FPATAN keep the double and report PE; QEMU computes those to 64 bits whatever the
 * precision control, so their last 11 bits differ. Out-of-domain F2XM1/FYL2XP1 operands give IE
 * and the indefinite, as in QEMU.
 */
import type { Operand } from "./arith.js";
import type { Limbs } from "./limbs.js";
import * as limbsModule from "./limbs.js";
import * as softx80Module from "./softx80.js";

// Module-local bindings for the hot paths: a bundler's module-namespace indirection for
// imported names (vitest's, for one) costs more than the arithmetic itself.
const { clz, compare, copy, isZero, shiftLeft, sub } = limbsModule;
const {
  F_IE,
  F_PE,
  F_ZE,
  flags,
  fromNarrow,
  intRes,
  invalid,
  KIND_FINITE,
  KIND_INF,
  KIND_QNAN,
  KIND_SNAN,
  KIND_UNSUPPORTED,
  KIND_ZERO,
  divExt,
  mulExt,
  narrowRes,
  propagateNaN,
  RC_NEAREST,
  RC_ZERO,
  res,
  roundPackExt,
  roundToInt,
  scratchA,
  scratchB,
  setRes,
  signedInf,
  signedZero,
  toNarrow,
} = softx80Module;

const PC64 = 3;
const R: Limbs = new Int32Array(5);
const D: Limbs = new Int32Array(5);
const T: Limbs = new Int32Array(5);
const S: Limbs = new Int32Array(8);

/**
 * FPREM (ieee = false, truncating quotient) and FPREM1 (round-to-nearest quotient). Returns
 * the quotient's low three bits, or -2 for a partial remainder (C2 = 1); the result is in `res`.
 */
export function fprem(a: Operand, b: Operand, ieee: boolean): number {
  const x = scratchA.set(a.se, a.hi, a.lo);
  const y = scratchB.set(b.se, b.hi, b.lo);
  if (x.kind === KIND_UNSUPPORTED || y.kind === KIND_UNSUPPORTED) {
    invalid();
    return 0;
  }
  if (x.kind >= KIND_QNAN || y.kind >= KIND_QNAN) {
    propagateNaN(x, y);
    return 0;
  }
  if (x.kind === KIND_INF || y.kind === KIND_ZERO) {
    invalid();
    return 0;
  }
  if (x.kind === KIND_ZERO || y.kind === KIND_INF) {
    setRes(a.se, a.hi, a.lo);
    return 0;
  }
  let d = x.exp - y.exp;
  let yexp = y.exp;
  let partial = false;
  if (d >= 64) {
    const n = 32 + (d % 32);
    yexp += d - n;
    d = n;
    partial = true;
  }
  if (d < -1 || (d === -1 && !ieee)) {
    roundPackExt(x.sign, x.exp, x.sig, PC64, RC_NEAREST);
    return 0;
  }
  R.fill(0);
  D.fill(0);
  for (let i = 0; i < 4; i++) {
    R[i + 1] = x.sig[i]!;
    D[i + 1] = y.sig[i]!;
  }
  let sign = x.sign;
  let q = 0;
  // The remainder's unit is 2^(unitExp).
  let unitExp: number;
  if (d === -1) {
    unitExp = yexp - 64;
    if (compare(R, D) > 0) {
      shiftLeft(D, 1);
      copy(T, D);
      sub(T, R);
      copy(R, T);
      sign ^= 1;
      q = 1;
    }
  } else {
    unitExp = yexp - 63;
    for (let i = 0; i <= d; i++) {
      q = (q << 1) & 7;
      if (compare(R, D) >= 0) {
        sub(R, D);
        q |= 1;
      }
      if (i < d) shiftLeft(R, 1);
    }
    if (ieee && !partial) {
      copy(T, R);
      shiftLeft(T, 1);
      const c = compare(T, D);
      if (c > 0 || (c === 0 && (q & 1) === 1)) {
        copy(T, D);
        sub(T, R);
        copy(R, T);
        sign ^= 1;
        q = (q + 1) & 7;
      }
    }
  }
  if (isZero(R)) signedZero(x.sign);
  else {
    S.fill(0);
    for (let i = 0; i < 5; i++) S[i + 3] = R[i]!;
    const z = clz(S);
    shiftLeft(S, z);
    roundPackExt(sign, unitExp + 127 - z, S, PC64, RC_NEAREST);
  }
  return partial ? -2 : q;
}

/** FSCALE: ST(0) × 2^trunc(ST(1)), rounded to 64 bits whatever the precision control. */
export function fscale(a: Operand, b: Operand, rc: number): void {
  const x = scratchA.set(a.se, a.hi, a.lo);
  const y = scratchB.set(b.se, b.hi, b.lo);
  if (x.kind === KIND_UNSUPPORTED || y.kind === KIND_UNSUPPORTED) {
    invalid();
    return;
  }
  if (y.kind === KIND_QNAN || y.kind === KIND_SNAN) {
    if (x.kind === KIND_SNAN || y.kind === KIND_SNAN) flags.exc |= F_IE;
    setRes(b.se, b.hi | 0x40000000, b.lo);
    return;
  }
  if (x.kind === KIND_QNAN || x.kind === KIND_SNAN) {
    propagateNaN(x, null);
    return;
  }
  if (y.kind === KIND_INF) {
    if (y.sign) {
      if (x.kind === KIND_INF) invalid();
      else signedZero(x.sign);
      return;
    }
    if (x.kind === KIND_ZERO) invalid();
    else signedInf(x.sign);
    return;
  }
  if (x.kind !== KIND_FINITE) {
    setRes(a.se, a.hi, a.lo);
    return;
  }
  let n = 0;
  if (y.kind === KIND_FINITE) {
    if (y.exp >= 31) n = y.sign ? -0x80000000 : 0x7fffffff;
    else {
      const c1 = flags.c1;
      roundToInt(y.sign, y.exp, y.sig, RC_ZERO);
      flags.c1 = c1;
      n = y.sign ? -intRes.lo : intRes.lo;
    }
  }
  n = Math.max(-0x10000, Math.min(0x10000, n));
  roundPackExt(x.sign, x.exp + n, x.sig, PC64, rc);
}

export const fxtractRes = { expSe: 0, expHi: 0, expLo: 0, sigSe: 0, sigHi: 0, sigLo: 0 };

/** FXTRACT: ST(0) becomes the exponent (as a value) and a pushed significand with exponent 0. */
export function fxtract(a: Operand): typeof fxtractRes {
  const o = fxtractRes;
  const x = scratchA.set(a.se, a.hi, a.lo);
  const put = (eSe: number, eHi: number, eLo: number, sSe: number, sHi: number, sLo: number) => {
    o.expSe = eSe;
    o.expHi = eHi >>> 0;
    o.expLo = eLo >>> 0;
    o.sigSe = sSe;
    o.sigHi = sHi >>> 0;
    o.sigLo = sLo >>> 0;
    return o;
  };
  switch (x.kind) {
    case KIND_ZERO:
      flags.exc |= F_ZE;
      return put(0xffff, 0x80000000, 0, a.se, a.hi, a.lo);
    case KIND_UNSUPPORTED:
      invalid();
      return put(res.se, res.hi, res.lo, res.se, res.hi, res.lo);
    case KIND_QNAN:
    case KIND_SNAN:
      propagateNaN(x, null);
      return put(res.se, res.hi, res.lo, res.se, res.hi, res.lo);
    case KIND_INF:
      return put(0x7fff, 0x80000000, 0, a.se, a.hi, a.lo);
  }
  if ((a.se & 0x7fff) === 0) flags.exc |= 2;
  const e = x.exp;
  const mag = Math.abs(e);
  const z = Math.clz32(mag);
  const eSe = e === 0 ? 0 : (e < 0 ? 0x8000 : 0) | (31 - z + 16383);
  const eHi = e === 0 ? 0 : (mag << z) >>> 0;
  return put(
    eSe,
    eHi,
    0,
    (x.sign << 15) | 16383,
    (x.sig[0]! << 16) | x.sig[1]!,
    (x.sig[2]! << 16) | x.sig[3]!,
  );
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The operand as a double rounded under rc (QEMU converts under the x87 rounding control). */
function toDouble(o: Operand, rc: number): number {
  const c1 = flags.c1;
  const exc = flags.exc;
  toNarrow(o.se, o.hi, o.lo, true, rc);
  flags.exc = exc;
  flags.c1 = c1;
  u32[0] = narrowRes.lo;
  u32[1] = narrowRes.hi;
  return f64[0]!;
}

export const transRes = {
  outOfRange: false,
  se: 0,
  hi: 0,
  lo: 0,
  se2: 0,
  hi2: 0,
  lo2: 0,
};

/**
 * A double result into `res`, as QEMU 7.2 delivers it: FSIN/FCOS/FPTAN/FSINCOS (`trig`) round
 * the host's double to the precision control and raise no flags; F2XM1/FYL2X/FYL2XP1/FPATAN are
 * computed at full extended precision in QEMU (whatever the precision control) with PE, so
 * here the double is kept exactly with PE.
 */
function fromDouble(v: number, pc: number, rc: number, trig: boolean): void {
  f64[0] = v;
  fromNarrow(u32[1]!, u32[0]!, true);
  if (!Number.isFinite(v) || v === 0) return;
  if (trig) {
    const exc = flags.exc;
    mulExt(res.se, res.hi, res.lo, 0x3fff, 0x80000000, 0, pc, rc);
    flags.exc = exc;
  } else flags.exc |= F_PE;
}

/** F2XM1's domain is |x| <= 1; QEMU 7.2 answers anything else with IE (the SDM: undefined). */
function outsideF2xm1(x: typeof scratchA): boolean {
  if (x.kind === KIND_INF) return true;
  return (
    x.kind === KIND_FINITE && (x.exp > 0 || (x.exp === 0 && (x.hi !== 0x80000000 || x.lo !== 0)))
  );
}

/**
 * FYL2XP1's domain as QEMU 7.2 takes it (AMD's): sqrt(2)/2 - 1 < x < sqrt(2) - 1; outside it,
 * IE and the indefinite.
 */
function outsideFyl2xp1(x: typeof scratchA): boolean {
  if (x.kind === KIND_INF) return true;
  if (x.kind !== KIND_FINITE) return false;
  const e = x.se & 0x7fff;
  if (e !== 0x3ffd) return e > 0x3ffd;
  const [lh, ll] = x.sign ? [0x95f61998, 0x0c4336f7] : [0xd413cccf, 0xe7799211];
  return x.hi > lh || (x.hi === lh && x.lo > ll);
}

export function transcendental(
  modrm: number,
  a: Operand,
  b: Operand,
  pc: number,
  rc: number,
): typeof transRes {
  const o = transRes;
  o.outOfRange = false;
  const two = modrm === 0xf1 || modrm === 0xf3 || modrm === 0xf9;
  const x = scratchA.set(a.se, a.hi, a.lo);
  const y = scratchB.set(b.se, b.hi, b.lo);
  const keep1 = () => {
    o.se = res.se;
    o.hi = res.hi;
    o.lo = res.lo;
  };
  const keep2 = () => {
    o.se2 = res.se;
    o.hi2 = res.hi;
    o.lo2 = res.lo;
  };
  const trig = modrm === 0xf2 || modrm === 0xfb || modrm === 0xfe || modrm === 0xff;
  if (trig && (x.kind === KIND_QNAN || x.kind === KIND_SNAN || x.kind === KIND_UNSUPPORTED)) {
    // QEMU computes these on the double: a NaN comes back quiet, its payload cut to the
    // double's, an unsupported encoding as the indefinite, without IE; FPTAN still pushes 1.0.
    if (x.kind === KIND_UNSUPPORTED) setRes(0xffff, 0xc0000000, 0);
    else setRes(a.se, a.hi | 0x40000000, a.lo & 0xfffff800);
    keep1();
    if (modrm === 0xf2) setRes(0x3fff, 0x80000000, 0);
    keep2();
    return o;
  }
  const unsupported = x.kind === KIND_UNSUPPORTED || (two && y.kind === KIND_UNSUPPORTED);
  const nan = x.kind >= KIND_QNAN || (two && y.kind >= KIND_QNAN);
  if (unsupported || nan) {
    if (unsupported) invalid();
    else if (two) propagateNaN(y, x);
    else propagateNaN(x, null);
    keep1();
    keep2();
    return o;
  }
  // |x| > 2^63 once converted to a double, infinities included (QEMU: C2 = 1, operand
  // unchanged; the SDM has IE for infinities).
  const v = trig ? toDouble(a, rc) : 0;
  if (trig && Math.abs(v) > 2 ** 63) {
    o.outOfRange = true;
    return o;
  }
  if ((modrm === 0xf0 && outsideF2xm1(x)) || (modrm === 0xf9 && outsideFyl2xp1(x))) {
    invalid();
    keep1();
    keep2();
    return o;
  }
  if (!trig) {
    logarithmic(modrm, a, b, x, y);
    keep1();
    return o;
  }
  let r1: number;
  let r2 = 0;
  switch (modrm) {
    case 0xf2:
      r1 = Math.tan(v);
      r2 = 1;
      break;
    case 0xfb:
      r1 = Math.sin(v);
      r2 = Math.cos(v);
      break;
    case 0xfe:
      r1 = Math.sin(v);
      break;
    default:
      r1 = Math.cos(v);
  }
  fromDouble(r1, pc, rc, true);
  keep1();
  if (modrm === 0xf2) {
    setRes(0x3fff, 0x80000000, 0);
    keep2();
  } else if (modrm === 0xfb) {
    fromDouble(r2, pc, rc, true);
    keep2();
  }
  return o;
}

const LN2: Operand = { se: 0x3ffe, hi: 0xb17217f7, lo: 0xd1cf79ac };
const LOG2E: Operand = { se: 0x3fff, hi: 0xb8aa3b29, lo: 0x5c17f0bc };
const t = { se: 0, hi: 0, lo: 0 };

/** The significand 1.f of a finite nonzero operand as a double (rounded to 53 bits). */
function significand(u: typeof scratchA): number {
  return (u.sig[0]! * 2 ** 48 + u.sig[1]! * 2 ** 32 + u.sig[2]! * 2 ** 16 + u.sig[3]!) / 2 ** 63;
}

/** x - 1 (rounded to a double) for 0.5 <= x < 2, from the exact significand. */
function minusOne(x: typeof scratchA): number {
  const hi = (x.sig[0]! << 16) | x.sig[1]!;
  const lo = (x.sig[2]! << 16) | x.sig[3]!;
  if (x.exp === 0) return ((hi >>> 0) - 0x80000000) * 2 ** -31 + (lo >>> 0) * 2 ** -63;
  // x = sig / 2^64: x - 1 = -(2^64 - sig) / 2^64
  return -((0xffffffff - (hi >>> 0)) * 2 ** -32 + (2 ** 32 - (lo >>> 0)) * 2 ** -64);
}

/** `res` = a double, exactly, as an extended value. */
function extFromDouble(v: number): void {
  f64[0] = v;
  fromNarrow(u32[1]!, u32[0]!, true);
}

/** `res` = p × q in extended precision (64 bits) under round to nearest. */
function times(p: Operand, q: Operand, rc: number): void {
  mulExt(p.se, p.hi, p.lo, q.se, q.hi, q.lo, PC64, rc);
}

function saveRes(): Operand {
  t.se = res.se;
  t.hi = res.hi;
  t.lo = res.lo;
  return t;
}

/**
 * F2XM1, FYL2X, FYL2XP1 and FPATAN without leaving the extended range: the logarithm's argument
 * is split into exponent and significand, tiny operands use the first-order term, FPATAN scales
 * both operands by the same power of two, and the final multiplication is done in extended
 * precision (so overflow, underflow and exactness come out right). Result in `res`.
 */
function logarithmic(
  modrm: number,
  a: Operand,
  b: Operand,
  x: typeof scratchA,
  y: typeof scratchB,
) {
  const rc = 0;
  const inexact = () => {
    flags.exc |= F_PE;
  };
  switch (modrm) {
    case 0xf0: {
      // 2^x - 1, |x| <= 1
      if (x.kind === KIND_ZERO) return setRes(a.se, a.hi, a.lo);
      if (x.exp < -60) return times(a, LN2, rc);
      const v = (x.sign ? -1 : 1) * significand(x) * 2 ** x.exp;
      extFromDouble(Math.expm1(v * Math.LN2));
      if (v !== 1 && v !== -1) inexact();
      return;
    }
    case 0xf1: {
      // ST(1) × log2(ST(0))
      if (x.sign && x.kind !== KIND_ZERO) return invalid();
      if (x.kind === KIND_ZERO) {
        if (y.kind === KIND_ZERO) return invalid();
        flags.exc |= F_ZE;
        return signedInf(y.sign ^ 1);
      }
      const below1 = x.exp < 0 ? 1 : 0;
      const one = x.exp === 0 && x.hi === 0x80000000 && x.lo === 0;
      if (x.kind === KIND_INF) return y.kind === KIND_ZERO ? invalid() : signedInf(y.sign);
      if (y.kind === KIND_INF) return one ? invalid() : signedInf(y.sign ^ below1);
      if (y.kind === KIND_ZERO || one) return signedZero(y.sign ^ (one ? 0 : below1));
      // Near 1, log2 goes through log1p of the exact x - 1 (no cancellation).
      const l =
        x.exp === 0 || x.exp === -1
          ? Math.log1p(minusOne(x)) / Math.LN2
          : x.exp + Math.log2(significand(x));
      extFromDouble(l);
      if (l !== Math.trunc(l) || significand(x) !== 1) inexact();
      return times(saveRes(), b, rc);
    }
    case 0xf9: {
      // ST(1) × log2(ST(0) + 1), ST(0) within the domain
      if (x.kind === KIND_ZERO)
        return y.kind === KIND_INF ? invalid() : signedZero(x.sign ^ y.sign);
      if (y.kind === KIND_INF) return signedInf(x.sign ^ y.sign);
      if (y.kind === KIND_ZERO) return signedZero(x.sign ^ y.sign);
      if (x.exp < -60) times(a, LOG2E, rc);
      else extFromDouble(Math.log1p((x.sign ? -1 : 1) * significand(x) * 2 ** x.exp) / Math.LN2);
      inexact();
      return times(saveRes(), b, rc);
    }
    default: {
      // atan2(ST(1), ST(0)) on operands scaled alike, so only their ratio matters. A ratio
      // below a double's range, with ST(0) > 0, is its own arctangent: divided in extended.
      if (x.kind === KIND_FINITE && !x.sign && y.kind === KIND_FINITE && y.exp - x.exp < -60) {
        divExt(b.se, b.hi, b.lo, a.se, a.hi, a.lo, PC64, rc);
        inexact();
        return;
      }
      const big = Math.max(x.kind === KIND_FINITE ? x.exp : 0, y.kind === KIND_FINITE ? y.exp : 0);
      const dbl = (u: typeof scratchA) => {
        const sign = u.sign ? -1 : 1;
        if (u.kind === KIND_ZERO) return sign * 0;
        if (u.kind === KIND_INF) return sign * Number.POSITIVE_INFINITY;
        const e = u.exp - big;
        return e < -1100 ? sign * 0 : sign * significand(u) * 2 ** e;
      };
      const r = Math.atan2(dbl(y), dbl(x));
      extFromDouble(r);
      if (r !== 0) inexact();
    }
  }
}
