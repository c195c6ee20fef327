import { describe, expect, it } from "vitest";
import { FPU_FAULT, FPU_OK, FPU_X87_EXCEPTION } from "../contract.js";
import { SW_B, SW_C1, SW_C2, SW_ES, SW_IE, SW_PE, SW_SF, SW_ZE, TAG_EMPTY } from "../state.js";
import { TestCpu } from "../testing.js";
import { ENV_REAL_16, executeX87, fwait, x87ExceptionPending } from "./execute.js";

const FLD1 = [0xd9, 0xe8];
const FLDPI = [0xd9, 0xeb];
const FLDZ = [0xd9, 0xee];
const FADDP = [0xde, 0xc1];
const FDIV_ST0_ST1 = [0xd8, 0xf1];
const FSQRT = [0xd9, 0xfa];
const FNSTSW_AX = [0xdf, 0xe0];
const FNCLEX = [0xdb, 0xe2];

describe("x87 register stack", () => {
  it("loads constants, adds and pops", () => {
    const c = new TestCpu();
    expect(c.x87(FLD1)).toBe(FPU_OK);
    expect(c.x87(FLDPI)).toBe(FPU_OK);
    expect(c.x87(FADDP)).toBe(FPU_OK);
    expect(c.st(0)).toBeCloseTo(Math.PI + 1, 15);
    expect(c.fpu.top).toBe(7);
    expect(c.fpu.tag(6)).toBe(TAG_EMPTY);
  });

  it("a ninth push is a stack overflow: IE, SF, C1 = 1 and the indefinite on top", () => {
    const c = new TestCpu();
    for (let i = 0; i < 8; i++) c.x87(FLD1);
    expect(c.fpu.fsw & (SW_IE | SW_SF)).toBe(0);
    c.x87(FLDZ);
    expect(c.fpu.fsw & (SW_IE | SW_SF | SW_C1)).toBe(SW_IE | SW_SF | SW_C1);
    expect(c.fpu.regSe(c.fpu.phys(0))).toBe(0xffff);
    expect(c.fpu.regHi(c.fpu.phys(0))).toBe(0xc0000000);
  });

  it("reading an empty register is a stack underflow with C1 = 0", () => {
    const c = new TestCpu();
    c.x87(FLD1);
    c.x87(FADDP); // ST(1) is empty
    expect(c.fpu.fsw & (SW_IE | SW_SF | SW_C1)).toBe(SW_IE | SW_SF);
    expect(Number.isNaN(c.st(0))).toBe(true);
  });
});

describe("x87 undocumented aliases", () => {
  it("FCOM2 keeps the stack, FCOMP3 and FCOMP5 pop it", () => {
    const c = new TestCpu();
    c.x87(FLD1);
    c.x87(FLDZ);
    c.x87([0xdc, 0xd1]); // FCOM2 ST(1): 0 < 1
    expect(c.fpu.top).toBe(6);
    expect(c.fpu.fsw & 0x4500).toBe(0x0100);
    c.x87([0xde, 0xd1]); // FCOMP5
    expect(c.fpu.top).toBe(7);
    c.x87(FLDZ);
    c.x87([0xdc, 0xd9]); // FCOMP3
    expect(c.fpu.top).toBe(7);
  });
});

describe("x87 exceptions", () => {
  it("an unmasked exception leaves the destination, sets ES/B and faults the next waiting instruction", () => {
    const c = new TestCpu();
    new DataView(c.ram.buffer).setUint16(0x100, 0x037b, true); // ZE unmasked
    c.x87([0xd9, 0x2d], 0x100); // FLDCW [0x100]
    c.x87(FLDZ);
    c.x87(FLD1);
    expect(c.x87(FDIV_ST0_ST1)).toBe(FPU_OK); // 1 / 0
    expect(c.st(0)).toBe(1);
    expect(c.fpu.fsw & (SW_ZE | SW_ES | SW_B)).toBe(SW_ZE | SW_ES | SW_B);
    expect(x87ExceptionPending(c.fpu)).toBe(true);
    expect(fwait(c.fpu)).toBe(FPU_X87_EXCEPTION);
    expect(c.x87(FLD1)).toBe(FPU_X87_EXCEPTION);
    // The non-waiting forms still run.
    expect(c.x87(FNSTSW_AX)).toBe(FPU_OK);
    expect(c.lo[0]! & 0xffff).toBe(c.fpu.fsw);
    expect(c.x87(FNCLEX)).toBe(FPU_OK);
    expect(x87ExceptionPending(c.fpu)).toBe(false);
    expect(c.x87(FLD1)).toBe(FPU_OK);
  });

  it("masked invalid operations give the real indefinite", () => {
    const c = new TestCpu();
    c.x87(FLD1);
    c.x87([0xd9, 0xe0]); // FCHS
    c.x87(FSQRT);
    expect(c.fpu.fsw & SW_IE).toBe(SW_IE);
    expect(c.fpu.regSe(c.fpu.phys(0))).toBe(0xffff);
    expect(c.fpu.regHi(c.fpu.phys(0))).toBe(0xc0000000);
  });

  it("a store to a faulting address changes nothing", () => {
    const c = new TestCpu();
    c.x87(FLDPI);
    const before = c.fpu.bytes.slice();
    expect(c.x87([0xdd, 0x1d], 0xfffc)).toBe(FPU_FAULT); // FSTP m64 across the end of RAM
    expect(c.fpu.bytes).toEqual(before);
    expect(c.x87([0xdd, 0x1d], 0x40)).toBe(FPU_OK);
    expect(c.readF64(0x40)).toBe(Math.PI);
    expect(c.fpu.top).toBe(0);
  });
});

describe("x87 environment", () => {
  it("FNSTENV then FLDENV restores the control, status and tag words; FNSTENV masks all", () => {
    const c = new TestCpu();
    c.x87(FLD1);
    c.x87(FLD1);
    c.x87([0xde, 0xf9]); // FDIVP: 1/1 exact
    const { fcw, fsw, ftw } = c.fpu;
    c.x87([0xd9, 0x35], 0x200); // FNSTENV [0x200]
    const v = new DataView(c.ram.buffer, 0x200);
    expect([v.getUint16(0, true), v.getUint16(4, true), v.getUint16(8, true)]).toEqual([
      fcw,
      fsw,
      ftw,
    ]);
    c.x87([0xdb, 0xe3]); // FNINIT
    c.x87([0xd9, 0x25], 0x200); // FLDENV
    expect([c.fpu.fcw, c.fpu.fsw, c.fpu.ftw]).toEqual([fcw, fsw, ftw]);
  });

  it("FNSAVE stores the 108-byte image and reinitializes; FRSTOR brings the stack back", () => {
    const c = new TestCpu();
    c.x87(FLDPI);
    c.x87(FLD1);
    c.x87([0xdd, 0x35], 0x300); // FNSAVE
    expect(c.fpu.ftw).toBe(0xffff);
    expect(c.fpu.fcw).toBe(0x037f);
    const v = new DataView(c.ram.buffer, 0x300);
    expect(v.getUint16(28 + 8, true)).toBe(0x3fff); // ST(0) = 1.0
    expect(v.getUint16(38 + 8, true)).toBe(0x4000); // ST(1) = pi
    c.x87([0xdd, 0x25], 0x300); // FRSTOR
    expect(c.st(0)).toBe(1);
    expect(c.st(1)).toBeCloseTo(Math.PI, 15);
    expect(c.fpu.top).toBe(6);
  });
});

describe("x87 environment layouts for 16-bit and real-mode code", () => {
  it("the 16-bit real-mode image splits FIP/FDP around FOP, and FNSAVE's is 94 bytes", () => {
    const c = new TestCpu();
    c.x87([0xdd, 0x06], 0x40); // FLD m64 [0x40]: FOP = 0x506, FDP = 0x40
    c.fpu.setFip(0x12345, 0);
    c.fpu.setFdp(0x9abcd, 0);
    c.ram.fill(0xee, 0x300, 0x400);
    expect(executeX87(0xd9, 0x36, 0x300, 0, c.fpu, c, c, ENV_REAL_16)).toBe(FPU_OK); // FNSTENV
    const v = new DataView(c.ram.buffer, 0x300);
    expect(v.getUint16(0, true)).toBe(0x037f);
    expect(v.getUint16(6, true)).toBe(0x2345);
    expect(v.getUint16(8, true)).toBe(0x1506);
    expect(v.getUint16(10, true)).toBe(0xabcd);
    expect(v.getUint16(12, true)).toBe(0x9000);
    expect(v.getUint8(14)).toBe(0xee); // 14 bytes only
    c.fpu.setFip(0, 0);
    executeX87(0xd9, 0x26, 0x300, 0, c.fpu, c, c, ENV_REAL_16); // FLDENV
    expect([c.fpu.fipLo, c.fpu.fdpLo, c.fpu.fop]).toEqual([0x12345, 0x9abcd, 0x506]);
    executeX87(0xdd, 0x36, 0x300, 0, c.fpu, c, c, ENV_REAL_16); // FNSAVE
    expect(v.getUint16(14 + 8, true)).toBe(0); // ST(0) = +0.0 loaded from zeroed RAM
    expect(v.getUint8(94)).toBe(0xee);
  });
});

describe("x87 transcendentals (JS Math at double precision, rounded to the precision control)", () => {
  it("FSIN, FCOS, FPTAN, FPATAN, F2XM1, FYL2X", () => {
    const c = new TestCpu();
    c.writeF64(0, Math.PI / 6);
    c.x87([0xdd, 0x05], 0); // FLD m64
    c.x87([0xd9, 0xfe]); // FSIN
    expect(c.st(0)).toBeCloseTo(0.5, 15);
    expect(c.fpu.fsw & SW_PE).toBe(0); // QEMU's FSIN raises no flags
    c.x87([0xd9, 0xff]); // FCOS of 0.5
    expect(c.st(0)).toBeCloseTo(Math.cos(0.5), 15);
    c.x87([0xd9, 0xf2]); // FPTAN pushes 1.0
    expect(c.st(0)).toBe(1);
    expect(c.st(1)).toBeCloseTo(Math.tan(Math.cos(0.5)), 15);
    c.x87([0xd9, 0xf3]); // FPATAN: atan2(ST1, ST0)
    expect(c.st(0)).toBeCloseTo(Math.cos(0.5), 15);
    c.writeF64(8, 8);
    c.x87(FLD1);
    c.x87([0xdd, 0x05], 8);
    c.x87([0xd9, 0xf1]); // FYL2X: 1 * log2(8)
    expect(c.st(0)).toBe(3);
    c.x87(FLD1);
    c.x87([0xd9, 0xf0]); // F2XM1(1) = 1
    expect(c.st(0)).toBe(1);
    expect(c.fpu.fsw & SW_PE).toBe(SW_PE);
  });

  it("F2XM1 and FYL2XP1 outside their domains give IE and the indefinite (as QEMU)", () => {
    const c = new TestCpu();
    c.writeF64(0, 1.5);
    c.x87([0xdd, 0x05], 0);
    c.x87([0xd9, 0xf0]);
    expect(c.fpu.fsw & SW_IE).toBe(SW_IE);
    expect(Number.isNaN(c.st(0))).toBe(true);
    c.x87([0xdb, 0xe3]);
    c.x87(FLD1);
    c.writeF64(0, 0.5);
    c.x87([0xdd, 0x05], 0);
    c.x87([0xd9, 0xf9]); // FYL2XP1: 0.5 > sqrt(2) - 1
    expect(c.fpu.fsw & SW_IE).toBe(SW_IE);
    expect(Number.isNaN(c.st(0))).toBe(true);
  });

  it("an operand of 2^63 or more is out of range: C2 = 1, ST(0) unchanged", () => {
    const c = new TestCpu();
    c.writeF64(0, 2 ** 64);
    c.x87([0xdd, 0x05], 0);
    c.x87([0xd9, 0xfe]);
    expect(c.fpu.fsw & SW_C2).toBe(SW_C2);
    expect(c.st(0)).toBe(2 ** 64);
  });
});
