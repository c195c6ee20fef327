/**
 * A minimal RV64 assembler for tests: base-ISA encodings from the RISC-V unprivileged spec
 * (chapter 2, "Base Instruction Formats"), written out field by field.
 */
export const REG = {
  zero: 0,
  ra: 1,
  sp: 2,
  gp: 3,
  tp: 4,
  t0: 5,
  t1: 6,
  t2: 7,
  s0: 8,
  s1: 9,
  a0: 10,
  a1: 11,
  a2: 12,
  a3: 13,
  a4: 14,
  a5: 15,
  a6: 16,
  a7: 17,
  s2: 18,
  s3: 19,
  t3: 28,
  t4: 29,
  t5: 30,
  t6: 31,
} as const;

const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((((imm >> 5) & 0x7f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    ((imm & 0x1f) << 7) |
    op) >>>
  0;
const b = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) |
    (((imm >> 11) & 1) << 7) |
    0x63) >>>
  0;

export const asm = {
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  addi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => i(sh & 0x3f, rs1, 1, rd, 0x13),
  add: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 0, rd, 0x33),
  lbu: (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x03),
  lw: (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x03),
  ld: (rd: number, rs1: number, imm: number) => i(imm, rs1, 3, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 0, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 2, 0x23),
  sd: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 3, 0x23),
  beq: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 0),
  bne: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 1),
  jal: (rd: number, off: number) =>
    ((((off >> 20) & 1) << 31) |
      (((off >> 1) & 0x3ff) << 21) |
      (((off >> 11) & 1) << 20) |
      (((off >> 12) & 0xff) << 12) |
      (rd << 7) |
      0x6f) >>>
    0,
  csrrw: (rd: number, csr: number, rs1: number) => i(csr, rs1, 1, rd, 0x73),
  csrrs: (rd: number, csr: number, rs1: number) => i(csr, rs1, 2, rd, 0x73),
  wfi: () => 0x10500073,
  /** li for a value in the signed 32-bit range: lui + addi with the carry of bit 11. */
  li: (rd: number, value: number): number[] => {
    const lo = ((value & 0xfff) << 20) >> 20;
    const hi = ((value - lo) >>> 12) & 0xfffff;
    return hi === 0 ? [asm.addi(rd, 0, lo)] : [asm.lui(rd, hi), asm.addi(rd, rd, lo)];
  },
};

/** Little-endian bytes of instruction words. */
export function words(list: readonly (number | number[])[]): Uint8Array {
  const flat = list.flat();
  const out = new Uint8Array(flat.length * 4);
  const v = new DataView(out.buffer);
  flat.forEach((w, k) => {
    v.setUint32(k * 4, w, true);
  });
  return out;
}

const UART = 0x1000_0000;
const FINISHER = 0x10_0000;

/** Prints `text` on the UART (THR at offset 0), then writes `finisher` to the test device. */
export function printAndFinish(text: string, finisher = 0x5555): Uint8Array {
  const { t0, t1, t2 } = REG;
  const code: (number | number[])[] = [asm.li(t0, UART)];
  for (const c of new TextEncoder().encode(text)) code.push(asm.addi(t1, 0, c), asm.sb(t1, t0, 0));
  code.push(asm.li(t2, FINISHER), asm.li(t1, finisher), asm.sw(t1, t2, 0), asm.jal(0, 0));
  return words(code);
}
