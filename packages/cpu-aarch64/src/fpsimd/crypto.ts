/**
 * The cryptographic extension as cortex-a57 has it: AESE/AESD/AESMC/AESIMC, SHA1C/P/M/H/SU0/SU1,
 * SHA256H/H2/SU0/SU1 and (in three-different.ts) PMULL with 64-bit lanes. Executed only when
 * `FpSimdRegs.crypto` says the CPU advertises them (ID_AA64ISAR0_EL1.AES/SHA1/SHA2).
 * The AES S-box is computed at load time from its definition (inverse in GF(2^8), then the
 * affine map), not copied from a table.
 */
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { T8, T32 } from "./elements.js";
import type { FpSimdRegs } from "./regs.js";

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
function gmul(a0: number, b0: number): number {
  let a = a0;
  let b = b0;
  let p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a = a & 0x80 ? ((a << 1) ^ 0x11b) & 0xff : a << 1;
    b >>>= 1;
  }
  return p;
}

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
buildSbox();

function buildSbox(): void {
  const rot = (v: number, n: number) => ((v << n) | (v >>> (8 - n))) & 0xff;
  for (let x = 0; x < 256; x++) {
    // x^254 is the multiplicative inverse (0 maps to 0).
    let inv = 1;
    for (let k = 0; k < 254; k++) inv = gmul(inv, x);
    if (x === 0) inv = 0;
    const s = inv ^ rot(inv, 1) ^ rot(inv, 2) ^ rot(inv, 3) ^ rot(inv, 4) ^ 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
  }
}

const STATE = new Uint8Array(16);

/** AESE, AESD, AESMC, AESIMC (opcode bits 16:12 = 4..7). */
export function aes(insn: number, r: FpSimdRegs): FpSimdResult {
  if (!r.crypto || ((insn >>> 22) & 3) !== 0) return FPSIMD_UNDEFINED;
  const opcode = (insn >>> 12) & 31;
  if (opcode < 4 || opcode > 7) return FPSIMD_UNDEFINED;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const u = r.u8;
  if (opcode <= 5) {
    const decrypt = opcode === 5;
    for (let i = 0; i < 16; i++) STATE[i] = u[rd * 16 + i]! ^ u[rn * 16 + i]!;
    // The state is column-major: byte r + 4c is row r of column c.
    for (let row = 0; row < 4; row++) {
      for (let c = 0; c < 4; c++) {
        const from = decrypt ? (c - row + 4) & 3 : (c + row) & 3;
        const b = STATE[row + 4 * from]!;
        T8[row + 4 * c] = decrypt ? INV_SBOX[b]! : SBOX[b]!;
      }
    }
  } else {
    const inverse = opcode === 7;
    for (let c = 0; c < 4; c++) {
      const s0 = u[rn * 16 + 4 * c]!;
      const s1 = u[rn * 16 + 4 * c + 1]!;
      const s2 = u[rn * 16 + 4 * c + 2]!;
      const s3 = u[rn * 16 + 4 * c + 3]!;
      if (inverse) {
        T8[4 * c] = gmul(s0, 14) ^ gmul(s1, 11) ^ gmul(s2, 13) ^ gmul(s3, 9);
        T8[4 * c + 1] = gmul(s0, 9) ^ gmul(s1, 14) ^ gmul(s2, 11) ^ gmul(s3, 13);
        T8[4 * c + 2] = gmul(s0, 13) ^ gmul(s1, 9) ^ gmul(s2, 14) ^ gmul(s3, 11);
        T8[4 * c + 3] = gmul(s0, 11) ^ gmul(s1, 13) ^ gmul(s2, 9) ^ gmul(s3, 14);
      } else {
        T8[4 * c] = gmul(s0, 2) ^ gmul(s1, 3) ^ s2 ^ s3;
        T8[4 * c + 1] = s0 ^ gmul(s1, 2) ^ gmul(s2, 3) ^ s3;
        T8[4 * c + 2] = s0 ^ s1 ^ gmul(s2, 2) ^ gmul(s3, 3);
        T8[4 * c + 3] = gmul(s0, 3) ^ s1 ^ s2 ^ gmul(s3, 2);
      }
    }
  }
  for (let k = 0; k < 4; k++) r.i32[rd * 4 + k] = T32[k]!;
  return FPSIMD_OK;
}

function rol(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}
function ror(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}
function choose(x: number, y: number, z: number): number {
  return ((y ^ z) & x) ^ z;
}
function majority(x: number, y: number, z: number): number {
  return (x & y) | ((x | y) & z);
}

const X = new Int32Array(4);
const Y = new Int32Array(4);
const W = new Int32Array(4);

function load(dst: Int32Array, r: FpSimdRegs, reg: number): void {
  for (let k = 0; k < 4; k++) dst[k] = r.i32[reg * 4 + k]!;
}

function store(r: FpSimdRegs, reg: number, src: Int32Array): void {
  for (let k = 0; k < 4; k++) r.i32[reg * 4 + k] = src[k]!;
}

/** SHA three-register forms (scalar space, bits 21 = 0, 15 = 0, 11:10 = 00). */
export function sha3(insn: number, r: FpSimdRegs): FpSimdResult {
  if (!r.crypto || ((insn >>> 22) & 3) !== 0) return FPSIMD_UNDEFINED;
  const opcode = (insn >>> 12) & 7;
  if (opcode === 7) return FPSIMD_UNDEFINED;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  load(X, r, rd);
  load(W, r, rm);
  switch (opcode) {
    case 0:
    case 1:
    case 2: {
      // SHA1C / SHA1P / SHA1M: four rounds on X = Qd with y = Sn.
      let y = r.i32[rn * 4]!;
      for (let e = 0; e < 4; e++) {
        const f =
          opcode === 0
            ? choose(X[1]!, X[2]!, X[3]!)
            : opcode === 1
              ? X[1]! ^ X[2]! ^ X[3]!
              : majority(X[1]!, X[2]!, X[3]!);
        y = (y + rol(X[0]!, 5) + f + W[e]!) | 0;
        X[1] = rol(X[1]!, 30);
        // Rotate the 160-bit Y:X left by 32.
        const top = X[3]!;
        X[3] = X[2]!;
        X[2] = X[1]!;
        X[1] = X[0]!;
        X[0] = y;
        y = top;
      }
      store(r, rd, X);
      return FPSIMD_OK;
    }
    case 3: {
      // SHA1SU0: (Vn<63:0> : Vd<127:64>) ^ Vd ^ Vm
      const n = r.i32;
      const res0 = X[2]! ^ X[0]! ^ W[0]!;
      const res1 = X[3]! ^ X[1]! ^ W[1]!;
      const res2 = n[rn * 4]! ^ X[2]! ^ W[2]!;
      const res3 = n[rn * 4 + 1]! ^ X[3]! ^ W[3]!;
      X[0] = res0;
      X[1] = res1;
      X[2] = res2;
      X[3] = res3;
      store(r, rd, X);
      return FPSIMD_OK;
    }
    case 4:
    case 5: {
      // SHA256H (X = Qd, Y = Qn, result X) / SHA256H2 (X = Qn, Y = Qd, result Y).
      if (opcode === 4) load(Y, r, rn);
      else {
        load(Y, r, rd);
        load(X, r, rn);
      }
      for (let e = 0; e < 4; e++) {
        const chs = choose(Y[0]!, Y[1]!, Y[2]!);
        const maj = majority(X[0]!, X[1]!, X[2]!);
        const y0 = Y[0]!;
        const t = (Y[3]! + (ror(y0, 6) ^ ror(y0, 11) ^ ror(y0, 25)) + chs + W[e]!) | 0;
        X[3] = (t + X[3]!) | 0;
        const x0 = X[0]!;
        Y[3] = (t + (ror(x0, 2) ^ ror(x0, 13) ^ ror(x0, 22)) + maj) | 0;
        // Rotate the 256-bit Y:X left by 32.
        const xt = X[3]!;
        const yt = Y[3]!;
        X[3] = X[2]!;
        X[2] = X[1]!;
        X[1] = X[0]!;
        X[0] = yt;
        Y[3] = Y[2]!;
        Y[2] = Y[1]!;
        Y[1] = Y[0]!;
        Y[0] = xt;
      }
      store(r, rd, opcode === 4 ? X : Y);
      return FPSIMD_OK;
    }
    default: {
      // SHA256SU1
      // T0 = Vm<31:0> : Vn<127:32>; the first two words use Vm's top half, the last two
      // the words just computed.
      const n = r.i32;
      const res = Y;
      for (let e = 0; e < 4; e++) {
        const src = e < 2 ? W[e + 2]! : res[e - 2]!;
        const t0 = e < 3 ? n[rn * 4 + e + 1]! : W[0]!;
        const s1 = ror(src, 17) ^ ror(src, 19) ^ (src >>> 10);
        res[e] = (s1 + X[e]! + t0) | 0;
      }
      store(r, rd, res);
      return FPSIMD_OK;
    }
  }
}

/** SHA two-register forms (scalar space, bits 21:17 = 10100, 11:10 = 10). */
export function sha2(insn: number, r: FpSimdRegs): FpSimdResult {
  if (!r.crypto || ((insn >>> 22) & 3) !== 0) return FPSIMD_UNDEFINED;
  const opcode = (insn >>> 12) & 31;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const n = r.i32;
  switch (opcode) {
    case 0: {
      // SHA1H: Sd = ROL(Sn, 30)
      const v = rol(n[rn * 4]!, 30);
      n[rd * 4] = v;
      n[rd * 4 + 1] = 0;
      n[rd * 4 + 2] = 0;
      n[rd * 4 + 3] = 0;
      return FPSIMD_OK;
    }
    case 1: {
      // SHA1SU1: T = Vd ^ (Vn >> 32); rotate each word by 1, the top also mixes in T0 by 2.
      load(X, r, rd);
      const t0 = X[0]! ^ n[rn * 4 + 1]!;
      const t1 = X[1]! ^ n[rn * 4 + 2]!;
      const t2 = X[2]! ^ n[rn * 4 + 3]!;
      const t3 = X[3]!;
      X[0] = rol(t0, 1);
      X[1] = rol(t1, 1);
      X[2] = rol(t2, 1);
      X[3] = rol(t3, 1) ^ rol(t0, 2);
      store(r, rd, X);
      return FPSIMD_OK;
    }
    case 2: {
      // SHA256SU0
      // T = Vn<31:0> : Vd<127:32>, combined with Vd lane by lane (lane e reads T<e> = Vd<e+1>
      // before lane e+1 is overwritten).
      load(X, r, rd);
      for (let e = 0; e < 4; e++) {
        const v = e < 3 ? X[e + 1]! : n[rn * 4]!;
        X[e] = ((ror(v, 7) ^ ror(v, 18) ^ (v >>> 3)) + X[e]!) | 0;
      }
      store(r, rd, X);
      return FPSIMD_OK;
    }
    default:
      return FPSIMD_UNDEFINED;
  }
}

/** PMULL/PMULL2 with 64-bit lanes: the 128-bit carry-less product of lane Q of Vn and Vm. */
export function pmull64(
  r: FpSimdRegs,
  q: boolean,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  if (!r.crypto) return FPSIMD_UNDEFINED;
  const i = r.i32;
  const lane = q ? 2 : 0;
  const alo = i[rn * 4 + lane]!;
  const ahi = i[rn * 4 + lane + 1]!;
  const blo = i[rm * 4 + lane]!;
  const bhi = i[rm * 4 + lane + 1]!;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  for (let k = 0; k < 64; k++) {
    const bit = k < 32 ? (blo >>> k) & 1 : (bhi >>> (k - 32)) & 1;
    if (!bit) continue;
    // XOR a << k into the 128-bit accumulator (p0 lowest word).
    const w = k >>> 5;
    const s = k & 31;
    const a0 = s === 0 ? alo : alo << s;
    const a1 = s === 0 ? ahi : (ahi << s) | (alo >>> (32 - s));
    const a2 = s === 0 ? 0 : ahi >>> (32 - s);
    if (w === 0) {
      p0 ^= a0;
      p1 ^= a1;
      p2 ^= a2;
    } else {
      p1 ^= a0;
      p2 ^= a1;
      p3 ^= a2;
    }
  }
  i[rd * 4] = p0;
  i[rd * 4 + 1] = p1;
  i[rd * 4 + 2] = p2;
  i[rd * 4 + 3] = p3;
  return FPSIMD_OK;
}
