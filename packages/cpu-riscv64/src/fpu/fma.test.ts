import { describe, expect, it } from "vitest";
import { NV, NX, UF } from "./flags.js";
import { asm, boxed, D, dbits, FpMachine, RDN, RMM, RNE, RTZ, RUP, S, sbits } from "./testing.js";

type Fused = (fmt: number, rd: number, a: number, b: number, c: number, rm?: number) => number;
const MODES = [RNE, RTZ, RDN, RUP, RMM] as const;
const perMode = <T>(rne: T, rtz: T, rdn: T, rup: T, rmm: T): T[] => [rne, rtz, rdn, rup, rmm];
const CANONICAL_D = 0x7ff8000000000000n;

function fmaD(op: Fused, a: number | bigint, b: number | bigint, c: number | bigint, rm = RNE) {
  const m = new FpMachine();
  m.frm = rm;
  for (const [r, v] of [
    [1, a],
    [2, b],
    [3, c],
  ] as const) {
    if (typeof v === "bigint") m.setFBits(r, v);
    else m.setD(r, v);
  }
  expect(m.exec(op(D, 4, 1, 2, 3))).toBe(true);
  return { bits: m.getFBits(4), value: m.getD(4), flags: m.fflags };
}

function fmaS(op: Fused, a: number, b: number, c: number, rm = RNE) {
  const m = new FpMachine();
  m.frm = rm;
  m.setSBits(1, a);
  m.setSBits(2, b);
  m.setSBits(3, c);
  expect(m.exec(op(S, 4, 1, 2, 3))).toBe(true);
  return { bits: m.getFBits(4), flags: m.fflags };
}

describe("fused multiply-add signs", () => {
  it("computes a*b+c, a*b-c, -(a*b)+c and -(a*b)-c", () => {
    expect(fmaD(asm.fmadd, 2, 3, 1).value).toBe(7);
    expect(fmaD(asm.fmsub, 2, 3, 1).value).toBe(5);
    expect(fmaD(asm.fnmsub, 2, 3, 1).value).toBe(-5);
    expect(fmaD(asm.fnmadd, 2, 3, 1).value).toBe(-7);
    expect(fmaS(asm.fmadd, sbits(2), sbits(3), sbits(1)).bits).toBe(boxed(sbits(7)));
    expect(fmaS(asm.fmsub, sbits(2), sbits(3), sbits(1)).bits).toBe(boxed(sbits(5)));
    expect(fmaS(asm.fnmsub, sbits(2), sbits(3), sbits(1)).bits).toBe(boxed(sbits(-5)));
    expect(fmaS(asm.fnmadd, sbits(2), sbits(3), sbits(1)).bits).toBe(boxed(sbits(-7)));
  });
});

describe("single rounding", () => {
  it("keeps the low product bits a separate multiply would lose (binary64)", () => {
    // (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104; minus RN(that) = 1 + 2^-51 leaves exactly 2^-104.
    const a = 1 + 2 ** -52;
    expect(fmaD(asm.fmsub, a, a, 1 + 2 ** -51)).toEqual({
      bits: dbits(2 ** -104),
      value: 2 ** -104,
      flags: 0,
    });
    // Unfused, the same computation gives 0.
    expect(a * a - (1 + 2 ** -51)).toBe(0);
  });

  it("keeps the low product bits a separate multiply would lose (binary32)", () => {
    // (1 + 2^-23)^2 - (1 + 2^-22) = 2^-46 exactly.
    expect(fmaS(asm.fmsub, 0x3f800001, 0x3f800001, 0x3f800002)).toEqual({
      bits: boxed(0x28800000),
      flags: 0,
    });
  });

  it("rounds a binary32 FMA once even when binary64 lands on a binary32 midpoint", () => {
    // a*b = -(2^-24)(1 - 2^-30), c = 1 + 2^-23: exact sum 1 + 2^-24 + 2^-54, which binary64
    // rounds to the binary32 midpoint 1 + 2^-24. The correct RNE result is 1 + 2^-23;
    // an unfused multiply then add would give 1.
    const a = 0x3f7ffe00; // 1 - 2^-15
    const b = 0xb3800100; // -(1 + 2^-15) * 2^-24
    const c = 0x3f800001; // 1 + 2^-23
    for (const rm of MODES) {
      expect(fmaS(asm.fmadd, a, b, c, rm)).toEqual({
        bits: boxed(perMode(0x3f800001, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001)[rm]!),
        flags: NX,
      });
    }
  });

  it("resolves a binary64 sum that looks like a tie with the product's low bits", () => {
    // (1 - 2^-53) * 2^-53 (1 + 2^-52) = 2^-53 + 2^-106 - 2^-158: adding 1 lands just above the
    // midpoint between 1 and 1 + 2^-52 (RN(a*b) + 1 would be an exact tie).
    const one = dbits(1);
    const up = dbits(1 + 2 ** -52);
    for (const rm of MODES) {
      expect(fmaD(asm.fmadd, 0x3fefffffffffffffn, 0x3ca0000000000001n, 1, rm)).toMatchObject({
        bits: perMode(up, one, one, up, up)[rm],
        flags: NX,
      });
      // (1 + 2^-52) * 2^-53 (1 - 2^-52) = 2^-53 - 2^-157: just below the midpoint, so even
      // RMM stays at 1.
      expect(fmaD(asm.fmadd, 0x3ff0000000000001n, 0x3c9ffffffffffffen, 1, rm)).toMatchObject({
        bits: perMode(one, one, one, up, one)[rm],
        flags: NX,
      });
    }
  });

  it("rounds per mode (binary64)", () => {
    // (1 + 2^-52)^2 + 1 = 2 + 2^-51 + 2^-104
    const a = 1 + 2 ** -52;
    for (const rm of MODES) {
      expect(fmaD(asm.fmadd, a, a, 1, rm)).toMatchObject({
        value: perMode(2 + 2 ** -51, 2 + 2 ** -51, 2 + 2 ** -51, 2 + 2 ** -50, 2 + 2 ** -51)[rm],
        flags: NX,
      });
    }
  });

  it("does not overflow when the addend brings a huge product back into range", () => {
    expect(fmaD(asm.fmadd, Number.MAX_VALUE, 2, -Number.MAX_VALUE)).toMatchObject({
      value: Number.MAX_VALUE,
      flags: 0,
    });
    expect(fmaD(asm.fmadd, Number.MAX_VALUE, 2, -Infinity)).toMatchObject({
      value: -Infinity,
      flags: 0,
    });
  });

  it("underflows with the exact sum", () => {
    // 2^-1200 + 2^-1074 is just above the smallest subnormal.
    expect(fmaD(asm.fmadd, 2 ** -600, 2 ** -600, 2 ** -1074, RNE)).toMatchObject({
      value: 2 ** -1074,
      flags: UF | NX,
    });
    expect(fmaD(asm.fmadd, 2 ** -600, 2 ** -600, 2 ** -1074, RUP)).toMatchObject({
      value: 2 ** -1073,
      flags: UF | NX,
    });
    expect(fmaD(asm.fmadd, 2 ** -600, 2 ** -600, 0, RNE)).toMatchObject({
      value: 0,
      flags: UF | NX,
    });
  });
});

describe("special operands", () => {
  it("raises NV for inf * 0 even when the addend is a quiet NaN", () => {
    expect(fmaD(asm.fmadd, Infinity, 0, CANONICAL_D)).toMatchObject({
      bits: CANONICAL_D,
      flags: NV,
    });
    expect(fmaD(asm.fmadd, 0, -Infinity, 1)).toMatchObject({ bits: CANONICAL_D, flags: NV });
    expect(fmaS(asm.fmadd, 0x7f800000, 0, 0x7fc00000)).toEqual({
      bits: boxed(0x7fc00000),
      flags: NV,
    });
    // A quiet NaN addend with an ordinary product is quiet.
    expect(fmaD(asm.fmadd, 0, 5, CANONICAL_D)).toMatchObject({ bits: CANONICAL_D, flags: 0 });
    expect(fmaD(asm.fmadd, 1, 1, 0x7ff0000000000001n)).toMatchObject({
      bits: CANONICAL_D,
      flags: NV,
    });
  });

  it("handles infinite products and addends", () => {
    expect(fmaD(asm.fmadd, Infinity, 2, -Infinity)).toMatchObject({ bits: CANONICAL_D, flags: NV });
    expect(fmaD(asm.fmadd, Infinity, 2, Infinity)).toMatchObject({ value: Infinity, flags: 0 });
    expect(fmaD(asm.fnmadd, Infinity, 2, 5)).toMatchObject({ value: -Infinity, flags: 0 });
    expect(fmaS(asm.fmsub, sbits(2), sbits(3), 0xff800000)).toEqual({
      bits: boxed(0x7f800000),
      flags: 0,
    });
  });

  it("gives exact zero sums the IEEE sign", () => {
    for (const rm of MODES) {
      const z = rm === RDN ? -0 : 0;
      expect(Object.is(fmaD(asm.fmadd, 0, 5, -0, rm).value, z)).toBe(true);
      expect(Object.is(fmaD(asm.fmsub, 1, 1, 1, rm).value, z)).toBe(true);
      expect(Object.is(fmaD(asm.fnmadd, 1, 1, -1, rm).value, z)).toBe(true);
      expect(Object.is(fmaD(asm.fmadd, -0, 5, -0, rm).value, -0)).toBe(true);
      expect(fmaS(asm.fmsub, sbits(1.5), sbits(2), sbits(3), rm).bits).toBe(
        boxed(rm === RDN ? 0x80000000 : 0),
      );
    }
    // A zero product leaves a nonzero addend untouched.
    expect(fmaD(asm.fnmsub, -0, 7, -3.5)).toMatchObject({ value: -3.5, flags: 0 });
  });
});
