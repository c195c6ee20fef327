/**
 * MMX and SSE integer instructions, moves and bitwise logic: SSE2's packed integer set, the
 * 128-bit moves and shuffles of SSE/SSE2, SSSE3, and the integer part of SSE4.1/SSE4.2
 * (PCMPGTQ; not the string instructions or CRC32). Returns NOT_MINE for an encoding that is not
 * one of these, so the floating-point half can try it.
 *
 * Legacy (non-VEX) 128-bit memory operands must be 16-byte aligned except for the unaligned
 * moves (MOVUPS/MOVUPD/MOVDQU/LDDQU) and the forms that read fewer bytes: #GP otherwise.
 */
import {
  FPU_FAULT,
  FPU_GP,
  FPU_OK,
  FPU_UD,
  type GprPort,
  type MemPort,
  type SseInsn,
} from "../contract.js";
import type { FpuState } from "../state.js";
import { executeString } from "./strings.js";
import * as vector from "./vector.js";

// Module-local bindings: the work registers are touched in every inner loop, and a bundler's
// module-namespace indirection for imported names costs far more than the operation itself.
const {
  clear,
  D,
  enterMmx,
  i8,
  i16,
  i32,
  loadMm,
  loadXmm,
  R,
  readMem,
  S,
  storeMm,
  storeXmm,
  T,
  u8,
  u16,
  u32,
  writeMem,
} = vector;

export const NOT_MINE = -1;

const h = (at: number) => at >> 1;
const w = (at: number) => at >> 2;

const sat8 = (v: number) => (v > 127 ? 127 : Math.max(v, -128));
const satU8 = (v: number) => (v > 255 ? 255 : Math.max(v, 0));
const sat16 = (v: number) => (v > 32767 ? 32767 : Math.max(v, -32768));
const satU16 = (v: number) => (v > 65535 ? 65535 : Math.max(v, 0));

/** Loads the source operand into S: a register, or n bytes of memory (aligned when asked). */
function source(
  x: SseInsn,
  s: FpuState,
  mem: MemPort,
  mmx: boolean,
  n: number,
  aligned: boolean,
): number {
  if (x.rm >= 0) {
    if (mmx) loadMm(s, x.rm, S);
    else loadXmm(s, x.rm, S);
    return FPU_OK;
  }
  if (aligned && n === 16 && (x.eaLo & 15) !== 0) return FPU_GP;
  clear(S);
  return readMem(mem, x.eaLo, x.eaHi, n, S) ? FPU_OK : FPU_FAULT;
}

/**
 * dest = op(dest, src) on MMX (no prefix, when mmxOk) or XMM (66) registers; op fills R from D
 * and S for n bytes.
 */
function binary(
  x: SseInsn,
  s: FpuState,
  mem: MemPort,
  mmxOk: boolean,
  op: (n: number) => void,
): number {
  let mmx: boolean;
  if (x.prefix === 0 && mmxOk) mmx = true;
  else if (x.prefix === 0x66) mmx = false;
  else return FPU_UD;
  const n = mmx ? 8 : 16;
  if (mmx) loadMm(s, x.reg, D);
  else loadXmm(s, x.reg, D);
  const r = source(x, s, mem, mmx, n, true);
  if (r !== FPU_OK) return r;
  clear(R);
  op(n);
  if (mmx) {
    storeMm(s, x.reg, R);
    enterMmx(s);
  } else storeXmm(s, x.reg, R);
  return FPU_OK;
}

/** Same as `binary` for XMM only with no prefix check beyond 66 (SSE4.1 and the like). */
function binary66(x: SseInsn, s: FpuState, mem: MemPort, op: (n: number) => void): number {
  if (x.prefix !== 0x66) return FPU_UD;
  return binary(x, s, mem, false, op);
}

function each8(n: number, f: (a: number, b: number, i: number) => number): void {
  for (let i = 0; i < n; i++) u8[R + i] = f(u8[D + i]!, u8[S + i]!, i);
}
function each32(n: number, f: (a: number, b: number) => number): void {
  for (let i = 0; i < n / 4; i++) u32[w(R) + i] = f(u32[w(D) + i]!, u32[w(S) + i]!);
}
function each64(
  n: number,
  f: (alo: number, ahi: number, blo: number, bhi: number, k: number) => void,
): void {
  for (let k = 0; k < n / 8; k++)
    f(u32[w(D) + 2 * k]!, u32[w(D) + 2 * k + 1]!, u32[w(S) + 2 * k]!, u32[w(S) + 2 * k + 1]!, k);
}
function put64(k: number, lo: number, hi: number): void {
  u32[w(R) + 2 * k] = lo;
  u32[w(R) + 2 * k + 1] = hi;
}

const cmpMask = (c: boolean, m: number) => (c ? m : 0);

/** 64-bit signed compare a > b on (lo, hi) pairs. */
function gt64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  const ah = ahi | 0;
  const bh = bhi | 0;
  return ah !== bh ? ah > bh : alo >>> 0 > blo >>> 0;
}

/** The shift count of PSLL/PSRL/PSRA with a register/memory count: the low 64 bits of S. */
function countFromS(): number {
  return u32[w(S) + 1] !== 0 ? 0xffff : u32[w(S)]!;
}

function shift(n: number, size: number, kind: number, count: number): void {
  // kind: 0 logical right, 1 arithmetic right, 2 left
  const bits = size * 8;
  if (size === 8) {
    for (let k = 0; k < n / 8; k++) {
      const lo = u32[w(D) + 2 * k]!;
      const hi = u32[w(D) + 2 * k + 1]!;
      let rl = 0;
      let rh = 0;
      if (count < 64) {
        if (kind === 2) {
          if (count >= 32) rh = lo << (count - 32);
          else if (count === 0) [rl, rh] = [lo, hi];
          else {
            rh = (hi << count) | (lo >>> (32 - count));
            rl = lo << count;
          }
        } else if (count >= 32) rl = hi >>> (count - 32);
        else if (count === 0) [rl, rh] = [lo, hi];
        else {
          rl = (lo >>> count) | (hi << (32 - count));
          rh = hi >>> count;
        }
      }
      put64(k, rl >>> 0, rh >>> 0);
    }
    return;
  }
  for (let i = 0; i < n / size; i++) {
    if (size === 2) {
      const a = u16[h(D) + i]!;
      if (kind === 1) i16[h(R) + i] = (a << 16) >> (16 + Math.min(count, 15));
      else if (count >= bits) u16[h(R) + i] = 0;
      else u16[h(R) + i] = kind === 2 ? a << count : a >>> count;
    } else {
      const a = u32[w(D) + i]!;
      if (kind === 1) i32[w(R) + i] = (a | 0) >> Math.min(count, 31);
      else if (count >= bits) u32[w(R) + i] = 0;
      else u32[w(R) + i] = kind === 2 ? a << count : a >>> count;
    }
  }
}

function gprWrite32(gpr: GprPort, n: number, v: number): void {
  gpr.set(n, v >>> 0, 0);
}

/*
 * Element-wise operations of the packed instructions, one function per operation (no closure
 * is created per instruction): R = f(D, S) lane by lane over n bytes.
 */
function pcmpgtb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = i8[D + i]!;
    const b = i8[S + i]!;
    i8[R + i] = cmpMask(a > b, -1);
  }
}

function pcmpgtw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = cmpMask(a > b, -1);
  }
}

function pcmpgtd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = i32[w(D) + i]!;
    const b = i32[w(S) + i]!;
    i32[w(R) + i] = cmpMask(a > b, -1);
  }
}

function pcmpeqb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = cmpMask(a === b, 0xff);
  }
}

function pcmpeqw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = cmpMask(a === b, 0xffff);
  }
}

function pcmpeqd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = cmpMask(a === b, -1);
  }
}

function paddb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = a + b;
  }
}

function paddw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = a + b;
  }
}

function paddd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = a + b;
  }
}

function psubb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = a - b;
  }
}

function psubw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = a - b;
  }
}

function psubd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = a - b;
  }
}

function paddsb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = i8[D + i]!;
    const b = i8[S + i]!;
    i8[R + i] = sat8(a + b);
  }
}

function paddsw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = sat16(a + b);
  }
}

function psubsb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = i8[D + i]!;
    const b = i8[S + i]!;
    i8[R + i] = sat8(a - b);
  }
}

function psubsw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = sat16(a - b);
  }
}

function paddusb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = satU8(a + b);
  }
}

function paddusw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = satU16(a + b);
  }
}

function psubusb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = satU8(a - b);
  }
}

function psubusw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = satU16(a - b);
  }
}

function pmullw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = Math.imul(a, b);
  }
}

function pmulhw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = (a * b) >> 16;
  }
}

function pmulhuw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = (a * b) >>> 16;
  }
}

function pavgb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = (a + b + 1) >> 1;
  }
}

function pavgw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = (a + b + 1) >> 1;
  }
}

function pminub(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = Math.min(a, b);
  }
}

function pmaxub(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = u8[D + i]!;
    const b = u8[S + i]!;
    u8[R + i] = Math.max(a, b);
  }
}

function pminsw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = Math.min(a, b);
  }
}

function pmaxsw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = Math.max(a, b);
  }
}

function pand(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = a & b;
  }
}

function pandn(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = ~a & b;
  }
}

function por(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = a | b;
  }
}

function pxor(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = a ^ b;
  }
}

function psignb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = i8[D + i]!;
    const b = i8[S + i]!;
    i8[R + i] = b < 0 ? -a : b === 0 ? 0 : a;
  }
}

function psignw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = b < 0 ? -a : b === 0 ? 0 : a;
  }
}

function psignd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = i32[w(D) + i]!;
    const b = i32[w(S) + i]!;
    i32[w(R) + i] = b < 0 ? -a : b === 0 ? 0 : a;
  }
}

function pmulhrsw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = i16[h(D) + i]!;
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = (((a * b) >> 14) + 1) >> 1;
  }
}

function pabsb(n: number): void {
  for (let i = 0; i < n; i++) {
    const b = i8[S + i]!;
    i8[R + i] = Math.abs(b);
  }
}

function pabsw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const b = i16[h(S) + i]!;
    i16[h(R) + i] = Math.abs(b);
  }
}

function pabsd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const b = i32[w(S) + i]!;
    i32[w(R) + i] = Math.abs(b);
  }
}

function pminsb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = i8[D + i]!;
    const b = i8[S + i]!;
    i8[R + i] = Math.min(a, b);
  }
}

function pminsd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = i32[w(D) + i]!;
    const b = i32[w(S) + i]!;
    i32[w(R) + i] = Math.min(a, b);
  }
}

function pminuw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = Math.min(a, b);
  }
}

function pminud(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = Math.min(a >>> 0, b >>> 0);
  }
}

function pmaxsb(n: number): void {
  for (let i = 0; i < n; i++) {
    const a = i8[D + i]!;
    const b = i8[S + i]!;
    i8[R + i] = Math.max(a, b);
  }
}

function pmaxsd(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = i32[w(D) + i]!;
    const b = i32[w(S) + i]!;
    i32[w(R) + i] = Math.max(a, b);
  }
}

function pmaxuw(n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const a = u16[h(D) + i]!;
    const b = u16[h(S) + i]!;
    u16[h(R) + i] = Math.max(a, b);
  }
}

function pmaxud(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = Math.max(a >>> 0, b >>> 0);
  }
}

function pmulld(n: number): void {
  for (let i = 0; i < n / 4; i++) {
    const a = u32[w(D) + i]!;
    const b = u32[w(S) + i]!;
    u32[w(R) + i] = Math.imul(a, b);
  }
}

export function executeInteger(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  if (x.map === 1) return map0f(x, s, gpr, mem);
  if (x.map === 2) return map38(x, s, gpr, mem);
  if (x.map === 3) return map3a(x, s, gpr, mem);
  return FPU_UD;
}

function map0f(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const op = x.opcode;
  const p = x.prefix;
  switch (op) {
    case 0x60:
    case 0x61:
    case 0x62:
    case 0x68:
    case 0x69:
    case 0x6a:
    case 0x6c:
    case 0x6d:
      if ((op === 0x6c || op === 0x6d) && p !== 0x66) return FPU_UD;
      return binary(x, s, mem, true, (n) => unpack(n, op));
    case 0x63:
      return binary(x, s, mem, true, (n) => pack(n, 2, true));
    case 0x67:
      return binary(x, s, mem, true, (n) => pack(n, 2, false));
    case 0x6b:
      return binary(x, s, mem, true, (n) => pack(n, 4, true));
    case 0x64:
      return binary(x, s, mem, true, pcmpgtb);
    case 0x65:
      return binary(x, s, mem, true, pcmpgtw);
    case 0x66:
      return binary(x, s, mem, true, pcmpgtd);
    case 0x74:
      return binary(x, s, mem, true, pcmpeqb);
    case 0x75:
      return binary(x, s, mem, true, pcmpeqw);
    case 0x76:
      return binary(x, s, mem, true, pcmpeqd);
    case 0x6e:
      return movdTo(x, s, gpr, mem);
    case 0x7e:
      if (p === 0xf3) return movqLoad(x, s, mem);
      return movdFrom(x, s, gpr, mem);
    case 0x6f:
      return moveLoad(x, s, mem);
    case 0x7f:
      return moveStore(x, s, mem);
    case 0xd6:
      return movqD6(x, s, mem);
    case 0xe7:
      if (x.rm >= 0) return FPU_UD;
      return moveStore(x, s, mem);
    case 0x70:
      return pshuf(x, s, mem);
    case 0x71:
    case 0x72:
    case 0x73:
      return shiftImm(x, s);
    case 0xd1:
    case 0xd2:
    case 0xd3:
    case 0xe1:
    case 0xe2:
    case 0xf1:
    case 0xf2:
    case 0xf3: {
      const size = [2, 4, 8][(op & 15) - 1]!;
      const kind = op < 0xe0 ? 0 : op < 0xf0 ? 1 : 2;
      return binary(x, s, mem, true, (n) => shift(n, size, kind, countFromS()));
    }
    case 0x77:
      if (p !== 0) return FPU_UD;
      s.ftw = 0xffff;
      return FPU_OK;
    case 0xc4:
      return pinsrw(x, s, gpr, mem);
    case 0xc5:
      return pextrw(x, s, gpr);
    case 0xd7:
      return pmovmskb(x, s, gpr);
    case 0xd4:
      return binary(x, s, mem, true, (n) =>
        each64(n, (al, ah, bl, bh, k) => {
          const lo = (al + bl) >>> 0;
          put64(k, lo, (ah + bh + (lo < al ? 1 : 0)) >>> 0);
        }),
      );
    case 0xfb:
      return binary(x, s, mem, true, (n) =>
        each64(n, (al, ah, bl, bh, k) => {
          put64(k, (al - bl) >>> 0, (ah - bh - (al < bl ? 1 : 0)) >>> 0);
        }),
      );
    case 0xfc:
      return binary(x, s, mem, true, paddb);
    case 0xfd:
      return binary(x, s, mem, true, paddw);
    case 0xfe:
      return binary(x, s, mem, true, paddd);
    case 0xf8:
      return binary(x, s, mem, true, psubb);
    case 0xf9:
      return binary(x, s, mem, true, psubw);
    case 0xfa:
      return binary(x, s, mem, true, psubd);
    case 0xec:
      return binary(x, s, mem, true, paddsb);
    case 0xed:
      return binary(x, s, mem, true, paddsw);
    case 0xe8:
      return binary(x, s, mem, true, psubsb);
    case 0xe9:
      return binary(x, s, mem, true, psubsw);
    case 0xdc:
      return binary(x, s, mem, true, paddusb);
    case 0xdd:
      return binary(x, s, mem, true, paddusw);
    case 0xd8:
      return binary(x, s, mem, true, psubusb);
    case 0xd9:
      return binary(x, s, mem, true, psubusw);
    case 0xd5:
      return binary(x, s, mem, true, pmullw);
    case 0xe5:
      return binary(x, s, mem, true, pmulhw);
    case 0xe4:
      return binary(x, s, mem, true, pmulhuw);
    case 0xf4:
      return binary(x, s, mem, true, (n) => each64(n, (al, _ah, bl, _bh, k) => mulU32(k, al, bl)));
    case 0xf5:
      return binary(x, s, mem, true, (n) => {
        for (let i = 0; i < n / 4; i++) {
          const a0 = i16[h(D) + 2 * i]!;
          const a1 = i16[h(D) + 2 * i + 1]!;
          const b0 = i16[h(S) + 2 * i]!;
          const b1 = i16[h(S) + 2 * i + 1]!;
          i32[w(R) + i] = (a0 * b0 + a1 * b1) | 0;
        }
      });
    case 0xf6:
      return binary(x, s, mem, true, (n) => {
        for (let k = 0; k < n / 8; k++) {
          let sum = 0;
          for (let i = 0; i < 8; i++) sum += Math.abs(u8[D + 8 * k + i]! - u8[S + 8 * k + i]!);
          put64(k, sum, 0);
        }
      });
    case 0xe0:
      return binary(x, s, mem, true, pavgb);
    case 0xe3:
      return binary(x, s, mem, true, pavgw);
    case 0xda:
      return binary(x, s, mem, true, pminub);
    case 0xde:
      return binary(x, s, mem, true, pmaxub);
    case 0xea:
      return binary(x, s, mem, true, pminsw);
    case 0xee:
      return binary(x, s, mem, true, pmaxsw);
    case 0xdb:
      return binary(x, s, mem, true, pand);
    case 0xdf:
      return binary(x, s, mem, true, pandn);
    case 0xeb:
      return binary(x, s, mem, true, por);
    case 0xef:
      return binary(x, s, mem, true, pxor);
    case 0xf7:
      return maskmov(x, s, gpr, mem);
    default:
      return moves0f(x, s, gpr, mem);
  }
}

function mulU32(k: number, a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const mid = ah * bl + al * bh;
  const lo = ll + (mid % 0x10000) * 0x10000;
  const hi = ah * bh + Math.floor(mid / 0x10000) + Math.floor(lo / 0x100000000);
  put64(k, lo >>> 0, hi >>> 0);
}

/** PUNPCKL/H (BW, WD, DQ, QDQ): interleave the low or high halves of D and S. */
function unpack(n: number, op: number): void {
  const high = (op >= 0x68 && op <= 0x6a) || op === 0x6d;
  const size = op === 0x6c || op === 0x6d ? 8 : 1 << (op & 3);
  const half = n / 2;
  const base = high ? half : 0;
  for (let i = 0; i < half / size; i++) {
    for (let b = 0; b < size; b++) {
      u8[R + 2 * i * size + b] = u8[D + base + i * size + b]!;
      u8[R + (2 * i + 1) * size + b] = u8[S + base + i * size + b]!;
    }
  }
}

/** PACKSSWB/PACKUSWB/PACKSSDW/PACKUSDW: narrow D then S with saturation. */
function pack(n: number, size: number, signed: boolean): void {
  const count = n / size;
  for (let i = 0; i < 2 * count; i++) {
    const from = i < count ? D : S;
    const j = i % count;
    if (size === 2) {
      const v = i16[h(from) + j]!;
      if (signed) i8[R + i] = sat8(v);
      else u8[R + i] = satU8(v);
    } else {
      const v = i32[w(from) + j]!;
      if (signed) i16[h(R) + i] = sat16(v);
      else u16[h(R) + i] = satU16(v);
    }
  }
}

function movdTo(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  if (x.prefix !== 0 && x.prefix !== 0x66) return FPU_UD;
  const mmx = x.prefix === 0;
  const n = x.rexW ? 8 : 4;
  clear(R);
  if (x.rm >= 0) {
    u32[w(R)] = gpr.getLo(x.rm);
    if (x.rexW) u32[w(R) + 1] = gpr.getHi(x.rm);
  } else if (!readMem(mem, x.eaLo, x.eaHi, n, R)) return FPU_FAULT;
  if (mmx) {
    storeMm(s, x.reg, R);
    enterMmx(s);
  } else storeXmm(s, x.reg, R);
  return FPU_OK;
}

function movdFrom(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  if (x.prefix !== 0 && x.prefix !== 0x66) return FPU_UD;
  const mmx = x.prefix === 0;
  if (mmx) loadMm(s, x.reg, R);
  else loadXmm(s, x.reg, R);
  if (x.rm >= 0) gpr.set(x.rm, u32[w(R)]!, x.rexW ? u32[w(R) + 1]! : 0);
  else if (!writeMem(mem, x.eaLo, x.eaHi, x.rexW ? 8 : 4, R)) return FPU_FAULT;
  if (mmx) enterMmx(s);
  return FPU_OK;
}

/** F3 0F 7E MOVQ xmm, xmm/m64 (zeroes the upper half). */
function movqLoad(x: SseInsn, s: FpuState, mem: MemPort): number {
  const r = source(x, s, mem, false, 8, false);
  if (r !== FPU_OK) return r;
  u32[w(S) + 2] = 0;
  u32[w(S) + 3] = 0;
  storeXmm(s, x.reg, S);
  return FPU_OK;
}

/** 0F 6F: MOVQ mm, mm/m64; 66: MOVDQA; F3: MOVDQU. */
function moveLoad(x: SseInsn, s: FpuState, mem: MemPort): number {
  if (x.prefix === 0) {
    const r = source(x, s, mem, true, 8, false);
    if (r !== FPU_OK) return r;
    storeMm(s, x.reg, S);
    enterMmx(s);
    return FPU_OK;
  }
  if (x.prefix === 0xf2) return FPU_UD;
  const r = source(x, s, mem, false, 16, x.prefix === 0x66);
  if (r !== FPU_OK) return r;
  storeXmm(s, x.reg, S);
  return FPU_OK;
}

/** 0F 7F / 0F E7: stores of an MMX or XMM register (reg) to rm. */
function moveStore(x: SseInsn, s: FpuState, mem: MemPort): number {
  if (x.prefix === 0xf2) return FPU_UD;
  if (x.opcode === 0xe7 && x.prefix === 0xf3) return FPU_UD;
  const mmx = x.prefix === 0;
  if (mmx) loadMm(s, x.reg, R);
  else loadXmm(s, x.reg, R);
  if (x.rm >= 0) {
    if (mmx) storeMm(s, x.rm, R);
    else storeXmm(s, x.rm, R);
  } else {
    const aligned = x.prefix === 0x66 || (x.opcode === 0xe7 && !mmx);
    if (!mmx && aligned && (x.eaLo & 15) !== 0) return FPU_GP;
    if (!writeMem(mem, x.eaLo, x.eaHi, mmx ? 8 : 16, R)) return FPU_FAULT;
  }
  if (mmx) enterMmx(s);
  return FPU_OK;
}

/** 66 0F D6 MOVQ xmm/m64, xmm; F3: MOVQ2DQ xmm, mm; F2: MOVDQ2Q mm, xmm. */
function movqD6(x: SseInsn, s: FpuState, mem: MemPort): number {
  if (x.prefix === 0x66) {
    loadXmm(s, x.reg, R);
    if (x.rm >= 0) {
      u32[w(R) + 2] = 0;
      u32[w(R) + 3] = 0;
      storeXmm(s, x.rm, R);
      return FPU_OK;
    }
    return writeMem(mem, x.eaLo, x.eaHi, 8, R) ? FPU_OK : FPU_FAULT;
  }
  if (x.rm < 0) return FPU_UD;
  if (x.prefix === 0xf3) {
    loadMm(s, x.rm, R);
    storeXmm(s, x.reg, R);
    enterMmx(s);
    return FPU_OK;
  }
  if (x.prefix === 0xf2) {
    loadXmm(s, x.rm, R);
    storeMm(s, x.reg, R);
    enterMmx(s);
    return FPU_OK;
  }
  return FPU_UD;
}

/** 0F 70: PSHUFW (mmx), PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
function pshuf(x: SseInsn, s: FpuState, mem: MemPort): number {
  const mmx = x.prefix === 0;
  const r = source(x, s, mem, mmx, mmx ? 8 : 16, true);
  if (r !== FPU_OK) return r;
  const imm = x.imm8;
  u32.set(u32.subarray(w(S), w(S) + 4), w(R));
  if (x.prefix === 0x66) {
    for (let i = 0; i < 4; i++) u32[w(R) + i] = u32[w(S) + ((imm >> (2 * i)) & 3)]!;
  } else {
    const base = x.prefix === 0xf3 ? 4 : 0;
    for (let i = 0; i < 4; i++) u16[h(R) + base + i] = u16[h(S) + base + ((imm >> (2 * i)) & 3)]!;
  }
  if (mmx) {
    storeMm(s, x.reg, R);
    enterMmx(s);
  } else storeXmm(s, x.reg, R);
  return FPU_OK;
}

/** 0F 71/72/73 with an immediate count: PSRL/PSRA/PSLL W/D/Q and PSRLDQ/PSLLDQ. */
function shiftImm(x: SseInsn, s: FpuState): number {
  if (x.rm < 0) return FPU_UD;
  const sub = x.reg & 7;
  const mmx = x.prefix === 0;
  if (!mmx && x.prefix !== 0x66) return FPU_UD;
  const size = x.opcode === 0x71 ? 2 : x.opcode === 0x72 ? 4 : 8;
  if (mmx) loadMm(s, x.rm, D);
  else loadXmm(s, x.rm, D);
  const n = mmx ? 8 : 16;
  const count = x.imm8 & 0xff;
  clear(R);
  if (size === 8 && (sub === 3 || sub === 7)) {
    if (mmx) return FPU_UD;
    const c = Math.min(count, 16);
    for (let i = 0; i < 16; i++) {
      const from = sub === 3 ? i + c : i - c;
      u8[R + i] = from >= 0 && from < 16 ? u8[D + from]! : 0;
    }
  } else if (sub === 2) shift(n, size, 0, count);
  else if (sub === 4 && size !== 8) shift(n, size, 1, count);
  else if (sub === 6) shift(n, size, 2, count);
  else return FPU_UD;
  if (mmx) {
    storeMm(s, x.rm, R);
    enterMmx(s);
  } else storeXmm(s, x.rm, R);
  return FPU_OK;
}

function pinsrw(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const mmx = x.prefix === 0;
  if (!mmx && x.prefix !== 0x66) return FPU_UD;
  let v: number;
  if (x.rm >= 0) v = gpr.getLo(x.rm) & 0xffff;
  else {
    if (!readMem(mem, x.eaLo, x.eaHi, 2, T)) return FPU_FAULT;
    v = u16[h(T)]!;
  }
  if (mmx) loadMm(s, x.reg, R);
  else loadXmm(s, x.reg, R);
  u16[h(R) + (x.imm8 & (mmx ? 3 : 7))] = v;
  if (mmx) {
    storeMm(s, x.reg, R);
    enterMmx(s);
  } else storeXmm(s, x.reg, R);
  return FPU_OK;
}

function pextrw(x: SseInsn, s: FpuState, gpr: GprPort): number {
  const mmx = x.prefix === 0;
  if ((!mmx && x.prefix !== 0x66) || x.rm < 0) return FPU_UD;
  if (mmx) loadMm(s, x.rm, S);
  else loadXmm(s, x.rm, S);
  gprWrite32(gpr, x.reg, u16[h(S) + (x.imm8 & (mmx ? 3 : 7))]!);
  if (mmx) enterMmx(s);
  return FPU_OK;
}

function pmovmskb(x: SseInsn, s: FpuState, gpr: GprPort): number {
  const mmx = x.prefix === 0;
  if ((!mmx && x.prefix !== 0x66) || x.rm < 0) return FPU_UD;
  if (mmx) loadMm(s, x.rm, S);
  else loadXmm(s, x.rm, S);
  let m = 0;
  for (let i = 0; i < (mmx ? 8 : 16); i++) m |= (u8[S + i]! >> 7) << i;
  gprWrite32(gpr, x.reg, m);
  if (mmx) enterMmx(s);
  return FPU_OK;
}

/** MASKMOVQ/MASKMOVDQU: byte-masked store to [RDI] (the core's address-size rules apart). */
function maskmov(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const mmx = x.prefix === 0;
  if ((!mmx && x.prefix !== 0x66) || x.rm < 0) return FPU_UD;
  const n = mmx ? 8 : 16;
  if (mmx) {
    loadMm(s, x.reg, D);
    loadMm(s, x.rm, S);
  } else {
    loadXmm(s, x.reg, D);
    loadXmm(s, x.rm, S);
  }
  const lo = gpr.getLo(7);
  const hi = gpr.getHi(7);
  for (let i = 0; i < n; i++) {
    if (!(u8[S + i]! & 0x80)) continue;
    const a = (lo + i) >>> 0;
    const ah = (hi + (a < lo >>> 0 ? 1 : 0)) >>> 0;
    if (!writeMem(mem, a, ah, 1, D + i)) return FPU_FAULT;
  }
  if (mmx) enterMmx(s);
  return FPU_OK;
}

/** The 0F-map SSE/SSE2/SSE3 moves, unpacks, shuffles and logic on packed single/double. */
function moves0f(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const op = x.opcode;
  const p = x.prefix;
  switch (op) {
    case 0x10:
    case 0x11: {
      const store = op === 0x11;
      if (p === 0 || p === 0x66) {
        if (store) {
          loadXmm(s, x.reg, R);
          if (x.rm >= 0) storeXmm(s, x.rm, R);
          else if (!writeMem(mem, x.eaLo, x.eaHi, 16, R)) return FPU_FAULT;
          return FPU_OK;
        }
        const r = source(x, s, mem, false, 16, false);
        if (r !== FPU_OK) return r;
        storeXmm(s, x.reg, S);
        return FPU_OK;
      }
      // MOVSS (F3) / MOVSD (F2)
      const n = p === 0xf3 ? 4 : 8;
      if (store) {
        loadXmm(s, x.reg, R);
        if (x.rm < 0) return writeMem(mem, x.eaLo, x.eaHi, n, R) ? FPU_OK : FPU_FAULT;
        loadXmm(s, x.rm, D);
        u8.set(u8.subarray(R, R + n), D);
        storeXmm(s, x.rm, D);
        return FPU_OK;
      }
      if (x.rm < 0) {
        clear(S);
        if (!readMem(mem, x.eaLo, x.eaHi, n, S)) return FPU_FAULT;
        storeXmm(s, x.reg, S);
        return FPU_OK;
      }
      loadXmm(s, x.reg, D);
      loadXmm(s, x.rm, S);
      u8.set(u8.subarray(S, S + n), D);
      storeXmm(s, x.reg, D);
      return FPU_OK;
    }
    case 0x12:
    case 0x16: {
      const high = op === 0x16;
      if (p === 0xf2 && !high) {
        // MOVDDUP
        const r = source(x, s, mem, false, 8, false);
        if (r !== FPU_OK) return r;
        u32[w(S) + 2] = u32[w(S)]!;
        u32[w(S) + 3] = u32[w(S) + 1]!;
        storeXmm(s, x.reg, S);
        return FPU_OK;
      }
      if (p === 0xf3) {
        // MOVSLDUP / MOVSHDUP
        const r = source(x, s, mem, false, 16, true);
        if (r !== FPU_OK) return r;
        const o = high ? 1 : 0;
        for (let i = 0; i < 4; i += 2) {
          u32[w(R) + i] = u32[w(S) + i + o]!;
          u32[w(R) + i + 1] = u32[w(S) + i + o]!;
        }
        storeXmm(s, x.reg, R);
        return FPU_OK;
      }
      if (p !== 0 && p !== 0x66) return FPU_UD;
      loadXmm(s, x.reg, D);
      if (x.rm >= 0) {
        if (p === 0x66) return FPU_UD;
        // MOVHLPS (12) / MOVLHPS (16)
        loadXmm(s, x.rm, S);
        if (high) {
          u32[w(D) + 2] = u32[w(S)]!;
          u32[w(D) + 3] = u32[w(S) + 1]!;
        } else {
          u32[w(D)] = u32[w(S) + 2]!;
          u32[w(D) + 1] = u32[w(S) + 3]!;
        }
      } else if (!readMem(mem, x.eaLo, x.eaHi, 8, D + (high ? 8 : 0))) return FPU_FAULT;
      storeXmm(s, x.reg, D);
      return FPU_OK;
    }
    case 0x13:
    case 0x17: {
      if ((p !== 0 && p !== 0x66) || x.rm >= 0) return FPU_UD;
      loadXmm(s, x.reg, R);
      return writeMem(mem, x.eaLo, x.eaHi, 8, R + (op === 0x17 ? 8 : 0)) ? FPU_OK : FPU_FAULT;
    }
    case 0x14:
    case 0x15: {
      if (p !== 0 && p !== 0x66) return FPU_UD;
      const high = op === 0x15;
      const size = p === 0 ? 4 : 8;
      return binaryPs(x, s, mem, () => {
        const base = high ? 8 : 0;
        for (let i = 0; i < 8 / size; i++) {
          u8.set(u8.subarray(D + base + i * size, D + base + (i + 1) * size), R + 2 * i * size);
          u8.set(
            u8.subarray(S + base + i * size, S + base + (i + 1) * size),
            R + (2 * i + 1) * size,
          );
        }
      });
    }
    case 0x28:
    case 0x29: {
      if (p !== 0 && p !== 0x66) return FPU_UD;
      if (op === 0x28) {
        const r = source(x, s, mem, false, 16, true);
        if (r !== FPU_OK) return r;
        storeXmm(s, x.reg, S);
        return FPU_OK;
      }
      loadXmm(s, x.reg, R);
      if (x.rm >= 0) storeXmm(s, x.rm, R);
      else {
        if (x.eaLo & 15) return FPU_GP;
        if (!writeMem(mem, x.eaLo, x.eaHi, 16, R)) return FPU_FAULT;
      }
      return FPU_OK;
    }
    case 0x2b: {
      if ((p !== 0 && p !== 0x66) || x.rm >= 0) return FPU_UD;
      if (x.eaLo & 15) return FPU_GP;
      loadXmm(s, x.reg, R);
      return writeMem(mem, x.eaLo, x.eaHi, 16, R) ? FPU_OK : FPU_FAULT;
    }
    case 0x50: {
      if ((p !== 0 && p !== 0x66) || x.rm < 0) return FPU_UD;
      loadXmm(s, x.rm, S);
      let m = 0;
      if (p === 0) for (let i = 0; i < 4; i++) m |= (u32[w(S) + i]! >>> 31) << i;
      else m = (u32[w(S) + 1]! >>> 31) | ((u32[w(S) + 3]! >>> 31) << 1);
      gprWrite32(gpr, x.reg, m);
      return FPU_OK;
    }
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57: {
      if (p !== 0 && p !== 0x66) return FPU_UD;
      const f = [
        (a: number, b: number) => a & b,
        (a: number, b: number) => ~a & b,
        (a: number, b: number) => a | b,
        (a: number, b: number) => a ^ b,
      ][op - 0x54]!;
      return binaryPs(x, s, mem, () => each32(16, f));
    }
    case 0xc6: {
      if (p !== 0 && p !== 0x66) return FPU_UD;
      const imm = x.imm8;
      return binaryPs(x, s, mem, () => {
        if (p === 0) {
          u32[w(R)] = u32[w(D) + (imm & 3)]!;
          u32[w(R) + 1] = u32[w(D) + ((imm >> 2) & 3)]!;
          u32[w(R) + 2] = u32[w(S) + ((imm >> 4) & 3)]!;
          u32[w(R) + 3] = u32[w(S) + ((imm >> 6) & 3)]!;
        } else {
          const a = imm & 1 ? 2 : 0;
          const b = imm & 2 ? 2 : 0;
          u32[w(R)] = u32[w(D) + a]!;
          u32[w(R) + 1] = u32[w(D) + a + 1]!;
          u32[w(R) + 2] = u32[w(S) + b]!;
          u32[w(R) + 3] = u32[w(S) + b + 1]!;
        }
      });
    }
    case 0xf0: {
      // LDDQU
      if (p !== 0xf2 || x.rm >= 0) return FPU_UD;
      const r = source(x, s, mem, false, 16, false);
      if (r !== FPU_OK) return r;
      storeXmm(s, x.reg, S);
      return FPU_OK;
    }
    default:
      return NOT_MINE;
  }
}

/** dest = op(dest, src) on XMM registers whatever the (already checked) prefix. */
function binaryPs(x: SseInsn, s: FpuState, mem: MemPort, op: () => void): number {
  loadXmm(s, x.reg, D);
  const r = source(x, s, mem, false, 16, true);
  if (r !== FPU_OK) return r;
  op();
  storeXmm(s, x.reg, R);
  return FPU_OK;
}

function map38(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const op = x.opcode;
  switch (op) {
    case 0x00:
      return binary(x, s, mem, true, (n) =>
        each8(n, (_a, b) => (b & 0x80 ? 0 : u8[D + (b & (n - 1))]!)),
      );
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x05:
    case 0x06:
    case 0x07:
      return binary(x, s, mem, true, (n) => horizontal(n, op));
    case 0x04:
      return binary(x, s, mem, true, (n) => {
        for (let i = 0; i < n / 2; i++) {
          const v = u8[D + 2 * i]! * i8[S + 2 * i]! + u8[D + 2 * i + 1]! * i8[S + 2 * i + 1]!;
          i16[h(R) + i] = sat16(v);
        }
      });
    case 0x08:
      return binary(x, s, mem, true, psignb);
    case 0x09:
      return binary(x, s, mem, true, psignw);
    case 0x0a:
      return binary(x, s, mem, true, psignd);
    case 0x0b:
      return binary(x, s, mem, true, pmulhrsw);
    case 0x1c:
      return binary(x, s, mem, true, pabsb);
    case 0x1d:
      return binary(x, s, mem, true, pabsw);
    case 0x1e:
      return binary(x, s, mem, true, pabsd);
    case 0x10:
    case 0x14:
    case 0x15: {
      // PBLENDVB / BLENDVPS / BLENDVPD with the implicit mask XMM0
      const size = op === 0x10 ? 1 : op === 0x14 ? 4 : 8;
      loadXmm(s, 0, T);
      return binary66(x, s, mem, () => {
        for (let i = 0; i < 16; i += size) {
          const pick = u8[T + i + size - 1]! & 0x80 ? S : D;
          u8.set(u8.subarray(pick + i, pick + i + size), R + i);
        }
      });
    }
    case 0x17: {
      // PTEST
      if (x.prefix !== 0x66) return FPU_UD;
      loadXmm(s, x.reg, D);
      const r = source(x, s, mem, false, 16, true);
      if (r !== FPU_OK) return r;
      let and = 0;
      let andn = 0;
      for (let i = 0; i < 4; i++) {
        and |= u32[w(D) + i]! & u32[w(S) + i]!;
        andn |= ~u32[w(D) + i]! & u32[w(S) + i]!;
      }
      gpr.setFlags(and === 0, false, andn === 0);
      return FPU_OK;
    }
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case 0x34:
    case 0x35:
      return pmovx(x, s, mem);
    case 0x28:
      return binary66(x, s, mem, () =>
        each64(16, (al, _ah, bl, _bh, k) => mulS32(k, al | 0, bl | 0)),
      );
    case 0x29:
      return binary66(x, s, mem, () =>
        each64(16, (al, ah, bl, bh, k) => {
          const m = al === bl && ah === bh ? 0xffffffff : 0;
          put64(k, m, m);
        }),
      );
    case 0x2a: {
      if (x.prefix !== 0x66 || x.rm >= 0) return FPU_UD;
      const r = source(x, s, mem, false, 16, true);
      if (r !== FPU_OK) return r;
      storeXmm(s, x.reg, S);
      return FPU_OK;
    }
    case 0x2b:
      return binary66(x, s, mem, () => pack(16, 4, false));
    case 0x37:
      return binary66(x, s, mem, () =>
        each64(16, (al, ah, bl, bh, k) => {
          const m = gt64(al, ah, bl, bh) ? 0xffffffff : 0;
          put64(k, m, m);
        }),
      );
    case 0x38:
      return binary66(x, s, mem, pminsb);
    case 0x39:
      return binary66(x, s, mem, pminsd);
    case 0x3a:
      return binary66(x, s, mem, pminuw);
    case 0x3b:
      return binary66(x, s, mem, pminud);
    case 0x3c:
      return binary66(x, s, mem, pmaxsb);
    case 0x3d:
      return binary66(x, s, mem, pmaxsd);
    case 0x3e:
      return binary66(x, s, mem, pmaxuw);
    case 0x3f:
      return binary66(x, s, mem, pmaxud);
    case 0x40:
      return binary66(x, s, mem, pmulld);
    case 0x41:
      return binary66(x, s, mem, () => {
        let best = 0;
        for (let i = 1; i < 8; i++) if (u16[h(S) + i]! < u16[h(S) + best]!) best = i;
        u16[h(R)] = u16[h(S) + best]!;
        u16[h(R) + 1] = best;
      });
    default:
      return NOT_MINE;
  }
}

function mulS32(k: number, a: number, b: number): void {
  const neg = a < 0 !== b < 0;
  const ua = Math.abs(a) >>> 0;
  const ub = Math.abs(b) >>> 0;
  mulU32(k, ua, ub);
  if (neg) {
    const lo = u32[w(R) + 2 * k]!;
    const hi = u32[w(R) + 2 * k + 1]!;
    const nlo = (~lo + 1) >>> 0;
    put64(k, nlo, (~hi + (nlo === 0 ? 1 : 0)) >>> 0);
  }
}

/** PHADDW/D, PHADDSW, PHSUBW/D, PHSUBSW: pairs of D, then pairs of S. */
function horizontal(n: number, op: number): void {
  const subtract = op >= 5;
  const kind = op & 3; // 1 W, 2 D, 3 SW
  const size = kind === 2 ? 4 : 2;
  const per = n / size / 2;
  for (let i = 0; i < 2 * per; i++) {
    const from = i < per ? D : S;
    const j = (i % per) * 2;
    if (size === 4) {
      const a = i32[w(from) + j]!;
      const b = i32[w(from) + j + 1]!;
      i32[w(R) + i] = subtract ? a - b : a + b;
    } else {
      const a = i16[h(from) + j]!;
      const b = i16[h(from) + j + 1]!;
      const v = subtract ? a - b : a + b;
      i16[h(R) + i] = kind === 3 ? sat16(v) : v;
    }
  }
}

/** PMOVSX/PMOVZX: widen the low elements of the source. */
function pmovx(x: SseInsn, s: FpuState, mem: MemPort): number {
  if (x.prefix !== 0x66) return FPU_UD;
  const op = x.opcode & 0xf;
  const signed = x.opcode < 0x30;
  // [from size, to size]
  const [fs, ts] = [
    [1, 2],
    [1, 4],
    [1, 8],
    [2, 4],
    [2, 8],
    [4, 8],
  ][op]!;
  const count = 16 / ts!;
  const r = source(x, s, mem, false, count * fs!, false);
  if (r !== FPU_OK) return r;
  for (let i = 0; i < count; i++) {
    let v: number;
    if (fs === 1) v = signed ? i8[S + i]! : u8[S + i]!;
    else if (fs === 2) v = signed ? i16[h(S) + i]! : u16[h(S) + i]!;
    else v = signed ? i32[w(S) + i]! : u32[w(S) + i]!;
    if (ts === 2) u16[h(R) + i] = v;
    else if (ts === 4) u32[w(R) + i] = v;
    else put64(i, v >>> 0, v < 0 ? 0xffffffff : 0);
  }
  storeXmm(s, x.reg, R);
  return FPU_OK;
}

function map3a(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): number {
  const op = x.opcode;
  const imm = x.imm8;
  switch (op) {
    case 0x60:
    case 0x61:
    case 0x62:
    case 0x63:
      return executeString(x, s, gpr, mem);
    case 0x0f:
      return binary(x, s, mem, true, (n) => {
        // PALIGNR: (D:S) >> (imm * 8), 2n bytes wide
        for (let i = 0; i < n; i++) {
          const k = i + imm;
          u8[R + i] = k < n ? u8[S + k]! : k < 2 * n ? u8[D + k - n]! : 0;
        }
      });
    case 0x0c:
      return binary66(x, s, mem, () => {
        for (let i = 0; i < 4; i++)
          u32[w(R) + i] = (imm >> i) & 1 ? u32[w(S) + i]! : u32[w(D) + i]!;
      });
    case 0x0d:
      return binary66(x, s, mem, () => {
        for (let i = 0; i < 4; i++)
          u32[w(R) + i] = (imm >> (i >> 1)) & 1 ? u32[w(S) + i]! : u32[w(D) + i]!;
      });
    case 0x0e:
      return binary66(x, s, mem, () => {
        for (let i = 0; i < 8; i++)
          u16[h(R) + i] = (imm >> i) & 1 ? u16[h(S) + i]! : u16[h(D) + i]!;
      });
    case 0x14:
    case 0x15:
    case 0x16:
    case 0x17: {
      if (x.prefix !== 0x66) return FPU_UD;
      loadXmm(s, x.reg, S);
      const size = op === 0x14 ? 1 : op === 0x15 ? 2 : op === 0x16 && x.rexW ? 8 : 4;
      const idx = imm & (16 / size - 1);
      clear(R);
      u8.set(u8.subarray(S + idx * size, S + (idx + 1) * size), R);
      if (x.rm >= 0) gpr.set(x.rm, u32[w(R)]!, size === 8 ? u32[w(R) + 1]! : 0);
      else if (!writeMem(mem, x.eaLo, x.eaHi, size, R)) return FPU_FAULT;
      return FPU_OK;
    }
    case 0x20:
    case 0x22: {
      if (x.prefix !== 0x66) return FPU_UD;
      const size = op === 0x20 ? 1 : x.rexW ? 8 : 4;
      if (x.rm >= 0) {
        u32[w(T)] = gpr.getLo(x.rm);
        u32[w(T) + 1] = gpr.getHi(x.rm);
      } else if (!readMem(mem, x.eaLo, x.eaHi, size, T)) return FPU_FAULT;
      loadXmm(s, x.reg, R);
      const idx = imm & (16 / size - 1);
      u8.set(u8.subarray(T, T + size), R + idx * size);
      storeXmm(s, x.reg, R);
      return FPU_OK;
    }
    case 0x21: {
      // INSERTPS
      if (x.prefix !== 0x66) return FPU_UD;
      let v: number;
      if (x.rm >= 0) {
        loadXmm(s, x.rm, S);
        v = u32[w(S) + ((imm >> 6) & 3)]!;
      } else {
        if (!readMem(mem, x.eaLo, x.eaHi, 4, T)) return FPU_FAULT;
        v = u32[w(T)]!;
      }
      loadXmm(s, x.reg, R);
      u32[w(R) + ((imm >> 4) & 3)] = v;
      for (let i = 0; i < 4; i++) if ((imm >> i) & 1) u32[w(R) + i] = 0;
      storeXmm(s, x.reg, R);
      return FPU_OK;
    }
    case 0x42:
      return binary66(x, s, mem, () => {
        // MPSADBW
        const a = (imm >> 2) & 1 ? 4 : 0;
        const b = (imm & 3) * 4;
        for (let i = 0; i < 8; i++) {
          let sum = 0;
          for (let j = 0; j < 4; j++) sum += Math.abs(u8[D + a + i + j]! - u8[S + b + j]!);
          u16[h(R) + i] = sum;
        }
      });
    default:
      return NOT_MINE;
  }
}

/** Whether an opcode of the 0F map carries an imm8 (the 0F 3A map always does). */
export function sseHasImm8(map: number, _prefix: number, opcode: number): boolean {
  if (map === 3) return true;
  if (map !== 1) return false;
  return (
    opcode === 0x70 ||
    opcode === 0x71 ||
    opcode === 0x72 ||
    opcode === 0x73 ||
    opcode === 0xc2 ||
    opcode === 0xc4 ||
    opcode === 0xc5 ||
    opcode === 0xc6
  );
}
