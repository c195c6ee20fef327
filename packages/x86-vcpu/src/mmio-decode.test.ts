import { describe, expect, it } from "vitest";
import { GPR_HIGH8, GPR_LOW8, GPR_LOW16 } from "./gpr.js";
import { decodeMmio } from "./mmio-decode.js";

const LONG = { long: true, default32: true };
const REAL = { long: false, default32: false };
const PM32 = { long: false, default32: true };
const d = (bytes: number[], mode = LONG) => decodeMmio(Uint8Array.from(bytes), mode);

describe("decodeMmio", () => {
  it("decodes the loads readb/w/l/q compile to, with the destination view and length", () => {
    expect(d([0x8b, 0x03])).toEqual({
      kind: "load",
      length: 2,
      width: 4,
      reg: 0,
      regWidth: 4,
      signExtend: false,
    });
    expect(d([0x48, 0x8b, 0x43, 0x10])).toMatchObject({ length: 4, width: 8, reg: 0, regWidth: 8 });
    expect(d([0x44, 0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00])).toMatchObject({
      length: 8,
      width: 4,
      reg: 8,
    });
    expect(d([0x8a, 0x07])).toMatchObject({ width: 1, reg: GPR_LOW8 + 0, regWidth: 1 });
    // Without REX, reg 4-7 of a byte operation are AH..BH; with REX they are SPL..DIL.
    expect(d([0x8a, 0x27])).toMatchObject({ width: 1, reg: GPR_HIGH8 + 0 });
    expect(d([0x40, 0x8a, 0x37])).toMatchObject({ width: 1, reg: GPR_LOW8 + 6 });
    expect(d([0x66, 0x8b, 0x0f])).toMatchObject({ width: 2, reg: GPR_LOW16 + 1, regWidth: 2 });
  });

  it("decodes MOVZX/MOVSX/MOVSXD with their extension and register width", () => {
    expect(d([0x0f, 0xb6, 0x07])).toMatchObject({
      width: 1,
      reg: 0,
      regWidth: 4,
      signExtend: false,
      length: 3,
    });
    expect(d([0x48, 0x0f, 0xbf, 0x07])).toMatchObject({
      width: 2,
      reg: 0,
      regWidth: 8,
      signExtend: true,
    });
    expect(d([0x66, 0x0f, 0xbe, 0x07])).toMatchObject({
      width: 1,
      reg: GPR_LOW16,
      regWidth: 2,
      signExtend: true,
    });
    expect(d([0x48, 0x63, 0x07])).toMatchObject({ width: 4, regWidth: 8, signExtend: true });
    expect(d([0x63, 0x07]).kind).toBe("unsupported");
  });

  it("decodes stores from registers and immediates (imm32 sign-extended to 64 bits)", () => {
    expect(d([0x89, 0x07])).toEqual({ kind: "store", length: 2, width: 4, reg: 0, imm: 0n });
    expect(d([0x66, 0x89, 0x47, 0x04])).toMatchObject({
      kind: "store",
      width: 2,
      reg: GPR_LOW16,
      length: 4,
    });
    expect(d([0x88, 0x3f])).toMatchObject({ kind: "store", width: 1, reg: GPR_HIGH8 + 3 });
    expect(d([0xc7, 0x07, 0x78, 0x56, 0x34, 0x12])).toEqual({
      kind: "store",
      length: 6,
      width: 4,
      reg: -1,
      imm: 0x1234_5678n,
    });
    expect(d([0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff])).toMatchObject({
      width: 8,
      imm: 0xffff_ffff_ffff_ffffn,
      length: 7,
    });
    expect(d([0xc6, 0x47, 0x08, 0x80])).toMatchObject({ width: 1, imm: 0x80n, length: 4 });
    expect(d([0xc7, 0x0f, 0, 0, 0, 0]).kind).toBe("unsupported");
  });

  it("sizes memory-offset forms, ModRM/SIB/displacements and prefixes by the CPU mode", () => {
    expect(d([0xa1, 1, 2, 3, 4, 5, 6, 7, 8])).toMatchObject({ kind: "load", length: 9, width: 4 });
    expect(d([0xa2, 0, 0, 0xfe, 0xfe], PM32)).toMatchObject({
      kind: "store",
      length: 5,
      width: 1,
      reg: GPR_LOW8,
    });
    // Real mode: 16-bit operands and addresses; 66/67 switch to 32.
    expect(d([0x8b, 0x07], REAL)).toMatchObject({ width: 2, reg: GPR_LOW16, length: 2 });
    expect(d([0x66, 0x8b, 0x07], REAL)).toMatchObject({ width: 4, reg: 0 });
    expect(d([0x8b, 0x06, 0x34, 0x12], REAL)).toMatchObject({ length: 4 });
    expect(d([0x67, 0x8b, 0x05, 0, 0, 0, 0], REAL)).toMatchObject({ length: 7 });
    expect(d([0x26, 0xa0, 0x00, 0x00], REAL)).toMatchObject({ length: 4, width: 1 });
    expect(d([0x8b, 0x04, 0x25, 0, 0, 0xe0, 0xfe])).toMatchObject({ length: 7 });
    expect(d([0x8b, 0x44, 0x24, 0x08])).toMatchObject({ length: 4 });
  });

  it("refuses what it cannot emulate instead of guessing", () => {
    expect(d([0xff, 0x07])).toMatchObject({ kind: "unsupported", reason: "opcode ff" });
    expect(d([0x8b, 0xc0])).toMatchObject({ kind: "unsupported", reason: "register operand" });
    expect(d([0xc7, 0x07, 0x01])).toMatchObject({
      kind: "unsupported",
      reason: "truncated immediate",
    });
    expect(d([])).toMatchObject({ kind: "unsupported" });
  });
});
