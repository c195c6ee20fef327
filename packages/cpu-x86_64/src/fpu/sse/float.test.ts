import { describe, expect, it } from "vitest";
import { FPU_OK, FPU_SIMD_EXCEPTION } from "../contract.js";
import { TestCpu } from "../testing.js";

const f32 = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0]!;

function cpuWith(a: number[], b: number[], mxcsr = 0x1f80): TestCpu {
  const c = new TestCpu();
  c.fpu.mxcsr = mxcsr;
  for (const [w, v] of a.entries()) c.fpu.setXmm(0, w, v >>> 0);
  for (const [w, v] of b.entries()) c.fpu.setXmm(1, w, v >>> 0);
  return c;
}
const lanes = (c: TestCpu, n = 0) => [0, 1, 2, 3].map((w) => c.fpu.xmm(n, w));

describe("SSE floating point", () => {
  it("ADDPS rounds under MXCSR.RC and accrues PE", () => {
    const c = cpuWith(
      [f32(1), f32(1), f32(1), f32(1)],
      [f32(2 ** -30), 0, f32(-(2 ** -30)), 0],
      0x5f80,
    ); // RC = up
    expect(c.sse([0x0f, 0x58, 0xc1])).toBe(FPU_OK);
    expect(lanes(c)).toEqual([0x3f800001, f32(1), f32(1), f32(1)]);
    expect(c.fpu.mxcsr & 0x3f).toBe(0x20);
  });

  it("an unmasked exception writes nothing, records the flag and reports #XM", () => {
    const c = cpuWith([f32(1), f32(2), 0, 0], [0, 0, 0, 0], 0x1f80 & ~0x200); // ZM clear
    expect(c.sse([0x0f, 0x5e, 0xc1])).toBe(FPU_SIMD_EXCEPTION); // DIVPS by zero
    expect(lanes(c)).toEqual([f32(1), f32(2), 0, 0]);
    expect(c.fpu.mxcsr & 0x3f).toBe(0x04 | 0x01); // ZE, and IE for 0/0 in lanes 2-3
  });

  it("DAZ reads a denormal operand as zero; FTZ flushes a tiny result with UE and PE", () => {
    const tiny = 0x00000001;
    const daz = cpuWith([tiny, 0, 0, 0], [f32(1), 0, 0, 0], 0x1f80 | 0x40);
    daz.sse([0xf3, 0x0f, 0x59, 0xc1]); // MULSS
    expect(daz.fpu.xmm(0, 0)).toBe(0);
    expect(daz.fpu.mxcsr & 0x3f).toBe(0);
    const ftz = cpuWith([f32(2 ** -100), 0, 0, 0], [f32(2 ** -40), 0, 0, 0], 0x1f80 | 0x8000);
    ftz.sse([0xf3, 0x0f, 0x59, 0xc1]);
    expect(ftz.fpu.xmm(0, 0)).toBe(0);
    expect(ftz.fpu.mxcsr & 0x3f).toBe(0x30);
  });

  it("NaN operands: the first one, quieted; invalid operations give the negative indefinite", () => {
    const c = cpuWith(
      [0x7f800001, f32(Number.POSITIVE_INFINITY), 0, 0],
      [0x7fc00002, f32(Number.NEGATIVE_INFINITY), 0, 0],
    );
    c.sse([0x0f, 0x58, 0xc1]);
    expect(lanes(c).slice(0, 2)).toEqual([0x7fc00001, 0xffc00000]);
    expect(c.fpu.mxcsr & 1).toBe(1);
  });

  it("COMISS and UCOMISS set ZF/PF/CF; only COMISS signals on a quiet NaN", () => {
    const c = cpuWith([f32(1), 0, 0, 0], [f32(2), 0, 0, 0]);
    c.sse([0x0f, 0x2f, 0xc1]);
    expect(c.rflags & 0x45).toBe(0x01);
    const u = cpuWith([0x7fc00000, 0, 0, 0], [f32(2), 0, 0, 0]);
    u.sse([0x0f, 0x2e, 0xc1]);
    expect(u.rflags & 0x45).toBe(0x45);
    expect(u.fpu.mxcsr & 1).toBe(0);
    u.sse([0x0f, 0x2f, 0xc1]);
    expect(u.fpu.mxcsr & 1).toBe(1);
  });

  it("CVTTSS2SI truncates and gives the integer indefinite when out of range", () => {
    const c = cpuWith([f32(-2.75), 0, 0, 0], [f32(3e9), 0, 0, 0]);
    c.sse([0xf3, 0x0f, 0x2c, 0xc0]); // eax <- xmm0
    expect(c.lo[0]).toBe(0xfffffffe);
    c.sse([0xf3, 0x48, 0x0f, 0x2c, 0xc1]); // rax <- xmm1 (64-bit)
    expect([c.lo[0], c.hi[0]]).toEqual([3e9, 0]);
    c.sse([0xf3, 0x0f, 0x2c, 0xc1]);
    expect([c.lo[0], c.hi[0]]).toEqual([0x80000000, 0]);
  });

  it("ROUNDPS uses the immediate's mode and can suppress PE", () => {
    const c = cpuWith([0, 0, 0, 0], [f32(2.5), f32(-2.5), f32(0.3), f32(-0.3)]);
    c.sse([0x66, 0x0f, 0x3a, 0x08, 0xc1, 0x09]); // round down, PE suppressed
    expect(lanes(c)).toEqual([f32(2), f32(-3), 0, f32(-1)]);
    expect(c.fpu.mxcsr & 0x20).toBe(0);
  });

  it("RCPPS and RSQRTPS give QEMU's correctly rounded values and no flags", () => {
    const c = cpuWith([0, 0, 0, 0], [f32(3), f32(4), f32(0), f32(-1)]);
    c.sse([0x0f, 0x53, 0xc1]);
    expect(lanes(c)).toEqual([f32(1 / 3), f32(0.25), f32(Number.POSITIVE_INFINITY), f32(-1)]);
    c.sse([0x0f, 0x52, 0xc1]);
    expect(lanes(c).slice(0, 2)).toEqual([f32(1 / Math.fround(Math.sqrt(3))), f32(0.5)]);
    expect(c.fpu.mxcsr & 0x3f).toBe(0);
  });
});
