import { describe, expect, it } from "vitest";
import { CSR } from "./csr-numbers.js";
import * as a from "./testing/asm.js";
import { enterMode } from "./testing/modes.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const M64 = (1n << 64n) - 1n;
const DATA = RAM_BASE + 0x2000;

function exec(prog: number[], regs: Record<number, bigint> = {}) {
  const m = makeHart(prog);
  for (const [r, v] of Object.entries(regs)) m.hart.setX(Number(r), v);
  m.hart.writeCsr(CSR.mtvec, BigInt(RAM_BASE + 0x8000));
  m.hart.run(prog.length);
  return m;
}

describe("A extension", () => {
  it("LR/SC succeeds on the reserved address and fails after the reservation is used", () => {
    const m = exec([a.lrD(2, 1), a.scD(3, 1, 4), a.scD(5, 1, 4)], { 1: BigInt(DATA), 4: 99n });
    expect(m.hart.getX(3)).toBe(0n);
    expect(m.hart.getX(5)).toBe(1n);
    expect(m.bus.read64(DATA)).toBe(99n);
  });

  it("SC without a reservation fails and does not write; run() drops reservations", () => {
    const m = makeHart([a.lrW(2, 1), a.scW(3, 1, 4)]);
    m.hart.setX(1, BigInt(DATA));
    m.hart.setX(4, 7n);
    m.hart.run(1);
    m.hart.run(1);
    expect(m.hart.getX(3)).toBe(1n);
    expect(m.bus.read32(DATA)).toBe(0);
  });

  it("SC to a different address than the LR fails", () => {
    const m = exec([a.lrD(2, 1), a.scD(3, 6, 4)], { 1: BigInt(DATA), 6: BigInt(DATA + 8), 4: 1n });
    expect(m.hart.getX(3)).toBe(1n);
  });

  it("AMOs return the old value and store the combination (W results sign-extend)", () => {
    const m = makeHart([
      a.amoaddD(2, 1, 3),
      a.amoswapW(4, 5, 3),
      a.amoxorD(6, 7, 3),
      a.amoandD(8, 7, 3),
      a.amoorW(9, 5, 3),
      a.amominW(10, 11, 12),
      a.amomaxuW(13, 14, 12),
      a.amomaxD(15, 7, 12),
      a.amominuD(16, 17, 12),
    ]);
    const { hart, bus } = m;
    bus.write64(DATA, 0xffff_ffff_ffff_fff0n);
    bus.write64(DATA + 8, 0x8000_0000n); // as W: -2^31
    bus.write64(DATA + 16, 0x0f0fn);
    bus.write64(DATA + 24, 5n); // W min
    bus.write64(DATA + 32, 0x7fff_ffffn); // W maxu
    bus.write64(DATA + 40, 0n); // D min
    hart.setX(1, BigInt(DATA));
    hart.setX(3, 0x20n);
    hart.setX(5, BigInt(DATA + 8));
    hart.setX(7, BigInt(DATA + 16));
    hart.setX(11, BigInt(DATA + 24));
    hart.setX(14, BigInt(DATA + 32));
    hart.setX(17, BigInt(DATA + 40));
    hart.setX(12, M64); // -1 / max unsigned
    hart.run(9);
    expect(hart.getX(2)).toBe(0xffff_ffff_ffff_fff0n);
    expect(bus.read64(DATA)).toBe(0x10n);
    expect(hart.getX(4)).toBe(0xffff_ffff_8000_0000n);
    expect(hart.getX(6)).toBe(0x0f0fn);
    expect(hart.getX(8)).toBe(0x0f2fn); // after xor with 0x20
    expect(bus.read64(DATA + 16)).toBe(0x20n);
    expect(hart.getX(9)).toBe(0x20n);
    expect(bus.read32(DATA + 8)).toBe(0x20);
    expect(hart.getX(10)).toBe(5n);
    expect(bus.read32(DATA + 24)).toBe(0xffff_ffff); // min(5, -1) = -1
    expect(hart.getX(13)).toBe(0x7fff_ffffn);
    expect(bus.read32(DATA + 32)).toBe(0xffff_ffff); // maxu
    expect(hart.getX(15)).toBe(0x20n);
    expect(bus.read64(DATA + 16)).toBe(0x20n); // max(0x20, -1) = 0x20
    expect(hart.getX(16)).toBe(0n);
    expect(bus.read64(DATA + 40)).toBe(0n); // minu(0, max) = 0
  });

  it("misaligned AMOs raise store/AMO address-misaligned (6)", () => {
    const m = exec([a.amoaddW(2, 1, 3)], { 1: BigInt(DATA + 2) });
    expect(m.hart.readCsr(CSR.mcause)).toBe(6n);
    expect(m.hart.readCsr(CSR.mtval)).toBe(BigInt(DATA + 2));
  });
});

describe("F/D loads and stores, FS state", () => {
  it("FP accesses are illegal while mstatus.FS is Off", () => {
    const m = exec([a.fld(1, 2, 0)], { 2: BigInt(DATA) });
    expect(m.hart.readCsr(CSR.mcause)).toBe(2n);
    const c = exec([a.csrr(1, CSR.fcsr)]);
    expect(c.hart.readCsr(CSR.mcause)).toBe(2n);
  });

  it("FLW NaN-boxes, FLD/FSD move 64 bits, and FS/SD become Dirty", () => {
    const { hart, bus } = makeHart([
      a.flw(1, 2, 0),
      a.fld(3, 2, 8),
      a.fsd(3, 2, 16),
      a.fsw(1, 2, 24),
    ]);
    bus.write64(DATA, 0x4049_0fdbn);
    bus.write64(DATA + 8, 0x4009_21fb_5444_2d18n);
    hart.writeCsr(CSR.mstatus, 1n << 13n); // FS = Initial
    hart.setX(2, BigInt(DATA));
    hart.run(4);
    expect(hart.f[2]).toBe(0x4049_0fdb);
    expect(hart.f[3]).toBe(-1);
    expect(bus.read64(DATA + 16)).toBe(0x4009_21fb_5444_2d18n);
    expect(bus.read32(DATA + 24)).toBe(0x4049_0fdb);
    const ms = hart.readCsr(CSR.mstatus);
    expect((ms >> 13n) & 3n).toBe(3n);
    expect(ms >> 63n).toBe(1n);
  });

  it("OP-FP instructions reach the FPU module (fadd.d, fcvt.l.d into an x register)", () => {
    const faddD = a.rType(0x53, 7, 0x01, 3, 1, 2); // fadd.d f3, f1, f2 (dynamic rounding)
    const fcvtLD = a.rType(0x53, 1, 0x61, 5, 3, 2); // fcvt.l.d x5, f3, rtz
    const { hart, bus } = makeHart([
      a.fld(1, 10, 0),
      a.fld(2, 10, 8),
      faddD,
      a.fsd(3, 10, 16),
      fcvtLD,
    ]);
    const dv = new DataView(bus.ram.buffer, bus.ram.byteOffset);
    dv.setFloat64(DATA - RAM_BASE, 1.5, true);
    dv.setFloat64(DATA - RAM_BASE + 8, 2.25, true);
    hart.writeCsr(CSR.mstatus, 1n << 13n);
    hart.setX(10, BigInt(DATA));
    hart.run(5);
    expect(dv.getFloat64(DATA - RAM_BASE + 16, true)).toBe(3.75);
    expect(hart.getX(5)).toBe(3n);
    expect(hart.fflags & 1).toBe(1); // inexact from the conversion
  });

  it("fcsr = frm << 5 | fflags; writes mark FS dirty", () => {
    const { hart } = makeHart([a.csrw(CSR.fcsr, 1), a.csrr(2, CSR.frm), a.csrr(3, CSR.fflags)]);
    hart.writeCsr(CSR.mstatus, 1n << 13n);
    hart.setX(1, 0xffn);
    hart.run(3);
    expect(hart.getX(2)).toBe(7n);
    expect(hart.getX(3)).toBe(0x1fn);
    expect(hart.frm).toBe(7);
    expect(hart.fflags).toBe(0x1f);
    expect((hart.readCsr(CSR.mstatus) >> 13n) & 3n).toBe(3n);
  });

  it("with V=1 both mstatus.FS and vsstatus.FS must be on, and both become Dirty", () => {
    const m = makeHart();
    m.bus.writeWords(RAM_BASE + 0x1000, [a.fld(1, 2, 0), a.fld(1, 2, 0)]);
    m.hart.writeCsr(CSR.mtvec, BigInt(RAM_BASE + 0x8000));
    m.hart.writeCsr(CSR.mstatus, 1n << 13n);
    m.hart.setX(2, BigInt(DATA));
    enterMode(m.hart, m.bus, 1, RAM_BASE + 0x1000, true);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(2n);
    m.hart.writeCsr(CSR.vsstatus, 1n << 13n);
    enterMode(m.hart, m.bus, 1, RAM_BASE + 0x1000, true);
    m.hart.run(1);
    expect(m.hart.getPc()).toBe(BigInt(RAM_BASE + 0x1004));
    expect((m.hart.readCsr(CSR.vsstatus) >> 13n) & 3n).toBe(3n);
    expect((m.hart.readCsr(CSR.mstatus) >> 13n) & 3n).toBe(3n);
  });
});

describe("Zicsr and Zifencei", () => {
  it("csrrs/csrrc/csrrwi/csrrsi/csrrci read the old value and update", () => {
    const m = exec(
      [
        a.csrrw(2, CSR.mscratch, 1),
        a.csrrs(3, CSR.mscratch, 4),
        a.csrrc(5, CSR.mscratch, 6),
        a.csrrwi(7, CSR.mscratch, 31),
        a.csrrsi(8, CSR.mscratch, 0x20 & 31),
        a.csrrci(9, CSR.mscratch, 1),
        a.csrr(10, CSR.mscratch),
      ],
      { 1: 0xf0f0_0000_0000_0001n, 4: 0x0f00n, 6: 0xf000_0000_0000_0000n },
    );
    expect(m.hart.getX(2)).toBe(0n);
    expect(m.hart.getX(3)).toBe(0xf0f0_0000_0000_0001n);
    expect(m.hart.getX(5)).toBe(0xf0f0_0000_0000_0f01n);
    expect(m.hart.getX(7)).toBe(0x00f0_0000_0000_0f01n);
    expect(m.hart.getX(8)).toBe(31n);
    expect(m.hart.getX(9)).toBe(31n);
    expect(m.hart.getX(10)).toBe(30n);
  });

  it("code written by a store is executed after FENCE.I", () => {
    const target = RAM_BASE + 0x100;
    const m = makeHart([a.sw(2, 1, 0), a.FENCE_I, a.jal(0, 0x100 - 8)]);
    m.bus.writeWords(target, [a.addi(5, 0, 1)]);
    m.hart.setX(1, BigInt(target));
    m.hart.setX(2, BigInt(a.addi(5, 0, 2)));
    m.hart.run(4);
    expect(m.hart.getX(5)).toBe(2n);
  });
});
