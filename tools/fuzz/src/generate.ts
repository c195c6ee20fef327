/**
 * Fuzz programs: random instruction streams biased towards the encodings that reach the
 * hypervisor and the hart's rarer paths (privileged and hypervisor instructions, CSR accesses,
 * AMOs, floating point, compressed parcels, SBI calls, loads and stores through pointers to
 * interesting addresses), or real guest images with random mutations.
 */
import {
  addi,
  auipc,
  bType,
  csrrs,
  csrrw,
  ECALL,
  iType,
  jal,
  ld,
  li32,
  MRET,
  NOP,
  OP_SYSTEM,
  rType,
  SRET,
} from "./encode.js";
import type { Rng } from "./rng.js";

/** What one case runs. */
export type FuzzProgram =
  /** `body` words after a prologue that loads x1..x31 from `regs` and installs a trap handler. */
  | { readonly kind: "random"; readonly body: Uint32Array; readonly regs: readonly bigint[] }
  /** A real guest image with mutations, loaded and entered as is. */
  | { readonly kind: "image"; readonly name: string; readonly bytes: Uint8Array };

/** Where the program runs: a VS-mode guest entered at its first byte, or the bare hart in M. */
export type FuzzTarget = "guest" | "bare";

export const MAX_BODY_WORDS = 256;

const CSRS = [
  0x001, 0x002, 0x003, 0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x142, 0x143, 0x144, 0x14d,
  0x180, 0x200, 0x204, 0x205, 0x240, 0x241, 0x242, 0x243, 0x244, 0x24d, 0x280, 0x300, 0x301, 0x302,
  0x303, 0x304, 0x305, 0x30a, 0x340, 0x341, 0x342, 0x343, 0x344, 0x34a, 0x34b, 0x3a0, 0x3b0, 0x600,
  0x602, 0x603, 0x604, 0x605, 0x606, 0x607, 0x60a, 0x643, 0x644, 0x645, 0x64a, 0x680, 0x7a0, 0x7a1,
  0x7a2, 0x7a3, 0x7a4, 0x7a5, 0xb00, 0xb02, 0xc00, 0xc01, 0xc02, 0xc03, 0xe12, 0xf11, 0xf14, 0xfb0,
] as const;

/** SBI extensions the hypervisor answers, and some it does not. */
const SBI_EIDS = [
  0x10, 0x54494d45, 0x735049, 0x52464e43, 0x48534d, 0x53525354, 0x4442434e, 0x53555350, 0x535441,
  0x485643, 0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x12345678,
] as const;

/** Register values that make loads, stores and SBI arguments go somewhere interesting. */
const POINTERS: readonly bigint[] = [
  0n,
  1n,
  0xffff_ffff_ffff_ffffn,
  0xffff_ffff_ffff_fff8n,
  0x8000_0000n,
  0x8020_0000n,
  0x8020_1000n,
  0x803f_fff8n,
  0x8040_0000n,
  0x8100_0000n,
  0x9000_0000n,
  0x1000_0000n,
  0x1000_1000n,
  0x1000_2000n,
  0x0c00_0000n,
  0x0c20_0000n,
  0x0200_0000n,
  0x0010_0000n,
  0x0000_1000n,
  1n << 41n,
  (1n << 41n) - 8n,
  1n << 50n,
  1n << 63n,
  0x7fff_ffff_ffff_fff8n,
  0xffff_ffc0_0000_0000n,
  0x8000_0000_0000_0000n,
];

function reg(rng: Rng): number {
  return rng.below(32);
}

function randomWord(rng: Rng): number {
  const r = rng.below(100);
  const rd = reg(rng);
  const rs1 = reg(rng);
  const rs2 = reg(rng);
  if (r < 16) {
    // Privileged and hypervisor instructions.
    switch (rng.below(9)) {
      case 0:
        return ECALL;
      case 1:
        return 0x0010_0073; // ebreak
      case 2:
        return SRET;
      case 3:
        return MRET;
      case 4:
        return 0x1050_0073; // wfi
      case 5:
        return rType(OP_SYSTEM, 0, 0, rs1, rs2, rng.pick([0x09, 0x11, 0x31, 0x0b, 0x13, 0x33]));
      case 6: // HLV/HLVX/HSV
        return rType(
          OP_SYSTEM,
          rd,
          4,
          rs1,
          rng.pick([0, 1, 3, rs2]),
          rng.pick([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37]),
        );
      case 7:
        return 0x0000_100f; // fence.i
      default:
        return iType(OP_SYSTEM, rd, 0, rs1, rng.below(0x1000));
    }
  }
  if (r < 32) {
    // CSR accesses: every form, interesting CSRs mostly.
    const csr = rng.chance(0.85) ? rng.pick(CSRS) : rng.below(0x1000);
    const f3 = rng.pick([1, 2, 3, 5, 6, 7]);
    return iType(OP_SYSTEM, rd, f3, rs1, csr);
  }
  if (r < 42) {
    // LR/SC and AMOs, word and doubleword.
    const f5 = rng.pick([0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c]);
    const f7 = (f5 << 2) | rng.below(4);
    return rType(0x2f, rd, rng.pick([2, 3]), rs1, f5 === 0x02 ? 0 : rs2, f7);
  }
  if (r < 52) {
    // Floating point: loads, stores, fused multiply-adds and OP-FP with random fields.
    switch (rng.below(4)) {
      case 0:
        return iType(0x07, rd, rng.pick([2, 3]), rs1, rng.below(0x1000));
      case 1:
        return (
          ((rng.below(0x80) << 25) |
            (rs2 << 20) |
            (rs1 << 15) |
            (rng.pick([2, 3]) << 12) |
            (rng.below(32) << 7) |
            0x27) >>>
          0
        );
      case 2:
        return (
          ((reg(rng) << 27) |
            (rng.below(4) << 25) |
            (rs2 << 20) |
            (rs1 << 15) |
            (rng.below(8) << 12) |
            (rd << 7) |
            rng.pick([0x43, 0x47, 0x4b, 0x4f])) >>>
          0
        );
      default:
        return rType(0x53, rd, rng.below(8), rs1, rs2, rng.below(0x80));
    }
  }
  if (r < 64) {
    // Compressed: two random parcels (whatever the low bits make of them).
    const a = rng.u32() & 0xffff;
    const b = rng.u32() & 0xffff;
    return ((((b & ~3) | rng.below(3)) << 16) | ((a & ~3) | rng.below(3))) >>> 0;
  }
  if (r < 78) {
    // Loads and stores through whatever the registers point at.
    const imm = rng.chance(0.5) ? 0 : rng.below(0x1000);
    if (rng.chance(0.5)) return iType(0x03, rd, rng.below(7), rs1, imm);
    return (
      ((((imm >> 5) & 0x7f) << 25) |
        (rs2 << 20) |
        (rs1 << 15) |
        (rng.below(4) << 12) |
        ((imm & 31) << 7) |
        0x23) >>>
      0
    );
  }
  if (r < 90) {
    // Arithmetic, branches and short jumps.
    switch (rng.below(4)) {
      case 0:
        return rType(rng.pick([0x33, 0x3b]), rd, rng.below(8), rs1, rs2, rng.pick([0, 1, 0x20]));
      case 1:
        return iType(rng.pick([0x13, 0x1b]), rd, rng.below(8), rs1, rng.below(0x1000));
      case 2:
        return bType(rng.pick([0, 1, 4, 5, 6, 7]), rs1, rs2, (rng.below(32) - 16) * 4);
      default:
        return jal(rng.chance(0.5) ? 0 : 1, (rng.below(32) - 8) * 4);
    }
  }
  // Anything at all.
  return rng.u32();
}

/** A random program: `words` body instructions (SBI calls take three) and register values. */
export function randomProgram(rng: Rng, words = 32 + rng.below(MAX_BODY_WORDS - 32)): FuzzProgram {
  const body: number[] = [];
  while (body.length < words) {
    if (rng.chance(0.06) && body.length + 4 <= words) {
      // An SBI call: a7 = extension, a6 = function, a0.. as the registers happen to be.
      body.push(...li32(17, rng.pick(SBI_EIDS)), addi(16, 0, rng.below(8)), ECALL);
    } else {
      body.push(randomWord(rng));
    }
  }
  const regs: bigint[] = [];
  for (let i = 1; i < 32; i++) {
    regs.push(
      rng.chance(0.7)
        ? rng.pick(POINTERS) + BigInt(rng.below(4) * 8)
        : (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()),
    );
  }
  return { kind: "random", body: Uint32Array.from(body), regs };
}

/** A real guest image with a few random mutations (bit flips, bytes, words, spliced code). */
export function mutatedImage(rng: Rng, name: string, original: Uint8Array): FuzzProgram {
  const bytes = original.slice();
  const count = 1 + rng.below(16);
  for (let k = 0; k < count; k++) {
    const at = rng.below(bytes.length) & ~3;
    switch (rng.below(4)) {
      case 0:
        bytes[at + rng.below(4)]! ^= 1 << rng.below(8);
        break;
      case 1:
        bytes[at] = rng.u32() & 0xff;
        break;
      case 2: {
        const w = randomWord(rng);
        for (let b = 0; b < 4 && at + b < bytes.length; b++) bytes[at + b] = (w >>> (8 * b)) & 0xff;
        break;
      }
      default: {
        // Repeat a chunk of the image somewhere else (code that jumps into the wrong place).
        const from = rng.below(bytes.length);
        const len = Math.min(64, bytes.length - Math.max(at, from));
        bytes.copyWithin(at, from, from + len);
      }
    }
  }
  return { kind: "image", name, bytes };
}

/**
 * The bytes a target runs. A random program starts with a prologue: x1..x31 from a table after
 * the body, and a trap handler that steps over the faulting instruction (stvec in a guest,
 * mtvec on the bare machine) so one fault does not end the run; the body ends with an SBI
 * shutdown.
 */
export function assemble(program: FuzzProgram, target: FuzzTarget): Uint8Array {
  if (program.kind === "image") return program.bytes;
  const words: number[] = [];
  const base = 31; // x31 (t6) holds the program's address while the prologue runs
  words.push(auipc(base, 0));
  const prologueWords = 1 + 30 + 3 + 1;
  const handlerWords = 4;
  const tail = [
    ...li32(17, 0x5352_5354),
    addi(16, 0, 0),
    addi(10, 0, 0),
    addi(11, 0, 0),
    ECALL,
    jal(0, 0),
  ];
  const tableOff = (prologueWords + handlerWords + program.body.length + tail.length) * 4;
  const handlerOff = prologueWords * 4;
  for (let r = 1; r <= 30; r++) words.push(ld(r, base, tableOff + 8 * (r - 1)));
  const tvec = target === "guest" ? 0x105 : 0x305;
  words.push(
    addi(base, base, handlerOff),
    csrrw(0, tvec, base),
    ld(base, base, tableOff + 8 * 30 - handlerOff),
  );
  words.push(jal(0, (handlerWords + 1) * 4));
  const epc = target === "guest" ? 0x141 : 0x341;
  words.push(
    csrrs(base, epc, 0),
    addi(base, base, 4),
    csrrw(0, epc, base),
    target === "guest" ? SRET : MRET,
  );
  words.push(...program.body, ...tail);
  const out = new Uint8Array(tableOff + 8 * 31);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => {
    view.setUint32(i * 4, w >>> 0, true);
  });
  program.regs.forEach((v, i) => {
    view.setBigUint64(tableOff + 8 * i, BigInt.asUintN(64, v), true);
  });
  return out;
}

/** The same program with body words [from, to) replaced by NOPs (for minimising). */
export function withNops(program: FuzzProgram, from: number, to: number): FuzzProgram {
  if (program.kind === "image") {
    const bytes = program.bytes.slice();
    const view = new DataView(bytes.buffer);
    for (let i = from; i < to && i * 4 + 4 <= bytes.length; i++) view.setUint32(i * 4, NOP, true);
    return { ...program, bytes };
  }
  const body = program.body.slice();
  body.fill(NOP, from, to);
  return { ...program, body };
}

/** Words a minimiser can replace. */
export function programWords(program: FuzzProgram): number {
  return program.kind === "image" ? program.bytes.length >> 2 : program.body.length;
}
