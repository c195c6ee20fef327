/**
 * Decodes a straight-line block of 64-bit-mode instructions for the JIT: the integer subset
 * hot loops and the kernel's decompressor spend their time in (MOV/MOVZX/MOVSX/LEA, the
 * group-1 ALU ops, TEST, INC/DEC, CMOVcc, SETcc, shifts by an immediate, Jcc/JMP). Anything
 * else ends the block, and the interpreter runs it. A block never crosses its 4 KiB page, so
 * its bytes are one physical page that a write can invalidate.
 */

/** Instruction kinds of the compiled subset. */
export const K = {
  /** E = E op G (op: group-1 number; CMP/TEST write no result). */
  ALU_EG: 0,
  /** G = G op E. */
  ALU_GE: 1,
  /** E = E op imm. */
  ALU_EI: 2,
  /** TEST E, G. */
  TEST_EG: 3,
  /** TEST E, imm. */
  TEST_EI: 4,
  MOV_EG: 5,
  MOV_GE: 6,
  MOV_EI: 7,
  /** reg = imm (imm, immHi). */
  MOV_RI: 8,
  LEA: 9,
  /** G = zero-extended E of msize bytes. */
  MOVZX: 10,
  /** G = sign-extended E of msize bytes. */
  MOVSX: 11,
  /** E = E + 1 (op 0) or E - 1 (op 1). */
  INCDEC: 12,
  CMOV: 13,
  SETCC: 14,
  /** E = E shifted by imm (op: 4 SHL, 5 SHR, 7 SAR). */
  SHIFT_EI: 15,
  NOP: 16,
  JCC: 17,
  JMP: 18,
  /** G = G * E (signed, truncated). */
  IMUL_GE: 19,
  /** G = E * imm. */
  IMUL_GEI: 20,
  NOT: 21,
  NEG: 22,
  /** E = E shifted by CL (op: 4 SHL, 5 SHR, 7 SAR). */
  SHIFT_ECL: 23,
  /** PUSH/POP of a 64-bit register (rm). */
  PUSH: 24,
  POP: 25,
  CALL: 26,
  RET: 27,
  /** E = E rotated by imm (op: 0 ROL, 1 ROR): CF and OF only. */
  ROT_EI: 28,
  /** PUSH of a sign-extended immediate. */
  PUSH_I: 29,
  /**
   * Unsigned DIV of (R/E)DX:(R/E)AX by E (32/64-bit): compiled when the quotient surely fits
   * (64-bit: RDX = 0; 32-bit: EDX < divisor), else the interpreter runs it (#DE included).
   */
  DIV: 30,
  /** PUSHFQ. */
  PUSHF: 31,
  /** CLI and STI (CPL 0 only; an STI that sets IF is left to the interpreter's shadow). */
  CLI: 32,
  STI: 33,
  /** LEAVE (64-bit: RSP = RBP, then POP RBP). */
  LEAVE: 34,
  /** CBW/CWDE/CDQE (sign-extends the lower half of rAX into rAX). */
  CONV_A: 35,
  /** CWD/CDQ/CQO (rDX = the sign of rAX). */
  CONV_D: 36,
  /** BSWAP r32/r64 (rm). */
  BSWAP: 37,
  /** BT/BTS/BTR/BTC (op 0..3) E by an immediate bit offset. */
  BT_I: 38,
  /** BT/BTS/BTR/BTC (op 0..3) of a register E by the bit offset in register G. */
  BT_R: 39,
  /** CMPXCHG E, G (accumulator compared with E). */
  CMPXCHG: 40,
  /** XADD E, G. */
  XADD: 41,
  /** XCHG E, G (and XCHG rAX, r: reg 0, rm r). */
  XCHG: 42,
  /** JMP E and CALL E (64-bit absolute indirect): leave the region with the target in RIP. */
  JMP_IND: 43,
  CALL_IND: 44,
  /** CMPXCHG8B m64 (size 8) and CMPXCHG16B m128 (size 16, REX.W). */
  CMPXCHG8B: 45,
  /** MOV E, Sreg (op: the segment register ES..GS). */
  MOV_SREG: 46,
  /** MUL (op 0) / IMUL (op 1) of rAX by E into rDX:rAX (32/64-bit). */
  MUL: 47,
  /** SHLD (op 0) / SHRD (op 1) E, G by an immediate count (32/64-bit). */
  SHD_I: 48,
  /** SHLD / SHRD E, G by CL. */
  SHD_CL: 49,
  /**
   * REP STOS (op 0) / REP MOVS (op 1) of `size`-byte elements, 64-bit addresses, no FS/GS
   * source: compiled page by page while DF = 0 and the pages are plain RAM (else the
   * interpreter continues from where the compiled run stopped, as after an interrupt).
   */
  REP_STR: 50,
} as const;

/** Kinds that may carry a LOCK prefix (with a memory destination). */
const LOCK_OK = new Set<number>([
  K.ALU_EG,
  K.ALU_EI,
  K.INCDEC,
  K.NOT,
  K.NEG,
  K.BT_I,
  K.BT_R,
  K.CMPXCHG,
  K.XADD,
  K.XCHG,
]);

/** `op` of a K.NOP that is PAUSE. */
export const NOP_PAUSE = 1;

/** Kinds that end a block. */
export function isTerminal(kind: number): boolean {
  return (
    kind === K.JCC ||
    kind === K.JMP ||
    kind === K.CALL ||
    kind === K.RET ||
    kind === K.JMP_IND ||
    kind === K.CALL_IND
  );
}

/** Kinds that may carry the operand-size prefix 66 (16-bit operands). */
const WORD_OK = new Set<number>([
  K.ALU_EG,
  K.ALU_GE,
  K.ALU_EI,
  K.TEST_EG,
  K.TEST_EI,
  K.MOV_EG,
  K.MOV_GE,
  K.MOV_EI,
  K.MOV_RI,
  K.INCDEC,
  K.SHIFT_EI,
  K.NOT,
  K.NEG,
  K.IMUL_GE,
  K.IMUL_GEI,
  K.MOVZX,
  K.MOVSX,
  K.NOP,
  K.CONV_A,
  K.CONV_D,
  K.BT_I,
  K.BT_R,
  K.CMPXCHG,
  K.XADD,
  K.XCHG,
  K.REP_STR,
]);

export interface Insn {
  kind: number;
  /** Linear address of the first byte and of the next instruction. */
  rip: number;
  next: number;
  /** Group-1 op (0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP), shift op, or INC/DEC. */
  op: number;
  /** Operand size: 1, 2, 4 or 8. */
  size: number;
  /** Source size of MOVZX/MOVSX: 1, 2 or 4. */
  msize: number;
  /** ModRM.reg with REX.R. */
  reg: number;
  /** ModRM.rm with REX.B (register operand). */
  rm: number;
  isMem: boolean;
  /** FS (4) or GS (5) segment override of the memory operand, -1 none. */
  seg: number;
  /** A REX prefix was present (byte registers 4-7 are SPL..DIL, not AH..BH). */
  rex: boolean;
  base: number;
  index: number;
  scale: number;
  disp: number;
  /** Immediate (sign-extended to a safe integer) and, for MOV r64, imm64, its high half. */
  imm: number;
  immHi: number;
  cc: number;
  target: number;
}

/** At most this many instructions in one block (the wasm function stays small). */
export const MAX_INSNS = 64;

function insn(rip: number): Insn {
  return {
    kind: 0,
    rip,
    next: rip,
    op: 0,
    size: 4,
    msize: 0,
    reg: 0,
    rm: 0,
    isMem: false,
    seg: -1,
    rex: false,
    base: -1,
    index: -1,
    scale: 0,
    disp: 0,
    imm: 0,
    immHi: 0,
    cc: 0,
    target: 0,
  };
}

/** Reads the block's bytes: RAM from one physical page, addressed by offset in that page. */
class Reader {
  pos = 0;
  constructor(
    readonly ram: Uint8Array,
    readonly pageOff: number,
  ) {}
  /** -1 past the page (the instruction is then not part of the block). */
  b(): number {
    if (this.pos >= 4096) {
      this.pos++;
      return -1;
    }
    return this.ram[this.pageOff + this.pos++]!;
  }
  s8(): number {
    const v = this.b();
    return v < 0 ? Number.NaN : (v << 24) >> 24;
  }
  /** A 16-bit immediate, sign-extended. */
  s16(): number {
    const a = this.b();
    const b = this.b();
    if ((a | b) < 0) return Number.NaN;
    return ((a | (b << 8)) << 16) >> 16;
  }
  d32(): number {
    const a = this.b();
    const b = this.b();
    const c = this.b();
    const d = this.b();
    if ((a | b | c | d) < 0) return Number.NaN;
    return a | (b << 8) | (c << 16) | (d << 24);
  }
}

const GROUP1_OK = [true, true, true, true, true, true, true, true];

/** Decodes ModRM (and SIB/displacement) into `i`; false when the form is not compiled. */
function modrm(r: Reader, i: Insn, rexR: number, rexX: number, rexB: number): boolean {
  const m = r.b();
  if (m < 0) return false;
  const mod = m >> 6;
  const rml = m & 7;
  i.reg = ((m >> 3) & 7) | rexR;
  if (mod === 3) {
    i.rm = rml | rexB;
    i.isMem = false;
    return true;
  }
  i.isMem = true;
  let disp = 0;
  if (rml === 4) {
    const sib = r.b();
    if (sib < 0) return false;
    i.scale = sib >> 6;
    const idx = ((sib >> 3) & 7) | rexX;
    i.index = idx === 4 ? -1 : idx;
    if ((sib & 7) === 5 && mod === 0) {
      disp = r.d32();
      i.base = -1;
    } else i.base = (sib & 7) | rexB;
  } else if (rml === 5 && mod === 0) {
    disp = r.d32();
    // RIP-relative: base -2, resolved against the next instruction's address below.
    i.base = -2;
  } else i.base = rml | rexB;
  if (mod === 1) disp = r.s8();
  else if (mod === 2) disp = r.d32();
  if (Number.isNaN(disp)) return false;
  i.disp = disp;
  return true;
}

/** Decodes one instruction at page offset r.pos; null when it is not in the compiled subset. */
function decodeOne(r: Reader, rip: number): Insn | null {
  const start = r.pos;
  const i = insn(rip);
  let rex = 0;
  let op = r.b();
  let has66 = false;
  let repe = false;
  let lock = false;
  // CS/DS/ES/SS overrides are ignored in 64-bit mode; FS/GS add their base; 67 and REP are
  // not compiled (F3 only as PAUSE, a NOP outside VMX non-root operation). LOCK is accepted
  // on the read-modify-write forms with a memory destination: a compiled run is not
  // interleaved with another CPU's, so the access is atomic as the interpreter's is.
  for (;;) {
    if (op === 0x66) has66 = true;
    else if (op === 0xf0) lock = true;
    else if (op === 0xf3) repe = true;
    else if (op === 0x64 || op === 0x65) i.seg = op === 0x64 ? 4 : 5;
    else if (op !== 0x2e && op !== 0x3e && op !== 0x26 && op !== 0x36) break;
    op = r.b();
  }
  if ((op & 0xf0) === 0x40) {
    rex = op;
    op = r.b();
  }
  if (op < 0) return null;
  i.rex = rex !== 0;
  const w = (rex & 8) !== 0;
  const rexR = (rex & 4) << 1;
  const rexX = (rex & 2) << 2;
  const rexB = (rex & 1) << 3;
  i.size = w ? 8 : has66 ? 2 : 4;
  const mrm = () => modrm(r, i, rexR, rexX, rexB);
  /** An immediate of the operand size (imm32 sign-extended for 64-bit operands). */
  const immV = () => (i.size === 2 ? r.s16() : r.d32());
  let ok = true;
  if (op < 0x40 && GROUP1_OK[op >> 3] && (op & 7) < 6) {
    i.op = op >> 3;
    switch (op & 7) {
      case 0:
        i.kind = K.ALU_EG;
        i.size = 1;
        ok = mrm();
        break;
      case 1:
        i.kind = K.ALU_EG;
        ok = mrm();
        break;
      case 2:
        i.kind = K.ALU_GE;
        i.size = 1;
        ok = mrm();
        break;
      case 3:
        i.kind = K.ALU_GE;
        ok = mrm();
        break;
      case 4:
        i.kind = K.ALU_EI;
        i.size = 1;
        i.rm = 0;
        i.imm = r.s8();
        break;
      default:
        i.kind = K.ALU_EI;
        i.rm = 0;
        i.imm = immV();
    }
  } else if ((op & 0xf0) === 0x70) {
    i.kind = K.JCC;
    i.cc = op & 15;
    i.imm = r.s8();
  } else if (op >= 0xb8 && op <= 0xbf) {
    i.kind = K.MOV_RI;
    i.rm = (op & 7) | rexB;
    if (w) {
      const lo = r.d32();
      const hi = r.d32();
      i.imm = lo;
      i.immHi = hi;
    } else {
      i.imm = immV();
      i.immHi = 0;
    }
  } else {
    switch (op) {
      case 0x80:
      case 0x81:
      case 0x83:
        i.kind = K.ALU_EI;
        if (op === 0x80) i.size = 1;
        ok = mrm();
        i.op = i.reg & 7;
        if (!GROUP1_OK[i.op]) return null;
        i.imm = op === 0x81 ? immV() : r.s8();
        break;
      case 0x84:
      case 0x85:
        i.kind = K.TEST_EG;
        if (op === 0x84) i.size = 1;
        ok = mrm();
        break;
      case 0xa8:
        i.kind = K.TEST_EI;
        i.size = 1;
        i.rm = 0;
        i.imm = r.s8();
        break;
      case 0xa9:
        i.kind = K.TEST_EI;
        i.rm = 0;
        i.imm = immV();
        break;
      case 0x88:
      case 0x89:
        i.kind = K.MOV_EG;
        if (op === 0x88) i.size = 1;
        ok = mrm();
        break;
      case 0x8a:
      case 0x8b:
        i.kind = K.MOV_GE;
        if (op === 0x8a) i.size = 1;
        ok = mrm();
        break;
      case 0xc6:
      case 0xc7:
        i.kind = K.MOV_EI;
        if (op === 0xc6) i.size = 1;
        ok = mrm();
        if ((i.reg & 7) !== 0) return null;
        i.imm = op === 0xc6 ? r.s8() : immV();
        break;
      case 0x8c:
        ok = mrm();
        i.kind = K.MOV_SREG;
        i.op = i.reg & 7;
        if (i.op > 5) return null;
        break;
      case 0x8d:
        i.kind = K.LEA;
        ok = mrm();
        if (!i.isMem) return null;
        break;
      case 0x63:
        if (!w) return null;
        i.kind = K.MOVSX;
        i.msize = 4;
        ok = mrm();
        break;
      case 0xc1:
      case 0xd1:
      case 0xd3:
        i.kind = op === 0xd3 ? K.SHIFT_ECL : K.SHIFT_EI;
        ok = mrm();
        i.op = i.reg & 7;
        if ((i.op === 0 || i.op === 1) && op !== 0xd3 && i.size !== 2) i.kind = K.ROT_EI;
        else if (i.op !== 4 && i.op !== 5 && i.op !== 7) return null;
        i.imm = op === 0xc1 ? r.b() : 1;
        // 16-bit shifts by 16 or more follow special rules: the interpreter has them.
        if (i.size === 2 && (op === 0xd3 || (i.imm & 31) >= 16)) return null;
        break;
      case 0xf6:
      case 0xf7: {
        if (op === 0xf6) i.size = 1;
        ok = mrm();
        const sub = i.reg & 7;
        if (sub === 0) {
          i.kind = K.TEST_EI;
          i.imm = op === 0xf6 ? r.s8() : immV();
        } else if (sub === 2) i.kind = K.NOT;
        else if (sub === 3) i.kind = K.NEG;
        else if (sub === 6 && op === 0xf7 && i.size !== 2) i.kind = K.DIV;
        else if ((sub === 4 || sub === 5) && op === 0xf7 && i.size !== 2) {
          i.kind = K.MUL;
          i.op = sub - 4;
        } else return null;
        break;
      }
      case 0x69:
      case 0x6b:
        i.kind = K.IMUL_GEI;
        ok = mrm();
        i.imm = op === 0x69 ? immV() : r.s8();
        break;
      case 0x50:
      case 0x51:
      case 0x52:
      case 0x53:
      case 0x54:
      case 0x55:
      case 0x56:
      case 0x57:
      case 0x58:
      case 0x59:
      case 0x5a:
      case 0x5b:
      case 0x5c:
      case 0x5d:
      case 0x5e:
      case 0x5f:
        if (has66) return null;
        i.kind = op < 0x58 ? K.PUSH : K.POP;
        i.size = 8;
        i.rm = (op & 7) | rexB;
        break;
      case 0x68:
      case 0x6a:
        if (has66) return null;
        i.kind = K.PUSH_I;
        i.size = 8;
        i.imm = op === 0x68 ? r.d32() : r.s8();
        break;
      case 0xe8:
        if (has66) return null;
        i.kind = K.CALL;
        i.imm = r.d32();
        break;
      case 0xc3:
        if (has66) return null;
        i.kind = K.RET;
        break;
      case 0xfe:
      case 0xff:
        i.kind = K.INCDEC;
        if (op === 0xfe) i.size = 1;
        ok = mrm();
        i.op = i.reg & 7;
        if (op === 0xff && (i.op === 2 || i.op === 4)) {
          // CALL/JMP E: 64-bit in 64-bit mode; the 16-bit form is left to the interpreter.
          if (has66) return null;
          i.kind = i.op === 2 ? K.CALL_IND : K.JMP_IND;
          i.size = 8;
          break;
        }
        if (i.op > 1) return null;
        break;
      case 0x90:
        if (rexB === 0) {
          i.kind = K.NOP;
          // PAUSE (F3 90) is told apart: it may VM-exit in non-root operation (non-root.ts).
          i.op = repe ? NOP_PAUSE : 0;
          break;
        }
        i.kind = K.XCHG;
        i.reg = 0;
        i.rm = 8;
        break;
      case 0x91:
      case 0x92:
      case 0x93:
      case 0x94:
      case 0x95:
      case 0x96:
      case 0x97:
        i.kind = K.XCHG;
        i.reg = 0;
        i.rm = (op & 7) | rexB;
        break;
      case 0x86:
      case 0x87:
        i.kind = K.XCHG;
        if (op === 0x86) i.size = 1;
        ok = mrm();
        break;
      case 0x9c:
        if (has66) return null;
        i.kind = K.PUSHF;
        i.size = 8;
        break;
      case 0xfa:
        i.kind = K.CLI;
        break;
      case 0xfb:
        i.kind = K.STI;
        break;
      case 0xaa:
      case 0xab:
      case 0xa4:
      case 0xa5:
        // Only the REP (F3) forms; an FS/GS source of MOVS is left to the interpreter.
        if (!repe || i.seg >= 0) return null;
        i.kind = K.REP_STR;
        i.op = op === 0xa4 || op === 0xa5 ? 1 : 0;
        if ((op & 1) === 0) i.size = 1;
        break;
      case 0xc9:
        if (has66) return null;
        i.kind = K.LEAVE;
        i.size = 8;
        break;
      case 0x98:
        i.kind = K.CONV_A;
        break;
      case 0x99:
        i.kind = K.CONV_D;
        break;
      case 0xeb:
        i.kind = K.JMP;
        i.imm = r.s8();
        break;
      case 0xe9:
        i.kind = K.JMP;
        i.imm = r.d32();
        break;
      case 0x0f: {
        const op2 = r.b();
        if (op2 >= 0x80 && op2 <= 0x8f) {
          i.kind = K.JCC;
          i.cc = op2 & 15;
          i.imm = r.d32();
        } else if (op2 >= 0x40 && op2 <= 0x4f) {
          i.kind = K.CMOV;
          i.cc = op2 & 15;
          ok = mrm();
        } else if (op2 >= 0x90 && op2 <= 0x9f) {
          i.kind = K.SETCC;
          i.cc = op2 & 15;
          i.size = 1;
          ok = mrm();
        } else if (op2 === 0xb6 || op2 === 0xb7 || op2 === 0xbe || op2 === 0xbf) {
          i.kind = op2 < 0xb8 ? K.MOVZX : K.MOVSX;
          i.msize = op2 & 1 ? 2 : 1;
          ok = mrm();
        } else if (op2 === 0xaf) {
          i.kind = K.IMUL_GE;
          ok = mrm();
        } else if (op2 >= 0xc8 && op2 <= 0xcf) {
          if (has66) return null;
          i.kind = K.BSWAP;
          i.rm = (op2 & 7) | rexB;
        } else if (op2 === 0xba) {
          ok = mrm();
          if ((i.reg & 7) < 4) return null;
          i.kind = K.BT_I;
          i.op = (i.reg & 7) - 4;
          i.imm = r.b();
        } else if (op2 === 0xa3 || op2 === 0xab || op2 === 0xb3 || op2 === 0xbb) {
          // A memory operand: the signed bit offset selects the operand-sized word (codegen).
          ok = mrm();
          i.kind = K.BT_R;
          i.op = (op2 >> 3) & 3;
        } else if (op2 === 0xa4 || op2 === 0xa5 || op2 === 0xac || op2 === 0xad) {
          // 16-bit forms (counts above 16 are undefined) are left to the interpreter by
          // WORD_OK.
          i.kind = op2 & 1 ? K.SHD_CL : K.SHD_I;
          i.op = op2 < 0xa8 ? 0 : 1;
          ok = mrm();
          if (!(op2 & 1)) i.imm = r.b();
        } else if (op2 === 0xb0 || op2 === 0xb1) {
          i.kind = K.CMPXCHG;
          if (op2 === 0xb0) i.size = 1;
          ok = mrm();
        } else if (op2 === 0xc7) {
          ok = mrm();
          if (!i.isMem || (i.reg & 7) !== 1 || has66 || repe) return null;
          i.kind = K.CMPXCHG8B;
          i.size = w ? 16 : 8;
        } else if (op2 === 0xc0 || op2 === 0xc1) {
          i.kind = K.XADD;
          if (op2 === 0xc0) i.size = 1;
          ok = mrm();
        } else if (op2 === 0xae) {
          // LFENCE/MFENCE/SFENCE (register forms /5../7): a single CPU's accesses are in
          // order already, as in the interpreter. The memory forms (FXSAVE, CLFLUSH...) are not.
          ok = mrm();
          if (i.isMem || (i.reg & 7) < 5) return null;
          i.kind = K.NOP;
        } else if (op2 === 0x1f || op2 === 0x18 || op2 === 0x0d) {
          // The multi-byte NOP and the prefetches (their memory operand is never accessed).
          i.kind = K.NOP;
          ok = mrm();
        } else return null;
        break;
      }
      default:
        return null;
    }
  }
  if (!ok || Number.isNaN(i.imm) || r.pos > 4096 || r.pos - start > 15) return null;
  if (has66 && !w && i.size !== 1 && !WORD_OK.has(i.kind)) return null;
  if (repe && !(op === 0x90 && i.kind === K.NOP) && i.kind !== K.REP_STR) return null;
  // LOCK with a register destination, on CMP or on BT is #UD: the interpreter raises it.
  if (
    lock &&
    (!i.isMem ||
      !LOCK_OK.has(i.kind) ||
      ((i.kind === K.ALU_EG || i.kind === K.ALU_EI) && i.op === 7) ||
      ((i.kind === K.BT_I || i.kind === K.BT_R) && i.op === 0))
  )
    return null;
  // 16-bit MOVZX/MOVSX destinations are left to the interpreter.
  if ((i.kind === K.MOVZX || i.kind === K.MOVSX) && i.size === 2) return null;
  i.next = rip + (r.pos - start);
  if (i.base === -2) {
    // RIP-relative: an absolute displacement from the next instruction (no base register).
    i.base = -1;
    i.disp = i.next + i.disp;
  }
  if (i.kind === K.JCC || i.kind === K.JMP || i.kind === K.CALL) i.target = i.next + i.imm;
  return i;
}

/**
 * The block at linear `rip` whose bytes start at RAM offset `ramOff` (in the same page):
 * decoded instructions up to and including the first branch, at most MAX_INSNS. Empty when
 * the first instruction is not compiled.
 */
export function decodeBlock(ram: Uint8Array, ramOff: number, rip: number): Insn[] {
  const pageStart = rip - (((rip % 4096) + 4096) % 4096);
  const r = new Reader(ram, ramOff - (rip - pageStart));
  r.pos = rip - pageStart;
  const out: Insn[] = [];
  let at = rip;
  while (out.length < MAX_INSNS) {
    const i = decodeOne(r, at);
    if (i === null) break;
    // Branch targets and RIP-relative operands must stay canonical; leave odd cases to the interpreter.
    if ((i.kind === K.JCC || i.kind === K.JMP || i.kind === K.CALL) && !canonical(i.target)) break;
    if (i.isMem && i.base === -1 && i.index === -1 && !canonical(i.disp)) break;
    out.push(i);
    at = i.next;
    if (isTerminal(i.kind)) break;
  }
  return out;
}

function canonical(v: number): boolean {
  return Number.isSafeInteger(v) && v >= -0x800000000000 && v < 0x800000000000;
}

/** Blocks in one region at most, and instructions in all of them. */
export const MAX_REGION_BLOCKS = 32;
export const MAX_REGION_INSNS = 512;

/**
 * The region at `rip`: the block there and the blocks its branches reach inside the same
 * 4 KiB page (breadth first, within MAX_REGION_*), so loops and if/else chains run in one
 * compiled function. Block 0 starts at `rip`; empty when its first instruction is not compiled.
 */
export function decodeRegion(ram: Uint8Array, ramOff: number, rip: number): Insn[][] {
  const pageStart = rip - (((rip % 4096) + 4096) % 4096);
  const pageRam = ramOff - (rip - pageStart);
  const blocks: Insn[][] = [];
  const seen = new Set<number>();
  const queue = [rip];
  let total = 0;
  seen.add(rip);
  while (queue.length > 0 && blocks.length < MAX_REGION_BLOCKS && total < MAX_REGION_INSNS) {
    const at = queue.shift()!;
    const b = decodeBlock(ram, pageRam + (at - pageStart), at);
    if (b.length === 0) {
      if (blocks.length === 0) return blocks;
      continue;
    }
    blocks.push(b);
    total += b.length;
    const last = b[b.length - 1]!;
    const next: number[] = [];
    if (last.kind === K.JCC || last.kind === K.JMP || last.kind === K.CALL) next.push(last.target);
    if (last.kind === K.JCC || !isTerminal(last.kind)) next.push(last.next);
    // An indirect branch's target is known only when it runs: the region is left there.
    for (const n of next) {
      if (n - pageStart < 0 || n - pageStart >= 4096 || seen.has(n)) continue;
      seen.add(n);
      queue.push(n);
    }
  }
  return blocks;
}
