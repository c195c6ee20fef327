import { describe, expect, it } from "vitest";
import { FPU_GP, FPU_OK } from "./contract.js";
import { fxrstor, fxsave, MXCSR_MASK } from "./fxsave.js";
import { TestCpu } from "./testing.js";

describe("FXSAVE/FXRSTOR", () => {
  it("stores the 512-byte layout: control words, abridged tags, MXCSR, ST(i), XMM", () => {
    const c = new TestCpu();
    c.x87([0xd9, 0xe8]); // FLD1: TOP = 7, R7 valid
    c.fpu.mxcsr = 0x1fa0;
    c.fpu.setXmm(15, 3, 0xdeadbeef);
    c.ram.fill(0x5a, 0x1000, 0x1200);
    expect(fxsave(c.fpu, c, 0x1000, 0, true)).toBe(FPU_OK);
    const v = new DataView(c.ram.buffer, 0x1000);
    expect(v.getUint16(0, true)).toBe(0x037f);
    expect(v.getUint16(2, true)).toBe(0x3800);
    expect(v.getUint8(4)).toBe(0x80);
    expect(v.getUint32(24, true)).toBe(0x1fa0);
    expect(v.getUint32(28, true)).toBe(MXCSR_MASK);
    expect(v.getUint16(40, true)).toBe(0x3fff); // ST(0) exponent
    expect(v.getUint32(36, true)).toBe(0x80000000);
    expect(v.getUint32(160 + 15 * 16 + 12, true)).toBe(0xdeadbeef);
    expect(v.getUint8(464)).toBe(0x5a); // the reserved tail is left alone
  });

  it("restores what it saved and rebuilds the full tag word", () => {
    const c = new TestCpu();
    c.x87([0xd9, 0xee]); // FLDZ
    c.x87([0xd9, 0xe8]); // FLD1
    c.fpu.setXmm(3, 0, 42);
    fxsave(c.fpu, c, 0x2000, 0, true);
    const saved = c.fpu.bytes.slice();
    const d = new TestCpu();
    d.ram.set(c.ram);
    expect(fxrstor(d.fpu, d, 0x2000, 0, true)).toBe(FPU_OK);
    expect(d.fpu.ftw).toBe(0x4fff); // R6 valid (1.0), R7 zero (01), others empty (11)
    expect(d.fpu.bytes.subarray(0, 416)).toEqual(saved.subarray(0, 416));
  });

  it("outside 64-bit mode (xmmRegs = 8) XMM8-15 are neither stored nor loaded", () => {
    const c = new TestCpu();
    c.fpu.setXmm(8, 0, 0x1234);
    c.ram.fill(0x77, 0x1000, 0x1200);
    fxsave(c.fpu, c, 0x1000, 0, false, 8);
    const v = new DataView(c.ram.buffer, 0x1000);
    expect(v.getUint32(160 + 8 * 16, true)).toBe(0x77777777);
    v.setUint32(160 + 7 * 16, 5, true);
    expect(fxrstor(c.fpu, c, 0x1000, 0, false, 8)).toBe(FPU_OK);
    expect([c.fpu.xmm(7, 0), c.fpu.xmm(8, 0)]).toEqual([5, 0x1234]);
  });

  it("#GP for a misaligned area and for reserved MXCSR bits", () => {
    const c = new TestCpu();
    expect(fxsave(c.fpu, c, 0x1008, 0, true)).toBe(FPU_GP);
    fxsave(c.fpu, c, 0x1000, 0, true);
    new DataView(c.ram.buffer).setUint32(0x1000 + 24, 0x10000, true);
    expect(fxrstor(c.fpu, c, 0x1000, 0, true)).toBe(FPU_GP);
  });
});
