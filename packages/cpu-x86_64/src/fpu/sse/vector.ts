/**
 * Operand plumbing shared by the MMX/SSE instructions: the 16-byte work registers D (the
 * destination's old value), S (the source) and R (the result) as typed-array views of one
 * buffer, and moving them to and from MMX registers, XMM registers and memory.
 *
 * MMX register i is the significand of physical x87 register R_i. Every MMX instruction but
 * EMMS sets TOP = 0 and tags all eight registers valid; writing an MMX register sets the
 * exponent field to all ones (the SDM's rule; QEMU leaves it unchanged, see the README).
 */
import type { MemPort } from "../contract.js";
import { type FpuState, OFF_XMM } from "../state.js";

const buffer = new ArrayBuffer(64);
export const u8 = new Uint8Array(buffer);
export const i8 = new Int8Array(buffer);
export const u16 = new Uint16Array(buffer);
export const i16 = new Int16Array(buffer);
export const u32 = new Uint32Array(buffer);
export const i32 = new Int32Array(buffer);
export const f32 = new Float32Array(buffer);
export const f64 = new Float64Array(buffer);

/** Byte offsets of D, S, R, T (a scratch register) inside the views. */
export const D = 0;
export const S = 16;
export const R = 32;
export const T = 48;

export function loadXmm(s: FpuState, n: number, at: number): void {
  const w = at >> 2;
  const regs = s.u32;
  const k = (OFF_XMM >> 2) + n * 4;
  u32[w] = regs[k]!;
  u32[w + 1] = regs[k + 1]!;
  u32[w + 2] = regs[k + 2]!;
  u32[w + 3] = regs[k + 3]!;
}

export function storeXmm(s: FpuState, n: number, at: number): void {
  const w = at >> 2;
  const regs = s.u32;
  const k = (OFF_XMM >> 2) + n * 4;
  regs[k] = u32[w]!;
  regs[k + 1] = u32[w + 1]!;
  regs[k + 2] = u32[w + 2]!;
  regs[k + 3] = u32[w + 3]!;
}

export function loadMm(s: FpuState, n: number, at: number): void {
  const w = at >> 2;
  u32[w] = s.regLo(n & 7);
  u32[w + 1] = s.regHi(n & 7);
  u32[w + 2] = 0;
  u32[w + 3] = 0;
}

export function storeMm(s: FpuState, n: number, at: number): void {
  const w = at >> 2;
  s.setReg(n & 7, 0xffff, u32[w + 1]!, u32[w]!);
}

/** The x87 side effect of every MMX instruction but EMMS. */
export function enterMmx(s: FpuState): void {
  s.top = 0;
  s.ftw = 0;
}

export function readMem(mem: MemPort, lo: number, hi: number, len: number, at: number): boolean {
  return mem.read(lo, hi, len, u8, at);
}

export function writeMem(mem: MemPort, lo: number, hi: number, len: number, at: number): boolean {
  return mem.write(lo, hi, len, u8, at);
}

/** Zeroes one 16-byte work register (four stores: TypedArray.fill is a runtime call). */
export function clear(at: number): void {
  const w = at >> 2;
  u32[w] = 0;
  u32[w + 1] = 0;
  u32[w + 2] = 0;
  u32[w + 3] = 0;
}
