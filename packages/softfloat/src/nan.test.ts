import { afterEach, describe, expect, it } from "vitest";
import { exc, NV } from "./flags.js";
import {
  NAN_ARM,
  NAN_CANONICAL,
  NAN_X86,
  nanDFromS,
  nanOut,
  nanPolicy,
  nanSFromD,
  pickNanD,
  pickNanS,
} from "./nan.js";

afterEach(() => {
  nanPolicy.mode = NAN_CANONICAL;
  nanPolicy.defaultNegative = false;
  exc.flags = 0;
});

const QNAN_A = 0x7fc00001;
const SNAN_B = 0xff800002 | 0;

describe("NaN propagation", () => {
  it("returns 0 when no operand is a NaN", () => {
    expect(pickNanS(0x3f800000, 0, 0)).toBe(0);
    expect(exc.flags).toBe(0);
  });

  it("canonical: the default NaN, NV for a signalling operand", () => {
    expect(pickNanS(QNAN_A, SNAN_B, 0)).toBe(0x7fc00000);
    expect(exc.flags).toBe(NV);
  });

  it("ARM: a signalling NaN wins over an earlier quiet one, quietened", () => {
    nanPolicy.mode = NAN_ARM;
    expect(pickNanS(QNAN_A, SNAN_B, 0)).toBe(0xffc00002 | 0);
    expect(pickNanS(QNAN_A, 0x7fc00009, 0)).toBe(QNAN_A);
  });

  it("x86: the first NaN operand, quietened", () => {
    nanPolicy.mode = NAN_X86;
    nanPolicy.defaultNegative = true;
    expect(pickNanS(QNAN_A, SNAN_B, 0)).toBe(QNAN_A);
    expect(pickNanS(0, SNAN_B, 0)).toBe(0xffc00002 | 0);
  });

  it("binary64 operands go through nanOut", () => {
    nanPolicy.mode = NAN_ARM;
    expect(pickNanD(0, 0, 5, 0x7ff00000, 0, 0)).toBe(true);
    expect([nanOut.lo, nanOut.hi]).toEqual([5, 0x7ff80000]);
    expect(exc.flags).toBe(NV);
    expect(pickNanD(0, 0x3ff00000, 0, 0, 0, 0)).toBe(false);
  });

  it("converts payloads between formats keeping the leading fraction bits", () => {
    nanPolicy.mode = NAN_ARM;
    expect(nanSFromD(0xe0000000 | 0, 0xfff12345 | 0)).toBe(0xffc91a2f | 0);
    nanDFromS(0x7f812345);
    expect([nanOut.hi, nanOut.lo]).toEqual([0x7ff82468, 0xa0000000 | 0]);
    expect(exc.flags).toBe(NV);
  });
});
