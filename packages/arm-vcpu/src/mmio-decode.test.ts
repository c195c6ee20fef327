import { AccessWidth } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { decodeLoadStore } from "./mmio-decode.js";

// Encodings from aarch64-linux-gnu-as.
describe("decodeLoadStore (data aborts without ISV)", () => {
  it("decodes the unsigned-offset, unscaled and register-offset forms without writeback", () => {
    expect(decodeLoadStore(0xb9400043)).toEqual({
      isStore: false,
      width: AccessWidth.Dword,
      reg: 3,
      regWidth: AccessWidth.Dword,
      signExtend: false,
    }); // ldr w3, [x2]
    expect(decodeLoadStore(0xf8206841)).toMatchObject({
      isStore: true,
      width: AccessWidth.Qword,
      reg: 1,
    }); // str x1, [x2, x0]
    expect(decodeLoadStore(0x78dfe041)).toEqual({
      isStore: false,
      width: AccessWidth.Word,
      reg: 1,
      regWidth: AccessWidth.Dword,
      signExtend: true,
    }); // ldursh w1, [x2, #-2]
  });

  it("reports the base update of pre- and post-index forms", () => {
    expect(decodeLoadStore(0xb8408465)).toMatchObject({
      reg: 5,
      writeback: { reg: 3, offset: 8 },
    }); // ldr w5, [x3], #8
    expect(decodeLoadStore(0xf81f0fe2)).toMatchObject({
      isStore: true,
      reg: 2,
      writeback: { reg: 31, offset: -16 },
    }); // str x2, [sp, #-16]!
    expect(decodeLoadStore(0x38801c24)).toEqual({
      isStore: false,
      width: AccessWidth.Byte,
      reg: 4,
      regWidth: AccessWidth.Qword,
      signExtend: true,
      writeback: { reg: 1, offset: 1 },
    }); // ldrsb x4, [x1, #1]!
  });

  it("refuses what is no single general-register access: pairs, exclusives, atomics, SIMD, PRFM", () => {
    expect(decodeLoadStore(0xa9400441)).toBeNull(); // ldp x1, x1, [x2]
    expect(decodeLoadStore(0xc85f7c41)).toBeNull(); // ldxr x1, [x2]
    expect(decodeLoadStore(0xf8200041)).toBeNull(); // ldadd x0, x1, [x2]
    expect(decodeLoadStore(0x3d400040)).toBeNull(); // ldr b0, [x2]
    expect(decodeLoadStore(0xf9800040)).toBeNull(); // prfm pldl1keep, [x2]
    expect(decodeLoadStore(0xb9c00040)).toBeNull(); // size 2, opc 3: unallocated
  });
});
