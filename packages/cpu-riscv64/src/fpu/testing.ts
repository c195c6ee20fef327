/**
 * Test support: instruction encoders for the F/D arithmetic instructions and a stand-alone
 * FpState with bit-exact register accessors. Used by this module's tests and usable by the
 * core's tests to drive executeFp without a hart.
 */
import { executeFp } from "./execute.js";
import type { FpState } from "./state.js";

export const S = 0;
export const D = 1;
export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;
export const DYN = 7;
/** Integer formats of FCVT (the rs2 field). */
export const W = 0;
export const WU = 1;
export const L = 2;
export const LU = 3;

function opFp(
  funct5: number,
  fmt: number,
  rd: number,
  rs1: number,
  rs2: number,
  rm: number,
): number {
  return (
    ((((funct5 << 2) | fmt) << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | 0x53) >>>
    0
  );
}

function fused(op: number, fmt: number, rd: number, a: number, b: number, c: number, rm: number) {
  return ((c << 27) | (fmt << 25) | (b << 20) | (a << 15) | (rm << 12) | (rd << 7) | op) >>> 0;
}

export const asm = {
  fadd: (fmt: number, rd: number, a: number, b: number, rm = DYN) => opFp(0, fmt, rd, a, b, rm),
  fsub: (fmt: number, rd: number, a: number, b: number, rm = DYN) => opFp(1, fmt, rd, a, b, rm),
  fmul: (fmt: number, rd: number, a: number, b: number, rm = DYN) => opFp(2, fmt, rd, a, b, rm),
  fdiv: (fmt: number, rd: number, a: number, b: number, rm = DYN) => opFp(3, fmt, rd, a, b, rm),
  fsqrt: (fmt: number, rd: number, a: number, rm = DYN) => opFp(0b01011, fmt, rd, a, 0, rm),
  fsgnj: (fmt: number, rd: number, a: number, b: number) => opFp(0b00100, fmt, rd, a, b, 0),
  fsgnjn: (fmt: number, rd: number, a: number, b: number) => opFp(0b00100, fmt, rd, a, b, 1),
  fsgnjx: (fmt: number, rd: number, a: number, b: number) => opFp(0b00100, fmt, rd, a, b, 2),
  fmin: (fmt: number, rd: number, a: number, b: number) => opFp(0b00101, fmt, rd, a, b, 0),
  fmax: (fmt: number, rd: number, a: number, b: number) => opFp(0b00101, fmt, rd, a, b, 1),
  fle: (fmt: number, rd: number, a: number, b: number) => opFp(0b10100, fmt, rd, a, b, 0),
  flt: (fmt: number, rd: number, a: number, b: number) => opFp(0b10100, fmt, rd, a, b, 1),
  feq: (fmt: number, rd: number, a: number, b: number) => opFp(0b10100, fmt, rd, a, b, 2),
  fclass: (fmt: number, rd: number, a: number) => opFp(0b11100, fmt, rd, a, 0, 1),
  /** FMV.X.W (fmt S) / FMV.X.D (fmt D). */
  fmvToX: (fmt: number, rd: number, a: number) => opFp(0b11100, fmt, rd, a, 0, 0),
  /** FMV.W.X (fmt S) / FMV.D.X (fmt D). */
  fmvFromX: (fmt: number, rd: number, a: number) => opFp(0b11110, fmt, rd, a, 0, 0),
  /** FCVT.{W,WU,L,LU}.{S,D}: float register a to integer register rd. */
  fcvtToInt: (kind: number, fmt: number, rd: number, a: number, rm = DYN) =>
    opFp(0b11000, fmt, rd, a, kind, rm),
  /** FCVT.{S,D}.{W,WU,L,LU}: integer register a to float register rd. */
  fcvtFromInt: (fmt: number, kind: number, rd: number, a: number, rm = DYN) =>
    opFp(0b11010, fmt, rd, a, kind, rm),
  fcvtSD: (rd: number, a: number, rm = DYN) => opFp(0b01000, S, rd, a, 1, rm),
  fcvtDS: (rd: number, a: number, rm = DYN) => opFp(0b01000, D, rd, a, 0, rm),
  fmadd: (fmt: number, rd: number, a: number, b: number, c: number, rm = DYN) =>
    fused(0x43, fmt, rd, a, b, c, rm),
  fmsub: (fmt: number, rd: number, a: number, b: number, c: number, rm = DYN) =>
    fused(0x47, fmt, rd, a, b, c, rm),
  fnmsub: (fmt: number, rd: number, a: number, b: number, c: number, rm = DYN) =>
    fused(0x4b, fmt, rd, a, b, c, rm),
  fnmadd: (fmt: number, rd: number, a: number, b: number, c: number, rm = DYN) =>
    fused(0x4f, fmt, rd, a, b, c, rm),
};

const cvt = new DataView(new ArrayBuffer(8));
const MASK64 = (1n << 64n) - 1n;

/** A plain FpState with helpers that read and write registers as exact bit patterns. */
export class FpMachine implements FpState {
  readonly x = new Int32Array(64);
  readonly f = new Int32Array(64);
  fflags = 0;
  frm = RNE;

  exec(insn: number): boolean {
    return executeFp(this, insn);
  }

  setFBits(r: number, bits: bigint): void {
    const v = BigInt.asUintN(64, bits);
    this.f[2 * r] = Number(v & 0xffffffffn) | 0;
    this.f[2 * r + 1] = Number(v >> 32n) | 0;
  }
  getFBits(r: number): bigint {
    return (BigInt(this.f[2 * r + 1]! >>> 0) << 32n) | BigInt(this.f[2 * r]! >>> 0);
  }
  setD(r: number, v: number): void {
    cvt.setFloat64(0, v);
    this.setFBits(r, cvt.getBigUint64(0));
  }
  getD(r: number): number {
    cvt.setBigUint64(0, this.getFBits(r));
    return cvt.getFloat64(0);
  }
  /** Writes a NaN-boxed single given by its bits. */
  setSBits(r: number, bits: number): void {
    this.setFBits(r, 0xffffffff00000000n | BigInt(bits >>> 0));
  }
  setS(r: number, v: number): void {
    cvt.setFloat32(0, v);
    this.setSBits(r, cvt.getUint32(0));
  }
  /** The binary32 value in the low word (check the box with getFBits). */
  getS(r: number): number {
    cvt.setUint32(0, this.f[2 * r]! >>> 0);
    return cvt.getFloat32(0);
  }
  setX(r: number, v: bigint): void {
    const u = v & MASK64;
    this.x[2 * r] = Number(u & 0xffffffffn) | 0;
    this.x[2 * r + 1] = Number(u >> 32n) | 0;
  }
  getX(r: number): bigint {
    return (BigInt(this.x[2 * r + 1]! >>> 0) << 32n) | BigInt(this.x[2 * r]! >>> 0);
  }
}

/** Bits of a binary64 value. */
export function dbits(v: number): bigint {
  cvt.setFloat64(0, v);
  return cvt.getBigUint64(0);
}

/** Bits of a binary32 value (rounded to nearest if not representable). */
export function sbits(v: number): number {
  cvt.setFloat32(0, v);
  return cvt.getUint32(0);
}

/** A NaN-boxed single as the 64-bit register image. */
export function boxed(bits: number): bigint {
  return 0xffffffff00000000n | BigInt(bits >>> 0);
}
