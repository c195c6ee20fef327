/**
 * SIMD&FP loads and stores: addressing modes, writeback, structure (de)interleaving, lane and
 * replicate forms, and faults that leave the registers alone. Encodings from GNU as.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FPSIMD_FAULT, FPSIMD_OK } from "./contract.js";
import { FpSimdMachine, MEM_BASE } from "./testing.js";

let m: FpSimdMachine;
const A = MEM_BASE + 0x100;

beforeEach(() => {
  m = new FpSimdMachine();
  for (let i = 0; i < m.mem.length; i++) m.mem[i] = i & 0xff;
  m.setX(1, BigInt(A));
});

/** Little-endian bytes of memory at address a. */
function bytesAt(a: number, n: number): number[] {
  return Array.from(m.mem.subarray(a - MEM_BASE, a - MEM_BASE + n));
}

describe("LDR/STR", () => {
  it("loads a Q register with an unsigned scaled offset", () => {
    expect(m.exec(0x3dc00820)).toBe(FPSIMD_OK); // ldr q0, [x1, #32]
    expect(m.getLanes(0, 8)).toEqual(bytesAt(A + 32, 16));
  });

  it("stores with pre-index writeback", () => {
    m.setD(0, 0x0102030405060708n);
    m.exec(0xfc1f8c20 | 0); // str d0, [x1, #-8]!
    expect(bytesAt(A - 8, 8)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(m.getX(1)).toBe(BigInt(A - 8));
  });

  it("loads with post-index writeback and zero-extends to 128 bits", () => {
    m.regs.setV(0, new Array(16).fill(0xee));
    m.exec(0xbc404420 | 0); // ldr s0, [x1], #4
    expect(m.getLanes(0, 8)).toEqual([...bytesAt(A, 4), ...new Array(12).fill(0)]);
    expect(m.getX(1)).toBe(BigInt(A + 4));
  });

  it("scales a register offset", () => {
    m.setX(2, 3n);
    m.exec(0x7c627820); // ldr h0, [x1, x2, lsl #1]
    expect(m.getS(0)).toBe(m.mem[0x106]! | (m.mem[0x107]! << 8));
  });

  it("loads a literal relative to the instruction", () => {
    m.pc = A;
    m.exec(0x9c000080 | 0); // ldr q0, .+16
    expect(m.getLanes(0, 8)).toEqual(bytesAt(A + 16, 16));
  });
});

describe("pairs", () => {
  it("LDP of Q registers with post-index", () => {
    m.exec(0xacc10420 | 0); // ldp q0, q1, [x1], #32
    expect(m.getLanes(0, 8)).toEqual(bytesAt(A, 16));
    expect(m.getLanes(1, 8)).toEqual(bytesAt(A + 16, 16));
    expect(m.getX(1)).toBe(BigInt(A + 32));
  });

  it("STP of S registers at a negative offset, no writeback", () => {
    m.setS(0, 0x11223344);
    m.setS(1, 0x55667788);
    m.exec(0x2d3f0420); // stp s0, s1, [x1, #-8]
    expect(bytesAt(A - 8, 8)).toEqual([0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]);
    expect(m.getX(1)).toBe(BigInt(A));
  });
});

describe("structures", () => {
  it("LD1 of one register", () => {
    m.exec(0x4c407020); // ld1 {v0.16b}, [x1]
    expect(m.getLanes(0, 8)).toEqual(bytesAt(A, 16));
  });

  it("LD2 de-interleaves halfwords and post-increments by the transfer size", () => {
    m.exec(0x4cdf8420 | 0); // ld2 {v0.8h, v1.8h}, [x1], #32
    const h = (k: number) => m.mem[0x100 + 2 * k]! | (m.mem[0x101 + 2 * k]! << 8);
    expect(m.getLanes(0, 16)).toEqual([0, 2, 4, 6, 8, 10, 12, 14].map(h));
    expect(m.getLanes(1, 16)).toEqual([1, 3, 5, 7, 9, 11, 13, 15].map(h));
    expect(m.getX(1)).toBe(BigInt(A + 32));
  });

  it("LD1R replicates one element", () => {
    m.exec(0x4d40c820); // ld1r {v0.4s}, [x1]
    const w = m.mem[0x100]! | (m.mem[0x101]! << 8) | (m.mem[0x102]! << 16) | (m.mem[0x103]! << 24);
    expect(m.getLanes(0, 32)).toEqual(new Array(4).fill(w >>> 0));
  });

  it("ST1 of one lane with register post-index", () => {
    m.setLanes(0, 32, [1, 2, 0xdeadbeef, 4]);
    m.setX(2, 100n);
    m.exec(0x4d828020); // st1 {v0.s}[2], [x1], x2
    expect(bytesAt(A, 4)).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(m.getX(1)).toBe(BigInt(A + 100));
  });

  it("LD4 of one lane leaves the other lanes alone", () => {
    for (let r = 0; r < 4; r++) m.regs.setV(r, new Array(16).fill(0xcc));
    m.exec(0x0d603c20); // ld4 {v0.b-v3.b}[7], [x1]
    for (let r = 0; r < 4; r++) {
      const lanes = m.getLanes(r, 8);
      expect(lanes[7]).toBe(m.mem[0x100 + r]);
      expect(lanes[6]).toBe(0xcc);
      expect(lanes[15]).toBe(0xcc);
    }
  });

  it("ST3 interleaves three registers", () => {
    m.setLanes(0, 16, [1, 2, 3, 4]);
    m.setLanes(1, 16, [5, 6, 7, 8]);
    m.setLanes(2, 16, [9, 10, 11, 12]);
    m.exec(0x0c004420); // st3 {v0.4h-v2.4h}, [x1]
    const h = (k: number) => m.mem[0x100 + 2 * k]! | (m.mem[0x101 + 2 * k]! << 8);
    expect(Array.from({ length: 12 }, (_, k) => h(k))).toEqual([
      1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12,
    ]);
  });
});

describe("faults", () => {
  it("a faulting load writes no register and no base", () => {
    m.setX(1, BigInt(MEM_BASE + m.mem.length - 16));
    m.regs.setV(0, new Array(16).fill(0x5a));
    expect(m.exec(0xacc10420 | 0)).toBe(FPSIMD_FAULT); // ldp q0, q1, [x1], #32: second access faults
    expect(m.getLanes(0, 8)).toEqual(new Array(16).fill(0x5a));
    expect(m.getX(1)).toBe(BigInt(MEM_BASE + m.mem.length - 16));
  });
});
