/**
 * A guest can never crash the emulator: random instruction words, at every EL, with the MMU
 * on and off and random system register values, only ever raise architectural exceptions.
 */
import { describe, expect, it } from "vitest";
import { SysReg } from "./sysreg-encoding.js";
import { RAM_BASE, TestMachine } from "./testing/index.js";

/** xorshift32: deterministic random words. */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s | 0;
  };
}

describe("random code", () => {
  for (const model of ["cortex-a57", "max"] as const) {
    for (const el of [2, 1] as const) {
      it(`never throws out of run() (${model}, entered at EL${el})`, () => {
        for (let seed = 1; seed <= 6; seed++) {
          const next = rng(seed * 7919 + el);
          const m = new TestMachine({ model, ramSize: 1 << 20 });
          const words: number[] = [];
          for (let i = 0; i < 16384; i++) words.push(next());
          m.writeWords(RAM_BASE, words);
          const c = m.cpu;
          c.powerOn(RAM_BASE + (Math.abs(next()) % 4096) * 4, 0n, el);
          for (let r = 1; r <= 30; r++)
            c.setX(r, BigInt(RAM_BASE + (Math.abs(next()) % (1 << 20))));
          c.writeSysReg(SysReg.VBAR_EL1, BigInt(RAM_BASE + 0x8000));
          c.writeSysReg(SysReg.VBAR_EL2, BigInt(RAM_BASE + 0x10000));
          if (seed % 3 === 0) {
            // Translation on, with garbage tables.
            c.writeSysReg(SysReg.TTBR0_EL1, BigInt(RAM_BASE + 0x4000));
            c.writeSysReg(SysReg.TCR_EL1, BigInt(next() >>> 0));
            c.writeSysReg(SysReg.SCTLR_EL1, 0x30d00801n);
            c.writeSysReg(SysReg.HCR_EL2, (1n << 31n) | BigInt(next() & 0x7fffffff));
            c.writeSysReg(SysReg.VTCR_EL2, BigInt(next() >>> 0));
            c.writeSysReg(SysReg.VTTBR_EL2, BigInt(RAM_BASE + 0x6000));
          }
          expect(() => {
            for (let k = 0; k < 10; k++) {
              c.run(2000);
              m.ticks += 2000;
              if (!c.poweredOn) break;
            }
          }).not.toThrow();
        }
      });
    }
  }
});
