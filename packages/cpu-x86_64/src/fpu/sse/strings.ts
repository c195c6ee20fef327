/**
 * SSE4.2's packed string comparisons PCMPESTRM/PCMPESTRI/PCMPISTRM/PCMPISTRI (66 0F 3A 60..63)
 * and the CRC32C step of the CRC32 instruction (its operand decoding is the core's).
 *
 * imm8 selects the element format (bits 1:0: unsigned/signed bytes/words), the aggregation
 * (3:2: equal any, ranges, equal each, equal ordered), the polarity (5:4) and the output
 * (bit 6: most significant index / expanded mask). xmm1 (reg) holds the set, ranges or needle;
 * xmm2/m128 (rm, never alignment-checked) the string. Explicit lengths come from EAX/EDX (RAX/RDX
 * with REX.W), absolute values saturated to the element count; implicit ones end at the first
 * zero element. Flags: CF = result non-zero, ZF = string shorter than a register, SF = xmm1
 * shorter, OF = result bit 0, AF = PF = 0.
 */

import type { GprPort, MemPort, SseInsn } from "../contract.js";
import * as contractModule from "../contract.js";
import type { FpuState } from "../state.js";
import * as vectorModule from "./vector.js";

const { FPU_FAULT, FPU_OK, FPU_UD } = contractModule;
const { clear, D, i8, i16, loadXmm, R, readMem, S, storeXmm, u8, u16, u32 } = vectorModule;

/** Element i of the work register at `at` under the format (bits 1:0 of imm8). */
function element(at: number, i: number, fmt: number): number {
  switch (fmt) {
    case 0:
      return u8[at + i]!;
    case 1:
      return u16[(at >> 1) + i]!;
    case 2:
      return i8[at + i]!;
    default:
      return i16[(at >> 1) + i]!;
  }
}

function implicitLength(at: number, fmt: number, count: number): number {
  for (let i = 0; i < count; i++) if (element(at, i, fmt) === 0) return i;
  return count;
}

function explicitLength(gpr: GprPort, n: number, wide: boolean, count: number): number {
  const lo = gpr.getLo(n) | 0;
  const hi = gpr.getHi(n) | 0;
  let v: number;
  if (wide) {
    // |RAX| saturated: any high word other than 0 or -1 (with a matching sign) is out of range.
    if (hi === 0 && lo >= 0) v = lo;
    else if (hi === -1 && lo < 0) v = -lo;
    else v = count;
  } else v = Math.abs(lo);
  return Math.min(v, count);
}

export function executeString(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  if (x.prefix !== 0x66) return FPU_UD;
  const op = x.opcode;
  const explicit = op === 0x60 || op === 0x61;
  const index = op === 0x61 || op === 0x63;
  const imm = x.imm8;
  const fmt = imm & 3;
  const count = fmt & 1 ? 8 : 16;
  loadXmm(s, x.reg, D);
  if (x.rm >= 0) loadXmm(s, x.rm, S);
  else {
    clear(S);
    if (!readMem(mem, x.eaLo, x.eaHi, 16, S)) return FPU_FAULT;
  }
  const len1 = explicit ? explicitLength(gpr, 0, x.rexW, count) : implicitLength(D, fmt, count);
  const len2 = explicit ? explicitLength(gpr, 2, x.rexW, count) : implicitLength(S, fmt, count);

  const aggregation = (imm >> 2) & 3;
  let res = 0;
  for (let j = 0; j < count; j++) {
    let bit = false;
    switch (aggregation) {
      case 0: // equal any: string element j is in the set
        if (j < len2) {
          const b = element(S, j, fmt);
          for (let i = 0; i < len1 && !bit; i++) bit = element(D, i, fmt) === b;
        }
        break;
      case 1: // ranges: string element j lies in one of the [lo, hi] pairs
        if (j < len2) {
          const b = element(S, j, fmt);
          for (let i = 0; i < len1 && !bit; i += 2) {
            const lower = element(D, i, fmt) <= b;
            const upper = i + 1 < len1 && b <= element(D, i + 1, fmt);
            bit = lower && upper;
          }
        }
        break;
      case 2: // equal each: element j of both
        if (j >= len1 && j >= len2) bit = true;
        else if (j < len1 && j < len2) bit = element(D, j, fmt) === element(S, j, fmt);
        break;
      default: {
        // equal ordered: the needle (xmm1) starts at string element j
        bit = true;
        for (let k = 0; k < count - j && bit; k++) {
          if (k >= len1) break; // the needle ended: a match so far stays a match
          if (j + k >= len2) bit = false;
          else bit = element(D, k, fmt) === element(S, j + k, fmt);
        }
      }
    }
    if (bit) res |= 1 << j;
  }
  const all = (1 << count) - 1;
  switch ((imm >> 4) & 3) {
    case 1:
      res = ~res & all;
      break;
    case 3:
      res ^= (1 << len2) - 1;
      break;
  }

  if (index) {
    let ecx = count;
    if (res !== 0) ecx = imm & 0x40 ? 31 - Math.clz32(res) : 31 - Math.clz32(res & -res);
    gpr.set(1, ecx, 0);
  } else {
    clear(R);
    if (imm & 0x40) {
      for (let j = 0; j < count; j++) {
        if (!((res >> j) & 1)) continue;
        if (count === 16) u8[R + j] = 0xff;
        else u16[(R >> 1) + j] = 0xffff;
      }
    } else u32[R >> 2] = res;
    storeXmm(s, 0, R);
  }
  gpr.setFlags(len2 < count, false, res !== 0, len1 < count, (res & 1) === 1);
  return FPU_OK;
}

const CRC32C_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/**
 * The CRC32 instruction's arithmetic: the CRC-32C (Castagnoli, reflected 0x82F63B78) of `bytes`
 * bytes of the source (lo, hi; least significant byte first) accumulated onto `acc`, with no
 * initial or final inversion. Returns the new 32-bit value.
 */
export function crc32c(acc: number, lo: number, hi: number, bytes: number): number {
  let c = acc | 0;
  for (let i = 0; i < bytes; i++) {
    const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
    c = (c >>> 8) ^ CRC32C_TABLE[(c ^ b) & 0xff]!;
  }
  return c >>> 0;
}
