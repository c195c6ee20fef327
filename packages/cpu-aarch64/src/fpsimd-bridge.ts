/**
 * The core's side of the FP/AdvSIMD contract (fpsimd/contract.ts): the FP enable checks
 * (CPACR_EL1.FPEN, CPTR_EL2.TFP) and the register and memory ports the unit works through.
 */

import type { Aarch64Cpu } from "./cpu.js";
import { EC } from "./cpu.js";
import {
  executeFpSimdLoadStore,
  executeFpSimd as executeUnit,
  FPSIMD_UNDEFINED,
  FpSimdRegs,
  type GprPort,
  type SimdMemPort,
} from "./fpsimd/index.js";
import { SR } from "./sysregs.js";

/** ISS of a trapped FP access as QEMU reports it from AArch64: CV = 1, COND = 0xE. */
const FP_TRAP_ISS = 0x1e00000;

/**
 * Raises the FP/SIMD access trap if the current EL may not use the FP/SIMD registers. For an
 * instruction (`insn` given), an unallocated encoding is UNDEFINED first, as the ARM ARM
 * decodes before it checks the enables: the unit runs it on scratch state to find out.
 */
export function fpAccessCheck(cpu: Aarch64Cpu, insn = -1, loadStore = false): void {
  const el = cpu.el;
  const r = cpu.sys.r;
  let toEl2: boolean;
  if (
    el < 2 &&
    !(el === 0 && cpu.hcrHi(27)) &&
    (((r[SR.CPACR_EL1 * 2]! >>> 20) & 1) === 0 ||
      (el === 0 && ((r[SR.CPACR_EL1 * 2]! >>> 20) & 3) === 1))
  ) {
    // CPACR_EL1.FPEN: x0 traps EL0 and EL1, 01 traps EL0 only (ignored at EL0 with TGE).
    toEl2 = false;
  } else if (cpu.hasEl2 && (r[SR.CPTR_EL2 * 2]! & (1 << 10)) !== 0) {
    toEl2 = true;
  } else return;
  if (insn !== -1 && !allocated(cpu, insn, loadStore)) cpu.undefinedInstruction();
  cpu.exception(EC.FP_ACCESS, FP_TRAP_ISS, toEl2);
}

/** Scratch state for decoding without effects (the trap path only). */
const scratchRegs = new FpSimdRegs();
const scratchGpr: GprPort = {
  getLo: () => 0,
  getHi: () => 0,
  set: () => {},
  getBaseLo: () => 0,
  getBaseHi: () => 0,
  setBase: () => {},
  getPcLo: () => 0,
  getPcHi: () => 0,
  getNzcv: () => 0,
  setNzcv: () => {},
};
const scratchMem: SimdMemPort = {
  read: (_lo, _hi, len, out, off) => {
    out.fill(0, off, off + len);
    return true;
  },
  write: () => true,
};

function allocated(cpu: Aarch64Cpu, insn: number, loadStore: boolean): boolean {
  scratchRegs.crypto = cpu.fp.crypto;
  const r = loadStore
    ? executeFpSimdLoadStore(insn, scratchRegs, scratchGpr, scratchMem)
    : executeUnit(insn, scratchRegs, scratchGpr);
  return r !== FPSIMD_UNDEFINED;
}

/** The general-purpose registers as the unit sees them. */
export function makeGprPort(cpu: Aarch64Cpu): GprPort {
  const x = cpu.x;
  return {
    getLo: (n) => (n === 31 ? 0 : x[n * 2]!),
    getHi: (n) => (n === 31 ? 0 : x[n * 2 + 1]!),
    set: (n, lo, hi) => {
      if (n !== 31) {
        x[n * 2] = lo;
        x[n * 2 + 1] = hi;
      }
    },
    getBaseLo: (n) => {
      const lo = x[n * 2]!;
      if (n === 31 && (lo & 15) !== 0) spAlignCheck(cpu);
      return lo;
    },
    getBaseHi: (n) => x[n * 2 + 1]!,
    setBase: (n, lo, hi) => {
      x[n * 2] = lo;
      x[n * 2 + 1] = hi;
    },
    getPcLo: () => cpu.curPc | 0,
    getPcHi: () => Math.floor(cpu.curPc / 4294967296) | 0,
    getNzcv: () => (cpu.nf << 3) | (cpu.zf << 2) | (cpu.cf << 1) | cpu.vf,
    setNzcv: (v) => {
      cpu.nf = (v >>> 3) & 1;
      cpu.zf = (v >>> 2) & 1;
      cpu.cf = (v >>> 1) & 1;
      cpu.vf = v & 1;
    },
  };
}

function spAlignCheck(cpu: Aarch64Cpu): void {
  const el = cpu.el;
  const sctlr = cpu.sys.r[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!;
  if ((sctlr & (el === 0 ? 16 : 8)) !== 0) cpu.exception(EC.SP_ALIGN, 0, false);
}

/**
 * Memory for SIMD&FP loads and stores: a fault raises the exception and unwinds (the unit
 * writes registers only after its memory accesses, so nothing is half done).
 */
export function makeSimdMemPort(cpu: Aarch64Cpu): SimdMemPort {
  return {
    read(vaLo, vaHi, len, out, off) {
      const ctx = cpu.dataCtx;
      if (len === 16) {
        const a = cpu.read(vaLo, vaHi, 8, ctx);
        const b = cpu.mhi;
        const l = (vaLo >>> 0) + 8;
        const c = cpu.read(l | 0, (vaHi + (l > 0xffffffff ? 1 : 0)) | 0, 8, ctx);
        const d = cpu.mhi;
        put32(out, off, a);
        put32(out, off + 4, b);
        put32(out, off + 8, c);
        put32(out, off + 12, d);
        return true;
      }
      const v = cpu.read(vaLo, vaHi, len, ctx);
      if (len === 8) {
        put32(out, off, v);
        put32(out, off + 4, cpu.mhi);
      } else {
        for (let i = 0; i < len; i++) out[off + i] = (v >>> (8 * i)) & 0xff;
      }
      return true;
    },
    write(vaLo, vaHi, len, src, off) {
      const ctx = cpu.dataCtx;
      if (len === 16) {
        const l = (vaLo >>> 0) + 8;
        const h2 = (vaHi + (l > 0xffffffff ? 1 : 0)) | 0;
        cpu.write(vaLo, vaHi, 8, get32(src, off), get32(src, off + 4), ctx);
        cpu.write(l | 0, h2, 8, get32(src, off + 8), get32(src, off + 12), ctx);
        return true;
      }
      if (len === 8) cpu.write(vaLo, vaHi, 8, get32(src, off), get32(src, off + 4), ctx);
      else {
        let v = 0;
        for (let i = 0; i < len; i++) v |= src[off + i]! << (8 * i);
        cpu.write(vaLo, vaHi, len, v, 0, ctx);
      }
      return true;
    },
  };
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

function get32(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

/** The scalar FP and Advanced SIMD data-processing group. */
export function executeFpSimd(cpu: Aarch64Cpu, insn: number): void {
  fpAccessCheck(cpu, insn, false);
  if (executeUnit(insn, cpu.fp, cpu.gprPort) === FPSIMD_UNDEFINED) cpu.undefinedInstruction();
}

/** SIMD&FP loads and stores. */
export function fpSimdLoadStore(cpu: Aarch64Cpu, insn: number): void {
  fpAccessCheck(cpu, insn, true);
  if (executeFpSimdLoadStore(insn, cpu.fp, cpu.gprPort, cpu.simdMem) === FPSIMD_UNDEFINED) {
    cpu.undefinedInstruction();
  }
}
