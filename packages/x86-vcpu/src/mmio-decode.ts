import { GPR_HIGH8, GPR_LOW8, GPR_LOW16 } from "./gpr.js";

/** How the instruction behind an EPT violation accesses memory. */
export type DecodedMmio =
  | {
      readonly kind: "load";
      /** Instruction length in bytes. */
      readonly length: number;
      /** Bytes read from memory. */
      readonly width: 1 | 2 | 4 | 8;
      /** Destination, in the backend's register numbering (see gpr.ts). */
      readonly reg: number;
      /** Bytes of the destination register that the result fills (after extension). */
      readonly regWidth: 1 | 2 | 4 | 8;
      readonly signExtend: boolean;
    }
  | {
      readonly kind: "store";
      readonly length: number;
      readonly width: 1 | 2 | 4 | 8;
      /** Source register (see gpr.ts; GPR_HIGH8 + r for ah..bh), or -1 for `imm`. */
      readonly reg: number;
      /** The immediate of `mov r/m, imm` (already sign-extended to the operand size). */
      readonly imm: bigint;
    };

/** Why an instruction could not be decoded as an MMIO access. */
export interface UndecodableMmio {
  readonly kind: "unsupported";
  readonly reason: string;
}

export interface DecodeMode {
  /** 64-bit mode (IA-32e with CS.L). */
  readonly long: boolean;
  /** Default operand and address size is 32 (CS.D) rather than 16; ignored in 64-bit mode. */
  readonly default32: boolean;
}

/**
 * Decodes the data-moving instructions compilers and Linux emit for device registers
 * (readb/w/l/q, writeb/w/l/q and struct accesses): MOV r/m,r and r,r/m (88, 89, 8A, 8B), MOV
 * r/m,imm (C6 /0, C7 /0), MOV with a memory offset (A0-A3), MOVZX/MOVSX (0F B6, B7, BE, BF) and
 * MOVSXD (63 with REX.W), with the 66/67/segment/REX prefixes. The memory operand's address
 * is not computed: the exit reports the guest-physical address that faulted.
 */
/** Segment overrides (the exit reports the address), LOCK and REP: no effect on the decode. */
const IGNORED_PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3]);

export function decodeMmio(bytes: Uint8Array, mode: DecodeMode): DecodedMmio | UndecodableMmio {
  let i = 0;
  let opsize16 = false;
  let addr16or32Override = false;
  let rex = 0;
  for (; i < bytes.length && i < 15; i++) {
    const b = bytes[i]!;
    if (b === 0x66) opsize16 = true;
    else if (b === 0x67) addr16or32Override = true;
    else if (!IGNORED_PREFIXES.has(b)) break;
  }
  if (mode.long && i < bytes.length && (bytes[i]! & 0xf0) === 0x40) {
    rex = bytes[i]!;
    i++;
  }
  const rexW = (rex & 8) !== 0;
  const rexR = (rex & 4) !== 0 ? 8 : 0;
  const opWidth: 2 | 4 | 8 = rexW
    ? 8
    : mode.long
      ? opsize16
        ? 2
        : 4
      : mode.default32 !== opsize16
        ? 4
        : 2;
  const addrWidth = mode.long
    ? addr16or32Override
      ? 4
      : 8
    : mode.default32 !== addr16or32Override
      ? 4
      : 2;
  const op = bytes[i];
  if (op === undefined) return unsupported("truncated instruction");
  i++;
  /** Register operand of the ModRM reg field at `width` bytes. */
  const regOf = (modrm: number, width: number): number => {
    const r = ((modrm >> 3) & 7) | rexR;
    if (width === 1) return rex === 0 && r >= 4 && r < 8 ? GPR_HIGH8 + (r - 4) : GPR_LOW8 + r;
    if (width === 2) return GPR_LOW16 + r;
    return r;
  };
  /** Length of ModRM + SIB + displacement starting at `at`; -1 if it names a register. */
  const modrmLength = (at: number): number => {
    const modrm = bytes[at];
    if (modrm === undefined) return -1;
    const mod = modrm >> 6;
    const rm = modrm & 7;
    if (mod === 3) return -1;
    if (addrWidth === 2) {
      if (mod === 0) return rm === 6 ? 3 : 1;
      return mod === 1 ? 2 : 3;
    }
    let n = 1;
    let base = rm;
    if (rm === 4) {
      const sib = bytes[at + 1];
      if (sib === undefined) return -1;
      base = sib & 7;
      n++;
    }
    if (mod === 0) return base === 5 ? n + 4 : n;
    return mod === 1 ? n + 1 : n + 4;
  };
  const twoByte = op === 0x0f;
  const opcode = twoByte ? 0x0f00 | (bytes[i++] ?? 0) : op;
  switch (opcode) {
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0x8b: {
      const width = (opcode & 1) === 0 ? 1 : opWidth;
      const modrm = bytes[i] ?? 0;
      const m = modrmLength(i);
      if (m < 0) return unsupported("register operand");
      const reg = regOf(modrm, width);
      const length = i + m;
      if (opcode <= 0x89) return { kind: "store", length, width, reg, imm: 0n };
      return load(length, width, reg, width, false);
    }
    case 0xc6:
    case 0xc7: {
      const modrm = bytes[i] ?? 0;
      if (((modrm >> 3) & 7) !== 0) return unsupported("C6/C7 with a reg field other than 0");
      const m = modrmLength(i);
      if (m < 0) return unsupported("register operand");
      const width = opcode === 0xc6 ? 1 : opWidth;
      const immLen = width === 1 ? 1 : width === 2 ? 2 : 4;
      const at = i + m;
      if (at + immLen > bytes.length) return unsupported("truncated immediate");
      let imm = 0n;
      for (let k = immLen - 1; k >= 0; k--) imm = (imm << 8n) | BigInt(bytes[at + k]!);
      // imm32 of a 64-bit operand is sign-extended.
      imm = BigInt.asUintN(width * 8, BigInt.asIntN(immLen * 8, imm));
      return { kind: "store", length: at + immLen, width, reg: -1, imm };
    }
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3: {
      const width = (opcode & 1) === 0 ? 1 : opWidth;
      const length = i + addrWidth;
      const reg = width === 1 ? GPR_LOW8 : width === 2 ? GPR_LOW16 : 0;
      if (opcode >= 0xa2) return { kind: "store", length, width, reg, imm: 0n };
      return load(length, width, reg, width, false);
    }
    case 0x0fb6:
    case 0x0fb7:
    case 0x0fbe:
    case 0x0fbf: {
      const modrm = bytes[i] ?? 0;
      const m = modrmLength(i);
      if (m < 0) return unsupported("register operand");
      const width = (opcode & 1) === 0 ? 1 : 2;
      return load(i + m, width, regOf(modrm, opWidth), opWidth, opcode >= 0x0fbe);
    }
    case 0x63: {
      if (!mode.long || !rexW) return unsupported("63 outside 64-bit mode or without REX.W");
      const modrm = bytes[i] ?? 0;
      const m = modrmLength(i);
      if (m < 0) return unsupported("register operand");
      return load(i + m, 4, regOf(modrm, 8), 8, true);
    }
    default:
      return unsupported(
        `opcode ${twoByte ? "0f " : ""}${(opcode & 0xff).toString(16).padStart(2, "0")}`,
      );
  }
}

function load(
  length: number,
  width: 1 | 2 | 4 | 8,
  reg: number,
  regWidth: 1 | 2 | 4 | 8,
  signExtend: boolean,
): DecodedMmio {
  return { kind: "load", length, width, reg, regWidth, signExtend };
}

function unsupported(reason: string): UndecodableMmio {
  return { kind: "unsupported", reason };
}
