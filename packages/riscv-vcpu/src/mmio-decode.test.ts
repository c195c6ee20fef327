import { AccessWidth } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import {
  decodeFetched,
  decodeHtinst,
  NO_ACCESS,
  PSEUDO_PT_READ,
  packedIsStore,
  packedLength,
  packedReg,
  packedSignExtend,
  packedWidth,
  packFetched,
  packHtinst,
} from "./mmio-decode.js";

// Encodings worked out from the base ISA tables:
//   lb   a0, 0(a1)  = imm 0 | rs1 11 | funct3 0 | rd 10 | 0000011 = 0x00058503
//   lhu  t0, 2(a0)  = imm 2 | rs1 10 | funct3 5 | rd 5  | 0000011 = 0x00255283
//   lw   s1, 8(sp)  = imm 8 | rs1 2  | funct3 2 | rd 9  | 0000011 = 0x00812483
//   ld   a5, 0(a0)  = 0x00053783
//   sb   a0, 0(a1)  = rs2 10 | rs1 11 | funct3 0 | 0100011   = 0x00a58023
//   sd   t1, 16(s0) = imm[11:5] 0 | rs2 6 | rs1 8 | funct3 3 | imm[4:0] 16 | 0100011 = 0x00643823
describe("decoding the faulting access", () => {
  it("decodes standard loads with their sign extension and destination", () => {
    expect(decodeFetched(0x00058503)).toEqual({
      isStore: false,
      width: AccessWidth.Byte,
      signExtend: true,
      reg: 10,
      length: 4,
    });
    expect(decodeFetched(0x00255283)).toMatchObject({
      width: AccessWidth.Word,
      signExtend: false,
      reg: 5,
    });
    expect(decodeFetched(0x00812483)).toMatchObject({
      width: AccessWidth.Dword,
      signExtend: true,
      reg: 9,
    });
    expect(decodeFetched(0x00053783)).toMatchObject({
      width: AccessWidth.Qword,
      signExtend: false,
      reg: 15,
    });
  });

  it("decodes standard stores with their source register", () => {
    expect(decodeFetched(0x00a58023)).toEqual({
      isStore: true,
      width: AccessWidth.Byte,
      signExtend: false,
      reg: 10,
      length: 4,
    });
    expect(decodeFetched(0x00643823)).toMatchObject({
      isStore: true,
      width: AccessWidth.Qword,
      reg: 6,
    });
  });

  // c.lw a0, 0(a1): funct3 010 | uimm 0 | rs1' 011 | uimm 0 | rd' 010 | 00 = 0x4188
  // c.sd a2, 8(a0): funct3 111 | uimm[5:3]=001 | rs1' 010 | uimm[7:6]=00 | rs2' 100 | 00 = 0xe510
  // c.lwsp a3, 4(sp): 010 | uimm[5]=0 | rd 13 | uimm[4:2|7:6]=001 00 | 10 = 0x46a2... see below
  it("decodes compressed loads and stores", () => {
    expect(decodeFetched(0x4188)).toEqual({
      isStore: false,
      width: AccessWidth.Dword,
      signExtend: true,
      reg: 10,
      length: 2,
    });
    expect(decodeFetched(0xe510)).toEqual({
      isStore: true,
      width: AccessWidth.Qword,
      signExtend: false,
      reg: 12,
      length: 2,
    });
    // c.lwsp a3, 4(sp) = 010 0 01101 00100 10 -> 0b0100_0110_1001_0010 = 0x4692
    expect(decodeFetched(0x4692)).toMatchObject({
      isStore: false,
      width: AccessWidth.Dword,
      reg: 13,
    });
    // c.sdsp a4, 0(sp) = 111 000000 01110 10 = 0b1110_0000_0011_1010 = 0xe03a
    expect(decodeFetched(0xe03a)).toMatchObject({
      isStore: true,
      width: AccessWidth.Qword,
      reg: 14,
    });
  });

  it("reads the original length from bit 1 of a transformed htinst", () => {
    // c.lw a0, 0(a1) expands to lw a0, 0(a1) = 0x0005a503; transformed: rs1 cleared, bit 1 cleared.
    expect(decodeHtinst(0x00002501)).toMatchObject({
      width: AccessWidth.Dword,
      reg: 10,
      length: 2,
    });
    // sw a0, 0(a1) transformed: rs1 cleared = 0x00a02023
    expect(decodeHtinst(0x00a02023)).toMatchObject({ isStore: true, reg: 10, length: 4 });
  });

  it("leaves zero, pseudo-instructions and non-memory instructions to the caller", () => {
    expect(decodeHtinst(0)).toBeNull();
    expect(decodeHtinst(PSEUDO_PT_READ)).toBeNull();
    expect(decodeFetched(0x00000013)).toBeNull(); // addi x0, x0, 0
    expect(decodeFetched(0x0005f503)).toBeNull(); // funct3 7 load does not exist
  });

  it("packs the exit path's decode into one small integer with the same fields", () => {
    // sd x31, 0(x0) transformed (rs1 cleared): the widest register number and width.
    const sd = packHtinst(0x01f03023);
    expect(Number.isInteger(sd) && sd >= 0 && sd < 2 ** 30).toBe(true);
    expect([packedIsStore(sd), packedWidth(sd), packedReg(sd), packedLength(sd)]).toEqual([
      true,
      AccessWidth.Qword,
      31,
      4,
    ]);
    // c.lw a0, 0(a1): a sign-extending 4-byte load from a 2-byte instruction.
    const clw = packFetched(0x4188);
    expect([packedIsStore(clw), packedWidth(clw), packedSignExtend(clw), packedReg(clw)]).toEqual([
      false,
      AccessWidth.Dword,
      true,
      10,
    ]);
    expect(packedLength(clw)).toBe(2);
    expect(packHtinst(0)).toBe(NO_ACCESS);
    expect(packFetched(0x00000013)).toBe(NO_ACCESS);
  });
});
