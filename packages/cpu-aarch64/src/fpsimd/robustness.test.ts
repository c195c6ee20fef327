/**
 * A guest can put any word in the FP/SIMD groups: every one must either execute, be
 * UNDEFINED or fault, without a host exception, under any FPCR and register contents.
 */
import { describe, expect, it } from "vitest";
import { FPSIMD_FAULT, FPSIMD_OK, FPSIMD_UNDEFINED } from "./contract.js";
import { rng } from "./qemu-diff/cases.js";
import { FpSimdMachine, MEM_BASE } from "./testing.js";

function fuzz(group: number, count: number, seed: number): Map<number, number> {
  const next = rng(seed);
  const m = new FpSimdMachine();
  m.regs.crypto = true;
  const outcomes = new Map<number, number>();
  for (let k = 0; k < count; k++) {
    if ((k & 255) === 0) {
      for (let i = 0; i < 128; i++) m.regs.i32[i] = next() | 0;
      // Bases point into memory for some registers, anywhere for others.
      for (let x = 0; x < 31; x++) m.setX(x, BigInt(x & 1 ? MEM_BASE + (next() % 0x8000) : next()));
      m.regs.fpcr = next() & 0x07c00000;
    }
    const insn = ((next() & ~0x0e000000) | group) >>> 0;
    const r = m.exec(insn);
    outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
  }
  return outcomes;
}

describe("random encodings never raise host errors", () => {
  it("data processing (bits 27:25 = 111)", () => {
    const o = fuzz(0x0e000000, 300_000, 1);
    expect([...o.keys()].every((r) => r === FPSIMD_OK || r === FPSIMD_UNDEFINED)).toBe(true);
    expect(o.get(FPSIMD_OK)).toBeGreaterThan(30_000);
  });

  it("loads and stores (bits 27:25 = 110)", () => {
    const o = fuzz(0x0c000000, 300_000, 2);
    expect(
      [...o.keys()].every((r) => r === FPSIMD_OK || r === FPSIMD_UNDEFINED || r === FPSIMD_FAULT),
    ).toBe(true);
    expect(o.get(FPSIMD_OK)).toBeGreaterThan(10_000);
  });
});
