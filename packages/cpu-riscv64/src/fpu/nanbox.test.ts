import { describe, expect, it } from "vitest";
import { NV } from "./flags.js";
import { asm, boxed, D, FpMachine, S, sbits } from "./testing.js";

const CANONICAL_S = boxed(0x7fc00000);
const ONE_S = 0x3f800000;

describe("NaN-boxing of singles", () => {
  it("writes single results with the upper 32 bits all ones", () => {
    const m = new FpMachine();
    m.setSBits(1, ONE_S);
    m.setSBits(2, ONE_S);
    expect(m.exec(asm.fadd(S, 3, 1, 2))).toBe(true);
    expect(m.getFBits(3)).toBe(0xffffffff40000000n);
  });

  it("reads an improperly boxed single as the canonical (quiet) NaN", () => {
    for (const image of [0x000000003f800000n, 0xfffffffe3f800000n, 0x7fffffff3f800000n]) {
      const m = new FpMachine();
      m.setFBits(1, image);
      m.setSBits(2, ONE_S);
      expect(m.exec(asm.fadd(S, 3, 1, 2))).toBe(true);
      expect(m.getFBits(3)).toBe(CANONICAL_S);
      expect(m.fflags).toBe(0);
      // A double result viewed as a single is improperly boxed too.
      expect(m.exec(asm.fclass(S, 5, 1))).toBe(true);
      expect(m.getX(5)).toBe(1n << 9n);
      expect(m.exec(asm.fcvtDS(4, 1))).toBe(true);
      expect(m.getFBits(4)).toBe(0x7ff8000000000000n);
      expect(m.exec(asm.fmin(S, 6, 1, 2))).toBe(true);
      expect(m.getFBits(6)).toBe(boxed(ONE_S));
      expect(m.exec(asm.feq(S, 7, 2, 1))).toBe(true);
      expect(m.getX(7)).toBe(0n);
      expect(m.fflags).toBe(0);
    }
  });

  it("applies sign injection to the canonical NaN when an operand is not boxed", () => {
    const m = new FpMachine();
    m.setFBits(1, 0x00000000bf800000n);
    m.setSBits(2, 0x80000000);
    expect(m.exec(asm.fsgnj(S, 3, 1, 2))).toBe(true);
    expect(m.getFBits(3)).toBe(boxed(0xffc00000));
    // Boxed rs1 with an unboxed rs2: the sign comes from the canonical NaN (positive).
    m.setSBits(4, sbits(-2));
    expect(m.exec(asm.fsgnj(S, 5, 4, 1))).toBe(true);
    expect(m.getFBits(5)).toBe(boxed(sbits(2)));
  });

  it("moves raw bits with FMV.X.W (sign-extended, box ignored) and boxes with FMV.W.X", () => {
    const m = new FpMachine();
    m.setFBits(1, 0x1234567880000001n);
    expect(m.exec(asm.fmvToX(S, 5, 1))).toBe(true);
    expect(m.getX(5)).toBe(0xffffffff80000001n);
    m.setFBits(1, 0xffffffff7fffffffn);
    expect(m.exec(asm.fmvToX(S, 5, 1))).toBe(true);
    expect(m.getX(5)).toBe(0x7fffffffn);
    m.setX(6, 0x123456787f800001n);
    expect(m.exec(asm.fmvFromX(S, 2, 6))).toBe(true);
    expect(m.getFBits(2)).toBe(0xffffffff7f800001n);
    expect(m.fflags).toBe(0);
  });

  it("moves doubles bit for bit, signalling NaN payloads included", () => {
    const m = new FpMachine();
    m.setX(7, 0x7ff0000000000abcn);
    expect(m.exec(asm.fmvFromX(D, 3, 7))).toBe(true);
    expect(m.getFBits(3)).toBe(0x7ff0000000000abcn);
    expect(m.exec(asm.fsgnjn(D, 4, 3, 3))).toBe(true);
    expect(m.getFBits(4)).toBe(0xfff0000000000abcn);
    expect(m.exec(asm.fsgnjx(D, 5, 4, 4))).toBe(true);
    expect(m.getFBits(5)).toBe(0x7ff0000000000abcn);
    expect(m.exec(asm.fmvToX(D, 8, 4))).toBe(true);
    expect(m.getX(8)).toBe(0xfff0000000000abcn);
    expect(m.fflags).toBe(0);
  });

  it("keeps signalling single NaNs intact through sign injection", () => {
    const m = new FpMachine();
    m.setSBits(1, 0x7f800001);
    m.setSBits(2, 0x80000000);
    expect(m.exec(asm.fsgnj(S, 3, 1, 2))).toBe(true);
    expect(m.getFBits(3)).toBe(boxed(0xff800001));
    expect(m.fflags).toBe(0);
    expect(m.exec(asm.fadd(S, 4, 3, 3))).toBe(true);
    expect(m.fflags).toBe(NV);
  });
});
