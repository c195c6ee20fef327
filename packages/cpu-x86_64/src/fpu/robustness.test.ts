/**
 * A guest can never crash the emulator: every escape byte with every ModRM byte, and every
 * opcode of the three SSE maps with every mandatory prefix, on random register contents (tag
 * words, NaNs, denormals, unsupported encodings) and with memory that sometimes faults, return
 * one of the FpuResult codes without throwing; #UD, a fault or #GP leave the unit's state as
 * it was.
 */
import { describe, expect, it } from "vitest";
import { FPU_FAULT, FPU_GP, FPU_UD, type SseInsn } from "./contract.js";
import { executeSse, sseHasImm8 } from "./index.js";
import { rng } from "./qemu-diff/cases.js";
import { TestCpu } from "./testing.js";
import { executeX87 } from "./x87/execute.js";

function scramble(c: TestCpu, next: () => number): void {
  for (let i = 0; i < c.fpu.bytes.length; i++) c.fpu.bytes[i] = next() & 0xff;
  // Any precision/rounding control and exception masks; no exception pending yet.
  c.fpu.fcw = next() & 0x0f3f;
  c.fpu.fsw = next() & 0x3f00;
  c.fpu.mxcsr = next() & 0xffc0;
  for (let i = 0; i < 16; i++) {
    c.lo[i] = next();
    c.hi[i] = next();
  }
}

function firstChange(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function fillRam(c: TestCpu, next: () => number): void {
  for (let i = 0; i < c.ram.length; i++) c.ram[i] = next() & 0xff;
}

describe("robustness", () => {
  it("every x87 escape and ModRM byte", () => {
    const next = rng(7);
    const c = new TestCpu(0x1000);
    c.faultFrom = 0x800;
    let n = 0;
    for (let op = 0xd8; op <= 0xdf; op++) {
      fillRam(c, next);
      for (let modrm = 0; modrm < 256; modrm++) {
        for (let k = 0; k < 4; k++) {
          scramble(c, next);
          const ea = k === 3 ? 0x7fc : next() & 0x3f0;
          const before = c.fpu.bytes.slice();
          const r = executeX87(op, modrm, ea, 0, c.fpu, c, c, next() & 3);
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(5);
          if (r === FPU_UD || r === FPU_FAULT || r === FPU_GP)
            expect(
              firstChange(before, c.fpu.bytes),
              `${op.toString(16)} ${modrm.toString(16)} -> ${r}`,
            ).toBe(-1);
          n++;
        }
      }
    }
    expect(n).toBe(8 * 256 * 4);
  });

  it("every SSE opcode of maps 0F, 0F38, 0F3A with every prefix", () => {
    const next = rng(11);
    const c = new TestCpu(0x1000);
    c.faultFrom = 0x800;
    for (const map of [1, 2, 3]) {
      fillRam(c, next);
      for (let opcode = 0; opcode < 256; opcode++) {
        for (const prefix of [0, 0x66, 0xf3, 0xf2]) {
          for (let k = 0; k < 3; k++) {
            scramble(c, next);
            const mem = k === 2;
            const insn: SseInsn = {
              prefix,
              map,
              opcode,
              reg: next() & 15,
              rm: mem ? -1 : next() & 15,
              eaLo: next() & 1 ? 0x7f8 : next() & 0x3ff,
              eaHi: 0,
              rexW: (next() & 1) === 1,
              imm8: sseHasImm8(map, prefix, opcode) ? next() & 0xff : 0,
            };
            const before = c.fpu.bytes.slice();
            const r = executeSse(insn, c.fpu, c, c);
            expect(r).toBeGreaterThanOrEqual(0);
            expect(r).toBeLessThanOrEqual(5);
            if (r === FPU_UD || r === FPU_FAULT || r === FPU_GP)
              expect(firstChange(before, c.fpu.bytes), `${JSON.stringify(insn)} -> ${r}`).toBe(-1);
          }
        }
      }
    }
  });
});
