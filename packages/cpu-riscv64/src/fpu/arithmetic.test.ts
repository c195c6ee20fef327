import { describe, expect, it } from "vitest";
import { DZ, NV, NX, OF, UF } from "./flags.js";
import { asm, boxed, D, dbits, FpMachine, RDN, RMM, RNE, RTZ, RUP, S, sbits } from "./testing.js";

const MAX = Number.MAX_VALUE;
const MIN_NORMAL = 2 ** -1022;
const MIN_SUB = 2 ** -1074;
const MAXF = 3.4028234663852886e38;
const CANONICAL_D = 0x7ff8000000000000n;
const CANONICAL_S = boxed(0x7fc00000);
const MODES = [RNE, RTZ, RDN, RUP, RMM] as const;

type Op = (fmt: number, rd: number, a: number, b: number, rm?: number) => number;

/** Runs rd = a op b in binary64 under rm and returns the result bits and the flags. */
function d2(op: Op, a: number | bigint, b: number | bigint, rm: number) {
  const m = new FpMachine();
  m.frm = rm;
  if (typeof a === "bigint") m.setFBits(1, a);
  else m.setD(1, a);
  if (typeof b === "bigint") m.setFBits(2, b);
  else m.setD(2, b);
  expect(m.exec(op(D, 3, 1, 2))).toBe(true);
  return { bits: m.getFBits(3), value: m.getD(3), flags: m.fflags };
}

/** Runs rd = a op b in binary32 (operands given as bits) and returns the register image and flags. */
function s2(op: Op, a: number, b: number, rm: number) {
  const m = new FpMachine();
  m.frm = rm;
  m.setSBits(1, a);
  m.setSBits(2, b);
  expect(m.exec(op(S, 3, 1, 2))).toBe(true);
  return { bits: m.getFBits(3), flags: m.fflags };
}

/** Expected results per mode, in the order RNE, RTZ, RDN, RUP, RMM. */
function perMode<T>(rne: T, rtz: T, rdn: T, rup: T, rmm: T): T[] {
  return [rne, rtz, rdn, rup, rmm];
}

describe("binary64 add/sub rounding", () => {
  it("rounds a value just above a midpoint in every mode", () => {
    const up = 1 + 2 ** -52;
    const expected = perMode(up, 1, 1, up, up);
    for (const rm of MODES) {
      expect(d2(asm.fadd, 1, 2 ** -53 + 2 ** -105, rm)).toEqual({
        bits: dbits(expected[rm]!),
        value: expected[rm],
        flags: NX,
      });
      expect(d2(asm.fsub, -1, 2 ** -53 + 2 ** -105, rm).value).toBe(
        perMode(-up, -1, -up, -1, -up)[rm],
      );
    }
  });

  it("breaks exact ties to even (RNE) or away from zero (RMM)", () => {
    // 1 + 2^-53 lies halfway between 1 (even) and 1 + 2^-52 (odd).
    const tie1 = perMode(1, 1, 1, 1 + 2 ** -52, 1 + 2 ** -52);
    // (1 + 2^-52) + 2^-53 lies between an odd and an even neighbour: RNE goes up too.
    const tie2 = perMode(1 + 2 ** -51, 1 + 2 ** -52, 1 + 2 ** -52, 1 + 2 ** -51, 1 + 2 ** -51);
    for (const rm of MODES) {
      expect(d2(asm.fadd, 1, 2 ** -53, rm).value).toBe(tie1[rm]);
      expect(d2(asm.fadd, 1 + 2 ** -52, 2 ** -53, rm).value).toBe(tie2[rm]);
      expect(d2(asm.fadd, -1, -(2 ** -53), rm).value).toBe(
        perMode(-1, -1, -1 - 2 ** -52, -1, -1 - 2 ** -52)[rm],
      );
    }
  });

  it("raises no flag on exact sums, including wide exponent gaps that cancel exactly", () => {
    expect(d2(asm.fadd, 1.5, 0.25, RNE)).toMatchObject({ value: 1.75, flags: 0 });
    expect(d2(asm.fsub, 2 ** 60, 2 ** 60 - 2 ** 8, RUP)).toMatchObject({ value: 256, flags: 0 });
  });

  it("gives exact zeros the IEEE sign: +0 except -0 under RDN", () => {
    for (const rm of MODES) {
      const z = rm === RDN ? -0 : 0;
      expect(Object.is(d2(asm.fadd, 1, -1, rm).value, z)).toBe(true);
      expect(Object.is(d2(asm.fsub, 3.25, 3.25, rm).value, z)).toBe(true);
      expect(Object.is(d2(asm.fadd, 0, -0, rm).value, z)).toBe(true);
      expect(Object.is(d2(asm.fadd, -0, -0, rm).value, -0)).toBe(true);
      expect(Object.is(d2(asm.fadd, 0, 0, rm).value, 0)).toBe(true);
      expect(Object.is(d2(asm.fsub, -0, 0, rm).value, -0)).toBe(true);
    }
  });

  it("overflows according to the mode, and only when the rounded result exceeds MAX", () => {
    // MAX + 2^970 is exactly halfway between MAX and 2^1024.
    const half = perMode(
      { v: Infinity, f: OF | NX },
      { v: MAX, f: NX },
      { v: MAX, f: NX },
      { v: Infinity, f: OF | NX },
      { v: Infinity, f: OF | NX },
    );
    // MAX + 2^969 is below the midpoint: only RUP overflows.
    const quarter = perMode(
      { v: MAX, f: NX },
      { v: MAX, f: NX },
      { v: MAX, f: NX },
      { v: Infinity, f: OF | NX },
      { v: MAX, f: NX },
    );
    for (const rm of MODES) {
      const r1 = d2(asm.fadd, MAX, 2 ** 970, rm);
      expect({ v: r1.value, f: r1.flags }).toEqual(half[rm]);
      const r2 = d2(asm.fadd, MAX, 2 ** 969, rm);
      expect({ v: r2.value, f: r2.flags }).toEqual(quarter[rm]);
      const r3 = d2(asm.fsub, -MAX, MAX, rm);
      expect({ v: r3.value, f: r3.flags }).toEqual({
        v: perMode(-Infinity, -MAX, -Infinity, -MAX, -Infinity)[rm],
        f: OF | NX,
      });
    }
  });

  it("treats infinities exactly and inf - inf as invalid", () => {
    expect(d2(asm.fadd, Infinity, -MAX, RNE)).toMatchObject({ value: Infinity, flags: 0 });
    expect(d2(asm.fsub, Infinity, Infinity, RNE)).toMatchObject({ bits: CANONICAL_D, flags: NV });
    expect(d2(asm.fadd, -Infinity, Infinity, RDN)).toMatchObject({ bits: CANONICAL_D, flags: NV });
  });

  it("adds subnormals exactly", () => {
    expect(d2(asm.fadd, MIN_SUB, MIN_SUB, RNE)).toMatchObject({ value: 2 * MIN_SUB, flags: 0 });
    expect(d2(asm.fsub, MIN_NORMAL, MIN_SUB, RNE)).toMatchObject({
      bits: 0x000fffffffffffffn,
      flags: 0,
    });
  });
});

describe("binary64 multiply", () => {
  it("rounds in every mode", () => {
    // (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104
    const a = 1 + 2 ** -52;
    const lo = 1 + 2 ** -51;
    const hi = 1 + 2 ** -51 + 2 ** -52;
    const exp = perMode(lo, lo, lo, hi, lo);
    for (const rm of MODES)
      expect(d2(asm.fmul, a, a, rm)).toMatchObject({ value: exp[rm], flags: NX });
    expect(d2(asm.fmul, -a, a, RDN).value).toBe(-hi);
    expect(d2(asm.fmul, -a, a, RUP).value).toBe(-lo);
  });

  it("breaks product ties per mode", () => {
    // (1 + 3*2^-52) * 1.5 = 1.5 + 4*2^-52 + 2^-53: halfway, lower neighbour even.
    const lo = 1.5 + 4 * 2 ** -52;
    const hi = 1.5 + 5 * 2 ** -52;
    const exp = perMode(lo, lo, lo, hi, hi);
    for (const rm of MODES) {
      expect(d2(asm.fmul, 1 + 3 * 2 ** -52, 1.5, rm)).toMatchObject({ value: exp[rm], flags: NX });
    }
  });

  it("overflows to infinity or MAX depending on mode and sign", () => {
    for (const rm of MODES) {
      expect(d2(asm.fmul, MAX, 2, rm)).toMatchObject({
        value: perMode(Infinity, MAX, MAX, Infinity, Infinity)[rm],
        flags: OF | NX,
      });
      expect(d2(asm.fmul, MAX, -2, rm)).toMatchObject({
        value: perMode(-Infinity, -MAX, -Infinity, -MAX, -Infinity)[rm],
        flags: OF | NX,
      });
    }
  });

  it("underflows to subnormals and zero with UF only when tiny and inexact", () => {
    expect(d2(asm.fmul, MIN_NORMAL, 0.5, RNE)).toMatchObject({ value: 2 ** -1023, flags: 0 });
    // 2^-1075: halfway between 0 and the smallest subnormal.
    for (const rm of MODES) {
      expect(d2(asm.fmul, MIN_SUB, 0.5, rm)).toMatchObject({
        value: perMode(0, 0, 0, MIN_SUB, MIN_SUB)[rm],
        flags: UF | NX,
      });
    }
    expect(Object.is(d2(asm.fmul, -MIN_SUB, 0.25, RNE).value, -0)).toBe(true);
    expect(d2(asm.fmul, -MIN_SUB, 0.25, RDN).value).toBe(-MIN_SUB);
  });

  it("detects tininess after rounding, as RISC-V requires", () => {
    // (1 + 2^-52) * (2^-1022 - 2^-1074) = 2^-1022 (1 - 2^-104): rounded to 53 bits with an
    // unbounded exponent this is 2^-1022 under RNE/RUP/RMM (not tiny: no UF), but stays
    // below 2^-1022 under RTZ/RDN (tiny and inexact: UF).
    const big = 0x0010000000000000n;
    const sub = 0x000fffffffffffffn;
    const exp = perMode(
      { bits: big, flags: NX },
      { bits: sub, flags: UF | NX },
      { bits: sub, flags: UF | NX },
      { bits: big, flags: NX },
      { bits: big, flags: NX },
    );
    for (const rm of MODES) {
      const r = d2(asm.fmul, 1 + 2 ** -52, sub, rm);
      expect({ bits: r.bits, flags: r.flags }).toEqual(exp[rm]);
    }
    // (1 - 2^-53) * 2^-1022 = 2^-1022 - 2^-1075 is representable in 53 bits, so it is tiny in
    // every mode even when the bounded result rounds up to 2^-1022.
    const r = d2(asm.fmul, 1 - 2 ** -53, MIN_NORMAL, RNE);
    expect({ bits: r.bits, flags: r.flags }).toEqual({ bits: big, flags: UF | NX });
  });

  it("handles zeros and infinities", () => {
    expect(Object.is(d2(asm.fmul, -0, 5, RNE).value, -0)).toBe(true);
    expect(d2(asm.fmul, -Infinity, -2, RNE)).toMatchObject({ value: Infinity, flags: 0 });
    expect(d2(asm.fmul, 0, Infinity, RNE)).toMatchObject({ bits: CANONICAL_D, flags: NV });
  });
});

describe("binary64 divide and square root", () => {
  it("rounds 1/3 and -1/3 in every mode", () => {
    const down = 0x3fd5555555555555n;
    const up = 0x3fd5555555555556n;
    for (const rm of MODES) {
      expect(d2(asm.fdiv, 1, 3, rm)).toMatchObject({
        bits: perMode(down, down, down, up, down)[rm],
        flags: NX,
      });
      expect(d2(asm.fdiv, -1, 3, rm).bits).toBe(
        (1n << 63n) | perMode(down, down, up, down, down)[rm]!,
      );
    }
    expect(d2(asm.fdiv, 1, 4, RUP)).toMatchObject({ value: 0.25, flags: 0 });
  });

  it("divides by zero and handles invalid quotients", () => {
    expect(d2(asm.fdiv, 1, 0, RNE)).toMatchObject({ value: Infinity, flags: DZ });
    expect(d2(asm.fdiv, -1, 0, RNE)).toMatchObject({ value: -Infinity, flags: DZ });
    expect(d2(asm.fdiv, 1, -0, RNE)).toMatchObject({ value: -Infinity, flags: DZ });
    expect(d2(asm.fdiv, Infinity, 0, RNE)).toMatchObject({ value: Infinity, flags: 0 });
    expect(d2(asm.fdiv, 0, 0, RNE)).toMatchObject({ bits: CANONICAL_D, flags: NV });
    expect(d2(asm.fdiv, Infinity, -Infinity, RNE)).toMatchObject({ bits: CANONICAL_D, flags: NV });
    expect(Object.is(d2(asm.fdiv, 5, -Infinity, RNE).value, -0)).toBe(true);
  });

  it("overflows and underflows per mode", () => {
    expect(d2(asm.fdiv, MAX, 0.5, RTZ)).toMatchObject({ value: MAX, flags: OF | NX });
    expect(d2(asm.fdiv, MAX, 0.5, RNE)).toMatchObject({ value: Infinity, flags: OF | NX });
    // 2^-1074 / 3 is below half the smallest subnormal.
    expect(d2(asm.fdiv, MIN_SUB, 3, RNE)).toMatchObject({ value: 0, flags: UF | NX });
    expect(d2(asm.fdiv, MIN_SUB, 3, RUP)).toMatchObject({ value: MIN_SUB, flags: UF | NX });
    expect(d2(asm.fdiv, MIN_SUB, 1.5, RNE)).toMatchObject({ value: MIN_SUB, flags: UF | NX });
  });

  it("rounds sqrt(2) per mode and keeps exact roots exact", () => {
    // sqrt(2) = 1.41421356237309504880...; 0x3FF6A09E667F3BCD is above it.
    const up = 0x3ff6a09e667f3bcdn;
    const down = 0x3ff6a09e667f3bccn;
    const m = (rm: number) => {
      const r = new FpMachine();
      r.frm = rm;
      r.setD(1, 2);
      expect(r.exec(asm.fsqrt(D, 2, 1))).toBe(true);
      return { bits: r.getFBits(2), flags: r.fflags };
    };
    for (const rm of MODES) {
      expect(m(rm)).toEqual({ bits: perMode(up, down, down, up, up)[rm], flags: NX });
    }
  });

  it("takes roots of special and subnormal operands", () => {
    const sq = (v: number) => {
      const r = new FpMachine();
      r.setD(1, v);
      expect(r.exec(asm.fsqrt(D, 2, 1))).toBe(true);
      return { bits: r.getFBits(2), flags: r.fflags };
    };
    expect(sq(4)).toEqual({ bits: dbits(2), flags: 0 });
    expect(sq(MIN_SUB)).toEqual({ bits: dbits(2 ** -537), flags: 0 });
    expect(sq(MAX)).toEqual({ bits: dbits(1.3407807929942596e154), flags: NX });
    expect(sq(-0)).toEqual({ bits: 1n << 63n, flags: 0 });
    expect(sq(Infinity)).toEqual({ bits: dbits(Infinity), flags: 0 });
    expect(sq(-1)).toEqual({ bits: CANONICAL_D, flags: NV });
    expect(sq(-Infinity)).toEqual({ bits: CANONICAL_D, flags: NV });
  });
});

describe("binary32 arithmetic", () => {
  const ONE = 0x3f800000;
  const ONE_UP = 0x3f800001;

  it("rounds sums in every mode, ties included", () => {
    const halfUlp = sbits(2 ** -24);
    const aboveHalf = sbits(2 ** -24 + 2 ** -47);
    for (const rm of MODES) {
      expect(s2(asm.fadd, ONE, halfUlp, rm)).toEqual({
        bits: boxed(perMode(ONE, ONE, ONE, ONE_UP, ONE_UP)[rm]!),
        flags: NX,
      });
      expect(s2(asm.fadd, ONE, aboveHalf, rm)).toEqual({
        bits: boxed(perMode(ONE_UP, ONE, ONE, ONE_UP, ONE_UP)[rm]!),
        flags: NX,
      });
    }
    expect(s2(asm.fadd, sbits(1.5), sbits(0.25), RNE)).toEqual({
      bits: boxed(sbits(1.75)),
      flags: 0,
    });
  });

  it("rounds a sum whose binary64 value is not exact (wide exponent gap)", () => {
    // 1 + 2^-100: binary64 already rounds; the binary32 result must still see the tiny tail.
    const tiny = sbits(2 ** -100);
    expect(s2(asm.fadd, ONE, tiny, RNE)).toEqual({ bits: boxed(ONE), flags: NX });
    expect(s2(asm.fadd, ONE, tiny, RUP)).toEqual({ bits: boxed(ONE_UP), flags: NX });
    expect(s2(asm.fsub, ONE, tiny, RTZ)).toEqual({ bits: boxed(0x3f7fffff), flags: NX });
  });

  it("gives exact zeros the IEEE sign", () => {
    expect(s2(asm.fsub, ONE, ONE, RNE)).toEqual({ bits: boxed(0), flags: 0 });
    expect(s2(asm.fsub, ONE, ONE, RDN)).toEqual({ bits: boxed(0x80000000), flags: 0 });
    expect(s2(asm.fadd, 0x80000000, 0x80000000, RNE)).toEqual({
      bits: boxed(0x80000000),
      flags: 0,
    });
  });

  it("rounds products, quotients and roots per mode", () => {
    // (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46
    const a = 0x3f800001;
    for (const rm of MODES) {
      expect(s2(asm.fmul, a, a, rm)).toEqual({
        bits: boxed(perMode(0x3f800002, 0x3f800002, 0x3f800002, 0x3f800003, 0x3f800002)[rm]!),
        flags: NX,
      });
      // 1/3 = 0x3EAAAAAB (RNE, above); RTZ/RDN give 0x3EAAAAAA.
      expect(s2(asm.fdiv, ONE, sbits(3), rm)).toEqual({
        bits: boxed(perMode(0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab)[rm]!),
        flags: NX,
      });
      // sqrt(2) = 1.41421356...: 0x3FB504F3 is below it.
      const m = new FpMachine();
      m.frm = rm;
      m.setSBits(1, sbits(2));
      expect(m.exec(asm.fsqrt(S, 2, 1))).toBe(true);
      expect(m.getFBits(2)).toBe(
        boxed(perMode(0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3)[rm]!),
      );
      expect(m.fflags).toBe(NX);
    }
  });

  it("overflows per mode, only when the rounded value exceeds the largest float", () => {
    for (const rm of MODES) {
      expect(s2(asm.fmul, sbits(MAXF), sbits(2), rm)).toEqual({
        bits: boxed(perMode(0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000)[rm]!),
        flags: OF | NX,
      });
    }
    // MAXF + 2^103 is halfway to 2^128: no overflow when rounding towards zero.
    expect(s2(asm.fadd, sbits(MAXF), sbits(2 ** 103), RNE)).toEqual({
      bits: boxed(0x7f800000),
      flags: OF | NX,
    });
    expect(s2(asm.fadd, sbits(MAXF), sbits(2 ** 103), RTZ)).toEqual({
      bits: boxed(0x7f7fffff),
      flags: NX,
    });
  });

  it("underflows with tininess after rounding", () => {
    // smallest subnormal / 2: tie between 0 and 2^-149
    for (const rm of MODES) {
      expect(s2(asm.fmul, 1, sbits(0.5), rm)).toEqual({
        bits: boxed(perMode(0, 0, 0, 1, 1)[rm]!),
        flags: UF | NX,
      });
    }
    // (1 + 2^-23) * (2^-126 - 2^-149) = 2^-126 (1 - 2^-46)
    const sub = 0x007fffff;
    const big = 0x00800000;
    for (const rm of MODES) {
      expect(s2(asm.fmul, ONE_UP, sub, rm)).toEqual(
        perMode(
          { bits: boxed(big), flags: NX },
          { bits: boxed(sub), flags: UF | NX },
          { bits: boxed(sub), flags: UF | NX },
          { bits: boxed(big), flags: NX },
          { bits: boxed(big), flags: NX },
        )[rm],
      );
    }
    expect(s2(asm.fdiv, big, sbits(2), RNE)).toEqual({ bits: boxed(0x00400000), flags: 0 });
  });

  it("handles division by zero, invalid operations and infinities", () => {
    expect(s2(asm.fdiv, ONE, 0x80000000, RNE)).toEqual({ bits: boxed(0xff800000), flags: DZ });
    expect(s2(asm.fdiv, 0, 0, RNE)).toEqual({ bits: CANONICAL_S, flags: NV });
    expect(s2(asm.fmul, 0x7f800000, 0, RNE)).toEqual({ bits: CANONICAL_S, flags: NV });
    expect(s2(asm.fsub, 0xff800000, 0xff800000, RNE)).toEqual({ bits: CANONICAL_S, flags: NV });
    expect(s2(asm.fadd, 0xff800000, sbits(MAXF), RNE)).toEqual({
      bits: boxed(0xff800000),
      flags: 0,
    });
  });
});

describe("NaN operands", () => {
  it("produce the canonical NaN, raising NV only for signalling NaNs", () => {
    expect(d2(asm.fadd, 0x7ff8000000000123n, 1, RNE)).toMatchObject({
      bits: CANONICAL_D,
      flags: 0,
    });
    expect(d2(asm.fmul, 2, 0xfff8000000000000n, RNE)).toMatchObject({
      bits: CANONICAL_D,
      flags: 0,
    });
    expect(d2(asm.fsub, 0x7ff0000000000001n, 1, RNE)).toMatchObject({
      bits: CANONICAL_D,
      flags: NV,
    });
    expect(d2(asm.fdiv, 1, 0xfff4000000000000n, RNE)).toMatchObject({
      bits: CANONICAL_D,
      flags: NV,
    });
    expect(s2(asm.fadd, 0x7fc00001, sbits(1), RNE)).toEqual({ bits: CANONICAL_S, flags: 0 });
    expect(s2(asm.fmul, 0x7f800001, sbits(1), RNE)).toEqual({ bits: CANONICAL_S, flags: NV });
    expect(s2(asm.fdiv, sbits(1), 0xffa00000, RNE)).toEqual({ bits: CANONICAL_S, flags: NV });
  });

  it("in square roots", () => {
    const m = new FpMachine();
    m.setFBits(1, 0x7ff0000000000001n);
    m.setSBits(2, 0x7f800001);
    expect(m.exec(asm.fsqrt(D, 3, 1))).toBe(true);
    expect(m.getFBits(3)).toBe(CANONICAL_D);
    expect(m.exec(asm.fsqrt(S, 4, 2))).toBe(true);
    expect(m.getFBits(4)).toBe(CANONICAL_S);
    expect(m.fflags).toBe(NV);
  });
});

describe("register aliasing", () => {
  it("reads both sources before writing rd", () => {
    const m = new FpMachine();
    m.setD(1, 3);
    expect(m.exec(asm.fmul(D, 1, 1, 1))).toBe(true);
    expect(m.getD(1)).toBe(9);
    m.setSBits(2, sbits(5));
    expect(m.exec(asm.fsgnjn(S, 2, 2, 2))).toBe(true);
    expect(m.getFBits(2)).toBe(boxed(sbits(-5)));
  });
});
