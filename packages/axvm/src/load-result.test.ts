import { AccessWidth } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { bigIntToBytes, bytesToBigInt, loadResult } from "./load-result.js";

describe("loadResult", () => {
  it("zero- or sign-extends from the access width, then fits the register", () => {
    expect(loadResult(0x1ffn, AccessWidth.Byte, false, AccessWidth.Qword)).toBe(0xffn);
    expect(loadResult(0x80n, AccessWidth.Byte, true, AccessWidth.Qword)).toBe(
      0xffff_ffff_ffff_ff80n,
    );
    expect(loadResult(0x8000n, AccessWidth.Word, true, AccessWidth.Dword)).toBe(0xffff_8000n);
    expect(loadResult(0x7fff_ffffn, AccessWidth.Dword, true, AccessWidth.Qword)).toBe(0x7fff_ffffn);
    expect(loadResult(-1n, AccessWidth.Qword, false, AccessWidth.Dword)).toBe(0xffff_ffffn);
  });
});

describe("little-endian conversion", () => {
  it("reads and writes the least significant byte first", () => {
    expect(bytesToBigInt(new Uint8Array([0x78, 0x56, 0x34, 0x12]))).toBe(0x1234_5678n);
    expect([...bigIntToBytes(0x1234_5678n, 4)]).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect([...bigIntToBytes(-2n, 2)]).toEqual([0xfe, 0xff]);
  });
});
