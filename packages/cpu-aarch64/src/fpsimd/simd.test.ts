/**
 * Advanced SIMD, with expected values worked out from the ARM ARM's instruction descriptions.
 * Encodings were produced with GNU as.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FPSR_QC } from "./regs.js";
import { FpSimdMachine, sbits } from "./testing.js";

let m: FpSimdMachine;
beforeEach(() => {
  m = new FpSimdMachine();
});

describe("integer arithmetic", () => {
  it("ADD adds lanes modulo 2^32", () => {
    m.setLanes(1, 32, [1, 0xffffffff, 5, 0x80000000]);
    m.setLanes(2, 32, [2, 1, 7, 0x80000000]);
    m.exec(0x4ea28420); // add v0.4s, v1.4s, v2.4s
    expect(m.getLanes(0, 32)).toEqual([3, 0, 12, 0]);
  });

  it("SQADD and UQSUB saturate and set FPSR.QC", () => {
    m.setLanes(1, 8, [0x7f, 0x80, 10]);
    m.setLanes(2, 8, [1, 0xff, 20]);
    m.exec(0x4e220c20); // sqadd v0.16b
    expect(m.getLanes(0, 8, true).slice(0, 3)).toEqual([127, -128, 30]);
    expect(m.regs.fpsr).toBe(FPSR_QC);
    m.regs.fpsr = 0;
    m.setLanes(1, 16, [1, 5]);
    m.setLanes(2, 16, [2, 3]);
    m.exec(0x6e622c20); // uqsub v0.8h
    expect(m.getLanes(0, 16).slice(0, 2)).toEqual([0, 2]);
    expect(m.regs.fpsr).toBe(FPSR_QC);
  });

  it("SQDMULH saturates only (-1) * (-1) in Q31", () => {
    m.setLanes(1, 32, [0x80000000, 0x40000000]);
    m.setLanes(2, 32, [0x80000000, 0x40000000]);
    m.exec(0x4ea2b420); // sqdmulh v0.4s
    expect(m.getLanes(0, 32).slice(0, 2)).toEqual([0x7fffffff, 0x20000000]);
    expect(m.regs.fpsr).toBe(FPSR_QC);
  });

  it("SMULL widens signed products", () => {
    m.setLanes(1, 32, [-3 >>> 0, 7]);
    m.setLanes(2, 32, [0x40000000, 0xffffffff]);
    m.exec(0x0ea2c020); // smull v0.2d, v1.2s, v2.2s
    expect(m.getLane64(0, 0)).toBe(BigInt.asUintN(64, -3n * 0x40000000n));
    expect(m.getLane64(0, 1)).toBe(BigInt.asUintN(64, -7n));
  });

  it("MUL by element and CMEQ on 64-bit lanes", () => {
    m.setLanes(1, 16, [1, 2, 3, 4, 5, 6, 7, 8]);
    m.setLanes(2, 16, [0, 0, 0, 10]);
    m.exec(0x4f728020); // mul v0.8h, v1.8h, v2.h[3]
    expect(m.getLanes(0, 16)).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
    m.setLane64(1, 0, 5n);
    m.setLane64(1, 1, 6n);
    m.setLane64(2, 0, 5n);
    m.setLane64(2, 1, 7n);
    m.exec(0x6ee28c20); // cmeq v0.2d
    expect(m.getLane64(0, 0)).toBe(0xffffffffffffffffn);
    expect(m.getLane64(0, 1)).toBe(0n);
  });

  it("BSL selects bits by the destination", () => {
    m.setLanes(0, 32, [0xff00ff00, 0, 0, 0]);
    m.setLanes(1, 32, [0x12345678, 0, 0, 0]);
    m.setLanes(2, 32, [0x9abcdef0, 0, 0, 0]);
    m.exec(0x6e621c20); // bsl v0.16b
    expect(m.getLanes(0, 32)[0]).toBe(0x12bc56f0);
  });
});

describe("shifts", () => {
  it("SHL, USHR (scalar) and the rounding SRSHR", () => {
    m.setLanes(1, 32, [1, 3, 0x20000000, 7]);
    m.exec(0x4f235420); // shl v0.4s, v1.4s, #3
    expect(m.getLanes(0, 32)).toEqual([8, 24, 0, 56]);
    m.setD(1, 0x8000000000000001n);
    m.exec(0x7f7f0420); // ushr d0, d1, #1
    expect(m.getD(0)).toBe(0x4000000000000000n);
    m.setLanes(1, 16, [6, -6 & 0xffff, 5, -5 & 0xffff]);
    m.exec(0x4f1e2420); // srshr v0.8h, v1.8h, #2
    expect(m.getLanes(0, 16, true).slice(0, 4)).toEqual([2, -1, 1, -1]);
  });

  it("SQXTN narrows with saturation; UXTL widens", () => {
    m.setLanes(1, 16, [300, -300 & 0xffff, 5]);
    m.exec(0x0e214820); // sqxtn v0.8b, v1.8h
    expect(m.getLanes(0, 8, true).slice(0, 3)).toEqual([127, -128, 5]);
    expect(m.getLane64(0, 1)).toBe(0n);
    expect(m.regs.fpsr).toBe(FPSR_QC);
    m.setLanes(1, 16, [0xffff, 2, 3, 4]);
    m.exec(0x2f10a420); // uxtl v0.4s, v1.4h
    expect(m.getLanes(0, 32)).toEqual([0xffff, 2, 3, 4]);
  });
});

describe("data movement", () => {
  it("TBL returns zero for out-of-range indices", () => {
    m.setLanes(
      1,
      8,
      Array.from({ length: 16 }, (_, i) => 0xa0 + i),
    );
    m.setLanes(2, 8, [0, 15, 16, 255, 3]);
    m.exec(0x4e020020); // tbl v0.16b, {v1.16b}, v2.16b
    expect(m.getLanes(0, 8).slice(0, 5)).toEqual([0xa0, 0xaf, 0, 0, 0xa3]);
  });

  it("ZIP1 interleaves low halves, UZP2 takes odd lanes", () => {
    m.setLanes(1, 16, [1, 2, 3, 4, 5, 6, 7, 8]);
    m.setLanes(2, 16, [11, 12, 13, 14, 15, 16, 17, 18]);
    m.exec(0x4e423820); // zip1 v0.8h
    expect(m.getLanes(0, 16)).toEqual([1, 11, 2, 12, 3, 13, 4, 14]);
    m.setLanes(1, 32, [1, 2, 3, 4]);
    m.setLanes(2, 32, [5, 6, 7, 8]);
    m.exec(0x4e825820); // uzp2 v0.4s
    expect(m.getLanes(0, 32)).toEqual([2, 4, 6, 8]);
  });

  it("expands MOVI/MVNI immediates", () => {
    m.exec(0x6f05e540); // movi v0.2d, #0xff00ff00ff00ff00
    expect(m.getLane64(0, 0)).toBe(0xff00ff00ff00ff00n);
    expect(m.getLane64(0, 1)).toBe(0xff00ff00ff00ff00n);
    m.exec(0x6f002640); // mvni v0.4s, #0x12, lsl #8
    expect(m.getLanes(0, 32)).toEqual(new Array(4).fill(0xffffedff));
  });

  it("DUP, INS, UMOV and SMOV", () => {
    m.setX(1, 0x12345678abcdn);
    m.exec(0x4e020c20); // dup v0.8h, w1
    expect(m.getLanes(0, 16)).toEqual(new Array(8).fill(0xabcd));
    m.exec(0x4e1c1c20); // mov v0.s[3], w1
    expect(m.getLanes(0, 32)[3]).toBe(0x5678abcd);
    expect(m.getLanes(0, 32)[0]).toBe(0xabcdabcd);
    m.setLanes(1, 16, [0, 0, 0x8000, 0x8001]);
    m.exec(0x0e0b3c20); // umov w0, v1.b[5]
    expect(m.getX(0)).toBe(0x80n);
    m.exec(0x4e0e2c20); // smov x0, v1.h[3]
    expect(m.getX(0)).toBe(0xffffffffffff8001n);
  });

  it("EXT concatenates and extracts", () => {
    m.setLanes(
      1,
      8,
      Array.from({ length: 16 }, (_, i) => i),
    );
    m.setLanes(
      2,
      8,
      Array.from({ length: 16 }, (_, i) => 16 + i),
    );
    m.exec(0x6e021820); // ext v0.16b, v1.16b, v2.16b, #3
    expect(m.getLanes(0, 8)).toEqual(Array.from({ length: 16 }, (_, i) => i + 3));
  });

  it("CNT counts bits per byte", () => {
    m.setLanes(1, 8, [0xff, 0x01, 0x80, 0x55, 0, 7, 0xfe, 3]);
    m.exec(0x0e205820); // cnt v0.8b
    expect(m.getLanes(0, 8).slice(0, 8)).toEqual([8, 1, 1, 4, 0, 3, 7, 2]);
  });
});

describe("reductions", () => {
  it("ADDV sums and UMAXV takes the maximum", () => {
    m.setLanes(1, 32, [1, 2, 3, 0xfffffffa]);
    m.exec(0x4eb1b820); // addv s0, v1.4s
    expect(m.getS(0)).toBe(0);
    m.setLanes(1, 8, [3, 200, 17, 255, 0]);
    m.exec(0x6e30a820); // umaxv b0, v1.16b
    expect(m.getS(0)).toBe(255);
  });

  it("FADDP adds a pair of singles", () => {
    m.setLanes(1, 32, [sbits(1.5), sbits(2.5)]);
    m.exec(0x7e30d820); // faddp s0, v1.2s
    expect(m.getS(0)).toBe(sbits(4));
  });
});

describe("vector floating point", () => {
  it("FMLA by element fuses", () => {
    m.setLanes(0, 32, [sbits(1), sbits(1), sbits(1), sbits(1)]);
    m.setLanes(1, 32, [sbits(1), sbits(2), sbits(3), sbits(4)]);
    m.setLanes(2, 32, [0, sbits(10)]);
    m.exec(0x4fa21020); // fmla v0.4s, v1.4s, v2.s[1]
    expect(m.getLanes(0, 32)).toEqual([sbits(11), sbits(21), sbits(31), sbits(41)]);
  });

  it("FCMGT #0 gives all-ones masks; NaN compares false and signals", () => {
    m.setLanes(1, 32, [sbits(1), sbits(-1), 0x80000000, 0x7fc00000]);
    m.exec(0x4ea0c820); // fcmgt v0.4s, v1.4s, #0.0
    expect(m.getLanes(0, 32)).toEqual([0xffffffff, 0, 0, 0]);
    expect(m.regs.fpsr).toBe(1);
  });
});
