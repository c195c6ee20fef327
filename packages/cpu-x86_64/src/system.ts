/**
 * Segmentation and event delivery: descriptor reads, segment register loads with their
 * protection checks, far control transfers (direct and through call gates), IRET, and the
 * delivery of exceptions, interrupts and NMIs through the IVT (real mode), the 32-bit IDT
 * with TSS stack switching, and the 64-bit IDT with IST (SDM vol. 3 ch. 3, 5, 6).
 */
import type { X86Cpu } from "./cpu.js";
import * as int64 from "./int64.js";
import * as regs from "./regs.js";
import * as stackOps from "./stack.js";

const { wrap64 } = int64;
const { getSp, pop, push, regNum, setRegNum, setSp } = stackOps;

// Bound once: under vitest an imported name is a getter on every use.
const {
  AC,
  CR0_PE,
  CS,
  DS,
  ES,
  EX_NP,
  EX_SS,
  EX_TS,
  FS,
  GS,
  IF,
  IOPL,
  LDTR,
  NT,
  RF,
  RSP,
  SA_DB,
  SA_L,
  SA_P,
  SA_S,
  SA_UNUSABLE,
  SS,
  TF,
  TR,
  VM,
} = regs;

export const EVENT_EXCEPTION = 0;
export const EVENT_EXTERNAL = 1;
export const EVENT_NMI = 2;
/** INT n. */
export const EVENT_SOFT_INT = 3;
/** INT3 / INTO: software exceptions (the gate DPL check applies). */
export const EVENT_SOFT_EXC = 4;

const TWO32 = 4294967296;

/** The last descriptor read (readDescriptor): its two words. */
export const desc = { lo: 0, hi: 0 };

/** Reads the descriptor for `sel` from the GDT or LDT; false when it is beyond the limit. */
export function readDescriptor(cpu: X86Cpu, sel: number): boolean {
  const ldt = (sel & 4) !== 0;
  const base = ldt ? cpu.segBase[LDTR]! : cpu.gdtBase;
  const limit = ldt ? cpu.segLimit[LDTR]! : cpu.gdtLimit;
  if (ldt && cpu.segAttr[LDTR]! & SA_UNUSABLE) return false;
  const index = sel & 0xfff8;
  if (index + 7 > limit) return false;
  const lin = cpu.linAdd(base, index);
  desc.lo = cpu.readLin(lin, 4, false);
  desc.hi = cpu.readLin(cpu.linAdd(lin, 4), 4, false);
  return true;
}

/** Base, limit and attributes of the descriptor in `desc` into segment cache `seg`. */
export function loadCache(cpu: X86Cpu, seg: number, sel: number): void {
  const lo = desc.lo;
  const hi = desc.hi;
  cpu.segSel[seg] = sel & 0xffff;
  cpu.segBase[seg] = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  let limit = (hi & 0xf0000) | (lo & 0xffff);
  if (hi & 0x800000) limit = limit * 4096 + 0xfff;
  cpu.segLimit[seg] = limit;
  cpu.segAttr[seg] = ((hi >>> 8) & 0xff) | ((hi >>> 8) & 0xf000);
}

/** Sets the accessed bit of the descriptor for `sel` if it is clear. */
function markAccessed(cpu: X86Cpu, sel: number): void {
  if (desc.hi & 0x100) return;
  desc.hi |= 0x100;
  const base = sel & 4 ? cpu.segBase[LDTR]! : cpu.gdtBase;
  cpu.writeLin(cpu.linAdd(base, (sel & 0xfff8) + 4), 4, desc.hi, 0, false);
}

function isProtected(cpu: X86Cpu): boolean {
  return (cpu.cr0 & CR0_PE) !== 0 && (cpu.flags & VM) === 0;
}

/** MOV/POP to a data segment register or SS, LDS..LGS: the loads of SDM vol. 2 "MOV". */
export function loadSegment(cpu: X86Cpu, seg: number, sel: number): void {
  sel &= 0xffff;
  if (!isProtected(cpu)) {
    cpu.segSel[seg] = sel;
    cpu.segBase[seg] = sel << 4;
    if (cpu.flags & VM) {
      cpu.segLimit[seg] = 0xffff;
      cpu.segAttr[seg] = SA_P | SA_S | 3 | (3 << 5);
    } else {
      // Real mode keeps the cached limit and attributes (big real mode), but the segment is usable.
      cpu.segAttr[seg] = (cpu.segAttr[seg]! & ~SA_UNUSABLE) | SA_P;
    }
    if (seg === SS) cpu.updateMode();
    return;
  }
  const rpl = sel & 3;
  const cpl = cpu.cpl;
  if ((sel & 0xfffc) === 0) {
    if (seg === SS && !(cpu.code64 && cpl !== 3 && rpl === cpl)) cpu.gp(0);
    cpu.segSel[seg] = sel;
    cpu.segAttr[seg] = SA_UNUSABLE | (seg === SS ? (cpl << 5) | SA_DB : 0);
    if (seg !== FS && seg !== GS) cpu.segBase[seg] = 0;
    if (seg === SS) cpu.updateMode();
    return;
  }
  if (!readDescriptor(cpu, sel)) cpu.gp(sel & 0xfffc);
  const hi = desc.hi;
  const type = (hi >>> 8) & 0xf;
  const dpl = (hi >>> 13) & 3;
  const isCode = (type & 8) !== 0;
  if ((hi & 0x1000) === 0) cpu.gp(sel & 0xfffc);
  if (seg === SS) {
    if (rpl !== cpl || dpl !== cpl || isCode || (type & 2) === 0) cpu.gp(sel & 0xfffc);
    if ((hi & 0x8000) === 0) cpu.raise(EX_SS, sel & 0xfffc);
  } else {
    if (isCode && (type & 2) === 0) cpu.gp(sel & 0xfffc);
    const conforming = isCode && (type & 4) !== 0;
    if (!conforming && dpl < Math.max(cpl, rpl)) cpu.gp(sel & 0xfffc);
    if ((hi & 0x8000) === 0) cpu.raise(EX_NP, sel & 0xfffc);
  }
  markAccessed(cpu, sel);
  loadCache(cpu, seg, sel);
  if (seg === SS) cpu.updateMode();
}

/** Data segments whose DPL is below the new CPL become unusable on a return to outer level. */
function nullifyOuterSegments(cpu: X86Cpu): void {
  for (const seg of [ES, DS, FS, GS]) {
    const attr = cpu.segAttr[seg]!;
    if (attr & SA_UNUSABLE) continue;
    const isConformingCode = (attr & 0xc) === 0xc;
    if (!isConformingCode && ((attr >> 5) & 3) < cpu.cpl) {
      cpu.segSel[seg] = 0;
      cpu.segAttr[seg] = SA_UNUSABLE;
    }
  }
}

/** Checks the code descriptor in `desc` for a transfer to `sel` and loads CS with `newCpl`. */
function loadCs(cpu: X86Cpu, sel: number, newCpl: number): void {
  markAccessed(cpu, sel);
  loadCache(cpu, CS, (sel & 0xfffc) | newCpl);
  cpu.cpl = newCpl;
  cpu.updateMode();
}

/** Checks a code segment descriptor (in `desc`) for presence and type; returns its DPL. */
function checkCode(cpu: X86Cpu, sel: number): number {
  const hi = desc.hi;
  if ((hi & 0x1800) !== 0x1800) cpu.gp(sel & 0xfffc);
  if ((hi & 0x8000) === 0) cpu.raise(EX_NP, sel & 0xfffc);
  return (hi >>> 13) & 3;
}

/**
 * JMP far / CALL far to sel:offset (offset as a number; `size` = operand size for CALL
 * pushes). Real mode: direct. Protected: code segments and call gates.
 */
export function farTransfer(
  cpu: X86Cpu,
  sel: number,
  offset: number,
  isCall: boolean,
  size: number,
  nextIp: number,
): void {
  sel &= 0xffff;
  if (!isProtected(cpu)) {
    if (isCall) {
      push(cpu, size, cpu.segSel[CS]!);
      push(cpu, size, nextIp);
    }
    cpu.segSel[CS] = sel;
    cpu.segBase[CS] = sel << 4;
    cpu.rip = size === 2 ? offset & 0xffff : offset >>> 0;
    cpu.updateMode();
    return;
  }
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  if (!readDescriptor(cpu, sel)) cpu.gp(sel & 0xfffc);
  const hi = desc.hi;
  const cpl = cpu.cpl;
  if (hi & 0x1000) {
    const dpl = checkCode(cpu, sel);
    const conforming = (hi & 0x400) !== 0;
    if (conforming ? dpl > cpl : dpl !== cpl || (sel & 3) > cpl) cpu.gp(sel & 0xfffc);
    if (isCall) {
      push(cpu, size, cpu.segSel[CS]!);
      push(cpu, size, nextIp >>> 0, size === 8 ? Math.floor(nextIp / TWO32) : 0);
    }
    loadCs(cpu, sel, cpl);
    cpu.rip = cpu.code64 ? offset : size === 2 ? offset & 0xffff : offset >>> 0;
    return;
  }
  // System descriptor: call gates (16-bit 4, 32-bit / 64-bit 0xC).
  const type = (hi >>> 8) & 0xf;
  const gdpl = (hi >>> 13) & 3;
  if (type !== 4 && type !== 0xc) cpu.gp(sel & 0xfffc);
  if (gdpl < cpl || gdpl < (sel & 3)) cpu.gp(sel & 0xfffc);
  if ((hi & 0x8000) === 0) cpu.raise(EX_NP, sel & 0xfffc);
  const gateLo = desc.lo;
  const targetSel = gateLo >>> 16;
  let target = type === 4 ? gateLo & 0xffff : ((gateLo & 0xffff) | (hi & 0xffff0000)) >>> 0;
  const lm = cpu.lin32 === false;
  if (lm) {
    const base = sel & 4 ? cpu.segBase[LDTR]! : cpu.gdtBase;
    const upper = cpu.readLin(cpu.linAdd(base, (sel & 0xfff8) + 8), 4, false);
    target = wrap64((upper | 0) * TWO32 + target);
  }
  const params = hi & 0x1f;
  const gateSize = lm ? 8 : type === 4 ? 2 : 4;
  if ((targetSel & 0xfffc) === 0) cpu.gp(0);
  if (!readDescriptor(cpu, targetSel)) cpu.gp(targetSel & 0xfffc);
  const dpl = checkCode(cpu, targetSel);
  if (dpl > cpl) cpu.gp(targetSel & 0xfffc);
  const conforming = (desc.hi & 0x400) !== 0;
  if (!isCall || conforming || dpl === cpl) {
    if (!isCall && !conforming && dpl !== cpl) cpu.gp(targetSel & 0xfffc);
    const saveLo = desc.lo;
    const saveHi = desc.hi;
    if (isCall) {
      push(cpu, gateSize, cpu.segSel[CS]!);
      push(cpu, gateSize, nextIp >>> 0, gateSize === 8 ? Math.floor(nextIp / TWO32) : 0);
    }
    desc.lo = saveLo;
    desc.hi = saveHi;
    loadCs(cpu, targetSel, cpl);
    cpu.rip = target;
    return;
  }
  // CALL to an inner privilege level: a new stack from the TSS.
  const codeLo = desc.lo;
  const codeHi = desc.hi;
  const oldSs = cpu.segSel[SS]!;
  const oldSp = getSp(cpu);
  const oldSsSize = cpu.ssSize;
  const oldCs = cpu.segSel[CS]!;
  const copied: number[] = [];
  if (!lm)
    for (let i = 0; i < params; i++)
      copied.push(cpu.readLin(cpu.segLin(SS, (oldSp + i * gateSize) >>> 0), gateSize));
  switchStack(cpu, dpl, 0);
  if (lm) {
    push(cpu, 8, oldSs);
    push(cpu, 8, oldSp >>> 0, Math.floor(oldSp / TWO32));
  } else {
    push(cpu, gateSize, oldSs);
    push(cpu, gateSize, oldSsSize === 2 ? oldSp & 0xffff : oldSp);
    for (let i = params - 1; i >= 0; i--) push(cpu, gateSize, copied[i]!);
  }
  push(cpu, gateSize, oldCs);
  push(cpu, gateSize, nextIp >>> 0, gateSize === 8 ? Math.floor(nextIp / TWO32) : 0);
  desc.lo = codeLo;
  desc.hi = codeHi;
  loadCs(cpu, targetSel, dpl);
  cpu.rip = target;
}

/**
 * Loads SS:RSP for privilege level `dpl` from the TSS (or IST slot `ist` in long mode). In
 * long mode SS becomes a null selector with RPL = dpl.
 */
function switchStack(cpu: X86Cpu, dpl: number, ist: number): void {
  const base = cpu.segBase[TR]!;
  const limit = cpu.segLimit[TR]!;
  if (!cpu.lin32) {
    const off = ist !== 0 ? 0x24 + (ist - 1) * 8 : 4 + dpl * 8;
    if (off + 7 > limit) cpu.raise(EX_TS, cpu.segSel[TR]! & 0xfffc);
    const lo = cpu.readLin(cpu.linAdd(base, off), 4, false);
    const hi = cpu.readLin(cpu.linAdd(base, off + 4), 4, false);
    if (ist === 0 || dpl !== cpu.cpl) {
      if (dpl !== cpu.cpl) {
        cpu.segSel[SS] = dpl;
        cpu.segBase[SS] = 0;
        cpu.segLimit[SS] = 0xffffffff;
        cpu.segAttr[SS] = SA_UNUSABLE | (dpl << 5) | SA_DB | SA_P | SA_S | 3;
      }
    }
    setRegNum(cpu, RSP, wrap64((hi | 0) * TWO32 + lo));
    return;
  }
  const tss32 = (cpu.segAttr[TR]! & 8) !== 0;
  const off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (off + (tss32 ? 5 : 3) > limit) cpu.raise(EX_TS, cpu.segSel[TR]! & 0xfffc);
  const sp = cpu.readLin(cpu.linAdd(base, off), tss32 ? 4 : 2, false);
  const ss = cpu.readLin(cpu.linAdd(base, off + (tss32 ? 4 : 2)), 2, false);
  if ((ss & 0xfffc) === 0) cpu.raise(EX_TS, ss & 0xfffc);
  if (!readDescriptor(cpu, ss)) cpu.raise(EX_TS, ss & 0xfffc);
  const hi = desc.hi;
  if ((ss & 3) !== dpl || ((hi >>> 13) & 3) !== dpl || (hi & 0x1a00) !== 0x1200) {
    cpu.raise(EX_TS, ss & 0xfffc);
  }
  if ((hi & 0x8000) === 0) cpu.raise(EX_SS, ss & 0xfffc);
  markAccessed(cpu, ss);
  loadCache(cpu, SS, ss);
  cpu.updateMode();
  setSp(cpu, sp);
}

/** RETF [imm]: `size` is the operand size. */
export function farReturn(cpu: X86Cpu, size: number, imm: number): void {
  const ip = pop(cpu, size);
  const ipHi = cpu.hi;
  const sel = pop(cpu, size) & 0xffff;
  if (!isProtected(cpu)) {
    cpu.segSel[CS] = sel;
    cpu.segBase[CS] = sel << 4;
    cpu.rip = ip;
    setSp(cpu, getSp(cpu) + imm);
    cpu.updateMode();
    return;
  }
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  const rpl = sel & 3;
  if (rpl < cpu.cpl) cpu.gp(sel & 0xfffc);
  if (!readDescriptor(cpu, sel)) cpu.gp(sel & 0xfffc);
  const dpl = checkCode(cpu, sel);
  const conforming = (desc.hi & 0x400) !== 0;
  if (conforming ? dpl > rpl : dpl !== rpl) cpu.gp(sel & 0xfffc);
  const rip = size === 8 ? wrap64((ipHi | 0) * TWO32 + ip) : ip;
  if (rpl === cpu.cpl) {
    loadCs(cpu, sel, rpl);
    cpu.rip = rip;
    setSp(cpu, getSp(cpu) + imm);
    return;
  }
  // Return to an outer level: SS:SP follow on the stack.
  setSp(cpu, getSp(cpu) + imm);
  const sp = pop(cpu, size);
  const spHi = cpu.hi;
  const ss = pop(cpu, size) & 0xffff;
  const codeLo = desc.lo;
  const codeHi = desc.hi;
  desc.lo = codeLo;
  desc.hi = codeHi;
  loadCs(cpu, sel, rpl);
  loadSegment(cpu, SS, ss);
  setSp(cpu, size === 8 ? wrap64((spHi | 0) * TWO32 + sp) : sp);
  setSp(cpu, getSp(cpu) + imm);
  cpu.rip = rip;
  nullifyOuterSegments(cpu);
}

/** IRET / IRETD / IRETQ with operand size `size`. */
export function iret(cpu: X86Cpu, size: number): void {
  cpu.nmiBlocked = false;
  if (!isProtected(cpu)) {
    if (cpu.flags & VM) cpu.gp(0);
    const ip = pop(cpu, size);
    const cs = pop(cpu, size) & 0xffff;
    const fl = pop(cpu, size);
    cpu.segSel[CS] = cs;
    cpu.segBase[CS] = cs << 4;
    cpu.rip = size === 2 ? ip & 0xffff : ip;
    const mask = size === 2 ? 0xffff : 0x257fd5;
    cpu.flags = ((cpu.flags & ~mask) | (fl & mask) | 2) >>> 0;
    cpu.updateMode();
    return;
  }
  if (cpu.flags & NT && cpu.lin32) cpu.gp(0);
  const ip = pop(cpu, size);
  const ipHi = cpu.hi;
  const sel = pop(cpu, size) & 0xffff;
  const fl = pop(cpu, size);
  const rip = size === 8 ? wrap64((ipHi | 0) * TWO32 + ip) : ip;
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  const rpl = sel & 3;
  if (rpl < cpu.cpl) cpu.gp(sel & 0xfffc);
  if (!readDescriptor(cpu, sel)) cpu.gp(sel & 0xfffc);
  const dpl = checkCode(cpu, sel);
  const conforming = (desc.hi & 0x400) !== 0;
  if (conforming ? dpl > rpl : dpl !== rpl) cpu.gp(sel & 0xfffc);
  const codeLo = desc.lo;
  const codeHi = desc.hi;
  const oldCpl = cpu.cpl;
  const lm64 = cpu.code64;
  let newSp = 0;
  let newSs = -1;
  if (rpl !== oldCpl || lm64) {
    const sp = pop(cpu, size);
    const spHi = cpu.hi;
    newSs = pop(cpu, size) & 0xffff;
    newSp = size === 8 ? wrap64((spHi | 0) * TWO32 + sp) : sp;
  }
  // EFLAGS: IOPL only at CPL 0, IF only when CPL <= IOPL; VIF/VIP/VM not restored here.
  let mask = TF | 0x8d5 | 0x400 | NT | RF | AC | 0x200000;
  if (oldCpl === 0) mask |= IOPL;
  if (oldCpl <= (cpu.flags & IOPL) >> 12) mask |= IF;
  if (size === 2) mask &= 0xffff;
  cpu.flags = ((cpu.flags & ~mask) | (fl & mask) | 2) >>> 0;
  desc.lo = codeLo;
  desc.hi = codeHi;
  loadCs(cpu, sel, rpl);
  if (newSs >= 0) {
    if ((newSs & 0xfffc) === 0 && cpu.code64 && rpl !== 3) {
      cpu.segSel[SS] = newSs;
      cpu.segAttr[SS] = SA_UNUSABLE | (rpl << 5) | SA_DB;
      cpu.updateMode();
    } else {
      loadSegment(cpu, SS, newSs);
    }
    setSp(cpu, newSp);
  }
  cpu.rip = cpu.code64 ? rip : size === 2 ? rip & 0xffff : rip >>> 0;
  if (rpl > oldCpl) nullifyOuterSegments(cpu);
}

/** Whether exception `vector` pushes an error code. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17 || vector === 21;
}

/**
 * Delivers an event. For software interrupts `cpu.softNext` is the address after the INT
 * instruction; for everything else the return address is `cpu.rip` (faults: the faulting
 * instruction; interrupts: the next one).
 */
export function deliverEvent(cpu: X86Cpu, kind: number, vector: number, err: number): void {
  cpu.halted = false;
  // An intercepted event is not being delivered: the exit's IDT-vectoring information names
  // only an outer event whose delivery raised this one.
  if (cpu.vmx.guestMode && cpu.vmx.interceptEvent(kind, vector, err)) return;
  cpu.delivering = kind === EVENT_EXCEPTION ? vector : -2;
  cpu.deliveryKind = kind;
  cpu.deliveryVector = vector;
  cpu.deliveryErr = err;
  if (kind === EVENT_EXCEPTION && vector === 14) cpu.cr2 = cpu.pfLinear;
  const soft = kind === EVENT_SOFT_INT || kind === EVENT_SOFT_EXC;
  const retIp = soft ? cpu.softNext : cpu.rip;
  const ext = kind === EVENT_EXTERNAL || kind === EVENT_NMI ? 1 : 0;
  cpu.invalidateFetch();
  if ((cpu.cr0 & CR0_PE) === 0) {
    if (vector * 4 + 3 > cpu.idtLimit) cpu.gp(0);
    const entry = cpu.readLin(cpu.linAdd(cpu.idtBase, vector * 4), 4, false);
    push(cpu, 2, cpu.flags);
    push(cpu, 2, cpu.segSel[CS]!);
    push(cpu, 2, retIp);
    cpu.flags &= ~(IF | TF | AC | RF);
    cpu.segSel[CS] = entry >>> 16;
    cpu.segBase[CS] = (entry >>> 16) << 4;
    cpu.rip = entry & 0xffff;
    cpu.updateMode();
    return;
  }
  const lm = !cpu.lin32;
  const entrySize = lm ? 16 : 8;
  const gateErr = vector * 8 + 2 + ext;
  if (vector * entrySize + entrySize - 1 > cpu.idtLimit) cpu.gp(gateErr);
  const gateLin = cpu.linAdd(cpu.idtBase, vector * entrySize);
  const glo = cpu.readLin(gateLin, 4, false);
  const ghi = cpu.readLin(cpu.linAdd(gateLin, 4), 4, false);
  const type = (ghi >>> 8) & 0x1f;
  const gdpl = (ghi >>> 13) & 3;
  const validTypes = lm
    ? type === 0xe || type === 0xf
    : type === 6 || type === 7 || type === 0xe || type === 0xf;
  if (!validTypes) cpu.gp(gateErr);
  if (soft && gdpl < cpu.cpl) cpu.gp(vector * 8 + 2);
  if ((ghi & 0x8000) === 0) cpu.raise(EX_NP, gateErr);
  const sel = glo >>> 16;
  let target = ((glo & 0xffff) | (ghi & 0xffff0000)) >>> 0;
  if (lm) {
    const upper = cpu.readLin(cpu.linAdd(gateLin, 8), 4, false);
    target = wrap64((upper | 0) * TWO32 + target);
  } else if (type < 8) {
    target &= 0xffff;
  }
  if ((sel & 0xfffc) === 0) cpu.gp(ext);
  if (!readDescriptor(cpu, sel)) cpu.gp((sel & 0xfffc) + ext);
  const chi = desc.hi;
  if ((chi & 0x1800) !== 0x1800) cpu.gp((sel & 0xfffc) + ext);
  const dpl = (chi >>> 13) & 3;
  if (dpl > cpu.cpl) cpu.gp((sel & 0xfffc) + ext);
  if ((chi & 0x8000) === 0) cpu.raise(EX_NP, (sel & 0xfffc) + ext);
  if (lm && ((chi & (SA_L << 8)) === 0 || chi & (SA_DB << 8))) cpu.gp((sel & 0xfffc) + ext);
  const conforming = (chi & 0x400) !== 0;
  const newCpl = conforming ? cpu.cpl : dpl;
  const codeLo = desc.lo;
  const oldSs = cpu.segSel[SS]!;
  const oldSp = lm ? regNum(cpu, RSP) : getSp(cpu);
  const oldCs = cpu.segSel[CS]!;
  const oldFlags = cpu.flags;
  const oldCpl = cpu.cpl;
  const gateSize = lm ? 8 : type & 8 ? 4 : 2;
  const istNum = lm ? ghiIst(cpu, gateLin) : 0;
  if (lm) {
    if (newCpl !== oldCpl || istNum !== 0) {
      cpu.cpl = newCpl;
      switchStack64(cpu, newCpl, istNum, oldCpl);
    }
    // The 64-bit frame is 16-byte aligned, pushed with the new privilege.
    cpu.ssSize = 8;
    setRegNum(cpu, RSP, regNum(cpu, RSP) - (((regNum(cpu, RSP) % 16) + 16) % 16));
    push(cpu, 8, oldSs);
    push(cpu, 8, oldSp >>> 0, Math.floor(oldSp / TWO32));
    push(cpu, 8, oldFlags);
    push(cpu, 8, oldCs);
    push(cpu, 8, retIp >>> 0, Math.floor(retIp / TWO32));
    if (err >= 0) push(cpu, 8, err);
  } else {
    if (newCpl !== oldCpl) {
      const saveHi = desc.hi;
      switchStack(cpu, newCpl, 0);
      desc.lo = codeLo;
      desc.hi = saveHi;
      cpu.cpl = newCpl;
      push(cpu, gateSize, oldSs);
      push(cpu, gateSize, oldSp);
    }
    push(cpu, gateSize, oldFlags);
    push(cpu, gateSize, oldCs);
    push(cpu, gateSize, retIp);
    if (err >= 0) push(cpu, gateSize, err);
  }
  desc.lo = codeLo;
  desc.hi = chi;
  loadCs(cpu, sel, newCpl);
  cpu.rip = target;
  cpu.flags &= ~(TF | NT | RF | VM);
  if ((type & 1) === 0) cpu.flags &= ~IF;
  if (newCpl !== oldCpl && !lm) nullifyOuterSegments(cpu);
}

/** The IST field of a 64-bit gate: bits 2:0 of its byte 4. */
function ghiIst(cpu: X86Cpu, gateLin: number): number {
  return cpu.readLin(cpu.linAdd(gateLin, 4), 1, false) & 7;
}

function switchStack64(cpu: X86Cpu, newCpl: number, ist: number, oldCpl: number): void {
  const base = cpu.segBase[TR]!;
  const off = ist !== 0 ? 0x24 + (ist - 1) * 8 : 4 + newCpl * 8;
  if (off + 7 > cpu.segLimit[TR]!) cpu.raise(EX_TS, cpu.segSel[TR]! & 0xfffc);
  const lo = cpu.readLin(cpu.linAdd(base, off), 4, false);
  const hi = cpu.readLin(cpu.linAdd(base, off + 4), 4, false);
  const rsp = wrap64((hi | 0) * TWO32 + lo);
  if (rsp < -0x800000000000 || rsp >= 0x800000000000) cpu.raise(EX_SS, 0);
  if (newCpl !== oldCpl) {
    cpu.segSel[SS] = newCpl;
    cpu.segBase[SS] = 0;
    cpu.segLimit[SS] = 0xffffffff;
    cpu.segAttr[SS] = SA_UNUSABLE | (newCpl << 5) | SA_DB | SA_P | SA_S | 3;
  }
  setRegNum(cpu, RSP, rsp);
}
