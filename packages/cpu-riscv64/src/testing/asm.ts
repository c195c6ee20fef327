/**
 * A small RV64 instruction encoder for tests and examples: each function returns the
 * 32-bit encoding (as an unsigned number) of one instruction. Register arguments are numbers.
 */
const u = (v: number): number => v >>> 0;

export function rType(op: number, f3: number, f7: number, rd: number, rs1: number, rs2: number) {
  return u((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op);
}
export function iType(op: number, f3: number, rd: number, rs1: number, imm: number) {
  return u(((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op);
}
export function sType(op: number, f3: number, rs1: number, rs2: number, imm: number) {
  return u(
    (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op,
  );
}
export function bType(f3: number, rs1: number, rs2: number, imm: number) {
  return u(
    (((imm >> 12) & 1) << 31) |
      (((imm >> 5) & 0x3f) << 25) |
      (rs2 << 20) |
      (rs1 << 15) |
      (f3 << 12) |
      (((imm >> 1) & 0xf) << 8) |
      (((imm >> 11) & 1) << 7) |
      0x63,
  );
}

export const lui = (rd: number, imm20: number) => u(((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37);
export const auipc = (rd: number, imm20: number) => u(((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17);
export const jal = (rd: number, off: number) =>
  u(
    (((off >> 20) & 1) << 31) |
      (((off >> 1) & 0x3ff) << 21) |
      (((off >> 11) & 1) << 20) |
      (((off >> 12) & 0xff) << 12) |
      (rd << 7) |
      0x6f,
  );
export const jalr = (rd: number, rs1: number, imm: number) => iType(0x67, 0, rd, rs1, imm);
export const beq = (a: number, b: number, off: number) => bType(0, a, b, off);
export const bne = (a: number, b: number, off: number) => bType(1, a, b, off);
export const blt = (a: number, b: number, off: number) => bType(4, a, b, off);
export const bge = (a: number, b: number, off: number) => bType(5, a, b, off);
export const bltu = (a: number, b: number, off: number) => bType(6, a, b, off);
export const bgeu = (a: number, b: number, off: number) => bType(7, a, b, off);

export const lb = (rd: number, rs1: number, imm: number) => iType(0x03, 0, rd, rs1, imm);
export const lh = (rd: number, rs1: number, imm: number) => iType(0x03, 1, rd, rs1, imm);
export const lw = (rd: number, rs1: number, imm: number) => iType(0x03, 2, rd, rs1, imm);
export const ld = (rd: number, rs1: number, imm: number) => iType(0x03, 3, rd, rs1, imm);
export const lbu = (rd: number, rs1: number, imm: number) => iType(0x03, 4, rd, rs1, imm);
export const lhu = (rd: number, rs1: number, imm: number) => iType(0x03, 5, rd, rs1, imm);
export const lwu = (rd: number, rs1: number, imm: number) => iType(0x03, 6, rd, rs1, imm);
export const sb = (rs2: number, rs1: number, imm: number) => sType(0x23, 0, rs1, rs2, imm);
export const sh = (rs2: number, rs1: number, imm: number) => sType(0x23, 1, rs1, rs2, imm);
export const sw = (rs2: number, rs1: number, imm: number) => sType(0x23, 2, rs1, rs2, imm);
export const sd = (rs2: number, rs1: number, imm: number) => sType(0x23, 3, rs1, rs2, imm);
export const flw = (rd: number, rs1: number, imm: number) => iType(0x07, 2, rd, rs1, imm);
export const fld = (rd: number, rs1: number, imm: number) => iType(0x07, 3, rd, rs1, imm);
export const fsw = (rs2: number, rs1: number, imm: number) => sType(0x27, 2, rs1, rs2, imm);
export const fsd = (rs2: number, rs1: number, imm: number) => sType(0x27, 3, rs1, rs2, imm);

export const addi = (rd: number, rs1: number, imm: number) => iType(0x13, 0, rd, rs1, imm);
export const slti = (rd: number, rs1: number, imm: number) => iType(0x13, 2, rd, rs1, imm);
export const sltiu = (rd: number, rs1: number, imm: number) => iType(0x13, 3, rd, rs1, imm);
export const xori = (rd: number, rs1: number, imm: number) => iType(0x13, 4, rd, rs1, imm);
export const ori = (rd: number, rs1: number, imm: number) => iType(0x13, 6, rd, rs1, imm);
export const andi = (rd: number, rs1: number, imm: number) => iType(0x13, 7, rd, rs1, imm);
export const slli = (rd: number, rs1: number, sh: number) => iType(0x13, 1, rd, rs1, sh & 63);
export const srli = (rd: number, rs1: number, sh: number) => iType(0x13, 5, rd, rs1, sh & 63);
export const srai = (rd: number, rs1: number, sh: number) =>
  iType(0x13, 5, rd, rs1, 0x400 | (sh & 63));
export const addiw = (rd: number, rs1: number, imm: number) => iType(0x1b, 0, rd, rs1, imm);
export const slliw = (rd: number, rs1: number, sh: number) => iType(0x1b, 1, rd, rs1, sh & 31);
export const srliw = (rd: number, rs1: number, sh: number) => iType(0x1b, 5, rd, rs1, sh & 31);
export const sraiw = (rd: number, rs1: number, sh: number) =>
  iType(0x1b, 5, rd, rs1, 0x400 | (sh & 31));

const op = (f3: number, f7: number) => (rd: number, rs1: number, rs2: number) =>
  rType(0x33, f3, f7, rd, rs1, rs2);
const op32 = (f3: number, f7: number) => (rd: number, rs1: number, rs2: number) =>
  rType(0x3b, f3, f7, rd, rs1, rs2);
export const add = op(0, 0);
export const sub = op(0, 0x20);
export const sll = op(1, 0);
export const slt = op(2, 0);
export const sltu = op(3, 0);
export const xor = op(4, 0);
export const srl = op(5, 0);
export const sra = op(5, 0x20);
export const or = op(6, 0);
export const and = op(7, 0);
export const mul = op(0, 1);
export const mulh = op(1, 1);
export const mulhsu = op(2, 1);
export const mulhu = op(3, 1);
export const div = op(4, 1);
export const divu = op(5, 1);
export const rem = op(6, 1);
export const remu = op(7, 1);
export const addw = op32(0, 0);
export const subw = op32(0, 0x20);
export const sllw = op32(1, 0);
export const srlw = op32(5, 0);
export const sraw = op32(5, 0x20);
export const mulw = op32(0, 1);
export const divw = op32(4, 1);
export const divuw = op32(5, 1);
export const remw = op32(6, 1);
export const remuw = op32(7, 1);

const amo = (f5: number, w: 2 | 3) => (rd: number, rs1: number, rs2: number) =>
  rType(0x2f, w, f5 << 2, rd, rs1, rs2);
export const lrW = (rd: number, rs1: number) => amo(2, 2)(rd, rs1, 0);
export const lrD = (rd: number, rs1: number) => amo(2, 3)(rd, rs1, 0);
export const scW = amo(3, 2);
export const scD = amo(3, 3);
export const amoswapW = amo(1, 2);
export const amoswapD = amo(1, 3);
export const amoaddW = amo(0, 2);
export const amoaddD = amo(0, 3);
export const amoxorD = amo(4, 3);
export const amoandD = amo(0xc, 3);
export const amoorW = amo(8, 2);
export const amominW = amo(0x10, 2);
export const amomaxD = amo(0x14, 3);
export const amominuD = amo(0x18, 3);
export const amomaxuW = amo(0x1c, 2);

export const csrrw = (rd: number, csr: number, rs1: number) => iType(0x73, 1, rd, rs1, csr);
export const csrrs = (rd: number, csr: number, rs1: number) => iType(0x73, 2, rd, rs1, csr);
export const csrrc = (rd: number, csr: number, rs1: number) => iType(0x73, 3, rd, rs1, csr);
export const csrrwi = (rd: number, csr: number, uimm: number) => iType(0x73, 5, rd, uimm, csr);
export const csrrsi = (rd: number, csr: number, uimm: number) => iType(0x73, 6, rd, uimm, csr);
export const csrrci = (rd: number, csr: number, uimm: number) => iType(0x73, 7, rd, uimm, csr);
export const csrr = (rd: number, csr: number) => csrrs(rd, csr, 0);
export const csrw = (csr: number, rs1: number) => csrrw(0, csr, rs1);

export const ECALL = 0x00000073;
export const EBREAK = 0x00100073;
export const MRET = 0x30200073;
export const SRET = 0x10200073;
export const WFI = 0x10500073;
export const FENCE = 0x0ff0000f;
export const FENCE_I = 0x0000100f;
export const NOP = 0x00000013;
export const sfenceVma = (rs1: number, rs2: number) => rType(0x73, 0, 0x09, 0, rs1, rs2);
export const hfenceVvma = (rs1: number, rs2: number) => rType(0x73, 0, 0x11, 0, rs1, rs2);
export const hfenceGvma = (rs1: number, rs2: number) => rType(0x73, 0, 0x31, 0, rs1, rs2);
const hlv = (f7: number, sel: number) => (rd: number, rs1: number) =>
  rType(0x73, 4, f7, rd, rs1, sel);
export const hlvB = hlv(0x30, 0);
export const hlvBU = hlv(0x30, 1);
export const hlvH = hlv(0x32, 0);
export const hlvHU = hlv(0x32, 1);
export const hlvxHU = hlv(0x32, 3);
export const hlvW = hlv(0x34, 0);
export const hlvWU = hlv(0x34, 1);
export const hlvxWU = hlv(0x34, 3);
export const hlvD = hlv(0x36, 0);
const hsv = (f7: number) => (rs2: number, rs1: number) => rType(0x73, 4, f7, 0, rs1, rs2);
export const hsvB = hsv(0x31);
export const hsvH = hsv(0x33);
export const hsvW = hsv(0x35);
export const hsvD = hsv(0x37);
