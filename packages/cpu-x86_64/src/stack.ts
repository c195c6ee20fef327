/**
 * The stack: PUSH/POP through SS with the current stack width (SP, ESP or RSP), and register
 * access as numbers for addresses. A push writes memory before RSP changes, so a faulting
 * push leaves RSP as it was (the instruction restarts cleanly).
 */
import type { X86Cpu } from "./cpu.js";
import * as int64 from "./int64.js";
import * as regs from "./regs.js";

const { wrap64 } = int64;

// Bound once: under vitest an imported name is a getter on every use.
const { RSP, SS } = regs;

const TWO32 = 4294967296;

/** A 64-bit register as a signed number (exact for canonical addresses). */
export function regNum(cpu: X86Cpu, n: number): number {
  return cpu.rhi[n]! * TWO32 + (cpu.rlo[n]! >>> 0);
}

/** Writes a (signed or unsigned) number to all 64 bits of a register. */
export function setRegNum(cpu: X86Cpu, n: number, v: number): void {
  cpu.rlo[n] = v >>> 0;
  cpu.rhi[n] = Math.floor(v / TWO32) | 0;
}

/** The stack pointer in the current stack width. */
export function getSp(cpu: X86Cpu): number {
  switch (cpu.ssSize) {
    case 8:
      return regNum(cpu, RSP);
    case 4:
      return cpu.rlo[RSP]! >>> 0;
    default:
      return cpu.rlo[RSP]! & 0xffff;
  }
}

export function setSp(cpu: X86Cpu, sp: number): void {
  switch (cpu.ssSize) {
    case 8:
      setRegNum(cpu, RSP, sp);
      break;
    case 4:
      cpu.rlo[RSP] = sp >>> 0;
      break;
    default:
      cpu.rlo[RSP] = (cpu.rlo[RSP]! & ~0xffff) | (sp & 0xffff);
  }
}

/** sp + d wrapped to the stack width. */
export function spAdd(cpu: X86Cpu, sp: number, d: number): number {
  switch (cpu.ssSize) {
    case 8:
      return wrap64(sp + d);
    case 4:
      return (sp + d) >>> 0;
    default:
      return (sp + d) & 0xffff;
  }
}

export function push(cpu: X86Cpu, size: number, lo: number, hi = 0): void {
  const sp = spAdd(cpu, getSp(cpu), -size);
  cpu.writeLin(cpu.segLin(SS, sp), size, lo, hi);
  setSp(cpu, sp);
}

/** Pops `size` bytes (8: the high half in cpu.hi). */
export function pop(cpu: X86Cpu, size: number): number {
  const sp = getSp(cpu);
  const v = cpu.readLin(cpu.segLin(SS, sp), size);
  const hi = cpu.hi;
  setSp(cpu, spAdd(cpu, sp, size));
  cpu.hi = hi;
  return v;
}

/** Reads the stack `offset` bytes above SP without popping. */
export function peek(cpu: X86Cpu, size: number, offset: number): number {
  return cpu.readLin(cpu.segLin(SS, spAdd(cpu, getSp(cpu), offset)), size);
}
