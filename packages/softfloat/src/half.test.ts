import { afterEach, describe, expect, it } from "vitest";
import { exc, NV, NX, OF, UF } from "./flags.js";
import { halfBits, halfToNumber, numberToHalf } from "./half.js";
import { RDN, RNE, RTZ, RUP } from "./rounding.js";

afterEach(() => {
  exc.flags = 0;
});

describe("binary16 decoding", () => {
  it("reads normals, subnormals, zeros, infinities and NaNs", () => {
    expect(halfToNumber(0x3c00, false)).toBe(1);
    expect(halfToNumber(0xc000, false)).toBe(-2);
    expect(halfToNumber(0x7bff, false)).toBe(65504);
    expect(halfToNumber(0x0001, false)).toBe(2 ** -24);
    expect(Object.is(halfToNumber(0x8000, false), -0)).toBe(true);
    expect(halfToNumber(0xfc00, false)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToNumber(0x7e00, false)).toBeNaN();
  });

  it("reads exponent 31 as an ordinary exponent under AHP", () => {
    expect(halfToNumber(0x7c00, true)).toBe(65536);
    expect(halfToNumber(0x7fff, true)).toBe(131008);
  });

  it("round-trips every non-NaN encoding", () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7fff) > 0x7c00) continue;
      expect(halfBits(halfToNumber(h, false))).toBe(h);
    }
  });
});

describe("rounding to binary16", () => {
  it("rounds ties to even and follows directed modes", () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
    expect(numberToHalf(1 + 2 ** -11, RNE, false)).toBe(0x3c00);
    expect(exc.flags).toBe(NX);
    expect(numberToHalf(1 + 2 ** -11, RUP, false)).toBe(0x3c01);
    expect(numberToHalf(-(1 + 2 ** -11), RDN, false)).toBe(0xbc01);
  });

  it("overflows to infinity, or to the largest value towards zero", () => {
    expect(numberToHalf(65520, RNE, false)).toBe(0x7c00);
    expect(exc.flags).toBe(OF | NX);
    expect(numberToHalf(1e6, RTZ, false)).toBe(0x7bff);
  });

  it("underflows to subnormals", () => {
    expect(numberToHalf(3 * 2 ** -26, RNE, false)).toBe(0x0001);
    expect(exc.flags).toBe(UF | NX);
  });

  it("saturates with NV alone under AHP", () => {
    expect(numberToHalf(1e6, RNE, true)).toBe(0x7fff);
    expect(exc.flags).toBe(NV);
    exc.flags = 0;
    expect(numberToHalf(Number.NEGATIVE_INFINITY, RNE, true)).toBe(0xffff);
    expect(exc.flags).toBe(NV);
    exc.flags = 0;
    // 100000 lies halfway between 99968 and 100032 (spacing 64 at exponent 16).
    expect(numberToHalf(100000, RNE, true)).toBe(halfBits(99968));
    expect(exc.flags).toBe(NX);
  });
});
