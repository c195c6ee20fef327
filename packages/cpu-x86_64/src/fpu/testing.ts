/**
 * A stand-in for the core in the unit's tests: sixteen GPRs, RFLAGS and a small flat RAM at
 * linear address 0 (addresses beyond it fault), plus helpers to run an x87 or SSE encoding.
 */
import type { GprPort, MemPort, SseInsn } from "./contract.js";
import { resetFpu } from "./index.js";
import { executeSse } from "./sse/execute.js";
import { sseHasImm8 } from "./sse/integer.js";
import { FpuState } from "./state.js";
import { executeX87 } from "./x87/execute.js";

export class TestCpu implements GprPort, MemPort {
  readonly lo = new Uint32Array(16);
  readonly hi = new Uint32Array(16);
  rflags = 2;
  readonly ram: Uint8Array;
  readonly fpu = new FpuState();
  /** Linear addresses at and above this one fault (to test FPU_FAULT). */
  faultFrom: number;

  constructor(ramBytes = 0x10000) {
    this.ram = new Uint8Array(ramBytes);
    this.faultFrom = ramBytes;
    resetFpu(this.fpu);
  }

  getLo(n: number): number {
    return this.lo[n]!;
  }
  getHi(n: number): number {
    return this.hi[n]!;
  }
  set(n: number, lo: number, hi: number): void {
    this.lo[n] = lo;
    this.hi[n] = hi;
  }
  getFlags(): number {
    return this.rflags;
  }
  setFlags(zf: boolean, pf: boolean, cf: boolean, sf = false, of = false): void {
    this.rflags =
      (this.rflags & ~0x8d5) |
      (zf ? 0x40 : 0) |
      (pf ? 4 : 0) |
      (cf ? 1 : 0) |
      (sf ? 0x80 : 0) |
      (of ? 0x800 : 0);
  }
  read(lo: number, hi: number, len: number, out: Uint8Array, off: number): boolean {
    if (hi !== 0 || lo + len > this.faultFrom) return false;
    out.set(this.ram.subarray(lo, lo + len), off);
    return true;
  }
  write(lo: number, hi: number, len: number, src: Uint8Array, off: number): boolean {
    if (hi !== 0 || lo + len > this.faultFrom) return false;
    this.ram.set(src.subarray(off, off + len), lo);
    return true;
  }

  /** Runs an x87 instruction given as bytes (escape, ModRM); a memory form uses address ea. */
  x87(bytes: number[], ea = 0): number {
    return executeX87(bytes[0]!, bytes[1]!, ea, 0, this.fpu, this, this);
  }

  /**
   * Runs an SSE/MMX instruction given as bytes (prefixes, REX, 0F [38|3A] opcode ModRM [imm8]);
   * ModRM with mod != 3 means the memory operand at ea.
   */
  sse(bytes: number[], ea = 0): number {
    let i = 0;
    let prefix = 0;
    let rex = 0;
    for (;;) {
      const b = bytes[i]!;
      if (b === 0x66 && prefix === 0) prefix = 0x66;
      else if (b === 0xf2 || b === 0xf3) prefix = b;
      else if ((b & 0xf0) === 0x40) rex = b;
      else break;
      i++;
    }
    i++; // 0F
    let map = 1;
    if (bytes[i] === 0x38 || bytes[i] === 0x3a) {
      map = bytes[i] === 0x38 ? 2 : 3;
      i++;
    }
    const opcode = bytes[i++]!;
    const modrm = bytes[i++] ?? 0xc0;
    const insn: SseInsn = {
      prefix,
      map,
      opcode,
      reg: ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0),
      rm: modrm >= 0xc0 ? (modrm & 7) | (rex & 1 ? 8 : 0) : -1,
      eaLo: ea,
      eaHi: 0,
      rexW: (rex & 8) !== 0,
      imm8: sseHasImm8(map, prefix, opcode) ? bytes[i]! : 0,
    };
    return executeSse(insn, this.fpu, this, this);
  }

  /** ST(i) as a JS number (through its binary64 rounding; exact for the values tests use). */
  st(i: number): number {
    const s = this.fpu;
    const p = s.phys(i);
    const se = s.regSe(p);
    const e = se & 0x7fff;
    const sig = s.regHi(p) * 2 ** 32 + s.regLo(p);
    if (e === 0x7fff)
      return sig * 2 === 2 ** 64 ? (se & 0x8000 ? -Infinity : Infinity) : Number.NaN;
    const v = sig * 2 ** (Math.max(e, 1) - 16383 - 63);
    return se & 0x8000 ? -v : v;
  }

  writeF64(addr: number, v: number): void {
    new DataView(this.ram.buffer).setFloat64(addr, v, true);
  }
  readF64(addr: number): number {
    return new DataView(this.ram.buffer).getFloat64(addr, true);
  }
}
