import { afterEach, describe, expect, it } from "vitest";
import {
  floatToInt,
  I32,
  I64,
  intOut,
  roundToIntegral,
  SATURATE_INDEFINITE,
  SATURATE_NAN_MAX,
  SATURATE_NAN_ZERO,
  U32,
  U64,
} from "./convert.js";
import { exc, NV, NX } from "./flags.js";
import { RMM, RNE, RTZ, RUP } from "./rounding.js";

afterEach(() => {
  exc.flags = 0;
});

function conv(v: number, rm: number, kind: number, sat: number): [number, number, number] {
  exc.flags = 0;
  floatToInt(v, rm, kind, sat);
  return [intOut.lo, intOut.hi, exc.flags];
}

describe("float to integer", () => {
  it("rounds under the mode and raises NX when inexact", () => {
    expect(conv(2.5, RNE, I32, SATURATE_NAN_ZERO)).toEqual([2, 0, NX]);
    expect(conv(2.5, RMM, I32, SATURATE_NAN_ZERO)).toEqual([3, 0, NX]);
    expect(conv(-2.5, RTZ, I32, SATURATE_NAN_ZERO)).toEqual([-2, -1, NX]);
    expect(conv(2 ** 40 + 0.5, RUP, I64, SATURATE_NAN_ZERO)).toEqual([1, 256, NX]);
  });

  it("saturates per architecture", () => {
    expect(conv(Number.NaN, RNE, I32, SATURATE_NAN_ZERO)).toEqual([0, 0, NV]);
    expect(conv(Number.NaN, RNE, I32, SATURATE_NAN_MAX)).toEqual([0x7fffffff, 0, NV]);
    expect(conv(-1, RNE, U64, SATURATE_NAN_ZERO)).toEqual([0, 0, NV]);
    expect(conv(3e9, RNE, I32, SATURATE_NAN_ZERO)).toEqual([0x7fffffff, 0, NV]);
    expect(conv(1e30, RNE, U32, SATURATE_NAN_ZERO)).toEqual([-1, 0, NV]);
    expect(conv(-1e30, RNE, I64, SATURATE_NAN_ZERO)).toEqual([0, -2147483648, NV]);
    expect(conv(3e9, RNE, I32, SATURATE_INDEFINITE)).toEqual([-2147483648, -1, NV]);
    expect(conv(Number.NaN, RNE, I64, SATURATE_INDEFINITE)).toEqual([0, -2147483648, NV]);
  });

  it("keeps the sign of a zero result", () => {
    expect(Object.is(roundToIntegral(-0.25, RNE), -0)).toBe(true);
    expect(Object.is(roundToIntegral(-0.75, RUP), -0)).toBe(true);
  });
});
