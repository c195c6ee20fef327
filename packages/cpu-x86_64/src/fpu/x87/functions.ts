/**
 * x87 operations beyond the basic arithmetic: FPREM/FPREM1, FSCALE, FXTRACT and the
 * transcendentals. FPREM's partial remainder for exponent differences of 64 and more reduces by
 * N = 32 + (difference mod 32) bits per step, as AMD documents and QEMU 7.2 implements.
 *
 * The transcendentals are evaluated with JS Math at double precision. FSIN, FCOS, FPTAN and
 * FSINCOS keep that double exactly and raise no flags, which is what QEMU 7.2 does (so they
 * match it wherever V8's and the host libm's results agree). F2XM1, FYL2X, FYL2XP1 and FPATAN
 * are rounded to the precision control and report PE for a finite nonzero result; QEMU computes
 * those to 64 bits, so the last 11 bits differ. Out-of-domain F2XM1/FYL2XP1 operands give IE
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

function toDouble(o: Operand): number {
  const c1 = flags.c1;
  const exc = flags.exc;
  toNarrow(o.se, o.hi, o.lo, true, RC_NEAREST);
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
 * A double result into `res`: rounded to the precision control with PE, or (`plain`, FSIN/
 * FCOS/FPTAN/FSINCOS, which QEMU 7.2 also computes at double precision) converted exactly and
 * without flags, as QEMU does.
 */
function fromDouble(v: number, pc: number, rc: number, plain: boolean): void {
  f64[0] = v;
  fromNarrow(u32[1]!, u32[0]!, true);
  if (plain || !Number.isFinite(v) || v === 0) return;
  mulExt(res.se, res.hi, res.lo, 0x3fff, 0x80000000, 0, pc, rc);
  flags.exc |= F_PE;
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
  const trig = modrm === 0xf2 || modrm === 0xfb || modrm === 0xfe || modrm === 0xff;
  // |x| >= 2^63, infinities included (QEMU: C2 = 1, operand unchanged; the SDM has IE for them).
  if (trig && (x.kind === KIND_INF || (x.kind === KIND_FINITE && x.exp >= 63))) {
    o.outOfRange = true;
    return o;
  }
  if ((modrm === 0xf0 && outsideF2xm1(x)) || (modrm === 0xf9 && outsideFyl2xp1(x))) {
    invalid();
    keep1();
    keep2();
    return o;
  }
  const v = toDouble(a);
  const w = toDouble(b);
  let r1 = 0;
  let r2 = 0;
  switch (modrm) {
    case 0xf0:
      r1 = Math.expm1(v * Math.LN2);
      break;
    case 0xf1:
      if (v === 0 && Number.isFinite(w) && w !== 0) flags.exc |= F_ZE;
      r1 = w * Math.log2(v);
      break;
    case 0xf9:
      r1 = (w * Math.log1p(v)) / Math.LN2;
      break;
    case 0xf2:
      r1 = Math.tan(v);
      r2 = 1;
      break;
    case 0xf3:
      r1 = Math.atan2(w, v);
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
  if (Number.isNaN(r1)) {
    invalid();
    keep1();
    keep2();
    return o;
  }
  // Results that are exactly the operand (sin of a zero, an infinity times a log...) stay exact.
  if (r1 === v && (modrm === 0xfe || modrm === 0xfb || modrm === 0xf2) && v === 0) {
    setRes(a.se, a.hi, a.lo);
  } else fromDouble(r1, pc, rc, trig);
  keep1();
  if (modrm === 0xf2) {
    setRes(0x3fff, 0x80000000, 0);
    keep2();
  } else if (modrm === 0xfb) {
    fromDouble(r2, pc, rc, trig);
    keep2();
  }
  return o;
}
