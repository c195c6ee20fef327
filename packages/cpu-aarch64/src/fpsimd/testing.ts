/**
 * A minimal host for the FP/AdvSIMD unit in tests: X registers, NZCV, PC and 64 KiB of flat
 * memory at MEM_BASE behind the GprPort and SimdMemPort the core normally provides, with
 * BigInt accessors at the edges (tests only).
 */
import type { FpSimdResult, GprPort, SimdMemPort } from "./contract.js";
import { executeFpSimd, executeFpSimdLoadStore, isFpSimdLoadStore } from "./index.js";
import { FpSimdRegs } from "./regs.js";

export const MEM_BASE = 0x80000;
export const MEM_SIZE = 0x10000;

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
const F64 = new Float64Array(1);
const B64 = new BigUint64Array(F64.buffer);

/** binary32 bits of a number (rounded to nearest by the host). */
export function sbits(v: number): number {
  F32[0] = v;
  return I32[0]! >>> 0;
}

/** binary64 bits of a number. */
export function dbits(v: number): bigint {
  F64[0] = v;
  return B64[0]!;
}

export class FpSimdMachine implements GprPort, SimdMemPort {
  readonly regs = new FpSimdRegs();
  /** X0..X30 and SP (index 31) as (lo, hi). */
  readonly x = new Int32Array(64);
  readonly mem = new Uint8Array(MEM_SIZE);
  nzcv = 0;
  pc = 0x1000;

  exec(insn: number): FpSimdResult {
    return isFpSimdLoadStore(insn)
      ? executeFpSimdLoadStore(insn, this.regs, this, this)
      : executeFpSimd(insn, this.regs, this);
  }

  // GprPort
  getLo(n: number): number {
    return n === 31 ? 0 : this.x[n * 2]!;
  }
  getHi(n: number): number {
    return n === 31 ? 0 : this.x[n * 2 + 1]!;
  }
  set(n: number, lo: number, hi: number): void {
    if (n === 31) return;
    this.x[n * 2] = lo;
    this.x[n * 2 + 1] = hi;
  }
  getBaseLo(n: number): number {
    return this.x[n * 2]!;
  }
  getBaseHi(n: number): number {
    return this.x[n * 2 + 1]!;
  }
  setBase(n: number, lo: number, hi: number): void {
    this.x[n * 2] = lo;
    this.x[n * 2 + 1] = hi;
  }
  getNzcv(): number {
    return this.nzcv;
  }
  setNzcv(n: number): void {
    this.nzcv = n;
  }
  getPcLo(): number {
    return this.pc | 0;
  }
  getPcHi(): number {
    return 0;
  }

  // SimdMemPort
  read(vaLo: number, vaHi: number, len: number, out: Uint8Array, off: number): boolean {
    const a = (vaLo >>> 0) - MEM_BASE;
    if (vaHi !== 0 || a < 0 || a + len > MEM_SIZE) return false;
    out.set(this.mem.subarray(a, a + len), off);
    return true;
  }
  write(vaLo: number, vaHi: number, len: number, src: Uint8Array, off: number): boolean {
    const a = (vaLo >>> 0) - MEM_BASE;
    if (vaHi !== 0 || a < 0 || a + len > MEM_SIZE) return false;
    this.mem.set(src.subarray(off, off + len), a);
    return true;
  }

  // Test accessors
  setX(n: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.x[n * 2] = Number(u & 0xffffffffn) | 0;
    this.x[n * 2 + 1] = Number(u >> 32n) | 0;
  }
  getX(n: number): bigint {
    return (BigInt(this.x[n * 2 + 1]! >>> 0) << 32n) | BigInt(this.x[n * 2]! >>> 0);
  }
  setS(n: number, bits: number): void {
    this.regs.setV(n, []);
    this.regs.i32[n * 4] = bits | 0;
  }
  getS(n: number): number {
    return this.regs.i32[n * 4]! >>> 0;
  }
  setD(n: number, bits: bigint): void {
    this.regs.setV(n, []);
    this.setLane64(n, 0, bits);
  }
  getD(n: number): bigint {
    return this.getLane64(n, 0);
  }
  setLane64(n: number, lane: number, bits: bigint): void {
    const u = BigInt.asUintN(64, bits);
    this.regs.i32[n * 4 + lane * 2] = Number(u & 0xffffffffn) | 0;
    this.regs.i32[n * 4 + lane * 2 + 1] = Number(u >> 32n) | 0;
  }
  getLane64(n: number, lane: number): bigint {
    const i = this.regs.i32;
    return (BigInt(i[n * 4 + lane * 2 + 1]! >>> 0) << 32n) | BigInt(i[n * 4 + lane * 2]! >>> 0);
  }
  /** Vn from lanes of `esize` bits, lane 0 first. */
  setLanes(n: number, esize: 8 | 16 | 32, lanes: readonly number[]): void {
    this.regs.setV(n, []);
    const base = n * (128 / esize);
    const view = esize === 8 ? this.regs.u8 : esize === 16 ? this.regs.u16 : this.regs.u32;
    lanes.forEach((v, i) => {
      view[base + i] = v;
    });
  }
  getLanes(n: number, esize: 8 | 16 | 32, signed = false): number[] {
    const count = 128 / esize;
    const r = this.regs;
    const view =
      esize === 8
        ? signed
          ? r.i8
          : r.u8
        : esize === 16
          ? signed
            ? r.i16
            : r.u16
          : signed
            ? r.i32
            : r.u32;
    return Array.from(view.subarray(n * count, n * count + count));
  }
  /** FPCR with the given RMode (0 RN, 1 RP, 2 RM, 3 RZ) and flags. */
  setFpcr(rmode: number, opts: { fz?: boolean; dn?: boolean; ahp?: boolean } = {}): void {
    this.regs.fpcr =
      (rmode << 22) | (opts.fz ? 1 << 24 : 0) | (opts.dn ? 1 << 25 : 0) | (opts.ahp ? 1 << 26 : 0);
  }
}
