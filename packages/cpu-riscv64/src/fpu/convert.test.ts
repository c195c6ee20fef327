import { describe, expect, it } from "vitest";
import { NV, NX, OF, UF } from "./flags.js";
import {
  asm,
  boxed,
  D,
  dbits,
  FpMachine,
  L,
  LU,
  RDN,
  RMM,
  RNE,
  RTZ,
  RUP,
  S,
  sbits,
  W,
  WU,
} from "./testing.js";

const MODES = [RNE, RTZ, RDN, RUP, RMM] as const;
const perMode = <T>(rne: T, rtz: T, rdn: T, rup: T, rmm: T): T[] => [rne, rtz, rdn, rup, rmm];
const MASK = (1n << 64n) - 1n;
const sx = (v: bigint) => v & MASK;

/** FCVT.<kind>.D of a double (or raw bits) under rm: the 64-bit x register and the flags. */
function toInt(kind: number, v: number | bigint, rm: number, fmt = D) {
  const m = new FpMachine();
  m.frm = rm;
  if (fmt === S) m.setSBits(1, typeof v === "bigint" ? Number(v) : sbits(v));
  else if (typeof v === "bigint") m.setFBits(1, v);
  else m.setD(1, v);
  m.setX(5, 0x5555555555555555n);
  expect(m.exec(asm.fcvtToInt(kind, fmt, 5, 1))).toBe(true);
  return { x: m.getX(5), flags: m.fflags };
}

function fromInt(fmt: number, kind: number, x: bigint, rm: number) {
  const m = new FpMachine();
  m.frm = rm;
  m.setX(6, x);
  expect(m.exec(asm.fcvtFromInt(fmt, kind, 2, 6))).toBe(true);
  return { bits: m.getFBits(2), flags: m.fflags };
}

describe("FCVT.W.D / FCVT.WU.D", () => {
  it("saturates out-of-range and NaN inputs with NV only", () => {
    expect(toInt(W, 2 ** 31, RNE)).toEqual({ x: 0x7fffffffn, flags: NV });
    expect(toInt(W, -(2 ** 31) - 1, RNE)).toEqual({ x: sx(-(2n ** 31n)), flags: NV });
    expect(toInt(W, Number.NaN, RNE)).toEqual({ x: 0x7fffffffn, flags: NV });
    expect(toInt(W, 0xfff8000000000000n, RNE)).toEqual({ x: 0x7fffffffn, flags: NV });
    expect(toInt(W, Infinity, RNE)).toEqual({ x: 0x7fffffffn, flags: NV });
    expect(toInt(W, -Infinity, RNE)).toEqual({ x: sx(-(2n ** 31n)), flags: NV });
    expect(toInt(W, -(2 ** 31), RNE)).toEqual({ x: sx(-(2n ** 31n)), flags: 0 });
    expect(toInt(W, 2 ** 31 - 1, RNE)).toEqual({ x: 0x7fffffffn, flags: 0 });
  });

  it("rounds before the range check", () => {
    // 2^31 - 0.5 is a tie between 2^31 - 1 (odd) and 2^31 (even, out of range).
    for (const rm of MODES) {
      expect(toInt(W, 2 ** 31 - 0.5, rm)).toEqual(
        perMode(
          { x: 0x7fffffffn, flags: NV },
          { x: 0x7fffffffn, flags: NX },
          { x: 0x7fffffffn, flags: NX },
          { x: 0x7fffffffn, flags: NV },
          { x: 0x7fffffffn, flags: NV },
        )[rm],
      );
      expect(toInt(W, -(2 ** 31) - 0.5, rm)).toEqual(
        perMode(
          { x: sx(-(2n ** 31n)), flags: NX },
          { x: sx(-(2n ** 31n)), flags: NX },
          { x: sx(-(2n ** 31n)), flags: NV },
          { x: sx(-(2n ** 31n)), flags: NX },
          { x: sx(-(2n ** 31n)), flags: NV },
        )[rm],
      );
    }
  });

  it("rounds halves and fractions per mode", () => {
    for (const rm of MODES) {
      expect(toInt(W, 2.5, rm)).toEqual({ x: perMode(2n, 2n, 2n, 3n, 3n)[rm], flags: NX });
      expect(toInt(W, -2.5, rm)).toEqual({
        x: sx(perMode(-2n, -2n, -3n, -2n, -3n)[rm]!),
        flags: NX,
      });
      expect(toInt(W, 0.4, rm).x).toBe(perMode(0n, 0n, 0n, 1n, 0n)[rm]);
    }
    expect(toInt(W, -0, RNE)).toEqual({ x: 0n, flags: 0 });
    expect(toInt(W, 2 ** -1074, RUP)).toEqual({ x: 1n, flags: NX });
  });

  it("sign-extends unsigned word results and saturates negative values at 0", () => {
    expect(toInt(WU, 2 ** 32 - 1, RNE)).toEqual({ x: MASK, flags: 0 });
    expect(toInt(WU, 3e9, RNE)).toEqual({ x: 0xffffffffb2d05e00n, flags: 0 });
    expect(toInt(WU, 2 ** 32, RNE)).toEqual({ x: MASK, flags: NV });
    expect(toInt(WU, Number.NaN, RNE)).toEqual({ x: MASK, flags: NV });
    expect(toInt(WU, -1, RNE)).toEqual({ x: 0n, flags: NV });
    expect(toInt(WU, -Infinity, RNE)).toEqual({ x: 0n, flags: NV });
    // -0.5 rounds to (-)0, which is in range: inexact, not invalid.
    expect(toInt(WU, -0.5, RTZ)).toEqual({ x: 0n, flags: NX });
    expect(toInt(WU, -0.5, RDN)).toEqual({ x: 0n, flags: NV });
  });
});

describe("FCVT.L.D / FCVT.LU.D", () => {
  it("converts the 64-bit boundaries", () => {
    expect(toInt(L, 2 ** 63, RNE)).toEqual({ x: 0x7fffffffffffffffn, flags: NV });
    expect(toInt(L, -(2 ** 63), RNE)).toEqual({ x: 0x8000000000000000n, flags: 0 });
    expect(toInt(L, 2 ** 63 - 1024, RNE)).toEqual({ x: 0x7ffffffffffffc00n, flags: 0 });
    expect(toInt(L, -Infinity, RNE)).toEqual({ x: 0x8000000000000000n, flags: NV });
    expect(toInt(L, Number.NaN, RNE)).toEqual({ x: 0x7fffffffffffffffn, flags: NV });
    expect(toInt(L, -123456789012.75, RNE)).toEqual({ x: sx(-123456789013n), flags: NX });
    expect(toInt(LU, 2 ** 64, RNE)).toEqual({ x: MASK, flags: NV });
    expect(toInt(LU, 2 ** 64 - 2048, RNE)).toEqual({ x: 0xfffffffffffff800n, flags: 0 });
    expect(toInt(LU, 2 ** 63, RNE)).toEqual({ x: 0x8000000000000000n, flags: 0 });
    expect(toInt(LU, -1, RNE)).toEqual({ x: 0n, flags: NV });
    expect(toInt(LU, Number.NaN, RNE)).toEqual({ x: MASK, flags: NV });
    expect(toInt(LU, -0.75, RTZ)).toEqual({ x: 0n, flags: NX });
  });
});

describe("FCVT from single to integer", () => {
  it("uses the single value and its NaN box", () => {
    expect(toInt(W, 0x4f000000n, RNE, S)).toEqual({ x: 0x7fffffffn, flags: NV });
    expect(toInt(W, 0xcf000000n, RNE, S)).toEqual({ x: sx(-(2n ** 31n)), flags: 0 });
    expect(toInt(L, 1.5, RNE, S)).toEqual({ x: 2n, flags: NX });
    expect(toInt(LU, 0x5f800000n, RNE, S)).toEqual({ x: MASK, flags: NV });
    const m = new FpMachine();
    m.setFBits(1, 0x000000003f800000n); // not boxed: canonical NaN
    expect(m.exec(asm.fcvtToInt(W, S, 5, 1))).toBe(true);
    expect(m.getX(5)).toBe(0x7fffffffn);
    expect(m.fflags).toBe(NV);
  });
});

describe("FCVT from integer to double", () => {
  it("converts words exactly from the low 32 bits of the register", () => {
    expect(fromInt(D, W, 0x00000001ffffffffn, RNE)).toEqual({ bits: dbits(-1), flags: 0 });
    expect(fromInt(D, WU, 0x00000001ffffffffn, RNE)).toEqual({ bits: dbits(4294967295), flags: 0 });
    expect(fromInt(D, W, 0n, RDN)).toEqual({ bits: 0n, flags: 0 });
  });

  it("rounds 64-bit integers beyond 2^53 per mode", () => {
    const t53 = 2 ** 53;
    for (const rm of MODES) {
      expect(fromInt(D, L, 2n ** 53n + 1n, rm)).toEqual({
        bits: dbits(perMode(t53, t53, t53, t53 + 2, t53 + 2)[rm]!),
        flags: NX,
      });
      expect(fromInt(D, L, -(2n ** 53n) - 1n, rm)).toEqual({
        bits: dbits(perMode(-t53, -t53, -t53 - 2, -t53, -t53 - 2)[rm]!),
        flags: NX,
      });
      expect(fromInt(D, L, 0x7fffffffffffffffn, rm).bits).toBe(
        dbits(perMode(2 ** 63, 2 ** 63 - 1024, 2 ** 63 - 1024, 2 ** 63, 2 ** 63)[rm]!),
      );
      expect(fromInt(D, LU, MASK, rm).bits).toBe(
        dbits(perMode(2 ** 64, 2 ** 64 - 2048, 2 ** 64 - 2048, 2 ** 64, 2 ** 64)[rm]!),
      );
    }
    expect(fromInt(D, L, 0x8000000000000000n, RNE)).toEqual({ bits: dbits(-(2 ** 63)), flags: 0 });
    expect(fromInt(D, LU, 0x8000000000000000n, RNE)).toEqual({ bits: dbits(2 ** 63), flags: 0 });
  });
});

describe("FCVT from integer to single", () => {
  it("rounds per mode", () => {
    const t24 = 0x4b800000; // 2^24
    for (const rm of MODES) {
      expect(fromInt(S, W, 2n ** 24n + 1n, rm)).toEqual({
        bits: boxed(perMode(t24, t24, t24, t24 + 1, t24 + 1)[rm]!),
        flags: NX,
      });
      expect(fromInt(S, L, 0x7fffffffffffffffn, rm)).toEqual({
        bits: boxed(perMode(0x5f000000, 0x5effffff, 0x5effffff, 0x5f000000, 0x5f000000)[rm]!),
        flags: NX,
      });
    }
    expect(fromInt(S, WU, 0xffffffffn, RTZ)).toEqual({ bits: boxed(0x4f7fffff), flags: NX });
    expect(fromInt(S, W, 0xffffffffn, RTZ)).toEqual({ bits: boxed(sbits(-1)), flags: 0 });
  });

  it("does not round twice through binary64", () => {
    // 2^53 + 2^29 + 1 rounds (ties-to-even) to 2^53 + 2^29 in binary64, a binary32 midpoint;
    // the integer itself is above that midpoint, so RNE must give 2^53 + 2^30.
    expect(fromInt(S, L, 0x0020000020000001n, RNE)).toEqual({ bits: boxed(0x5a000001), flags: NX });
    expect(fromInt(S, L, 0x0020000020000000n, RNE)).toEqual({ bits: boxed(0x5a000000), flags: NX });
    expect(fromInt(S, LU, 0x0020000020000000n, RMM)).toEqual({
      bits: boxed(0x5a000001),
      flags: NX,
    });
  });
});

describe("FCVT.S.D and FCVT.D.S", () => {
  const narrow = (v: number | bigint, rm: number) => {
    const m = new FpMachine();
    m.frm = rm;
    if (typeof v === "bigint") m.setFBits(1, v);
    else m.setD(1, v);
    expect(m.exec(asm.fcvtSD(2, 1))).toBe(true);
    return { bits: m.getFBits(2), flags: m.fflags };
  };

  it("rounds to single per mode", () => {
    // 1 + 2^-24: halfway between 1 and 1 + 2^-23.
    for (const rm of MODES) {
      expect(narrow(1 + 2 ** -24, rm)).toEqual({
        bits: boxed(perMode(0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001)[rm]!),
        flags: NX,
      });
    }
    expect(narrow(0.1, RNE)).toEqual({ bits: boxed(0x3dcccccd), flags: NX });
    expect(narrow(0.1, RTZ)).toEqual({ bits: boxed(0x3dcccccc), flags: NX });
    expect(narrow(-0.5, RNE)).toEqual({ bits: boxed(0xbf000000), flags: 0 });
  });

  it("overflows and underflows", () => {
    expect(narrow(Number.MAX_VALUE, RNE)).toEqual({ bits: boxed(0x7f800000), flags: OF | NX });
    expect(narrow(Number.MAX_VALUE, RTZ)).toEqual({ bits: boxed(0x7f7fffff), flags: OF | NX });
    expect(narrow(-Number.MAX_VALUE, RUP)).toEqual({ bits: boxed(0xff7fffff), flags: OF | NX });
    // 2^128 - 2^103: halfway between the largest float and 2^128.
    expect(narrow(2 ** 128 - 2 ** 103, RNE)).toEqual({ bits: boxed(0x7f800000), flags: OF | NX });
    expect(narrow(2 ** 128 - 2 ** 103, RTZ)).toEqual({ bits: boxed(0x7f7fffff), flags: NX });
    expect(narrow(1e-50, RNE)).toEqual({ bits: boxed(0), flags: UF | NX });
    expect(narrow(-1e-50, RDN)).toEqual({ bits: boxed(0x80000001), flags: UF | NX });
    expect(narrow(2 ** -1074, RUP)).toEqual({ bits: boxed(1), flags: UF | NX });
    expect(narrow(2 ** -149, RNE)).toEqual({ bits: boxed(1), flags: 0 });
    expect(narrow(2 ** -150 * 3, RNE)).toEqual({ bits: boxed(2), flags: UF | NX });
  });

  it("maps specials and NaNs", () => {
    expect(narrow(-Infinity, RNE)).toEqual({ bits: boxed(0xff800000), flags: 0 });
    expect(narrow(-0, RNE)).toEqual({ bits: boxed(0x80000000), flags: 0 });
    expect(narrow(0x7ff0000000000001n, RNE)).toEqual({ bits: boxed(0x7fc00000), flags: NV });
    expect(narrow(0xfff8000000000001n, RNE)).toEqual({ bits: boxed(0x7fc00000), flags: 0 });
  });

  it("widens singles exactly", () => {
    const widen = (bits: number) => {
      const m = new FpMachine();
      m.setSBits(1, bits);
      expect(m.exec(asm.fcvtDS(2, 1))).toBe(true);
      return { bits: m.getFBits(2), flags: m.fflags };
    };
    expect(widen(0x3dcccccd)).toEqual({ bits: 0x3fb99999a0000000n, flags: 0 });
    expect(widen(0x00000001)).toEqual({ bits: dbits(2 ** -149), flags: 0 });
    expect(widen(0x80000000)).toEqual({ bits: 1n << 63n, flags: 0 });
    expect(widen(0x7f800001)).toEqual({ bits: 0x7ff8000000000000n, flags: NV });
    expect(widen(0xffc00001)).toEqual({ bits: 0x7ff8000000000000n, flags: 0 });
  });
});
