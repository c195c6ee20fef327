/**
 * The reset vector QEMU's virt machine puts in its mask ROM, assembled here from the base ISA
 * encodings. Every hart starts at the ROM base with:
 *
 *     auipc t0, 0            # t0 = ROM base
 *     addi  a2, t0, 40       # a2 = &fw_dynamic_info (right after this block)
 *     csrr  a0, mhartid      # a0 = hart id
 *     ld    a1, 32(t0)       # a1 = device tree address
 *     ld    t0, 24(t0)       # t0 = start address
 *     jr    t0
 *     .dword start_addr      # +24
 *     .dword fdt_addr        # +32
 *     fw_dynamic_info        # +40 (OpenSBI's fw_dynamic reads it through a2)
 *
 * With firmware, start is the firmware's entry; with `-bios none`, the kernel's.
 */

const T0 = 5;
const A0 = 10;
const A1 = 11;
const A2 = 12;
const ZERO = 0;
const CSR_MHARTID = 0xf14;

const OP_AUIPC = 0x17;
const OP_IMM = 0x13;
const OP_LOAD = 0x03;
const OP_JALR = 0x67;
const OP_SYSTEM = 0x73;

/** I-type: imm[11:0] rs1 funct3 rd opcode. */
function iType(opcode: number, rd: number, funct3: number, rs1: number, imm: number): number {
  if (imm < -2048 || imm > 2047) throw new RangeError(`I-type immediate ${imm} out of range`);
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode) >>> 0;
}

export const encodeAuipc = (rd: number, upper20: number): number =>
  (((upper20 & 0xfffff) << 12) | (rd << 7) | OP_AUIPC) >>> 0;
export const encodeAddi = (rd: number, rs1: number, imm: number): number =>
  iType(OP_IMM, rd, 0, rs1, imm);
export const encodeLd = (rd: number, rs1: number, imm: number): number =>
  iType(OP_LOAD, rd, 3, rs1, imm);
export const encodeJalr = (rd: number, rs1: number, imm: number): number =>
  iType(OP_JALR, rd, 0, rs1, imm);
/** csrrs rd, csr, rs1 (csrr is csrrs with rs1 = x0). */
export const encodeCsrrs = (rd: number, csr: number, rs1: number): number =>
  iType(OP_SYSTEM, rd, 2, rs1, 0) | ((csr & 0xfff) << 20);

/** Byte offsets inside the ROM block. */
export const RESET_VEC_START_ADDR_OFFSET = 24;
export const RESET_VEC_FDT_ADDR_OFFSET = 32;
export const RESET_VEC_FW_DYNAMIC_OFFSET = 40;

/** The six instructions of the stub. */
export function resetStubInstructions(): number[] {
  return [
    encodeAuipc(T0, 0),
    encodeAddi(A2, T0, RESET_VEC_FW_DYNAMIC_OFFSET),
    encodeCsrrs(A0, CSR_MHARTID, ZERO) >>> 0,
    encodeLd(A1, T0, RESET_VEC_FDT_ADDR_OFFSET),
    encodeLd(T0, T0, RESET_VEC_START_ADDR_OFFSET),
    encodeJalr(ZERO, T0, 0),
  ];
}

/** fw_dynamic_info for OpenSBI (include/sbi/fw_dynamic.h): six XLEN words. */
export const FW_DYNAMIC_INFO_MAGIC = 0x4942534f; // "OSBI"
export const FW_DYNAMIC_INFO_VERSION = 2;
export const FW_DYNAMIC_NEXT_MODE_U = 0;
export const FW_DYNAMIC_NEXT_MODE_S = 1;
export const FW_DYNAMIC_NEXT_MODE_M = 3;

export interface FwDynamicInfo {
  /** Where the firmware jumps after it is done (the kernel). */
  readonly nextAddr: number;
  /** Privilege of the next stage: 1 = S (the default). */
  readonly nextMode?: number;
  readonly options?: number;
  /** The hart that boots; the others wait. QEMU passes 0. */
  readonly bootHart?: number;
}

export interface ResetRomParams {
  readonly startAddr: number;
  readonly fdtAddr: number;
  readonly fwDynamic: FwDynamicInfo;
}

/** The ROM contents: stub, start and fdt addresses, fw_dynamic_info. */
export function buildResetRom(params: ResetRomParams): Uint8Array {
  const rom = new Uint8Array(RESET_VEC_FW_DYNAMIC_OFFSET + 6 * 8);
  const view = new DataView(rom.buffer);
  resetStubInstructions().forEach((w, i) => {
    view.setUint32(i * 4, w, true);
  });
  const u64 = (off: number, v: number) => view.setBigUint64(off, BigInt(v), true);
  u64(RESET_VEC_START_ADDR_OFFSET, params.startAddr);
  u64(RESET_VEC_FDT_ADDR_OFFSET, params.fdtAddr);
  const fw = params.fwDynamic;
  const base = RESET_VEC_FW_DYNAMIC_OFFSET;
  u64(base, FW_DYNAMIC_INFO_MAGIC);
  u64(base + 8, FW_DYNAMIC_INFO_VERSION);
  u64(base + 16, fw.nextAddr);
  u64(base + 24, fw.nextMode ?? FW_DYNAMIC_NEXT_MODE_S);
  u64(base + 32, fw.options ?? 0);
  u64(base + 40, fw.bootHart ?? 0);
  return rom;
}
