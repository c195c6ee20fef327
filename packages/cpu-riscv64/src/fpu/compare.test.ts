import { describe, expect, it } from "vitest";
import { NV } from "./flags.js";
import { asm, boxed, D, dbits, FpMachine, S, sbits } from "./testing.js";

const QNAN_D = 0x7ff8000000000000n;
const SNAN_D = 0x7ff0000000000001n;
const QNAN_S = 0x7fc00000;
const SNAN_S = 0x7f800001;

type Cmp = (fmt: number, rd: number, a: number, b: number) => number;

function cmpD(op: Cmp, a: number | bigint, b: number | bigint) {
  const m = new FpMachine();
  if (typeof a === "bigint") m.setFBits(1, a);
  else m.setD(1, a);
  if (typeof b === "bigint") m.setFBits(2, b);
  else m.setD(2, b);
  m.setX(5, 0x1234n);
  expect(m.exec(op(D, 5, 1, 2))).toBe(true);
  return { x: m.getX(5), flags: m.fflags };
}

function cmpS(op: Cmp, a: number, b: number) {
  const m = new FpMachine();
  m.setSBits(1, a);
  m.setSBits(2, b);
  expect(m.exec(op(S, 5, 1, 2))).toBe(true);
  return { x: m.getX(5), flags: m.fflags };
}

describe("FEQ / FLT / FLE", () => {
  it("compare ordered values, with -0 equal to +0", () => {
    expect(cmpD(asm.feq, 1, 1)).toEqual({ x: 1n, flags: 0 });
    expect(cmpD(asm.feq, -0, 0)).toEqual({ x: 1n, flags: 0 });
    expect(cmpD(asm.flt, -0, 0)).toEqual({ x: 0n, flags: 0 });
    expect(cmpD(asm.fle, -0, 0)).toEqual({ x: 1n, flags: 0 });
    expect(cmpD(asm.flt, -Infinity, -Number.MAX_VALUE)).toEqual({ x: 1n, flags: 0 });
    expect(cmpD(asm.fle, 2, 1)).toEqual({ x: 0n, flags: 0 });
    expect(cmpS(asm.flt, sbits(1), sbits(2))).toEqual({ x: 1n, flags: 0 });
    expect(cmpS(asm.feq, sbits(1), sbits(1 + 2 ** -23))).toEqual({ x: 0n, flags: 0 });
  });

  it("FEQ is quiet: NV only for signalling NaNs", () => {
    expect(cmpD(asm.feq, QNAN_D, QNAN_D)).toEqual({ x: 0n, flags: 0 });
    expect(cmpD(asm.feq, 1, SNAN_D)).toEqual({ x: 0n, flags: NV });
    expect(cmpS(asm.feq, QNAN_S, sbits(1))).toEqual({ x: 0n, flags: 0 });
    expect(cmpS(asm.feq, SNAN_S, sbits(1))).toEqual({ x: 0n, flags: NV });
  });

  it("FLT and FLE signal on any NaN", () => {
    expect(cmpD(asm.flt, QNAN_D, 1)).toEqual({ x: 0n, flags: NV });
    expect(cmpD(asm.fle, 1, QNAN_D)).toEqual({ x: 0n, flags: NV });
    expect(cmpS(asm.flt, sbits(1), QNAN_S)).toEqual({ x: 0n, flags: NV });
    expect(cmpS(asm.fle, SNAN_S, SNAN_S)).toEqual({ x: 0n, flags: NV });
  });
});

describe("FMIN / FMAX", () => {
  function mm(op: Cmp, fmt: number, a: bigint, b: bigint) {
    const m = new FpMachine();
    m.setFBits(1, a);
    m.setFBits(2, b);
    expect(m.exec(op(fmt, 3, 1, 2))).toBe(true);
    return { bits: m.getFBits(3), flags: m.fflags };
  }
  const negZ = 1n << 63n;

  it("order -0 below +0 whichever operand comes first", () => {
    expect(mm(asm.fmin, D, negZ, 0n).bits).toBe(negZ);
    expect(mm(asm.fmin, D, 0n, negZ).bits).toBe(negZ);
    expect(mm(asm.fmax, D, negZ, 0n).bits).toBe(0n);
    expect(mm(asm.fmax, D, 0n, negZ).bits).toBe(0n);
    expect(mm(asm.fmin, S, boxed(0), boxed(0x80000000)).bits).toBe(boxed(0x80000000));
    expect(mm(asm.fmax, S, boxed(0x80000000), boxed(0)).bits).toBe(boxed(0));
  });

  it("return the number when one operand is NaN, raising NV only for sNaN", () => {
    expect(mm(asm.fmin, D, QNAN_D, dbits(1))).toEqual({ bits: dbits(1), flags: 0 });
    expect(mm(asm.fmax, D, dbits(-3), QNAN_D)).toEqual({ bits: dbits(-3), flags: 0 });
    expect(mm(asm.fmin, D, SNAN_D, dbits(1))).toEqual({ bits: dbits(1), flags: NV });
    expect(mm(asm.fmax, S, boxed(sbits(2)), boxed(SNAN_S))).toEqual({
      bits: boxed(sbits(2)),
      flags: NV,
    });
  });

  it("return the canonical NaN when both operands are NaN", () => {
    expect(mm(asm.fmin, D, 0xfff8000000000042n, QNAN_D)).toEqual({ bits: QNAN_D, flags: 0 });
    expect(mm(asm.fmax, D, SNAN_D, QNAN_D)).toEqual({ bits: QNAN_D, flags: NV });
    expect(mm(asm.fmin, S, boxed(0xffc00001), boxed(SNAN_S))).toEqual({
      bits: boxed(QNAN_S),
      flags: NV,
    });
  });

  it("pick the smaller / larger number, infinities included", () => {
    expect(mm(asm.fmin, D, dbits(1), dbits(2)).bits).toBe(dbits(1));
    expect(mm(asm.fmax, D, dbits(1), dbits(2)).bits).toBe(dbits(2));
    expect(mm(asm.fmin, D, dbits(-Infinity), dbits(3)).bits).toBe(dbits(-Infinity));
    expect(mm(asm.fmax, D, dbits(-Infinity), dbits(3)).bits).toBe(dbits(3));
    expect(mm(asm.fmax, S, boxed(sbits(Infinity)), boxed(sbits(3))).bits).toBe(boxed(0x7f800000));
    expect(mm(asm.fmin, S, boxed(sbits(-1.5)), boxed(sbits(-1.25)))).toEqual({
      bits: boxed(sbits(-1.5)),
      flags: 0,
    });
  });
});

describe("FCLASS", () => {
  const cases: [string, bigint, number, number][] = [
    // name, binary64 bits, binary32 bits, expected bit
    ["-inf", 0xfff0000000000000n, 0xff800000, 0],
    ["negative normal", dbits(-1), sbits(-1), 1],
    ["negative subnormal", 0x800fffffffffffffn, 0x807fffff, 2],
    ["-0", 1n << 63n, 0x80000000, 3],
    ["+0", 0n, 0, 4],
    ["positive subnormal", 1n, 1, 5],
    ["positive normal", 0x7fefffffffffffffn, 0x7f7fffff, 6],
    ["+inf", 0x7ff0000000000000n, 0x7f800000, 7],
    ["signalling NaN", 0xfff0000000000001n, 0xffbfffff, 8],
    ["quiet NaN", 0x7ff8000000000000n, 0x7fc00000, 9],
  ];
  for (const [name, d, s, bit] of cases) {
    it(`classifies ${name}`, () => {
      const m = new FpMachine();
      m.setFBits(1, d);
      m.setSBits(2, s);
      expect(m.exec(asm.fclass(D, 5, 1))).toBe(true);
      expect(m.exec(asm.fclass(S, 6, 2))).toBe(true);
      expect(m.getX(5)).toBe(1n << BigInt(bit));
      expect(m.getX(6)).toBe(1n << BigInt(bit));
      expect(m.fflags).toBe(0);
    });
  }
});
