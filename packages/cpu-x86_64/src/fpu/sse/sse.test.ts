import { describe, expect, it } from "vitest";
import { FPU_FAULT, FPU_GP, FPU_OK, FPU_UD } from "../contract.js";
import { TestCpu } from "../testing.js";

function setXmm(c: TestCpu, n: number, words: number[]): void {
  for (const [w, v] of words.entries()) c.fpu.setXmm(n, w, v >>> 0);
}
function xmm(c: TestCpu, n: number): number[] {
  return [0, 1, 2, 3].map((w) => c.fpu.xmm(n, w));
}

describe("SSE integer", () => {
  it("PADDUSB saturates and PSHUFB selects bytes", () => {
    const c = new TestCpu();
    setXmm(c, 0, [0xfff0807f, 0, 0, 0]);
    setXmm(c, 1, [0x10808001, 0, 0, 0]);
    expect(c.sse([0x66, 0x0f, 0xdc, 0xc1])).toBe(FPU_OK);
    expect(xmm(c, 0)).toEqual([0xffffff80, 0, 0, 0]);
    setXmm(c, 2, [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c]);
    setXmm(c, 3, [0x80000f0f, 0, 0, 0x01010101]);
    expect(c.sse([0x66, 0x0f, 0x38, 0x00, 0xd3])).toBe(FPU_OK); // PSHUFB xmm2, xmm3
    expect(xmm(c, 2)).toEqual([0x00000f0f, 0, 0, 0x01010101]);
  });

  it("REX extends the registers: PXOR xmm9, xmm12", () => {
    const c = new TestCpu();
    setXmm(c, 9, [1, 2, 3, 4]);
    setXmm(c, 12, [3, 3, 3, 3]);
    expect(c.sse([0x66, 0x45, 0x0f, 0xef, 0xcc])).toBe(FPU_OK);
    expect(xmm(c, 9)).toEqual([2, 1, 0, 7]);
  });

  it("MMX instructions set TOP = 0 and tag every register valid; EMMS empties them", () => {
    const c = new TestCpu();
    c.fpu.top = 5;
    expect(c.sse([0x0f, 0xfc, 0xc1])).toBe(FPU_OK); // PADDB mm0, mm1
    expect(c.fpu.top).toBe(0);
    expect(c.fpu.ftw).toBe(0);
    expect(c.fpu.regSe(0)).toBe(0xffff);
    expect(c.sse([0x0f, 0x77])).toBe(FPU_OK);
    expect(c.fpu.ftw).toBe(0xffff);
  });

  it("aligned forms #GP on a misaligned operand, unaligned ones do not", () => {
    const c = new TestCpu();
    c.ram.fill(0xab, 0x108, 0x118);
    expect(c.sse([0x66, 0x0f, 0x6f, 0x05], 0x108)).toBe(FPU_GP); // MOVDQA
    expect(c.sse([0x66, 0x0f, 0xfe, 0x05], 0x108)).toBe(FPU_GP); // PADDD
    expect(xmm(c, 0)).toEqual([0, 0, 0, 0]);
    expect(c.sse([0xf3, 0x0f, 0x6f, 0x05], 0x108)).toBe(FPU_OK); // MOVDQU
    expect(xmm(c, 0)).toEqual([0xabababab, 0xabababab, 0xabababab, 0xabababab]);
  });

  it("a faulting memory operand leaves the register unchanged", () => {
    const c = new TestCpu();
    c.faultFrom = 0x8000;
    setXmm(c, 0, [1, 2, 3, 4]);
    expect(c.sse([0x66, 0x0f, 0xfe, 0x05], 0x8000)).toBe(FPU_FAULT);
    expect(xmm(c, 0)).toEqual([1, 2, 3, 4]);
  });

  it("MASKMOVDQU stores the bytes whose mask bit is set at [RDI]", () => {
    const c = new TestCpu();
    c.set(7, 0x400, 0);
    c.ram.fill(0x11, 0x400, 0x410);
    setXmm(c, 0, [0x44332211, 0x88776655, 0xccbbaa99, 0x00ffeedd]);
    setXmm(c, 1, [0x80008000, 0, 0, 0xff000000]);
    expect(c.sse([0x66, 0x0f, 0xf7, 0xc1])).toBe(FPU_OK);
    expect([...c.ram.subarray(0x400, 0x410)]).toEqual([
      0x11, 0x22, 0x11, 0x44, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
      0x00,
    ]);
  });

  it("PTEST sets ZF and CF", () => {
    const c = new TestCpu();
    setXmm(c, 0, [0xf0, 0, 0, 0]);
    setXmm(c, 1, [0x0f, 0, 0, 0]);
    c.rflags = 0x8d7;
    expect(c.sse([0x66, 0x0f, 0x38, 0x17, 0xc1])).toBe(FPU_OK);
    expect(c.rflags & 0x8d5).toBe(0x40); // ZF: no common bits; CF clear: ~a & b != 0
  });

  it("undefined encodings are #UD", () => {
    const c = new TestCpu();
    expect(c.sse([0xf2, 0x0f, 0xfe, 0xc1])).toBe(FPU_UD); // PADDD with F2
    expect(c.sse([0x66, 0x0f, 0x77])).toBe(FPU_UD); // EMMS with 66
    expect(c.sse([0x0f, 0x6c, 0xc1])).toBe(FPU_UD); // PUNPCKLQDQ has no MMX form
    expect(c.sse([0x66, 0x0f, 0x38, 0xf8, 0xc1])).toBe(FPU_UD);
  });

  it("LDMXCSR rejects reserved bits with #GP; STMXCSR stores", () => {
    const c = new TestCpu();
    new DataView(c.ram.buffer).setUint32(0x10, 0x12345, true);
    expect(c.sse([0x0f, 0xae, 0x15], 0x10)).toBe(FPU_GP);
    new DataView(c.ram.buffer).setUint32(0x10, 0x9fc0, true);
    expect(c.sse([0x0f, 0xae, 0x15], 0x10)).toBe(FPU_OK);
    expect(c.fpu.mxcsr).toBe(0x9fc0);
    expect(c.sse([0x0f, 0xae, 0x1d], 0x20)).toBe(FPU_OK);
    expect(new DataView(c.ram.buffer).getUint32(0x20, true)).toBe(0x9fc0);
  });
});
