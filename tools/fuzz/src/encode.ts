/** RISC-V instruction encoders for the fragments the fuzzer writes itself (RV64, no C). */

export const OP_LOAD = 0x03;
export const OP_STORE = 0x23;
export const OP_IMM = 0x13;
export const OP_SYSTEM = 0x73;

export function rType(op: number, rd: number, f3: number, rs1: number, rs2: number, f7: number) {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

export function iType(op: number, rd: number, f3: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

export function sType(op: number, f3: number, rs1: number, rs2: number, imm: number): number {
  const i = imm & 0xfff;
  return (((i >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((i & 31) << 7) | op) >>> 0;
}

export function bType(f3: number, rs1: number, rs2: number, offset: number): number {
  const o = offset & 0x1fff;
  return (
    ((((o >> 12) & 1) << 31) |
      (((o >> 5) & 0x3f) << 25) |
      (rs2 << 20) |
      (rs1 << 15) |
      (f3 << 12) |
      (((o >> 1) & 0xf) << 8) |
      (((o >> 11) & 1) << 7) |
      0x63) >>>
    0
  );
}

export function jal(rd: number, offset: number): number {
  const o = offset & 0x1f_ffff;
  return (
    ((((o >> 20) & 1) << 31) |
      (((o >> 1) & 0x3ff) << 21) |
      (((o >> 11) & 1) << 20) |
      (((o >> 12) & 0xff) << 12) |
      (rd << 7) |
      0x6f) >>>
    0
  );
}

export const auipc = (rd: number, imm20: number) =>
  (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0;
export const lui = (rd: number, imm20: number) =>
  (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0;
export const addi = (rd: number, rs1: number, imm: number) => iType(OP_IMM, rd, 0, rs1, imm);
export const addiw = (rd: number, rs1: number, imm: number) => iType(0x1b, rd, 0, rs1, imm);
export const ld = (rd: number, rs1: number, imm: number) => iType(OP_LOAD, rd, 3, rs1, imm);
export const sd = (rs2: number, rs1: number, imm: number) => sType(OP_STORE, 3, rs1, rs2, imm);
export const csrrw = (rd: number, csr: number, rs1: number) => iType(OP_SYSTEM, rd, 1, rs1, csr);
export const csrrs = (rd: number, csr: number, rs1: number) => iType(OP_SYSTEM, rd, 2, rs1, csr);
export const ECALL = 0x0000_0073;
export const SRET = 0x1020_0073;
export const MRET = 0x3020_0073;
export const NOP = 0x0000_0013;

/** `li rd, v` for a 32-bit signed v: lui + addiw (two words). */
export function li32(rd: number, v: number): [number, number] {
  const lo = ((v << 20) >> 20) | 0;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return [lui(rd, hi), addiw(rd, rd, lo)];
}
