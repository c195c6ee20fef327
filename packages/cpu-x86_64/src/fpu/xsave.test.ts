import { describe, expect, it } from "vitest";
import { FPU_GP, FPU_OK } from "./contract.js";
import { TestCpu } from "./testing.js";
import { xrstor, xsave } from "./xsave.js";

describe("XSAVE/XRSTOR (x87 and SSE components)", () => {
  it("saves the legacy region and XSTATE_BV, restores it, and initializes absent components", () => {
    const c = new TestCpu();
    c.x87([0xd9, 0xe8]); // FLD1
    c.fpu.setXmm(7, 2, 0x12345678);
    c.fpu.mxcsr = 0x1fc0;
    expect(xsave(c.fpu, c, 0x1000, 0, 3)).toBe(FPU_OK);
    const v = new DataView(c.ram.buffer, 0x1000);
    expect(v.getUint32(512, true)).toBe(3);
    expect(v.getUint32(24, true)).toBe(0x1fc0);
    expect(v.getUint32(160 + 7 * 16 + 8, true)).toBe(0x12345678);

    const d = new TestCpu();
    d.ram.set(c.ram);
    expect(xrstor(d.fpu, d, 0x1000, 0, 3, 3)).toBe(FPU_OK);
    expect(d.fpu.bytes.subarray(0, 416)).toEqual(c.fpu.bytes.subarray(0, 416));

    // XSTATE_BV = 2: the x87 component comes back in its initial configuration.
    new DataView(d.ram.buffer, 0x1000).setUint32(512, 2, true);
    expect(xrstor(d.fpu, d, 0x1000, 0, 3, 3)).toBe(FPU_OK);
    expect(d.fpu.ftw).toBe(0xffff);
    expect(d.fpu.xmm(7, 2)).toBe(0x12345678);
  });

  it("#GP for a misaligned area, a compacted header and XSTATE_BV outside XCR0", () => {
    const c = new TestCpu();
    expect(xsave(c.fpu, c, 0x1010, 0, 3)).toBe(FPU_GP);
    xsave(c.fpu, c, 0x1000, 0, 3);
    const v = new DataView(c.ram.buffer, 0x1000);
    v.setUint32(524, 0x80000000, true);
    expect(xrstor(c.fpu, c, 0x1000, 0, 3, 3)).toBe(FPU_GP);
    v.setUint32(524, 0, true);
    v.setUint32(512, 7, true);
    expect(xrstor(c.fpu, c, 0x1000, 0, 3, 3)).toBe(FPU_GP);
  });
});
