import { afterEach, describe, expect, it } from "vitest";
import { f64FromWords, f64HiWord, f64LoWord, pow2 } from "./bits.js";
import { mulD } from "./double.js";
import { exc, FLUSHED, INPUT_DENORMAL, NX, UF } from "./flags.js";
import { flushInput, flushOutput } from "./flush.js";
import { policy } from "./policy.js";
import { RNE, RTZ } from "./rounding.js";
import { mulS } from "./single.js";

afterEach(() => {
  policy.tininessBeforeRounding = false;
  policy.flushToZero = false;
  exc.flags = 0;
});

/** (1 + 2^-52) * (2^-1022 - 2^-1074): exact value just below 2^-1022, rounds up to it under RNE. */
const A = 1 + 2 ** -52;
const B = f64FromWords(-1, 0x000fffff);

describe("tininess detection", () => {
  it("after rounding (RISC-V, x86): a result that rounds up to 2^emin is not tiny", () => {
    expect(mulD(A, B, RNE)).toBe(2 ** -1022);
    expect(exc.flags).toBe(NX);
  });

  it("before rounding (ARM): the same result raises UF", () => {
    policy.tininessBeforeRounding = true;
    expect(mulD(A, B, RNE)).toBe(2 ** -1022);
    expect(exc.flags).toBe(UF | NX);
  });

  it("applies to binary32 too", () => {
    policy.tininessBeforeRounding = true;
    const a = Math.fround(1 + 2 ** -23);
    const b = Math.fround(2 ** -126 - 2 ** -149);
    expect(mulS(a, b, RNE)).toBe(2 ** -126);
    expect(exc.flags).toBe(UF | NX);
  });
});

describe("flush to zero", () => {
  it("replaces a result tiny before rounding by a signed zero, raising only FLUSHED", () => {
    policy.flushToZero = true;
    const r = mulD(-A, B, RTZ);
    expect(Object.is(r, -0)).toBe(true);
    expect(exc.flags).toBe(FLUSHED);
  });

  it("flushes inputs and exact outputs with their own flags", () => {
    const sub = pow2(-1070);
    expect(Object.is(flushInput(-sub, 2 ** -1022), -0)).toBe(true);
    expect(exc.flags).toBe(INPUT_DENORMAL);
    exc.flags = 0;
    expect(flushInput(2 ** -1022, 2 ** -1022)).toBe(2 ** -1022);
    expect(flushOutput(sub, 2 ** -1022)).toBe(0);
    expect(exc.flags).toBe(FLUSHED);
  });

  it("leaves normal results alone", () => {
    policy.flushToZero = true;
    const r = mulD(3, 5, RNE);
    expect([f64HiWord(r), f64LoWord(r)]).toEqual([0x402e0000, 0]);
    expect(exc.flags).toBe(0);
  });
});
