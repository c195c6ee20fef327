/**
 * Scalar floating point, with expected values worked out from the ARM ARM (FPAdd, FPMulAdd,
 * FPCompare, FPConvert, FPToFixed, FPRecipEstimate ...) rather than taken from QEMU.
 * Encodings were produced with GNU as.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FPSIMD_OK, FPSIMD_UNDEFINED } from "./contract.js";
import { isFpSimdDataProcessing, isFpSimdLoadStore } from "./index.js";
import { FPSR_DZC, FPSR_IDC, FPSR_IOC, FPSR_IXC, FPSR_OFC, FPSR_UFC } from "./regs.js";
import { dbits, FpSimdMachine, sbits } from "./testing.js";

const FADD_S = 0x1e222820; // fadd s0, s1, s2
const FADD_D = 0x1e622820; // fadd d0, d1, d2
const FMUL_D = 0x1e620820; // fmul d0, d1, d2
const FDIV_S = 0x1e221820; // fdiv s0, s1, s2
const FSQRT_D = 0x1e61c020; // fsqrt d0, d1
const FMADD_D = 0x1f420c20; // fmadd d0, d1, d2, d3
const FNMUL_S = 0x1e228820; // fnmul s0, s1, s2
const FMAX_S = 0x1e224820; // fmax s0, s1, s2
const FMAXNM_S = 0x1e226820; // fmaxnm s0, s1, s2
const FMUL_S = 0x1e220820; // fmul s0, s1, s2

let m: FpSimdMachine;
beforeEach(() => {
  m = new FpSimdMachine();
});

describe("decode predicates", () => {
  it("recognise the data-processing and load/store groups", () => {
    expect(isFpSimdDataProcessing(FADD_S)).toBe(true);
    expect(isFpSimdDataProcessing(0x4ea28420)).toBe(true); // add v0.4s
    expect(isFpSimdDataProcessing(0x8b020020)).toBe(false); // add x0, x1, x2
    expect(isFpSimdLoadStore(0x3dc00820)).toBe(true); // ldr q0, [x1, #32]
    expect(isFpSimdLoadStore(0xf9400020 | 0)).toBe(false); // ldr x0, [x1]
  });

  it("reports unallocated encodings as UNDEFINED and changes nothing", () => {
    m.setS(1, sbits(1));
    m.setS(0, 0x12345678);
    expect(m.exec(0x1ea22820)).toBe(FPSIMD_UNDEFINED); // fadd with ftype = 10
    expect(m.exec(0x1ee22820)).toBe(FPSIMD_UNDEFINED); // fadd h0 (FP16 is not implemented)
    expect(m.getS(0)).toBe(0x12345678);
    expect(m.regs.fpsr).toBe(0);
  });
});

describe("arithmetic and rounding", () => {
  it("adds exactly and clears the rest of the register", () => {
    m.regs.setV(0, new Array(16).fill(0xff));
    m.setS(1, sbits(1.5));
    m.setS(2, sbits(2.25));
    expect(m.exec(FADD_S)).toBe(FPSIMD_OK);
    expect(m.getS(0)).toBe(sbits(3.75));
    expect(m.getLane64(0, 1)).toBe(0n);
    expect(m.regs.fpsr).toBe(0);
  });

  it("rounds a tie under each FPCR.RMode", () => {
    // 1 + 2^-53 lies halfway between 1 and 1 + 2^-52.
    const cases: [number, number][] = [
      [0, 1],
      [1, 1 + 2 ** -52],
      [2, 1],
      [3, 1],
    ];
    for (const [rmode, want] of cases) {
      m.setFpcr(rmode);
      m.regs.fpsr = 0;
      m.setD(1, dbits(1));
      m.setD(2, dbits(2 ** -53));
      m.exec(FADD_D);
      expect(m.getD(0)).toBe(dbits(want));
      expect(m.regs.fpsr).toBe(FPSR_IXC);
    }
  });

  it("raises DZC for a finite dividend over zero and IOC for sqrt(-1)", () => {
    m.setS(1, sbits(1));
    m.setS(2, 0);
    m.exec(FDIV_S);
    expect(m.getS(0)).toBe(0x7f800000);
    expect(m.regs.fpsr).toBe(FPSR_DZC);
    m.regs.fpsr = 0;
    m.setD(1, dbits(-1));
    m.exec(FSQRT_D);
    expect(m.getD(0)).toBe(0x7ff8000000000000n);
    expect(m.regs.fpsr).toBe(FPSR_IOC);
  });

  it("fuses FMADD: (1+e)(1-e) - 1 is -e^2, not 0", () => {
    m.setD(1, dbits(1 + 2 ** -30));
    m.setD(2, dbits(1 - 2 ** -30));
    m.setD(3, dbits(-1));
    m.exec(FMADD_D);
    expect(m.getD(0)).toBe(dbits(-(2 ** -60)));
    expect(m.regs.fpsr).toBe(0);
  });

  it("negates the product in FNMUL, NaN included", () => {
    m.setS(1, sbits(3));
    m.setS(2, sbits(2));
    m.exec(FNMUL_S);
    expect(m.getS(0)).toBe(sbits(-6));
    m.setS(1, 0x7fc00001);
    m.exec(FNMUL_S);
    expect(m.getS(0)).toBe(0xffc00001);
  });
});

describe("NaNs", () => {
  it("propagates the first signalling NaN, quietened, over an earlier quiet one", () => {
    m.setS(1, 0x7fc00001);
    m.setS(2, 0x7f800002);
    m.exec(FADD_S);
    expect(m.getS(0)).toBe(0x7fc00002);
    expect(m.regs.fpsr).toBe(FPSR_IOC);
  });

  it("returns the default NaN when FPCR.DN is set", () => {
    m.setFpcr(0, { dn: true });
    m.setS(1, 0xffc00001);
    m.setS(2, sbits(1));
    m.exec(FADD_S);
    expect(m.getS(0)).toBe(0x7fc00000);
    expect(m.regs.fpsr).toBe(0);
  });

  it("FMAX propagates a quiet NaN, FMAXNM returns the number", () => {
    m.setS(1, 0x7fc00005);
    m.setS(2, sbits(-3));
    m.exec(FMAX_S);
    expect(m.getS(0)).toBe(0x7fc00005);
    m.exec(FMAXNM_S);
    expect(m.getS(0)).toBe(sbits(-3));
    m.setS(1, 0);
    m.setS(2, 0x80000000);
    m.exec(FMAX_S);
    expect(m.getS(0)).toBe(0); // max(+0, -0) = +0
  });
});

describe("flush to zero and underflow", () => {
  it("FZ reads subnormal inputs as zero and raises IDC", () => {
    m.setS(1, 1); // smallest subnormal
    m.setS(2, sbits(2));
    m.exec(FMUL_S);
    expect(m.getS(0)).toBe(2);
    expect(m.regs.fpsr).toBe(0);
    m.setFpcr(0, { fz: true });
    m.exec(FMUL_S);
    expect(m.getS(0)).toBe(0);
    expect(m.regs.fpsr).toBe(FPSR_IDC);
  });

  it("detects tininess before rounding; FZ flushes such results with UFC alone", () => {
    // (1 + 2^-52) * (2^-1022 - 2^-1074) rounds up to 2^-1022 but is tiny before rounding.
    m.setD(1, dbits(1 + 2 ** -52));
    m.setD(2, 0x000fffffffffffffn);
    m.exec(FMUL_D);
    expect(m.getD(0)).toBe(0x0010000000000000n);
    expect(m.regs.fpsr).toBe(FPSR_UFC | FPSR_IXC);
    m.regs.fpsr = 0;
    m.setD(2, 0x000fffffffffffffn);
    m.setFpcr(0, { fz: true });
    m.setD(2, 0x0010000000000000n); // 2^-1022, normal
    m.setD(1, dbits(1 - 2 ** -53));
    m.exec(FMUL_D);
    expect(m.getD(0)).toBe(0n);
    expect(m.regs.fpsr).toBe(FPSR_UFC);
  });
});

describe("compare and select", () => {
  it("FCMP sets NZCV; unordered is 0011; FCMPE signals on quiet NaNs", () => {
    m.setD(1, dbits(1));
    m.setD(2, dbits(2));
    m.exec(0x1e622020); // fcmp d1, d2
    expect(m.nzcv).toBe(0b1000);
    m.setD(2, dbits(1));
    m.exec(0x1e622020);
    expect(m.nzcv).toBe(0b0110);
    m.setD(2, 0x7ff8000000000000n);
    m.exec(0x1e622020);
    expect(m.nzcv).toBe(0b0011);
    expect(m.regs.fpsr).toBe(0);
    m.setS(1, 0x7fc00000);
    m.exec(0x1e202038); // fcmpe s1, #0.0
    expect(m.nzcv).toBe(0b0011);
    expect(m.regs.fpsr).toBe(FPSR_IOC);
  });

  it("FCCMP takes the immediate flags when the condition fails", () => {
    m.nzcv = 0; // Z clear: EQ fails
    m.exec(0x1e220425); // fccmp s1, s2, #0x5, eq
    expect(m.nzcv).toBe(5);
  });

  it("FCSEL picks by condition", () => {
    m.setD(1, 1n);
    m.setD(2, 2n);
    m.nzcv = 0b0100;
    m.exec(0x1e621c20); // fcsel d0, d1, d2, ne
    expect(m.getD(0)).toBe(2n);
  });
});

describe("moves and immediates", () => {
  it("expands FMOV immediates", () => {
    m.exec(0x1e2e1000); // fmov s0, #1.0
    expect(m.getS(0)).toBe(0x3f800000);
    m.exec(0x1e709000); // fmov d0, #-2.5
    expect(m.getD(0)).toBe(dbits(-2.5));
  });

  it("moves between general registers and the top half of a vector", () => {
    m.setD(1, 0x1122334455667788n);
    m.exec(0x9e660020); // fmov x0, d1
    expect(m.getX(0)).toBe(0x1122334455667788n);
    m.setD(0, 7n);
    m.setX(1, 0xaabbccddeeff0011n);
    m.exec(0x9eaf0020); // fmov v0.d[1], x1
    expect(m.getLane64(0, 0)).toBe(7n);
    expect(m.getLane64(0, 1)).toBe(0xaabbccddeeff0011n);
  });
});

describe("conversions", () => {
  it("converts single to half with rounding, overflow and AHP", () => {
    m.setS(1, sbits(1 / 3));
    m.exec(0x1e23c020); // fcvt h0, s1
    expect(m.getS(0)).toBe(0x3555);
    m.setS(1, sbits(65520));
    m.regs.fpsr = 0;
    m.exec(0x1e23c020);
    expect(m.getS(0)).toBe(0x7c00); // infinity
    expect(m.regs.fpsr).toBe(FPSR_OFC | FPSR_IXC);
    m.setFpcr(0, { ahp: true });
    m.regs.fpsr = 0;
    m.exec(0x1e23c020);
    expect(m.getS(0)).toBe(0x7c00); // 65536 in the alternative format
    expect(m.regs.fpsr).toBe(FPSR_IXC);
    m.setS(1, 0xff800000);
    m.regs.fpsr = 0;
    m.exec(0x1e23c020);
    expect(m.getS(0)).toBe(0xffff); // -infinity saturates with Invalid
    expect(m.regs.fpsr).toBe(FPSR_IOC);
  });

  it("converts a signalling half NaN to a quiet single NaN keeping the payload", () => {
    m.setS(1, 0x7c01);
    m.exec(0x1ee24020); // fcvt s0, h1
    expect(m.getS(0)).toBe(0x7fc02000);
    expect(m.regs.fpsr).toBe(FPSR_IOC);
  });

  it("saturates float to integer conversions; NaN gives 0", () => {
    m.setX(0, -1n);
    m.setD(1, dbits(3e9));
    m.exec(0x1e780020); // fcvtzs w0, d1
    expect(m.getX(0)).toBe(0x7fffffffn);
    expect(m.regs.fpsr).toBe(FPSR_IOC);
    m.regs.fpsr = 0;
    m.setD(1, dbits(-1.5));
    m.exec(0x1e780020);
    expect(m.getX(0)).toBe(0xffffffffn); // W result, upper half of X cleared
    expect(m.regs.fpsr).toBe(FPSR_IXC);
    m.setD(1, 0x7ff8000000000000n);
    m.exec(0x1e780020);
    expect(m.getX(0)).toBe(0n);
    m.setS(1, sbits(-1));
    m.exec(0x9e390020); // fcvtzu x0, s1
    expect(m.getX(0)).toBe(0n);
  });

  it("FCVTAS rounds ties away from zero, FCVTNS to even", () => {
    m.setS(1, sbits(-2.5));
    m.exec(0x1e240020); // fcvtas w0, s1
    expect(m.getX(0)).toBe(0xfffffffdn);
    m.setD(1, dbits(2.5));
    m.exec(0x9e600020); // fcvtns x0, d1
    expect(m.getX(0)).toBe(2n);
  });

  it("converts integers and fixed point to floating point", () => {
    m.setX(1, (1n << 63n) - 1n);
    m.exec(0x9e620020); // scvtf d0, x1
    expect(m.getD(0)).toBe(dbits(2 ** 63));
    expect(m.regs.fpsr).toBe(FPSR_IXC);
    m.setX(1, 0xffffffffn);
    m.exec(0x1e230020); // ucvtf s0, w1
    expect(m.getS(0)).toBe(sbits(4294967296));
    m.setX(1, 256n);
    m.exec(0x1e02e020); // scvtf s0, w1, #8
    expect(m.getS(0)).toBe(sbits(1));
    m.setD(1, dbits(1.0625));
    m.exec(0x9e58f020); // fcvtzs x0, d1, #4
    expect(m.getX(0)).toBe(17n);
  });

  it("FRINT rounds to integral values; only FRINTX raises IXC", () => {
    m.setD(1, dbits(2.5));
    m.exec(0x1e644020); // frintn d0, d1
    expect(m.getD(0)).toBe(dbits(2));
    expect(m.regs.fpsr).toBe(0);
    m.exec(0x1e674020); // frintx d0, d1
    expect(m.getD(0)).toBe(dbits(2));
    expect(m.regs.fpsr).toBe(FPSR_IXC);
    m.setS(1, sbits(-0.5));
    m.exec(0x1e264020); // frinta s0, s1
    expect(m.getS(0)).toBe(sbits(-1));
  });
});

describe("estimates", () => {
  it("FRECPE and FRSQRTE of 1.0 give 511/512 (the 8-bit estimate tables)", () => {
    m.setS(1, sbits(1));
    m.exec(0x5ea1d820); // frecpe s0, s1
    expect(m.getS(0)).toBe(0x3f7f8000);
    m.exec(0x7ea1d820); // frsqrte s0, s1
    expect(m.getS(0)).toBe(0x3f7f8000);
    m.setS(1, sbits(4));
    m.exec(0x7ea1d820); // 1/sqrt(4) = 0.5: estimate 0.4990234375
    expect(m.getS(0)).toBe(sbits(0.4990234375));
  });

  it("FRECPE(0) is infinity with DZC, FRSQRTE(-1) the default NaN with IOC", () => {
    m.setS(1, 0x80000000);
    m.exec(0x5ea1d820);
    expect(m.getS(0)).toBe(0xff800000);
    expect(m.regs.fpsr).toBe(FPSR_DZC);
    m.setS(1, sbits(-1));
    m.exec(0x7ea1d820);
    expect(m.getS(0)).toBe(0x7fc00000);
    expect(m.regs.fpsr).toBe(FPSR_DZC | FPSR_IOC);
  });
});
