import { describe, expect, it } from "vitest";
import { NV, NX } from "./flags.js";
import { asm, D, DYN, FpMachine, L, LU, RDN, RMM, RNE, RTZ, RUP, S, W, WU } from "./testing.js";

describe("instruction encoding", () => {
  it("matches what GNU as emits for the same mnemonics", () => {
    // Encodings taken from riscv64-linux-gnu-as -march=rv64gc + objdump.
    expect(asm.fadd(D, 4, 1, 2, DYN)).toBe(0x0220f253);
    expect(asm.fsub(S, 5, 6, 7, RTZ)).toBe(0x087312d3);
    expect(asm.fmul(D, 31, 30, 29, RNE)).toBe(0x13df0fd3);
    expect(asm.fdiv(S, 1, 2, 3, RMM)).toBe(0x183140d3);
    expect(asm.fsqrt(D, 8, 9, RUP)).toBe(0x5a04b453);
    expect(asm.fsgnjx(S, 1, 2, 3)).toBe(0x203120d3);
    expect(asm.fmax(D, 1, 2, 3)).toBe(0x2a3110d3);
    expect(asm.flt(S, 10, 1, 2)).toBe(0xa0209553);
    expect(asm.fclass(D, 11, 3)).toBe(0xe20195d3);
    expect(asm.fmvToX(S, 12, 4)).toBe(0xe0020653);
    expect(asm.fmvFromX(D, 5, 13)).toBe(0xf20682d3);
    expect(asm.fcvtToInt(WU, D, 10, 1, RTZ)).toBe(0xc2109553);
    expect(asm.fcvtFromInt(S, LU, 2, 11, RDN)).toBe(0xd035a153);
    expect(asm.fcvtSD(1, 2, DYN)).toBe(0x401170d3);
    expect(asm.fcvtDS(1, 2, RNE)).toBe(0x420100d3);
    expect(asm.fmadd(D, 1, 2, 3, 4, DYN)).toBe(0x223170c3);
    expect(asm.fmsub(S, 1, 2, 3, 4, RNE)).toBe(0x203100c7);
    expect(asm.fnmsub(D, 5, 6, 7, 8, RTZ)).toBe(0x427312cb);
    expect(asm.fnmadd(S, 9, 10, 11, 12, RMM)).toBe(0x60b544cf);
  });
});

describe("rounding-mode field", () => {
  // 1 + (2^-53 + 2^-105): just above the midpoint between 1 and 1 + 2^-52.
  const b = 2 ** -53 + 2 ** -105;

  it("uses a static rm over frm", () => {
    const m = new FpMachine();
    m.frm = RNE;
    m.setD(1, 1);
    m.setD(2, b);
    expect(m.exec(asm.fadd(D, 3, 1, 2, RTZ))).toBe(true);
    expect(m.getD(3)).toBe(1);
    expect(m.exec(asm.fadd(D, 3, 1, 2, DYN))).toBe(true);
    expect(m.getD(3)).toBe(1 + 2 ** -52);
    expect(m.fflags).toBe(NX);
  });

  it("uses frm when rm is dynamic", () => {
    const m = new FpMachine();
    m.frm = RTZ;
    m.setD(1, 1);
    m.setD(2, b);
    expect(m.exec(asm.fadd(D, 3, 1, 2, DYN))).toBe(true);
    expect(m.getD(3)).toBe(1);
  });

  it("rejects the reserved static modes 5 and 6 without touching state", () => {
    for (const rm of [5, 6]) {
      const m = new FpMachine();
      m.setD(1, 1);
      m.setD(2, b);
      m.setD(3, 42);
      for (const insn of [
        asm.fadd(D, 3, 1, 2, rm),
        asm.fmul(S, 3, 1, 2, rm),
        asm.fsqrt(D, 3, 1, rm),
        asm.fcvtToInt(W, D, 3, 1, rm),
        asm.fcvtFromInt(D, L, 3, 1, rm),
        asm.fcvtSD(3, 1, rm),
        asm.fcvtDS(3, 1, rm),
        asm.fmadd(D, 3, 1, 2, 2, rm),
      ]) {
        expect(m.exec(insn)).toBe(false);
      }
      expect(m.getD(3)).toBe(42);
      expect(m.x[6]).toBe(0);
      expect(m.fflags).toBe(0);
    }
  });

  it("rejects a dynamic rm when frm holds an invalid mode", () => {
    for (const frm of [5, 6, 7]) {
      const m = new FpMachine();
      m.frm = frm;
      m.setD(1, 1);
      m.setD(2, 2);
      expect(m.exec(asm.fadd(D, 3, 1, 2, DYN))).toBe(false);
      expect(m.exec(asm.fnmadd(S, 3, 1, 2, 2, DYN))).toBe(false);
      // Instructions whose funct3 is not a rounding mode do not care about frm.
      expect(m.exec(asm.fsgnjn(D, 3, 1, 2))).toBe(true);
      expect(m.getD(3)).toBe(-1);
      expect(m.exec(asm.fmin(D, 3, 1, 2))).toBe(true);
      expect(m.exec(asm.feq(D, 5, 1, 1))).toBe(true);
      expect(m.getX(5)).toBe(1n);
    }
  });
});

describe("illegal encodings", () => {
  const m = new FpMachine();
  const cases: [string, number][] = [
    ["half-precision fmt", asm.fadd(S, 1, 2, 3) | (2 << 25)],
    ["quad-precision fmt", asm.fadd(S, 1, 2, 3) | (3 << 25)],
    ["quad fused multiply-add", asm.fmadd(S, 1, 2, 3, 4) | (3 << 25)],
    ["fsqrt with rs2 != 0", asm.fsqrt(D, 1, 2) | (1 << 20)],
    ["fsgnj funct3 = 3", asm.fsgnj(D, 1, 2, 3) | (3 << 12)],
    ["fmin/fmax funct3 = 2", asm.fmin(S, 1, 2, 3) | (2 << 12)],
    ["compare funct3 = 3", asm.feq(D, 1, 2, 3) | (1 << 12)],
    ["fcvt.s.d with rs2 = 0", asm.fcvtSD(1, 2) & ~(1 << 20)],
    ["fcvt.d.s with rs2 = 1", asm.fcvtDS(1, 2) | (1 << 20)],
    ["fcvt to int with rs2 = 4", asm.fcvtToInt(W, D, 1, 2) | (4 << 20)],
    ["fcvt from int with rs2 = 5", asm.fcvtFromInt(S, W, 1, 2) | (5 << 20)],
    ["fmv.x.w with funct3 = 2", asm.fmvToX(S, 1, 2) | (2 << 12)],
    ["fclass with rs2 != 0", asm.fclass(D, 1, 2) | (1 << 20)],
    ["fmv.d.x with funct3 = 1", asm.fmvFromX(D, 1, 2) | (1 << 12)],
    ["unassigned OP-FP funct5", asm.fadd(D, 1, 2, 3) | (0b00110 << 27)],
    ["a non-FP opcode (ADD)", 0x002081b3],
    ["a load (FLD is the core's)", 0x0000b087],
  ];
  for (const [name, insn] of cases) {
    it(`rejects ${name}`, () => {
      expect(m.exec(insn >>> 0)).toBe(false);
    });
  }
});

describe("integer destinations", () => {
  it("never write x0 but still raise flags", () => {
    const m = new FpMachine();
    m.setFBits(1, 0x7ff8000000000000n);
    expect(m.exec(asm.flt(D, 0, 1, 1))).toBe(true);
    expect(m.exec(asm.fclass(D, 0, 1))).toBe(true);
    expect(m.exec(asm.fmvToX(D, 0, 1))).toBe(true);
    expect(m.exec(asm.fcvtToInt(L, D, 0, 1))).toBe(true);
    expect(m.getX(0)).toBe(0n);
    expect(m.fflags).toBe(NV);
  });

  it("accrue flags across instructions without clearing them", () => {
    const m = new FpMachine();
    m.fflags = NX;
    m.setD(1, 1);
    m.setD(2, 2);
    expect(m.exec(asm.fadd(D, 3, 1, 2))).toBe(true);
    expect(m.fflags).toBe(NX);
  });
});
