/**
 * The interpreter: decodes one instruction (legacy prefixes, REX, the one-byte and 0F maps,
 * ModRM/SIB/displacement in 16/32/64-bit addressing, RIP-relative) and executes it. Decode
 * state lives in module variables (step() is not re-entrant and allocates nothing).
 * Architectural state changes commit only after every access of the instruction that can
 * fault has been done, so an exception restarts the instruction (string instructions commit
 * per iteration).
 */
import * as aluOps from "./alu.js";
import type { X86Cpu } from "./cpu.js";
import { cpuid } from "./cpuid.js";
import {
  executeSse,
  executeX87,
  FPU_FAULT,
  FPU_GP,
  FPU_OK,
  FPU_SIMD_EXCEPTION,
  FPU_UD,
  FPU_X87_EXCEPTION,
  type FpuResult,
  fwait,
  fxrstor,
  fxsave,
  type SseInsn,
  sseHasImm8,
} from "./fpu/index.js";
import * as int64 from "./int64.js";
import { rdmsr, wrmsr } from "./msr.js";
import { ACC_READ, ACC_WRITE } from "./paging.js";
import * as regs from "./regs.js";
import * as stackOps from "./stack.js";
import * as systemOps from "./system.js";
import { EXIT } from "./vmx.js";
import {
  VMX_INVEPT,
  VMX_INVVPID,
  VMX_VMREAD,
  VMX_VMWRITE,
  type VmxOperands,
  vmxInstruction,
} from "./vmx-insn.js";

const {
  desc,
  EVENT_SOFT_EXC,
  EVENT_SOFT_INT,
  farReturn,
  farTransfer,
  iret,
  loadCache,
  loadSegment,
  readDescriptor,
} = systemOps;
const { wrap64 } = int64;
const { getSp, peek, pop, push, regNum, setRegNum, setSp, spAdd } = stackOps;
const {
  alu,
  alu64,
  doubleShift,
  incDec,
  logicFlags,
  MASK,
  mulS64,
  mulU32,
  mulU64,
  OP_CMP,
  OP_SUB,
  PRODUCT,
  SIGN,
  shift,
  szp,
} = aluOps;

// Bound once: under vitest an imported name is a getter on every use.
const {
  AC,
  AF,
  CF,
  CR0_EM,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR4_PAE,
  CR4_SUPPORTED,
  CR4_TSD,
  CR4_VMXE,
  CS,
  DF,
  DS,
  EFER_LMA,
  EFER_LME,
  EFER_SCE,
  ES,
  EX_BP,
  EX_DE,
  EX_NM,
  EX_OF,
  EX_UD,
  FS,
  GS,
  ID,
  IF,
  IOPL,
  LDTR,
  NT,
  OF,
  PF,
  RCX,
  RDX,
  RF,
  RSP,
  SA_DB,
  SA_L,
  SA_P,
  SA_S,
  SA_UNUSABLE,
  SF,
  SS,
  TF,
  TR,
  VM,
  ZF,
} = regs;

const TWO32 = 4294967296;

// ---------------------------------------------------------------- decode state
let c: X86Cpu;
/**
 * Decode state that holds addresses: fields of one object (unboxed doubles), since a module
 * variable holding a non-small-integer number would allocate on every write.
 * ip: offset of the next instruction byte within CS (wraps at commit); startIp: the
 * instruction's first byte; ea: the memory operand's offset; fast*: the fetch IP window.
 */
const D = {
  ip: 0.5,
  startIp: 0.5,
  ea: 0.5,
  fastLo: 0.5,
  fastHi: 0.5,
  fastDelta: 0.5,
  /** Operand and address size in bytes (2, 4, 8). */
  opsz: 4,
  adsz: 4,
  /** Segment override (-1: none). */
  seg: -1,
  /** The REX byte (0: none) and its bits (R, X, B as 8 or 0). */
  rex: 0,
  rexW: false,
  rexR: 0,
  rexX: 0,
  rexB: 0,
  /** F2/F3 (0: none). */
  rep: 0,
  lock: false,
  has66: false,
  modrm: 0,
  mod: 0,
  /** ModRM.reg (with REX.R) and ModRM.rm (with REX.B) of a register operand. */
  regf: 0,
  rm: 0,
  isMem: false,
  eaSeg: 3,
  ripRel: false,
  /** The memory operand's base and index registers (-1 = none), scale and displacement. */
  mBase: -1,
  mIndex: -1,
  mScale: 0,
  mDisp: 0,
};

/**
 * Instruction fetch. The common case reads RAM directly: `fastLo..fastHi` is the range of IP
 * values whose bytes lie in the cached fetch page, at RAM offset ip + fastDelta.
 */
let ram: Uint8Array = new Uint8Array(0);
let fetchGenSeen = -1;

function fb(): number {
  const at = D.ip;
  if (at >= D.fastLo && at < D.fastHi && at - D.startIp < 15) {
    D.ip = at + 1;
    return ram[at + D.fastDelta]!;
  }
  return fbSlow();
}

function fbSlow(): number {
  if (D.ip - D.startIp >= 15) c.gp(0);
  const base = c.code64 ? 0 : c.segBase[CS]!;
  const lin = c.code64 ? D.ip : (base + D.ip) >>> 0;
  const v = c.fetch8(lin);
  // The byte came through the fetch page cache: remember the page as an IP window.
  const d = lin - c.fetchLin;
  if (d >= 0 && d < 4096 && (c.code64 || lin === base + D.ip)) {
    D.fastLo = D.ip - d;
    D.fastHi = D.fastLo + 4096;
    D.fastDelta = c.fetchOff - D.fastLo;
    if (!c.code64) {
      // Stay inside the segment's 16/32-bit IP range.
      const top = c.csSize === 4 ? 4294967296 : 65536;
      if (D.fastHi > top) D.fastHi = top;
    }
  } else {
    D.fastHi = D.fastLo;
  }
  ram = c.ram;
  D.ip++;
  return v;
}

function fw(): number {
  const lo = fb();
  return lo | (fb() << 8);
}

function fd(): number {
  const a = fw();
  return (a | (fw() << 16)) >>> 0;
}

function fs8(): number {
  return (fb() << 24) >> 24;
}

/** An immediate of the operand size (8: a sign-extended imm32; high half in c.hi). */
function imm(size: number): number {
  switch (size) {
    case 1:
      return fb();
    case 2:
      return fw();
    case 4:
      return fd();
    default: {
      const v = fd();
      c.hi = v & 0x80000000 ? 0xffffffff : 0;
      return v;
    }
  }
}

/** A sign-extended imm8 at operand size (high half in c.hi for 8). */
function immS8(size: number): number {
  const v = fs8();
  c.hi = v < 0 ? 0xffffffff : 0;
  return (v & MASK[size === 8 ? 4 : size]!) >>> 0;
}

// ---------------------------------------------------------------- registers

function getR(n: number, size: number): number {
  switch (size) {
    case 1:
      return n < 4 || D.rex !== 0 ? c.rlo[n]! & 0xff : (c.rlo[n - 4]! >>> 8) & 0xff;
    case 2:
      return c.rlo[n]! & 0xffff;
    case 4:
      return c.rlo[n]! >>> 0;
    default:
      c.hi = c.rhi[n]! >>> 0;
      return c.rlo[n]! >>> 0;
  }
}

function setR(n: number, size: number, v: number, vhi = 0): void {
  switch (size) {
    case 1:
      if (n < 4 || D.rex !== 0) c.rlo[n] = (c.rlo[n]! & ~0xff) | (v & 0xff);
      else c.rlo[n - 4] = (c.rlo[n - 4]! & ~0xff00) | ((v & 0xff) << 8);
      return;
    case 2:
      c.rlo[n] = (c.rlo[n]! & ~0xffff) | (v & 0xffff);
      return;
    case 4:
      c.rlo[n] = v;
      c.rhi[n] = 0;
      return;
    default:
      c.rlo[n] = v;
      c.rhi[n] = vhi;
  }
}

/** A register of the address size as a number (for string/loop counters and addresses). */
function getA(n: number): number {
  if (D.adsz === 8) return regNum(c, n);
  if (D.adsz === 4) return c.rlo[n]! >>> 0;
  return c.rlo[n]! & 0xffff;
}

function setA(n: number, v: number): void {
  if (D.adsz === 8) setRegNum(c, n, wrap64(v));
  else if (D.adsz === 4) {
    c.rlo[n] = v >>> 0;
    c.rhi[n] = 0;
  } else c.rlo[n] = (c.rlo[n]! & ~0xffff) | (v & 0xffff);
}

// ---------------------------------------------------------------- ModRM

/** 16-bit addressing: the first and second register of each r/m form (BX+SI, BX+DI, BP+SI, ...). */
const BASE16_A = [3, 3, 5, 5, 6, 7, 5, 3] as const;
const BASE16_B = [6, 7, 6, 7, -1, -1, -1, -1] as const;

function decodeModrm(): void {
  D.modrm = fb();
  D.mod = D.modrm >> 6;
  D.regf = ((D.modrm >> 3) & 7) | D.rexR;
  const rml = D.modrm & 7;
  if (D.mod === 3) {
    D.rm = rml | D.rexB;
    D.isMem = false;
    return;
  }
  D.isMem = true;
  D.ripRel = false;
  D.mBase = -1;
  D.mIndex = -1;
  D.mScale = 0;
  D.mDisp = 0;
  if (D.adsz === 2) {
    let off = 0;
    let dseg = DS;
    if (D.mod === 0 && rml === 6) {
      off = fw();
    } else {
      off = c.rlo[BASE16_A[rml]!]! & 0xffff;
      const b = BASE16_B[rml]!;
      if (b >= 0) off += c.rlo[b]! & 0xffff;
      if (rml === 2 || rml === 3 || rml === 6) dseg = SS;
      if (D.mod === 1) off += fs8();
      else if (D.mod === 2) off += fw();
    }
    D.ea = off & 0xffff;
    D.eaSeg = D.seg >= 0 ? D.seg : dseg;
    return;
  }
  let base = -1;
  let index = -1;
  let scale = 0;
  let disp = 0;
  if (rml === 4) {
    const sib = fb();
    scale = sib >> 6;
    const idx = ((sib >> 3) & 7) | D.rexX;
    if (idx !== 4) index = idx;
    if ((sib & 7) === 5 && D.mod === 0) disp = fd() | 0;
    else base = (sib & 7) | D.rexB;
  } else if (rml === 5 && D.mod === 0) {
    disp = fd() | 0;
    if (c.code64) D.ripRel = true;
  } else {
    base = rml | D.rexB;
  }
  if (D.mod === 1) disp = fs8();
  else if (D.mod === 2) disp = fd() | 0;
  const dseg = base === 4 || base === 5 ? SS : DS;
  D.eaSeg = D.seg >= 0 ? D.seg : dseg;
  D.mBase = base;
  D.mIndex = index;
  D.mScale = scale;
  D.mDisp = disp;
  if (D.adsz === 8) {
    let v = disp;
    if (base >= 0) v += regNum(c, base);
    if (index >= 0) v += regNum(c, index) * (1 << scale);
    D.ea = wrap64(v);
  } else {
    let v = disp;
    if (base >= 0) v += c.rlo[base]! >>> 0;
    if (index >= 0) v += (c.rlo[index]! >>> 0) * (1 << scale);
    D.ea = v >>> 0;
  }
}

/** The effective address (offset) of the memory operand, with RIP-relative resolved. */
function eaOff(): number {
  if (!D.ripRel) return D.ea;
  return D.adsz === 8 ? wrap64(D.ip + D.ea) : (D.ip + D.ea) >>> 0;
}

let leaLo = 0;
let leaHi = 0;

/** base + index * scale + disp of a 64-bit address as exact halves (leaLo, leaHi). */
function leaExact(): void {
  let lo = D.mDisp | 0;
  let hi = lo < 0 ? -1 : 0;
  if (D.mBase >= 0) {
    const l = (lo >>> 0) + (c.rlo[D.mBase]! >>> 0);
    hi = (hi + c.rhi[D.mBase]! + (l > 0xffffffff ? 1 : 0)) | 0;
    lo = l | 0;
  }
  if (D.mIndex >= 0) {
    const s = D.mScale;
    const ilo = c.rlo[D.mIndex]!;
    const ihi = c.rhi[D.mIndex]!;
    const xlo = ilo << s;
    const xhi = s === 0 ? ihi : (ihi << s) | (ilo >>> (32 - s));
    const l = (lo >>> 0) + (xlo >>> 0);
    hi = (hi + xhi + (l > 0xffffffff ? 1 : 0)) | 0;
    lo = l | 0;
  }
  leaLo = lo;
  leaHi = hi;
}

/** RCX/ECX/CX minus 1 in the address size, exactly; true when the count is not zero after. */
function decCount(): boolean {
  if (D.adsz === 8) {
    const lo = c.rlo[RCX]!;
    c.rlo[RCX] = lo - 1;
    if (lo === 0) c.rhi[RCX] = c.rhi[RCX]! - 1;
    return (c.rlo[RCX]! | c.rhi[RCX]!) !== 0;
  }
  if (D.adsz === 4) {
    const v = (c.rlo[RCX]! - 1) | 0;
    c.rlo[RCX] = v;
    c.rhi[RCX] = 0;
    return v !== 0;
  }
  const v = (c.rlo[RCX]! - 1) & 0xffff;
  c.rlo[RCX] = (c.rlo[RCX]! & ~0xffff) | v;
  return v !== 0;
}

function eaLin(): number {
  return c.segLin(D.eaSeg, eaOff());
}

function readE(size: number): number {
  return D.isMem ? c.readLin(eaLin(), size) : getR(D.rm, size);
}

function writeE(size: number, v: number, vhi = 0): void {
  if (D.isMem) c.writeLin(eaLin(), size, v, vhi);
  else setR(D.rm, size, v, vhi);
}

/**
 * A MOV store under EPT: an EPT violation becomes a VM exit without a throw (Vmx.softExit).
 * False when the exit was taken (the instruction ends there, RIP on it).
 */
function movStore(size: number, v: number, vhi: number): boolean {
  const lin = eaLin();
  const vmx = c.vmx;
  vmx.softExit = true;
  c.writeLin(lin, size, v, vhi);
  vmx.softExit = false;
  if (!vmx.softExitTaken) return true;
  vmx.softExitTaken = false;
  return false;
}

/** A MOV load under EPT, the same way; the caller checks `softExitTaken`. */
function movLoad(size: number): number {
  const lin = eaLin();
  const vmx = c.vmx;
  vmx.softExit = true;
  const v = c.readLin(lin, size);
  vmx.softExit = false;
  return v;
}

// ---------------------------------------------------------------- helpers

/** The VM-exit instruction-information word for the current instruction. */
function instrInfo(reg2: number): number {
  let info = (D.adsz === 2 ? 0 : D.adsz === 4 ? 1 : 2) << 7;
  if (!D.isMem) info |= (1 << 10) | ((D.rm & 15) << 3);
  else {
    info |= D.mScale | ((D.eaSeg & 7) << 15);
    info |= D.mIndex < 0 ? 1 << 22 : D.mIndex << 18;
    info |= D.mBase < 0 ? 1 << 27 : D.mBase << 23;
  }
  return (info | ((reg2 & 15) << 28)) >>> 0;
}

const vmxOps: VmxOperands = {
  len: 0,
  lin: 0,
  disp: 0,
  info: 0,
  regLo: 0,
  regHi: 0,
  readRm: () => readE(c.code64 ? 8 : 4),
  writeRm: (lo: number, hi: number) => writeE(c.code64 ? 8 : 4, lo, hi),
};

/** Runs VMX instruction `code` (regf = its register operand); commits RIP if it completed. */
function vmxOp(code: number): void {
  vmxOps.len = D.ip - D.startIp;
  vmxOps.lin = D.isMem ? eaLin() : 0;
  vmxOps.disp = D.mDisp;
  vmxOps.info = instrInfo(D.regf);
  const size = c.code64 ? 8 : 4;
  vmxOps.regLo = getR(D.regf, size);
  vmxOps.regHi = size === 8 ? c.hi : 0;
  if (vmxInstruction(c, code, vmxOps)) commit();
}

function commit(): void {
  c.rip = c.code64 ? D.ip : c.csSize === 4 ? D.ip >>> 0 : D.ip & 0xffff;
}

/** Near branch to `target` (already computed with the operand size rules). */
function jumpTo(target: number): void {
  // A branch target is where a compiled block may start (the run loop asks the JIT there).
  c.jitProbe = true;
  if (c.code64) {
    if (target < -0x800000000000 || target >= 0x800000000000) c.gp(0);
    c.rip = target;
  } else {
    c.rip = D.opsz === 2 ? target & 0xffff : target >>> 0;
  }
}

function relTarget(rel: number): number {
  return c.code64 ? wrap64(D.ip + rel) : D.ip + rel;
}

function cond(cc: number): boolean {
  const f = c.flags;
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = (f & OF) !== 0;
      break;
    case 1:
      r = (f & CF) !== 0;
      break;
    case 2:
      r = (f & ZF) !== 0;
      break;
    case 3:
      r = (f & (CF | ZF)) !== 0;
      break;
    case 4:
      r = (f & SF) !== 0;
      break;
    case 5:
      r = (f & PF) !== 0;
      break;
    case 6:
      r = ((f & SF) !== 0) !== ((f & OF) !== 0);
      break;
    default:
      r = (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0);
  }
  return cc & 1 ? !r : r;
}

/** The stack operand size of PUSH/POP: 8 in 64-bit mode (2 with 66), else opsz. */
function stackSize(): number {
  return c.code64 ? (D.has66 ? 2 : 8) : D.opsz;
}

function checkIo(port: number, size: number): void {
  if ((c.cr0 & CR0_PE) === 0) return;
  if (!(c.flags & VM) && c.cpl <= (c.flags & IOPL) >> 12) return;
  // The I/O permission bitmap in the TSS.
  const base = c.segBase[TR]!;
  const limit = c.segLimit[TR]!;
  if ((c.segAttr[TR]! & 0xf) !== 0xb && (c.segAttr[TR]! & 0xf) !== 9) c.gp(0);
  if (limit < 0x67) c.gp(0);
  const mapOff = c.readLin(c.linAdd(base, 0x66), 2, false);
  const byteOff = mapOff + (port >>> 3);
  if (byteOff + 1 > limit) c.gp(0);
  const bits = c.readLin(c.linAdd(base, byteOff), 2, false);
  if ((bits >>> (port & 7)) & ((1 << size) - 1)) c.gp(0);
}

function portIn(port: number, size: 1 | 2 | 4, immediate = false): number {
  checkIo(port, size);
  if (c.vmx.guestMode) {
    c.vmx.instrLen = D.ip - D.startIp;
    if (c.vmx.ioExit(port, size, true, false, false, immediate)) return -1;
  }
  return c.io.in(port, size) >>> 0;
}

function portOut(port: number, size: 1 | 2 | 4, v: number, immediate = false): boolean {
  checkIo(port, size);
  if (c.vmx.guestMode) {
    c.vmx.instrLen = D.ip - D.startIp;
    if (c.vmx.ioExit(port, size, false, false, false, immediate)) return false;
  }
  c.io.out(port, size, v & MASK[size]!);
  return true;
}

function requireCpl0(): void {
  if (c.cpl !== 0) c.gp(0);
}

/** #UD in 64-bit mode (encodings that are invalid there). */
function not64(): void {
  if (c.code64) c.ud();
}

function setFlagsMasked(v: number, size: number): void {
  // POPF rules: IOPL only at CPL 0, IF only at CPL <= IOPL; VM/RF/VIP/VIF unchanged.
  let mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID | 2;
  if ((c.cr0 & CR0_PE) === 0 || c.cpl === 0) mask |= IOPL;
  if ((c.cr0 & CR0_PE) === 0 || c.cpl <= (c.flags & IOPL) >> 12) mask |= IF;
  if (c.flags & VM) {
    if ((c.flags & IOPL) !== IOPL) c.gp(0);
    mask &= ~IOPL;
  }
  if (size === 2) mask &= 0xffff;
  c.flags = ((c.flags & ~mask) | (v & mask) | 2) >>> 0;
}

// ---------------------------------------------------------------- step

/** Executes one instruction (or one chunk of a REP string instruction). */
export function step(cpu: X86Cpu): void {
  if (c !== cpu || cpu.fetchGen !== fetchGenSeen) {
    // Another CPU, or the fetch page cache was dropped (TLB flush, CS change): no IP window.
    D.fastHi = D.fastLo;
    fetchGenSeen = cpu.fetchGen;
  }
  c = cpu;
  D.startIp = D.ip = cpu.rip;
  D.seg = -1;
  D.rex = 0;
  D.rexW = false;
  D.rexR = D.rexX = D.rexB = 0;
  D.rep = 0;
  D.lock = false;
  D.has66 = false;
  let has67 = false;
  let op: number;
  for (;;) {
    op = fb();
    switch (op) {
      case 0x66:
        D.has66 = true;
        D.rex = 0;
        continue;
      case 0x67:
        has67 = true;
        D.rex = 0;
        continue;
      case 0x26:
      case 0x2e:
      case 0x36:
      case 0x3e:
        if (!c.code64) D.seg = (op >> 3) & 3;
        D.rex = 0;
        continue;
      case 0x64:
        D.seg = FS;
        D.rex = 0;
        continue;
      case 0x65:
        D.seg = GS;
        D.rex = 0;
        continue;
      case 0xf0:
        D.lock = true;
        D.rex = 0;
        continue;
      case 0xf2:
      case 0xf3:
        D.rep = op;
        D.rex = 0;
        continue;
    }
    if (c.code64 && (op & 0xf0) === 0x40) {
      D.rex = op;
      continue;
    }
    break;
  }
  if (D.rex !== 0) {
    D.rexW = (D.rex & 8) !== 0;
    D.rexR = (D.rex & 4) << 1;
    D.rexX = (D.rex & 2) << 2;
    D.rexB = (D.rex & 1) << 3;
  }
  if (c.code64) {
    D.opsz = D.rexW ? 8 : D.has66 ? 2 : 4;
    D.adsz = has67 ? 4 : 8;
  } else {
    D.opsz = D.has66 ? 6 - c.csSize : c.csSize;
    D.adsz = has67 ? 6 - c.csSize : c.csSize;
  }
  if (op === 0x0f) exec0f(fb());
  else if (!execHot(op)) exec1(op);
}

/**
 * The most frequent one-byte opcodes, in a function small enough to enter cheaply (exec1's
 * frame is large). Returns false for everything else.
 */
function execHot(op: number): boolean {
  if (op < 0x40 && (op & 7) < 6) {
    aluForm(op >> 3, op & 7);
    return true;
  }
  if ((op & 0xf0) === 0x70) {
    const rel = fs8();
    if (cond(op & 15)) jumpTo(relTarget(rel));
    else commit();
    return true;
  }
  switch (op) {
    case 0x50:
    case 0x51:
    case 0x52:
    case 0x53:
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57: {
      const s = stackSize();
      const n = (op & 7) | D.rexB;
      const v = getR(n, s);
      push(c, s, v, c.hi);
      commit();
      return true;
    }
    case 0x58:
    case 0x59:
    case 0x5a:
    case 0x5b:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f: {
      const s = stackSize();
      const v = pop(c, s);
      setR((op & 7) | D.rexB, s, v, c.hi);
      commit();
      return true;
    }
    case 0x60: {
      not64();
      const sp = getR(RSP, D.opsz);
      for (let n = 0; n < 8; n++) {
        const v = n === RSP ? sp : getR(n, D.opsz);
        push(c, D.opsz, v);
      }
      commit();
      return true;
    }
    case 0x61: {
      not64();
      for (let n = 7; n >= 0; n--) {
        const v = pop(c, D.opsz);
        if (n !== RSP) setR(n, D.opsz, v);
      }
      commit();
      return true;
    }
    case 0x80:
    case 0x81:
    case 0x82:
    case 0x83: {
      if (op === 0x82) not64();
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const b = op === 0x81 ? imm(size) : op === 0x83 ? immS8(size) : fb();
      const bhi = c.hi;
      aluRmw(D.regf & 7, size, b, bhi);
      commit();
      return true;
    }
    case 0x84:
    case 0x85: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const a = readE(size);
      const ahi = c.hi;
      const b = getR(D.regf, size);
      logicFlags(c, size, a & b, ahi & c.hi);
      commit();
      return true;
    }
    case 0x88:
    case 0x89: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const v = getR(D.regf, size);
      const vhi = c.hi;
      if (D.isMem && c.vmx.eptActive) {
        if (!movStore(size, v, vhi)) return true;
      } else writeE(size, v, vhi);
      commit();
      return true;
    }
    case 0x8a:
    case 0x8b: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      if (D.isMem && c.vmx.eptActive) {
        const v = movLoad(size);
        if (c.vmx.softExitTaken) {
          c.vmx.softExitTaken = false;
          return true;
        }
        setR(D.regf, size, v, c.hi);
      } else setR(D.regf, size, readE(size), c.hi);
      commit();
      return true;
    }
    case 0x8c: {
      decodeModrm();
      const s = D.regf & 7;
      if (s > 5) c.ud();
      const v = c.segSel[s]! & 0xffff;
      if (D.isMem) writeE(2, v);
      else setR(D.rm, D.opsz === 8 ? 8 : D.opsz, v);
      commit();
      return true;
    }
    case 0x8d: {
      decodeModrm();
      if (!D.isMem) c.ud();
      if (D.adsz === 8 && !D.ripRel) {
        // Exactly, in 32-bit halves: the value need not be an address (Linux's xarray values
        // are LEA results above 2^53, where a float64 sum loses the low bits).
        leaExact();
        setR(D.regf, D.opsz, leaLo >>> 0, leaHi >>> 0);
      } else {
        const off = eaOff();
        if (D.opsz === 8) setR(D.regf, 8, off >>> 0, Math.floor(off / TWO32) >>> 0);
        else setR(D.regf, D.opsz, off >>> 0);
      }
      commit();
      return true;
    }
    case 0x8e: {
      decodeModrm();
      const s = D.regf & 7;
      if (s === CS || s > 5) c.ud();
      const v = readE(2);
      loadSegment(c, s, v);
      commit();
      if (s === SS) c.shadowAt = c.icount + 1;
      return true;
    }
    case 0x8f: {
      decodeModrm();
      const s = stackSize();
      // POP Ev computes the address with the incremented RSP.
      const sp = getSp(c);
      const v = c.readLin(c.segLin(SS, sp), s);
      const vhi = c.hi;
      setSp(c, spAdd(c, sp, s));
      try {
        if (D.isMem && (D.modrm & 7) === 4 && D.adsz !== 2) decodeAgainForPop(s);
        writeE(s, v, vhi);
      } catch (e) {
        setSp(c, sp);
        throw e;
      }
      commit();
      return true;
    }
    case 0xc2:
    case 0xc3: {
      const n = op === 0xc2 ? fw() : 0;
      const s = stackSize();
      const sp = getSp(c);
      const v = c.readLin(c.segLin(SS, sp), s);
      const target = s === 8 ? wrap64((c.hi | 0) * TWO32 + v) : v;
      const size = D.opsz;
      D.opsz = s;
      jumpTo(target);
      D.opsz = size;
      setSp(c, spAdd(c, sp, s + n));
      return true;
    }
    case 0xeb:
      jumpTo(relTarget(fs8()));
      return true;
    case 0xe8: {
      const rel = c.code64 || D.opsz === 4 ? fd() | 0 : (fw() << 16) >> 16;
      const s = stackSize();
      const ret = D.ip;
      const target = relTarget(rel);
      push(c, s, ret >>> 0, Math.floor(ret / TWO32));
      jumpTo(target);
      return true;
    }
    case 0xe9: {
      const rel = c.code64 || D.opsz === 4 ? fd() | 0 : (fw() << 16) >> 16;
      jumpTo(relTarget(rel));
      return true;
    }
    case 0x90:
      if (D.rexB) {
        xchgAx(8);
      } else if (D.rep === 0xf3 && c.vmx.guestMode) {
        c.vmx.pauseExit(D.ip - D.startIp);
      }
      commit();
      return true;
    case 0x98:
      if (D.opsz === 2) setR(0, 2, ((c.rlo[0]! << 24) >> 24) & 0xffff);
      else if (D.opsz === 4) setR(0, 4, ((c.rlo[0]! << 16) >> 16) >>> 0);
      else setR(0, 8, c.rlo[0]! >>> 0, c.rlo[0]! < 0 ? 0xffffffff : 0);
      commit();
      return true;
    case 0x99:
      if (D.opsz === 2) setR(RDX, 2, c.rlo[0]! & 0x8000 ? 0xffff : 0);
      else if (D.opsz === 4) setR(RDX, 4, c.rlo[0]! < 0 ? 0xffffffff : 0);
      else {
        const s = c.rhi[0]! < 0 ? 0xffffffff : 0;
        setR(RDX, 8, s, s);
      }
      commit();
      return true;
    case 0xa4:
    case 0xa5:
    case 0xa6:
    case 0xa7:
    case 0xaa:
    case 0xab:
    case 0xac:
    case 0xad:
    case 0xae:
    case 0xaf:
      stringOp(op);
      return true;
    case 0xa8:
    case 0xa9: {
      const size = op & 1 ? D.opsz : 1;
      const b = imm(size);
      const bhi = c.hi;
      const a = getR(0, size);
      logicFlags(c, size, a & b, c.hi & bhi);
      commit();
      return true;
    }
    case 0xb0:
    case 0xb1:
    case 0xb2:
    case 0xb3:
    case 0xb4:
    case 0xb5:
    case 0xb6:
    case 0xb7:
      setR((op & 7) | D.rexB, 1, fb());
      commit();
      return true;
    case 0xb8:
    case 0xb9:
    case 0xba:
    case 0xbb:
    case 0xbc:
    case 0xbd:
    case 0xbe:
    case 0xbf: {
      const n = (op & 7) | D.rexB;
      if (D.opsz === 8) {
        const lo = fd();
        setR(n, 8, lo, fd());
      } else setR(n, D.opsz, imm(D.opsz));
      commit();
      return true;
    }
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const n = op < 0xd0 ? fb() : op < 0xd2 ? 1 : c.rlo[RCX]! & 0xff;
      const a = readE(size);
      const r = shift(c, D.regf & 7, size, a, c.hi, n & (size === 8 ? 63 : 31));
      writeE(size, r, c.hi);
      commit();
      return true;
    }
    case 0xc6:
    case 0xc7: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      if ((D.regf & 7) !== 0) c.ud();
      const v = imm(size);
      writeE(size, v, c.hi);
      commit();
      return true;
    }
    case 0xc9: {
      const size = stackSize();
      const bp =
        c.ssSize === 8 ? regNum(c, 5) : c.ssSize === 4 ? c.rlo[5]! >>> 0 : c.rlo[5]! & 0xffff;
      const v = c.readLin(c.segLin(SS, bp), size);
      const vhi = c.hi;
      setSp(c, spAdd(c, bp, size));
      setR(5, size, v, vhi);
      commit();
      return true;
    }
    case 0xf6:
    case 0xf7:
      group3(op & 1 ? D.opsz : 1);
      return true;
    case 0xfe: {
      decodeModrm();
      if ((D.regf & 7) > 1) c.ud();
      const v = readE(1);
      writeE(1, incDec(c, (D.regf & 7) === 1, 1, v, 0));
      commit();
      return true;
    }
    case 0xff:
      group5();
      return true;
    default:
      return false;
  }
}

function exec1(op: number): void {
  switch (op) {
    case 0x06:
    case 0x0e:
    case 0x16:
    case 0x1e:
      not64();
      push(c, D.opsz, c.segSel[op >> 3]!);
      commit();
      return;
    case 0x07:
    case 0x17:
    case 0x1f: {
      not64();
      const v = peek(c, D.opsz, 0);
      loadSegment(c, op >> 3, v & 0xffff);
      setSp(c, spAdd(c, getSp(c), D.opsz));
      commit();
      if (op === 0x17) c.shadowAt = c.icount + 1;
      return;
    }
    case 0x27:
    case 0x2f:
    case 0x37:
    case 0x3f:
      not64();
      bcdAdjust(op);
      commit();
      return;
    case 0x40:
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44:
    case 0x45:
    case 0x46:
    case 0x47:
    case 0x48:
    case 0x49:
    case 0x4a:
    case 0x4b:
    case 0x4c:
    case 0x4d:
    case 0x4e:
    case 0x4f: {
      const n = op & 7;
      const v = getR(n, D.opsz);
      setR(n, D.opsz, incDec(c, op >= 0x48, D.opsz, v, 0));
      commit();
      return;
    }
    case 0x63:
      decodeModrm();
      if (c.code64) {
        // MOVSXD
        const v = readE(4);
        if (D.opsz === 8) setR(D.regf, 8, v, v & 0x80000000 ? 0xffffffff : 0);
        else setR(D.regf, D.opsz, v);
      } else {
        // ARPL
        if ((c.cr0 & CR0_PE) === 0 || c.flags & VM) c.ud();
        const d = readE(2);
        const s = getR(D.regf, 2);
        if ((d & 3) < (s & 3)) {
          writeE(2, (d & ~3) | (s & 3));
          c.flags |= ZF;
        } else c.flags &= ~ZF;
      }
      commit();
      return;
    case 0x68: {
      const s = stackSize();
      const v = imm(s === 8 ? 8 : s);
      push(c, s, v, c.hi);
      commit();
      return;
    }
    case 0x6a: {
      const s = stackSize();
      const v = immS8(s);
      push(c, s, v, c.hi);
      commit();
      return;
    }
    case 0x69:
    case 0x6b: {
      decodeModrm();
      const b = op === 0x69 ? imm(D.opsz) : immS8(D.opsz);
      const bhi = c.hi;
      const a = readE(D.opsz);
      imul3(a, c.hi, b, bhi);
      commit();
      return;
    }
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f:
      stringOp(op);
      return;
    case 0x86:
    case 0x87: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const a = readE(size);
      const ahi = c.hi;
      const b = getR(D.regf, size);
      writeE(size, b, c.hi);
      setR(D.regf, size, a, ahi);
      commit();
      return;
    }
    case 0x91:
    case 0x92:
    case 0x93:
    case 0x94:
    case 0x95:
    case 0x96:
    case 0x97:
      xchgAx(op & 7);
      commit();
      return;
    case 0x9a: {
      not64();
      const off = imm(D.opsz);
      const sel = fw();
      farTransfer(c, sel, off, true, D.opsz, D.ip);
      return;
    }
    case 0x9b:
      if ((c.cr0 & (CR0_TS | 0x2)) === (CR0_TS | 0x2)) c.raise(EX_NM);
      fpuResult(fwait(c.fpu));
      commit();
      return;
    case 0x9c: {
      if (c.flags & VM && (c.flags & IOPL) !== IOPL) c.gp(0);
      const s = stackSize();
      push(c, s, c.flags & ~(VM | RF));
      commit();
      return;
    }
    case 0x9d: {
      const s = stackSize();
      const v = pop(c, s);
      setFlagsMasked(v, s);
      c.pollIn = 0;
      commit();
      return;
    }
    case 0x9e:
      c.flags = (c.flags & ~0xd5) | (((c.rlo[0]! >>> 8) & 0xd5) | 2);
      commit();
      return;
    case 0x9f:
      c.rlo[0] = (c.rlo[0]! & ~0xff00) | (((c.flags & 0xd7) | 2) << 8);
      commit();
      return;
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3: {
      const size = op & 1 ? D.opsz : 1;
      let off: number;
      if (D.adsz === 8) {
        const lo = fd();
        const hi = fd();
        off = wrap64((hi | 0) * TWO32 + lo);
      } else off = D.adsz === 4 ? fd() : fw();
      const lin = c.segLin(D.seg >= 0 ? D.seg : DS, off);
      if (op < 0xa2) {
        const v = c.readLin(lin, size);
        setR(0, size, v, c.hi);
      } else {
        const v = getR(0, size);
        c.writeLin(lin, size, v, c.hi);
      }
      commit();
      return;
    }
    case 0xc4:
    case 0xc5: {
      if (c.code64) c.ud();
      decodeModrm();
      if (!D.isMem) c.ud();
      const lin = eaLin();
      const off = c.readLin(lin, D.opsz);
      const sel = c.readLin(c.linAdd(lin, D.opsz), 2);
      loadSegment(c, op === 0xc4 ? ES : DS, sel);
      setR(D.regf, D.opsz, off);
      commit();
      return;
    }
    case 0xc8: {
      const size = stackSize();
      const frame = fw();
      const level = fb() & 31;
      let bp = size === 8 ? regNum(c, 5) : getR(5, size);
      push(c, size, bp >>> 0, Math.floor(bp / TWO32));
      const frameTemp = getSp(c);
      for (let i = 1; i < level; i++) {
        bp =
          c.ssSize === 8
            ? wrap64(bp - size)
            : c.ssSize === 4
              ? (bp - size) >>> 0
              : (bp - size) & 0xffff;
        const v = c.readLin(c.segLin(SS, bp), size);
        push(c, size, v, c.hi);
      }
      if (level > 0) push(c, size, frameTemp >>> 0, Math.floor(frameTemp / TWO32));
      if (size === 8) setRegNum(c, 5, frameTemp);
      else setR(5, size, frameTemp);
      setSp(c, spAdd(c, getSp(c), -frame));
      commit();
      return;
    }
    case 0xca:
    case 0xcb: {
      const n = op === 0xca ? fw() : 0;
      farReturn(c, D.opsz, n);
      return;
    }
    case 0xcc:
      if (c.debugBreakpoints) {
        // Not executed (nor counted): RIP stays at the INT3 for the debugger.
        c.icount--;
        c.debugBreakHit = true;
        c.stopReason = "budget";
        return;
      }
      c.softNext = D.ip;
      c.deliver(EVENT_SOFT_EXC, EX_BP, -1);
      return;
    case 0xcd: {
      const v = fb();
      if (c.flags & VM && (c.flags & IOPL) !== IOPL) c.gp(0);
      c.softNext = D.ip;
      c.deliver(EVENT_SOFT_INT, v, -1);
      return;
    }
    case 0xce:
      not64();
      if (c.flags & OF) {
        c.softNext = D.ip;
        c.deliver(EVENT_SOFT_EXC, EX_OF, -1);
        return;
      }
      commit();
      return;
    case 0xcf:
      iret(c, D.opsz);
      c.pollIn = 0;
      return;
    case 0xd4: {
      not64();
      const base = fb();
      if (base === 0) c.raise(EX_DE);
      const al = c.rlo[0]! & 0xff;
      const r = ((Math.floor(al / base) & 0xff) << 8) | (al % base);
      setR(0, 2, r);
      c.flags = (c.flags & ~(SF | ZF | PF)) | szp(1, r & 0xff);
      commit();
      return;
    }
    case 0xd5: {
      not64();
      const base = fb();
      const al = c.rlo[0]! & 0xff;
      const ah = (c.rlo[0]! >>> 8) & 0xff;
      const r = (al + ah * base) & 0xff;
      setR(0, 2, r);
      c.flags = (c.flags & ~(SF | ZF | PF)) | szp(1, r);
      commit();
      return;
    }
    case 0xd7: {
      const off =
        D.adsz === 8
          ? wrap64(regNum(c, 3) + (c.rlo[0]! & 0xff))
          : (getA(3) + (c.rlo[0]! & 0xff)) & MASK[D.adsz === 4 ? 4 : 2]!;
      const v = c.readLin(c.segLin(D.seg >= 0 ? D.seg : DS, off), 1);
      setR(0, 1, v);
      commit();
      return;
    }
    case 0xd8:
    case 0xd9:
    case 0xda:
    case 0xdb:
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf:
      if (c.cr0 & (CR0_EM | CR0_TS)) c.raise(EX_NM);
      fpuEscape(op);
      return;
    case 0xe0:
    case 0xe1:
    case 0xe2:
    case 0xe3: {
      const rel = fs8();
      let take: boolean;
      if (op === 0xe3) take = getA(RCX) === 0;
      else {
        const nonzero = decCount();
        take =
          nonzero && (op === 0xe2 || (op === 0xe1 ? (c.flags & ZF) !== 0 : (c.flags & ZF) === 0));
      }
      if (take) jumpTo(relTarget(rel));
      else commit();
      return;
    }
    case 0xe4:
    case 0xe5: {
      const port = fb();
      const size = op & 1 ? (D.opsz === 2 ? 2 : 4) : 1;
      const v = portIn(port, size, true);
      if (v >= 0) {
        setR(0, size === 4 ? 4 : size, v);
        commit();
      }
      return;
    }
    case 0xe6:
    case 0xe7: {
      const port = fb();
      const size = op & 1 ? (D.opsz === 2 ? 2 : 4) : 1;
      if (portOut(port, size, getR(0, size), true)) commit();
      return;
    }
    case 0xec:
    case 0xed: {
      const size = op & 1 ? (D.opsz === 2 ? 2 : 4) : 1;
      const v = portIn(c.rlo[RDX]! & 0xffff, size);
      if (v >= 0) {
        setR(0, size, v);
        commit();
      }
      return;
    }
    case 0xee:
    case 0xef: {
      const size = op & 1 ? (D.opsz === 2 ? 2 : 4) : 1;
      if (portOut(c.rlo[RDX]! & 0xffff, size, getR(0, size))) commit();
      return;
    }
    case 0xea: {
      not64();
      const off = imm(D.opsz);
      const sel = fw();
      farTransfer(c, sel, off, false, D.opsz, D.ip);
      return;
    }
    case 0xf1:
      c.softNext = D.ip;
      c.deliver(EVENT_SOFT_EXC, 1, -1);
      return;
    case 0xf4:
      requireCpl0();
      if (c.vmx.guestMode && c.vmx.hltExit(D.ip - D.startIp)) return;
      commit();
      c.halted = true;
      return;
    case 0xf5:
      c.flags ^= CF;
      commit();
      return;
    case 0xf8:
      c.flags &= ~CF;
      commit();
      return;
    case 0xf9:
      c.flags |= CF;
      commit();
      return;
    case 0xfa:
      if (!ioplOk()) c.gp(0);
      c.flags &= ~IF;
      commit();
      return;
    case 0xfb:
      if (!ioplOk()) c.gp(0);
      if ((c.flags & IF) === 0) c.shadowAt = c.icount + 1;
      c.flags |= IF;
      c.pollIn = 0;
      commit();
      return;
    case 0xfc:
      c.flags &= ~DF;
      commit();
      return;
    case 0xfd:
      c.flags |= DF;
      commit();
      return;
    default:
      c.ud();
  }
}

function ioplOk(): boolean {
  return (c.cr0 & CR0_PE) === 0 || c.cpl <= (c.flags & IOPL) >> 12;
}

/** For POP with an RSP-based address, the address uses RSP after the pop: re-decode. */
function decodeAgainForPop(_s: number): void {
  const save = D.ip;
  D.ip = D.startIp;
  // Skip prefixes and the opcode again: simplest is to re-run the ModRM decode at its offset.
  while (true) {
    const b = fb();
    if (b === 0x8f) break;
  }
  decodeModrm();
  D.ip = save;
}

function xchgAx(n: number): void {
  const r = n | D.rexB;
  const a = getR(0, D.opsz);
  const ahi = c.hi;
  const b = getR(r, D.opsz);
  setR(0, D.opsz, b, c.hi);
  setR(r, D.opsz, a, ahi);
}

function aluForm(aop: number, form: number): void {
  switch (form) {
    case 0:
    case 1: {
      const size = form === 1 ? D.opsz : 1;
      decodeModrm();
      const b = getR(D.regf, size);
      aluRmw(aop, size, b, c.hi);
      break;
    }
    case 2:
    case 3: {
      const size = form === 3 ? D.opsz : 1;
      decodeModrm();
      const b = readE(size);
      const bhi = c.hi;
      const a = getR(D.regf, size);
      const r = size === 8 ? alu64(c, aop, a, c.hi, b, bhi) : alu(c, aop, size, a, b);
      if (aop !== OP_CMP) setR(D.regf, size, r, c.hi);
      break;
    }
    case 4: {
      const b = fb();
      const r = alu(c, aop, 1, c.rlo[0]! & 0xff, b);
      if (aop !== OP_CMP) setR(0, 1, r);
      break;
    }
    default: {
      const b = imm(D.opsz);
      const bhi = c.hi;
      const a = getR(0, D.opsz);
      const r = D.opsz === 8 ? alu64(c, aop, a, c.hi, b, bhi) : alu(c, aop, D.opsz, a, b);
      if (aop !== OP_CMP) setR(0, D.opsz, r, c.hi);
    }
  }
  commit();
}

/** E op= b (CMP only reads). */
function aluRmw(aop: number, size: number, b: number, bhi: number): void {
  const a = readE(size);
  const r = size === 8 ? alu64(c, aop, a, c.hi, b, bhi) : alu(c, aop, size, a, b);
  if (aop !== OP_CMP) writeE(size, r, c.hi);
}

function bcdAdjust(op: number): void {
  let al = c.rlo[0]! & 0xff;
  const f = c.flags;
  if (op === 0x27 || op === 0x2f) {
    const oldAl = al;
    const oldCf = f & CF;
    let cf = 0;
    let af = 0;
    const sub = op === 0x2f;
    if ((al & 0xf) > 9 || f & AF) {
      al = sub ? al - 6 : al + 6;
      cf = oldCf | (sub ? (oldAl < 6 ? 1 : 0) : al > 0xff ? 1 : 0);
      al &= 0xff;
      af = AF;
    }
    if (oldAl > 0x99 || oldCf) {
      al = (sub ? al - 0x60 : al + 0x60) & 0xff;
      cf = 1;
    }
    setR(0, 1, al);
    c.flags = (f & ~(CF | AF | SF | ZF | PF | OF)) | cf | af | szp(1, al);
    return;
  }
  // AAA / AAS
  let ax = c.rlo[0]! & 0xffff;
  if ((al & 0xf) > 9 || f & AF) {
    ax = op === 0x37 ? ax + 0x106 : ax - 6 - 0x100;
    ax &= 0xffff;
    ax = (ax & 0xff0f) >>> 0;
    setR(0, 2, ax);
    c.flags = (f & ~(CF | AF)) | CF | AF;
  } else {
    setR(0, 2, ax & 0xff0f);
    c.flags = f & ~(CF | AF);
  }
  al = ax;
}

function imul3(a: number, ahi: number, b: number, bhi: number): void {
  const size = D.opsz;
  let lo: number;
  let hi = 0;
  let overflow: boolean;
  if (size === 8) {
    mulS64(c, a, ahi, b, bhi);
    lo = PRODUCT[0]!;
    hi = PRODUCT[1]!;
    const sign = hi & 0x80000000 ? 0xffffffff : 0;
    overflow = PRODUCT[2] !== sign || PRODUCT[3] !== sign;
  } else if (size === 4) {
    mulS32(a, b);
    lo = prodLo;
    overflow = prodHi !== (lo & 0x80000000 ? 0xffffffff : 0);
  } else {
    const r = ((a << 16) >> 16) * ((b << 16) >> 16);
    lo = r & 0xffff;
    overflow = r !== (lo << 16) >> 16;
  }
  setR(D.regf, size, lo >>> 0, hi);
  setMulFlags(overflow, size, lo);
}

function setMulFlags(overflow: boolean, size: number, lo: number): void {
  // CF/OF from overflow; SF/ZF/PF as QEMU computes them from the low result.
  c.flags =
    (c.flags & ~(CF | OF | SF | ZF | PF | AF)) |
    (overflow ? CF | OF : 0) |
    (szp(size === 8 ? 4 : size, size === 8 ? lo >>> 0 : lo & MASK[size]!) & ~ZF);
  if (size !== 8 && (lo & SIGN[size]!) !== 0) c.flags |= SF;
}

let prodLo = 0;
let prodHi = 0;

function mulS32(a: number, b: number): void {
  prodLo = mulU32(c, a, b);
  let hi = c.hi;
  if (a & 0x80000000) hi -= b >>> 0;
  if (b & 0x80000000) hi -= a >>> 0;
  prodHi = hi >>> 0;
}

function group3(size: number): void {
  decodeModrm();
  const sub = D.regf & 7;
  switch (sub) {
    case 0:
    case 1: {
      const b = imm(size);
      const bhi = c.hi;
      const a = readE(size);
      logicFlags(c, size, a & b, c.hi & bhi);
      break;
    }
    case 2: {
      const a = readE(size);
      writeE(size, size === 8 ? ~a >>> 0 : ~a & MASK[size]!, ~c.hi >>> 0);
      break;
    }
    case 3: {
      const a = readE(size);
      const r = size === 8 ? alu64(c, OP_SUB, 0, 0, a, c.hi) : alu(c, OP_SUB, size, 0, a);
      writeE(size, r, c.hi);
      if ((size === 8 ? a | c.hi : a) === 0) c.flags &= ~CF;
      else c.flags |= CF;
      break;
    }
    case 4:
    case 5:
      mulDiv(sub, size, readE(size), c.hi);
      break;
    default:
      mulDiv(sub, size, readE(size), c.hi);
  }
  commit();
}

function mulDiv(sub: number, size: number, b: number, bhi: number): void {
  if (sub === 4 || sub === 5) {
    const signed = sub === 5;
    if (size === 1) {
      const a = c.rlo[0]! & 0xff;
      const r = signed ? ((a << 24) >> 24) * ((b << 24) >> 24) : a * b;
      setR(0, 2, r & 0xffff);
      const ov = signed ? r !== (r << 24) >> 24 : r > 0xff;
      setMulFlags(ov, 1, r & 0xff);
    } else if (size === 2) {
      const a = c.rlo[0]! & 0xffff;
      const r = signed ? ((a << 16) >> 16) * ((b << 16) >> 16) : a * b;
      setR(0, 2, r & 0xffff);
      setR(RDX, 2, (r >> 16) & 0xffff);
      const ov = signed ? r !== (r << 16) >> 16 : r > 0xffff;
      setMulFlags(ov, 2, r & 0xffff);
    } else if (size === 4) {
      const a = c.rlo[0]! >>> 0;
      let hi: number;
      let lo: number;
      if (signed) {
        mulS32(a, b);
        lo = prodLo;
        hi = prodHi;
      } else {
        lo = mulU32(c, a, b);
        hi = c.hi;
      }
      setR(0, 4, lo);
      setR(RDX, 4, hi);
      const ov = signed ? hi !== (lo & 0x80000000 ? 0xffffffff : 0) : hi !== 0;
      setMulFlags(ov, 4, lo);
    } else {
      const alo = c.rlo[0]! >>> 0;
      const ahi = c.rhi[0]! >>> 0;
      if (signed) mulS64(c, alo, ahi, b, bhi);
      else mulU64(c, alo, ahi, b, bhi);
      setR(0, 8, PRODUCT[0]!, PRODUCT[1]!);
      setR(RDX, 8, PRODUCT[2]!, PRODUCT[3]!);
      const sign = signed && PRODUCT[1]! & 0x80000000 ? 0xffffffff : 0;
      const ov = PRODUCT[2] !== sign || PRODUCT[3] !== sign;
      setMulFlags(ov, 8, PRODUCT[0]!);
      if (PRODUCT[1]! & 0x80000000) c.flags |= SF;
      else c.flags &= ~SF;
    }
    return;
  }
  const signed = sub === 7;
  if (size === 8) {
    if ((b | bhi) === 0) c.raise(EX_DE);
    div64(signed, b, bhi);
    return;
  }
  if ((b & MASK[size]!) === 0) c.raise(EX_DE);
  let dividend: number;
  let divisor = b;
  if (size === 1) {
    dividend = c.rlo[0]! & 0xffff;
    if (signed) {
      dividend = (dividend << 16) >> 16;
      divisor = (b << 24) >> 24;
    }
  } else if (size === 2) {
    dividend = (c.rlo[RDX]! & 0xffff) * 65536 + (c.rlo[0]! & 0xffff);
    if (signed) {
      dividend |= 0;
      divisor = (b << 16) >> 16;
    }
  } else {
    const hi = c.rlo[RDX]!;
    const lo = c.rlo[0]! >>> 0;
    if (signed) {
      divisor = b | 0;
      // |dividend| may exceed 2^53: use the 64-bit path when it does.
      if (hi !== 0 && hi !== -1) {
        div64Small(true, lo, hi, divisor);
        return;
      }
      dividend = hi * TWO32 + lo;
    } else {
      if (hi >>> 0 >= 0x200000) {
        div64Small(false, lo, hi, divisor);
        return;
      }
      dividend = (hi >>> 0) * TWO32 + lo;
    }
  }
  const q = Math.trunc(dividend / divisor);
  const r = dividend - q * divisor;
  const bits = size * 8;
  const lim = signed ? 2 ** (bits - 1) : 2 ** bits;
  if (signed ? q >= lim || q < -lim : q >= lim) c.raise(EX_DE);
  if (size === 1) setR(0, 2, (q & 0xff) | ((r & 0xff) << 8));
  else {
    setR(0, size, (q >>> 0) & MASK[size]!);
    setR(RDX, size, (r >>> 0) & MASK[size]!);
  }
}

/** 64/32 division whose dividend does not fit in a double exactly. */
function div64Small(signed: boolean, lo: number, hi: number, divisor: number): void {
  let n = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  let d = BigInt(divisor >>> 0);
  if (signed) {
    n = BigInt.asIntN(64, n);
    d = BigInt(divisor | 0);
  }
  const q = n / d;
  const r = n % d;
  if (signed ? q > 0x7fffffffn || q < -0x80000000n : q > 0xffffffffn) c.raise(EX_DE);
  setR(0, 4, Number(BigInt.asUintN(32, q)));
  setR(RDX, 4, Number(BigInt.asUintN(32, r)));
}

/** RDX:RAX / b (128 by 64): BigInt, as DIV r/m64 is rare on hot paths. */
function div64(signed: boolean, b: number, bhi: number): void {
  const rax = (BigInt(c.rhi[0]! >>> 0) << 32n) | BigInt(c.rlo[0]! >>> 0);
  const rdx = (BigInt(c.rhi[RDX]! >>> 0) << 32n) | BigInt(c.rlo[RDX]! >>> 0);
  let n = (rdx << 64n) | rax;
  let d = (BigInt(bhi >>> 0) << 32n) | BigInt(b >>> 0);
  if (signed) {
    n = BigInt.asIntN(128, n);
    d = BigInt.asIntN(64, d);
  }
  const q = n / d;
  const r = n % d;
  if (signed ? q > 0x7fffffffffffffffn || q < -0x8000000000000000n : q > 0xffffffffffffffffn) {
    c.raise(EX_DE);
  }
  const qu = BigInt.asUintN(64, q);
  const ru = BigInt.asUintN(64, r);
  setR(0, 8, Number(qu & 0xffffffffn), Number(qu >> 32n));
  setR(RDX, 8, Number(ru & 0xffffffffn), Number(ru >> 32n));
}

function group5(): void {
  decodeModrm();
  const sub = D.regf & 7;
  switch (sub) {
    case 0:
    case 1: {
      const v = readE(D.opsz);
      const r = incDec(c, sub === 1, D.opsz, v, c.hi);
      writeE(D.opsz, r, c.hi);
      commit();
      return;
    }
    case 2:
    case 4: {
      const size = c.code64 ? 8 : D.opsz;
      const v = readE(size);
      const target = size === 8 ? wrap64((c.hi | 0) * TWO32 + v) : v;
      if (sub === 2) {
        const ret = D.ip;
        push(c, stackSize(), ret >>> 0, Math.floor(ret / TWO32));
      }
      const save = D.opsz;
      D.opsz = size;
      jumpTo(target);
      D.opsz = save;
      return;
    }
    case 3:
    case 5: {
      if (!D.isMem) c.ud();
      const lin = eaLin();
      const off = c.readLin(lin, D.opsz);
      const offHi = c.hi;
      const sel = c.readLin(c.linAdd(lin, D.opsz), 2);
      const target = D.opsz === 8 ? wrap64((offHi | 0) * TWO32 + off) : off;
      farTransfer(c, sel, target, sub === 3, D.opsz, D.ip);
      return;
    }
    case 6: {
      const s = stackSize();
      const v = readE(s);
      push(c, s, v, c.hi);
      commit();
      return;
    }
    default:
      c.ud();
  }
}

// ---------------------------------------------------------------- strings

const STRING_CHUNK = 1024;
/** Pages a forward REP MOVS/STOS moves in bulk per step before the element loop goes on. */
const BULK_PAGES = 8;

function pageRoom(lin: number): number {
  return 4096 - (((lin % 4096) + 4096) % 4096);
}

/**
 * Forward REP MOVS/STOS (memcpy, memset, clear_page) over RAM: the elements up to the next
 * page boundary of either operand in one copy, after the same translations (source first)
 * and faults the element loop would take on its first element. Returns the elements done;
 * 0 leaves the work to the element loop (a page end, MMIO, an overlapping forward copy
 * whose byte order matters, the address size wrapping).
 */
function bulkString(op: number, size: number, src: number): number {
  const count = getA(RCX);
  // A count beyond 2^53 is not exact as a number: the element loop counts those down.
  if (count < 2 || count > Number.MAX_SAFE_INTEGER) return 0;
  const limit = D.adsz === 8 ? Number.POSITIVE_INFINITY : D.adsz === 4 ? 2 ** 32 : 0x10000;
  const di = getA(7);
  const dstLin = c.segLin(ES, di);
  let n = Math.min(count, Math.floor(pageRoom(dstLin) / size), Math.floor((limit - di) / size));
  const user = c.cpl === 3;
  const movs = op === 0xa4 || op === 0xa5;
  let srcOff = -1;
  if (movs) {
    const si = getA(6);
    const srcLin = c.segLin(src, si);
    n = Math.min(n, Math.floor(pageRoom(srcLin) / size), Math.floor((limit - si) / size));
    if (n < 2) return 0;
    srcOff = c.translate(srcLin, ACC_READ, user) - c.ramBase;
    if (srcOff < 0 || srcOff + n * size > c.ramSize) return 0;
  }
  if (n < 2) return 0;
  const dstOff = c.translate(dstLin, ACC_WRITE, user) - c.ramBase;
  const len = n * size;
  if (dstOff < 0 || dstOff + len > c.ramSize) return 0;
  const ram = c.ram;
  if (movs) {
    if (dstOff > srcOff && dstOff < srcOff + len) return 0;
    ram.copyWithin(dstOff, srcOff, srcOff + len);
    setA(6, getA(6) + len);
  } else if (size === 1) {
    ram.fill(c.rlo[0]! & 0xff, dstOff, dstOff + len);
  } else {
    const view = c.ramView;
    if (size === 2) view.setUint16(dstOff, c.rlo[0]! & 0xffff, true);
    else view.setUint32(dstOff, c.rlo[0]! >>> 0, true);
    if (size === 8) view.setUint32(dstOff + 4, c.rhi[0]! >>> 0, true);
    for (let done = size; done < len; ) {
      const k = Math.min(done, len - done);
      ram.copyWithin(dstOff + done, dstOff, dstOff + k);
      done += k;
    }
  }
  c.codeWritten(dstOff, len);
  setA(7, di + len);
  setA(RCX, count - n);
  repIterations += n;
  return n;
}

/**
 * A string instruction. Each iteration of a REP form counts as one retired instruction, as
 * on QEMU with -icount: a chunk of up to thousands of elements is one step of the run loop,
 * and charging it as one would let a guest stretch its slice (and its instruction-derived
 * time) a thousandfold with a large RCX.
 */
function stringOp(op: number): void {
  if (D.rep === 0) {
    stringOpOnce(op);
    return;
  }
  repIterations = 0;
  try {
    stringOpOnce(op);
  } finally {
    // The run loop counts the step itself; a fault or exit mid-way still charges what was done.
    if (repIterations > 1) c.icount += repIterations - 1;
  }
}

/** Elements the current REP step completed (counted rather than derived from RCX, which a
 * 64-bit count above 2^53 would make inexact). */
let repIterations = 0;

function stringOpOnce(op: number): void {
  const size =
    op === 0x6c || op === 0xa4 || op === 0xa6 || op === 0xaa || op === 0xac || op === 0xae
      ? 1
      : op === 0x6d || op === 0x6f
        ? D.opsz === 2
          ? 2
          : 4
        : D.opsz;
  const step = c.flags & DF ? -size : size;
  const src = D.seg >= 0 ? D.seg : DS;
  const repeat = D.rep !== 0;
  const cmp = op === 0xa6 || op === 0xa7 || op === 0xae || op === 0xaf;
  if (repeat && step > 0 && (op === 0xa4 || op === 0xa5 || op === 0xaa || op === 0xab)) {
    for (let k = 0; k < BULK_PAGES; k++) if (bulkString(op, size, src) === 0) break;
    if (getA(RCX) === 0) {
      commit();
      return;
    }
  }
  for (let n = 0; n < STRING_CHUNK; n++) {
    if (repeat && getA(RCX) === 0) {
      commit();
      return;
    }
    switch (op) {
      case 0x6c:
      case 0x6d: {
        const port = c.rlo[RDX]! & 0xffff;
        checkIo(port, size);
        const dst = c.segLin(ES, getA(7));
        c.probeWrite(dst, size);
        if (c.vmx.guestMode) {
          c.vmx.instrLen = D.ip - D.startIp;
          const info = ((D.adsz === 2 ? 0 : D.adsz === 4 ? 1 : 2) << 7) | (ES << 15);
          if (c.vmx.ioExit(port, size, true, true, repeat, false, info, dst)) return;
        }
        const v = c.io.in(port, size as 1 | 2 | 4);
        c.writeLin(dst, size, v);
        setA(7, getA(7) + step);
        break;
      }
      case 0x6e:
      case 0x6f: {
        const port = c.rlo[RDX]! & 0xffff;
        checkIo(port, size);
        const srcLin = c.segLin(src, getA(6));
        const v = c.readLin(srcLin, size);
        if (c.vmx.guestMode) {
          c.vmx.instrLen = D.ip - D.startIp;
          const info = ((D.adsz === 2 ? 0 : D.adsz === 4 ? 1 : 2) << 7) | (src << 15);
          if (c.vmx.ioExit(port, size, false, true, repeat, false, info, srcLin)) return;
        }
        c.io.out(port, size as 1 | 2 | 4, v);
        setA(6, getA(6) + step);
        break;
      }
      case 0xa4:
      case 0xa5: {
        const v = c.readLin(c.segLin(src, getA(6)), size);
        c.writeLin(c.segLin(ES, getA(7)), size, v, c.hi);
        setA(6, getA(6) + step);
        setA(7, getA(7) + step);
        break;
      }
      case 0xa6:
      case 0xa7: {
        const a = c.readLin(c.segLin(src, getA(6)), size);
        const ahi = c.hi;
        const b = c.readLin(c.segLin(ES, getA(7)), size);
        if (size === 8) alu64(c, OP_CMP, a, ahi, b, c.hi);
        else alu(c, OP_CMP, size, a, b);
        setA(6, getA(6) + step);
        setA(7, getA(7) + step);
        break;
      }
      case 0xaa:
      case 0xab: {
        const v = getR(0, size);
        c.writeLin(c.segLin(ES, getA(7)), size, v, c.hi);
        setA(7, getA(7) + step);
        break;
      }
      case 0xac:
      case 0xad: {
        const v = c.readLin(c.segLin(src, getA(6)), size);
        setR(0, size, v, c.hi);
        setA(6, getA(6) + step);
        break;
      }
      default: {
        const a = getR(0, size);
        const ahi = c.hi;
        const b = c.readLin(c.segLin(ES, getA(7)), size);
        if (size === 8) alu64(c, OP_CMP, a, ahi, b, c.hi);
        else alu(c, OP_CMP, size, a, b);
        setA(7, getA(7) + step);
      }
    }
    if (!repeat) {
      commit();
      return;
    }
    decCount();
    repIterations++;
    if (cmp) {
      const zf = (c.flags & ZF) !== 0;
      if ((D.rep === 0xf3 && !zf) || (D.rep === 0xf2 && zf)) {
        commit();
        return;
      }
    }
  }
  // Chunk done: RIP stays on the instruction, which resumes on the next step.
  if (getA(RCX) === 0) commit();
}

// ---------------------------------------------------------------- 0F map

function exec0f(op: number): void {
  switch (op) {
    case 0x00:
      group6();
      return;
    case 0x01:
      group7();
      return;
    case 0x02:
    case 0x03: {
      decodeModrm();
      if ((c.cr0 & CR0_PE) === 0 || c.flags & VM) c.ud();
      const sel = readE(2);
      const ok = accessCheck(sel, op === 0x02 ? 1 : 2);
      if (ok) {
        if (op === 0x02) setR(D.regf, D.opsz, (desc.hi & 0x00f0ff00) >>> 0);
        else {
          let limit = (desc.hi & 0xf0000) | (desc.lo & 0xffff);
          if (desc.hi & 0x800000) limit = limit * 4096 + 0xfff;
          setR(D.regf, D.opsz === 8 ? 4 : D.opsz, limit >>> 0);
        }
        c.flags |= ZF;
      } else c.flags &= ~ZF;
      commit();
      return;
    }
    case 0x05:
      syscall();
      return;
    case 0x06:
      requireCpl0();
      c.cr0 &= ~CR0_TS;
      commit();
      return;
    case 0x07:
      sysret();
      return;
    case 0x08:
    case 0x09:
      requireCpl0();
      if (op === 0x08 && c.vmx.guestMode && c.vmx.simpleExit(EXIT.INVD, D.ip - D.startIp)) return;
      commit();
      return;
    case 0x0b:
      c.ud();
      return;
    case 0x0d:
    case 0x18:
    case 0x19:
    case 0x1a:
    case 0x1b:
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x1f:
      decodeModrm();
      commit();
      return;
    case 0x20:
    case 0x22:
      movCr(op === 0x22);
      return;
    case 0x21:
    case 0x23: {
      decodeModrm();
      requireCpl0();
      const n = D.regf & 7;
      if (n === 4 || n === 5) c.ud();
      if (c.vmx.guestMode && c.vmx.drExit(n, op === 0x21, D.rm, D.ip - D.startIp)) return;
      if (op === 0x21) {
        const v = c.dr[n]!;
        setR(D.rm, c.code64 ? 8 : 4, v >>> 0, Math.floor(v / TWO32) >>> 0);
      } else {
        const v = getR(D.rm, c.code64 ? 8 : 4);
        c.dr[n] = c.code64 ? (c.hi >>> 0) * TWO32 + v : v;
      }
      commit();
      return;
    }
    case 0x30: {
      requireCpl0();
      const msr = c.rlo[RCX]! >>> 0;
      if (c.vmx.guestMode && c.vmx.msrExit(msr, true, D.ip - D.startIp)) return;
      if (!wrmsr(c, msr, c.rlo[0]! >>> 0, c.rlo[RDX]! >>> 0)) c.gp(0);
      commit();
      return;
    }
    case 0x31:
      if (c.cr4 & CR4_TSD && c.cpl !== 0) c.gp(0);
      if (c.vmx.guestMode && c.vmx.rdtscExit(false, D.ip - D.startIp)) return;
      rdtsc();
      commit();
      return;
    case 0x32: {
      requireCpl0();
      const msr = c.rlo[RCX]! >>> 0;
      if (c.vmx.guestMode && c.vmx.msrExit(msr, false, D.ip - D.startIp)) return;
      if (!rdmsr(c, msr)) c.gp(0);
      setR(0, 4, c.msrLo);
      setR(RDX, 4, c.msrHi);
      commit();
      return;
    }
    case 0x34:
      sysenter();
      return;
    case 0x35:
      sysexit();
      return;
    case 0xa0:
    case 0xa8: {
      const s = stackSize();
      push(c, s, c.segSel[op === 0xa0 ? FS : GS]!);
      commit();
      return;
    }
    case 0xa1:
    case 0xa9: {
      const s = stackSize();
      const v = peek(c, s, 0);
      loadSegment(c, op === 0xa1 ? FS : GS, v & 0xffff);
      setSp(c, spAdd(c, getSp(c), s));
      commit();
      return;
    }
    case 0xa2:
      if (c.vmx.guestMode && c.vmx.simpleExit(EXIT.CPUID, D.ip - D.startIp)) return;
      cpuid(c);
      commit();
      return;
    case 0xa3:
    case 0xab:
    case 0xb3:
    case 0xbb:
      bitTest(op === 0xa3 ? 0 : op === 0xab ? 1 : op === 0xb3 ? 2 : 3, false);
      return;
    case 0xba:
      decodeModrm();
      if ((D.regf & 7) < 4) c.ud();
      bitTest((D.regf & 7) - 4, true);
      return;
    case 0xa4:
    case 0xa5:
    case 0xac:
    case 0xad: {
      decodeModrm();
      const n = (op & 1 ? c.rlo[RCX]! : fb()) & (D.opsz === 8 ? 63 : 31);
      const a = readE(D.opsz);
      const ahi = c.hi;
      const s = getR(D.regf, D.opsz);
      const r = doubleShift(c, op < 0xa8, D.opsz, a, ahi, s, c.hi, n);
      writeE(D.opsz, r, c.hi);
      commit();
      return;
    }
    case 0xaf: {
      decodeModrm();
      const b = readE(D.opsz);
      const bhi = c.hi;
      const a = getR(D.regf, D.opsz);
      imul3(a, c.hi, b, bhi);
      commit();
      return;
    }
    case 0xb0:
    case 0xb1: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const d = readE(size);
      const dhi = c.hi;
      const a = getR(0, size);
      const ahi = c.hi;
      if (size === 8) alu64(c, OP_CMP, a, ahi, d, dhi);
      else alu(c, OP_CMP, size, a, d);
      if (c.flags & ZF) {
        const s = getR(D.regf, size);
        writeE(size, s, c.hi);
      } else {
        // The destination is written back with its own value (a locked RMW always writes).
        if (D.isMem) writeE(size, d, dhi);
        setR(0, size, d, dhi);
      }
      commit();
      return;
    }
    case 0xb2:
    case 0xb4:
    case 0xb5: {
      decodeModrm();
      if (!D.isMem) c.ud();
      const lin = eaLin();
      const off = c.readLin(lin, D.opsz);
      const offHi = c.hi;
      const sel = c.readLin(c.linAdd(lin, D.opsz), 2);
      loadSegment(c, op === 0xb2 ? SS : op === 0xb4 ? FS : GS, sel);
      setR(D.regf, D.opsz, off, offHi);
      commit();
      return;
    }
    case 0xb6:
    case 0xb7:
    case 0xbe:
    case 0xbf: {
      decodeModrm();
      const from = op & 1 ? 2 : 1;
      let v = readE(from);
      if (op >= 0xbe) {
        v = from === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
        if (D.opsz === 8) setR(D.regf, 8, v >>> 0, v < 0 ? 0xffffffff : 0);
        else setR(D.regf, D.opsz, (v & MASK[D.opsz]!) >>> 0);
      } else setR(D.regf, D.opsz, v);
      commit();
      return;
    }
    case 0xb8: {
      if (D.rep !== 0xf3) c.ud();
      decodeModrm();
      const v = readE(D.opsz);
      const n = popcnt(v) + (D.opsz === 8 ? popcnt(c.hi) : 0);
      setR(D.regf, D.opsz, n);
      c.flags = (c.flags & ~(CF | PF | AF | ZF | SF | OF)) | (n === 0 ? ZF : 0);
      commit();
      return;
    }
    case 0xbc:
    case 0xbd:
      bitScan(op === 0xbd);
      return;
    case 0xc0:
    case 0xc1: {
      const size = op & 1 ? D.opsz : 1;
      decodeModrm();
      const d = readE(size);
      const dhi = c.hi;
      const s = getR(D.regf, size);
      const shi = c.hi;
      const r = size === 8 ? alu64(c, 0, d, dhi, s, shi) : alu(c, 0, size, d, s);
      const rhi = c.hi;
      // SRC <- DEST, then DEST <- sum: with one register as both, the sum stays. A memory
      // destination is written first so a fault leaves the register unchanged.
      if (D.isMem) {
        writeE(size, r, rhi);
        setR(D.regf, size, d, dhi);
      } else {
        setR(D.regf, size, d, dhi);
        writeE(size, r, rhi);
      }
      commit();
      return;
    }
    case 0xc3: {
      // MOVNTI: a plain store here (no caches to bypass).
      decodeModrm();
      if (!D.isMem) c.ud();
      const size = D.opsz === 8 ? 8 : 4;
      const v = getR(D.regf, size);
      writeE(size, v, c.hi);
      commit();
      return;
    }
    case 0xc7:
      group9();
      return;
    case 0xc8:
    case 0xc9:
    case 0xca:
    case 0xcb:
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
      const n = (op & 7) | D.rexB;
      const lo = c.rlo[n]!;
      if (D.opsz === 8) {
        const hi = c.rhi[n]!;
        setR(n, 8, bswap(hi), bswap(lo));
      } else if (D.opsz === 4) setR(n, 4, bswap(lo));
      else setR(n, 2, 0);
      commit();
      return;
    }
    case 0xae:
      group15();
      return;
    case 0x78:
    case 0x79:
      if (D.has66 || D.rep !== 0) c.ud();
      decodeModrm();
      vmxOp(op === 0x78 ? VMX_VMREAD : VMX_VMWRITE);
      return;
    case 0x38: {
      const op3 = fb();
      if ((op3 === 0x80 || op3 === 0x81) && D.has66) {
        decodeModrm();
        if (!D.isMem) c.ud();
        vmxOp(op3 === 0x80 ? VMX_INVEPT : VMX_INVVPID);
        return;
      }
      sseOp(2, op3);
      return;
    }
    case 0x3a:
      sseOp(3, fb());
      return;
    default:
      if (op >= 0x40 && op <= 0x4f) {
        decodeModrm();
        const v = readE(D.opsz);
        if (cond(op & 15)) setR(D.regf, D.opsz, v, c.hi);
        else if (D.opsz === 4) c.rhi[D.regf] = 0;
        commit();
        return;
      }
      if (op >= 0x80 && op <= 0x8f) {
        const rel = c.code64 || D.opsz === 4 ? fd() | 0 : (fw() << 16) >> 16;
        if (cond(op & 15)) jumpTo(relTarget(rel));
        else commit();
        return;
      }
      if (op >= 0x90 && op <= 0x9f) {
        decodeModrm();
        writeE(1, cond(op & 15) ? 1 : 0);
        commit();
        return;
      }
      // SSE/MMX space (0F 10-17, 28-2F, 50-7F, C2-C6, D0-FF): the floating-point unit.
      if (
        (op >= 0x10 && op <= 0x17) ||
        (op >= 0x28 && op <= 0x2f) ||
        (op >= 0x50 && op <= 0x7f) ||
        op === 0xc2 ||
        (op >= 0xc4 && op <= 0xc6) ||
        op >= 0xd0
      ) {
        sseOp(1, op);
        return;
      }
      c.ud();
  }
}

function bswap(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function popcnt(v: number): number {
  v >>>= 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function bitScan(reverse: boolean): void {
  decodeModrm();
  const lo = readE(D.opsz);
  const hi = D.opsz === 8 ? c.hi : 0;
  const bits = D.opsz * 8;
  const isZero = (lo | hi) === 0;
  // F3 0F BD is LZCNT (ABM is advertised); F3 0F BC would be TZCNT, but BMI1 is not, so it
  // executes as BSF, as on processors without BMI1.
  if (D.rep === 0xf3 && reverse) {
    // LZCNT: CF = source zero, ZF = result zero.
    let n: number;
    if (isZero) n = bits;
    else if (D.opsz === 8) n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    else n = Math.clz32(lo) - (32 - bits);
    setR(D.regf, D.opsz, n);
    c.flags = (c.flags & ~(CF | ZF)) | (isZero ? CF : 0) | (n === 0 ? ZF : 0);
    commit();
    return;
  }
  if (isZero) {
    c.flags |= ZF;
    commit();
    return;
  }
  let n: number;
  if (reverse) n = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
  else n = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
  setR(D.regf, D.opsz, n);
  c.flags &= ~ZF;
  commit();
}

/** BT (0), BTS (1), BTR (2), BTC (3). */
function bitTest(kind: number, immediate: boolean): void {
  if (!immediate) decodeModrm();
  const bits = D.opsz * 8;
  let bitOff: number;
  let lin = 0;
  if (immediate) bitOff = fb() & (bits - 1);
  else {
    const v = getR(D.regf, D.opsz);
    if (D.isMem) {
      // The register offset is signed and may reach outside the addressed operand.
      const sv = D.opsz === 8 ? (c.hi | 0) * TWO32 + v : D.opsz === 4 ? v | 0 : (v << 16) >> 16;
      const byteDisp = Math.floor(sv / bits) * D.opsz;
      lin = c.segLin(
        D.eaSeg,
        D.adsz === 8
          ? wrap64(eaOff() + byteDisp)
          : (eaOff() + byteDisp) & MASK[D.adsz === 4 ? 4 : 2]!,
      );
      bitOff = ((sv % bits) + bits) % bits;
    } else bitOff = v & (bits - 1);
  }
  if (D.isMem && immediate) lin = eaLin();
  let lo: number;
  let hi: number;
  if (D.isMem) {
    lo = c.readLin(lin, D.opsz);
    hi = D.opsz === 8 ? c.hi : 0;
  } else {
    lo = getR(D.rm, D.opsz);
    hi = D.opsz === 8 ? c.hi : 0;
  }
  const inHi = bitOff >= 32;
  const mask = 1 << (bitOff & 31);
  const word = inHi ? hi : lo;
  c.flags = (c.flags & ~CF) | (word & mask ? CF : 0);
  if (kind !== 0) {
    let nw = word;
    if (kind === 1) nw |= mask;
    else if (kind === 2) nw &= ~mask;
    else nw ^= mask;
    nw >>>= 0;
    if (inHi) hi = nw;
    else lo = nw;
    if (D.isMem) c.writeLin(lin, D.opsz, lo, hi);
    else setR(D.rm, D.opsz, lo, hi);
  }
  commit();
}

function accessCheck(sel: number, kind: number): boolean {
  if ((sel & 0xfffc) === 0) return false;
  if (!readDescriptor(c, sel)) return false;
  const hi = desc.hi;
  const type = (hi >>> 8) & 0xf;
  const dpl = (hi >>> 13) & 3;
  if ((hi & 0x1000) === 0) {
    // LAR accepts LDT, TSS, call/task gates; LSL only LDT and TSS (64-bit forms in long mode).
    const lm = !c.lin32;
    const okLsl = lm ? type === 2 || type === 9 || type === 0xb : [1, 2, 3, 9, 0xb].includes(type);
    const okLar = okLsl || (lm ? type === 0xc : [4, 5, 0xc].includes(type));
    if (!(kind === 1 ? okLar : okLsl)) return false;
    if (dpl < c.cpl || dpl < (sel & 3)) return false;
    return true;
  }
  if (kind === 3 || kind === 4) {
    // VERR (3) / VERW (4)
    const code = (type & 8) !== 0;
    if (kind === 4 && (code || (type & 2) === 0)) return false;
    if (kind === 3 && code && (type & 2) === 0) return false;
  }
  const conforming = (type & 0xc) === 0xc;
  if (!conforming && (dpl < c.cpl || dpl < (sel & 3))) return false;
  return true;
}

function group6(): void {
  decodeModrm();
  const sub = D.regf & 7;
  if ((c.cr0 & CR0_PE) === 0 || c.flags & VM) c.ud();
  switch (sub) {
    case 0:
    case 1: {
      const v = c.segSel[sub === 0 ? LDTR : TR]! & 0xffff;
      if (D.isMem) writeE(2, v);
      else setR(D.rm, D.opsz, v);
      break;
    }
    case 2:
    case 3: {
      requireCpl0();
      const sel = readE(2);
      const target = sub === 2 ? LDTR : TR;
      if ((sel & 0xfffc) === 0) {
        if (sub === 3) c.gp(0);
        c.segSel[LDTR] = sel;
        c.segAttr[LDTR] = SA_UNUSABLE;
        break;
      }
      if (sel & 4) c.gp(sel & 0xfffc);
      if (!readDescriptor(c, sel)) c.gp(sel & 0xfffc);
      const type = (desc.hi >>> 8) & 0x1f;
      if (sub === 2 ? type !== 2 : type !== 9 && type !== 1) c.gp(sel & 0xfffc);
      if ((desc.hi & 0x8000) === 0) c.raise(11, sel & 0xfffc);
      const lo = desc.lo;
      const hi = desc.hi;
      let upper = 0;
      if (!c.lin32) upper = c.readLin(c.linAdd(c.gdtBase, (sel & 0xfff8) + 8), 4, false);
      desc.lo = lo;
      desc.hi = hi;
      loadCache(c, target, sel);
      if (!c.lin32) c.segBase[target] = wrap64((upper | 0) * TWO32 + c.segBase[target]!);
      if (sub === 3) {
        // Mark the TSS busy.
        c.writeLin(c.linAdd(c.gdtBase, (sel & 0xfff8) + 4), 4, hi | 0x200, 0, false);
        c.segAttr[TR] = c.segAttr[TR]! | 2;
      }
      break;
    }
    case 4:
    case 5: {
      const sel = readE(2);
      if (accessCheck(sel, sub === 4 ? 3 : 4)) c.flags |= ZF;
      else c.flags &= ~ZF;
      break;
    }
    default:
      c.ud();
  }
  commit();
}

function group7(): void {
  decodeModrm();
  const sub = D.regf & 7;
  if (!D.isMem) {
    const r = D.modrm & 7;
    if (sub === 0 && r >= 1 && r <= 4) {
      // VMCALL, VMLAUNCH, VMRESUME, VMXOFF (0F 01 C1-C4).
      D.isMem = false;
      vmxOps.len = D.ip - D.startIp;
      vmxOps.info = 0;
      vmxOps.disp = 0;
      vmxOps.lin = 0;
      if (vmxInstruction(c, 0x0100 | D.modrm, vmxOps)) commit();
      return;
    }
    if (sub === 1) {
      if (r === 0 || r === 1) {
        // MONITOR / MWAIT are not advertised.
        c.ud();
      }
      if (r === 2 || r === 3) {
        // CLAC / STAC: SMAP is not advertised.
        c.ud();
      }
      c.ud();
    }
    if (sub === 2) {
      if (r === 0) {
        // XGETBV
        if ((c.cr4 & 0x40000) === 0) c.ud();
        if (c.rlo[RCX]! >>> 0 !== 0) c.gp(0);
        setR(0, 4, c.xcr0);
        setR(RDX, 4, 0);
        commit();
        return;
      }
      if (r === 1) {
        // XSETBV
        if ((c.cr4 & 0x40000) === 0) c.ud();
        requireCpl0();
        const v = c.rlo[0]! >>> 0;
        if (c.rlo[RCX]! >>> 0 !== 0 || (v & 1) === 0 || v & ~7 || (v & 6) === 4) c.gp(0);
        c.xcr0 = v;
        commit();
        return;
      }
      c.ud();
    }
    if (sub === 4) {
      const v = c.cr0 & 0xffff;
      setR(D.rm, D.opsz, v);
      commit();
      return;
    }
    if (sub === 6) {
      requireCpl0();
      lmsw(getR(D.rm, 2));
      commit();
      return;
    }
    if (sub === 7) {
      if (r === 0) {
        // SWAPGS
        if (!c.code64) c.ud();
        requireCpl0();
        const t = c.segBase[GS]!;
        c.segBase[GS] = c.kernelGsBase;
        c.kernelGsBase = t;
        commit();
        return;
      }
      if (r === 1) {
        // RDTSCP
        if (c.cr4 & CR4_TSD && c.cpl !== 0) c.gp(0);
        if (c.vmx.guestMode && c.vmx.rdtscExit(true, D.ip - D.startIp)) return;
        rdtsc();
        setR(RCX, 4, c.tscAux);
        commit();
        return;
      }
    }
    c.ud();
  }
  switch (sub) {
    case 0:
    case 1: {
      const lin = eaLin();
      const limit = sub === 0 ? c.gdtLimit : c.idtLimit;
      const base = sub === 0 ? c.gdtBase : c.idtBase;
      c.writeLin(lin, 2, limit);
      if (c.code64) c.writeLin(c.linAdd(lin, 2), 8, base >>> 0, Math.floor(base / TWO32) >>> 0);
      else c.writeLin(c.linAdd(lin, 2), 4, D.opsz === 2 ? base & 0xffffff : base >>> 0);
      break;
    }
    case 2:
    case 3: {
      requireCpl0();
      const lin = eaLin();
      const limit = c.readLin(lin, 2);
      let base: number;
      if (c.code64) {
        const lo = c.readLin(c.linAdd(lin, 2), 8);
        base = wrap64((c.hi | 0) * TWO32 + lo);
      } else {
        base = c.readLin(c.linAdd(lin, 2), 4);
        if (D.opsz === 2) base &= 0xffffff;
      }
      if (sub === 2) {
        c.gdtBase = base;
        c.gdtLimit = limit;
      } else {
        c.idtBase = base;
        c.idtLimit = limit;
      }
      break;
    }
    case 4:
      writeE(2, c.cr0 & 0xffff);
      break;
    case 6:
      requireCpl0();
      lmsw(readE(2));
      break;
    case 7:
      requireCpl0();
      if (c.vmx.guestMode && c.vmx.invlpgExit(eaLin(), D.ip - D.startIp)) return;
      c.flushPage(eaLin());
      break;
    default:
      c.ud();
  }
  commit();
}

function lmsw(v: number): void {
  // LMSW sets PE (never clears it) and MP/EM/TS.
  const nv = (c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & CR0_PE);
  setCr0(nv);
}

function group9(): void {
  decodeModrm();
  const sub = D.regf & 7;
  if (sub === 1 && D.isMem) {
    // CMPXCHG8B / CMPXCHG16B
    const lin = eaLin();
    if (D.rexW) {
      if ((eaOff() & 15) !== 0) c.gp(0);
      const m0 = c.readLin(lin, 8);
      const m1 = c.hi;
      const m2 = c.readLin(c.linAdd(lin, 8), 8);
      const m3 = c.hi;
      if (
        m0 === c.rlo[0]! >>> 0 &&
        m1 === c.rhi[0]! >>> 0 &&
        m2 === c.rlo[RDX]! >>> 0 &&
        m3 === c.rhi[RDX]! >>> 0
      ) {
        c.probeWrite(lin, 16);
        c.writeLin(lin, 8, c.rlo[3]!, c.rhi[3]!);
        c.writeLin(c.linAdd(lin, 8), 8, c.rlo[RCX]!, c.rhi[RCX]!);
        c.flags |= ZF;
      } else {
        c.probeWrite(lin, 16);
        c.writeLin(lin, 8, m0, m1);
        c.writeLin(c.linAdd(lin, 8), 8, m2, m3);
        setR(0, 8, m0, m1);
        setR(RDX, 8, m2, m3);
        c.flags &= ~ZF;
      }
    } else {
      const m0 = c.readLin(lin, 8);
      const m1 = c.hi;
      if (m0 === c.rlo[0]! >>> 0 && m1 === c.rlo[RDX]! >>> 0) {
        c.writeLin(lin, 8, c.rlo[3]!, c.rlo[RCX]!);
        c.flags |= ZF;
      } else {
        c.writeLin(lin, 8, m0, m1);
        setR(0, 4, m0);
        setR(RDX, 4, m1);
        c.flags &= ~ZF;
      }
    }
    commit();
    return;
  }
  if (D.isMem && (sub === 6 || sub === 7)) {
    // VMPTRLD (no prefix, /6), VMCLEAR (66, /6), VMXON (F3, /6), VMPTRST (/7).
    const code = sub === 7 ? 0x0207 : D.has66 ? 0x0266 : D.rep === 0xf3 ? 0x02f3 : 0x0206;
    vmxOp(code);
    return;
  }
  c.ud();
}

function group15(): void {
  decodeModrm();
  const sub = D.regf & 7;
  if (!D.isMem) {
    // LFENCE (5), MFENCE (6), SFENCE (7): ordering is trivially kept by an interpreter.
    if (sub >= 5 && D.rep === 0) {
      commit();
      return;
    }
    if (D.rep === 0xf3 && sub <= 3 && c.code64) {
      // RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE
      if ((c.cr4 & 0x10000) === 0) c.ud();
      const s = sub & 1 ? GS : FS;
      const size = D.rexW ? 8 : 4;
      if (sub < 2) {
        const b = c.segBase[s]!;
        setR(D.rm, size, b >>> 0, Math.floor(b / TWO32) >>> 0);
      } else {
        const lo = getR(D.rm, size);
        const v = size === 8 ? wrap64((c.hi | 0) * TWO32 + lo) : lo;
        if (v < -0x800000000000 || v >= 0x800000000000) c.gp(0);
        c.segBase[s] = v;
      }
      commit();
      return;
    }
    c.ud();
  }
  if (sub === 7 || (sub === 6 && D.has66)) {
    // CLFLUSH / CLFLUSHOPT: the address is checked like a byte read.
    c.readLin(eaLin(), 1);
    commit();
    return;
  }
  // FXSAVE/FXRSTOR (/0, /1), LDMXCSR/STMXCSR (/2, /3): the floating-point unit. XSAVE is
  // not advertised.
  if (sub > 3 || D.rep !== 0 || D.has66) c.ud();
  if (c.cr0 & CR0_EM) c.ud();
  if (sub >= 2 && (c.cr4 & 0x200) === 0) c.ud();
  if (c.cr0 & CR0_TS) c.raise(EX_NM);
  const lin = eaLin();
  const lo = lin >>> 0;
  const hi = Math.floor(lin / TWO32) | 0;
  if (sub === 0) fpuResult(fxsave(c.fpu, c.fpuPorts, lo, hi, D.rexW));
  else if (sub === 1) fpuResult(fxrstor(c.fpu, c.fpuPorts, lo, hi, D.rexW));
  else {
    sse.prefix = 0;
    sse.map = 1;
    sse.opcode = 0xae;
    sse.reg = D.regf;
    sse.rm = -1;
    sse.eaLo = lo;
    sse.eaHi = hi;
    sse.rexW = D.rexW;
    sse.imm8 = 0;
    fpuResult(executeSse(sse, c.fpu, c.fpuPorts, c.fpuPorts));
  }
  commit();
}

/** The x87 escapes D8-DF: the unit executes, the core reports its exceptions. */
function fpuEscape(op: number): void {
  decodeModrm();
  let lo = 0;
  let hi = 0;
  if (D.isMem) {
    const lin = eaLin();
    lo = lin >>> 0;
    hi = Math.floor(lin / TWO32) | 0;
  }
  // FNSTENV/FNSAVE/FLDENV/FRSTOR/FNSTCW/FLDCW/FNSTSW/FNCLEX/FNINIT do not update FIP.
  c.fpu.setFip(D.startIp >>> 0, Math.floor(D.startIp / TWO32) | 0);
  fpuResult(executeX87(op, D.modrm, lo, hi, c.fpu, c.fpuPorts, c.fpuPorts));
  commit();
}

/** Turns the unit's answer into the architectural exception (or nothing). */
function fpuResult(r: FpuResult): void {
  if (r === FPU_OK) return;
  switch (r) {
    case FPU_UD:
      c.ud();
      break;
    case FPU_FAULT: {
      const e = c.fpuPorts.pending;
      c.fpuPorts.pending = null;
      if (e !== null) throw e;
      c.gp(0);
      break;
    }
    case FPU_SIMD_EXCEPTION:
      if (c.cr4 & 0x400) c.raise(19);
      c.ud();
      break;
    case FPU_X87_EXCEPTION:
      // With CR0.NE clear the error goes out on FERR# (IRQ 13), which no board here wires.
      if (c.cr0 & 0x20) c.raise(16);
      break;
    case FPU_GP:
      c.gp(0);
      break;
    default:
      c.ud();
  }
}

const sse: SseInsn = {
  prefix: 0,
  map: 1,
  opcode: 0,
  reg: 0,
  rm: 0,
  eaLo: 0,
  eaHi: 0,
  rexW: false,
  imm8: 0,
};

/** True for the MMX forms (no mandatory prefix) that CR4.OSFXSR does not gate. */
function isMmxForm(map: number, prefix: number, opcode: number): boolean {
  if (prefix !== 0) return false;
  if (map !== 1) return true;
  return (opcode >= 0x60 && opcode <= 0x7f) || opcode === 0xc4 || opcode === 0xc5 || opcode >= 0xd0;
}

/** An MMX/SSE instruction of map 1 (0F), 2 (0F 38) or 3 (0F 3A). */
function sseOp(map: number, opcode: number): void {
  const prefix = D.rep !== 0 ? D.rep : D.has66 ? 0x66 : 0;
  if (c.cr0 & CR0_EM) c.ud();
  if (!isMmxForm(map, prefix, opcode) && (c.cr4 & 0x200) === 0) c.ud();
  if (c.cr0 & CR0_TS) c.raise(EX_NM);
  decodeModrm();
  sse.imm8 = sseHasImm8(map, prefix, opcode) ? fb() : 0;
  sse.prefix = prefix;
  sse.map = map;
  sse.opcode = opcode;
  sse.reg = D.regf;
  sse.rexW = D.rexW;
  if (D.isMem) {
    const lin = eaLin();
    sse.rm = -1;
    sse.eaLo = lin >>> 0;
    sse.eaHi = Math.floor(lin / TWO32) | 0;
  } else {
    sse.rm = D.rm;
    sse.eaLo = 0;
    sse.eaHi = 0;
  }
  fpuResult(executeSse(sse, c.fpu, c.fpuPorts, c.fpuPorts));
  commit();
}

function rdtsc(): void {
  const lo = c.readTsc();
  setR(0, 4, lo);
  setR(RDX, 4, c.hi);
}

function movCr(write: boolean): void {
  decodeModrm();
  requireCpl0();
  let n = D.regf;
  if (D.lock && n === 0 && !c.code64) n = 8;
  const size = c.code64 ? 8 : 4;
  if (c.vmx.guestMode) {
    const value = write ? getR(D.rm, size) : 0;
    if (c.vmx.crExit(n, write, D.rm, D.ip - D.startIp, value)) return;
  }
  if (!write) {
    let lo = 0;
    let hi = 0;
    switch (n) {
      case 0:
        lo = c.vmx.guestMode ? c.vmx.shadowCr(0, c.cr0) : c.cr0;
        break;
      case 2:
        lo = c.cr2 >>> 0;
        hi = Math.floor(c.cr2 / TWO32) >>> 0;
        break;
      case 3:
        lo = c.cr3 >>> 0;
        hi = Math.floor(c.cr3 / TWO32) >>> 0;
        break;
      case 4:
        lo = c.vmx.guestMode ? c.vmx.shadowCr(4, c.cr4) : c.cr4;
        break;
      case 8:
        lo = c.cr8;
        break;
      default:
        c.ud();
    }
    setR(D.rm, size, lo >>> 0, hi);
    commit();
    return;
  }
  const lo = getR(D.rm, size);
  const hi = size === 8 ? c.hi : 0;
  switch (n) {
    case 0:
      if (hi !== 0) c.gp(0);
      // In a guest, host-owned bits (CR0 guest/host mask) keep their value (SDM 25.3).
      setCr0(c.vmx.guestMode ? c.vmx.keepHostOwned(0, lo, c.cr0) : lo);
      break;
    case 2:
      c.cr2 = size === 8 ? wrap64((hi | 0) * TWO32 + lo) : lo;
      break;
    case 3:
      c.cr3 = c.lin32 ? lo >>> 0 : (hi & 0xfffff) * TWO32 + lo;
      c.flushTlb(false);
      break;
    case 4:
      setCr4(c.vmx.guestMode ? c.vmx.keepHostOwned(4, lo, c.cr4) : lo);
      break;
    case 8:
      c.cr8 = lo & 15;
      break;
    default:
      c.ud();
  }
  commit();
}

function setCr0(v: number): void {
  v = ((v | 0x10) & ~0x1ffaffc0) | (v & 0);
  const old = c.cr0;
  if (v & CR0_PG && (v & CR0_PE) === 0) c.gp(0);
  if (v & 0x20000000 && (v & 0x40000000) === 0) c.gp(0);
  if (v & CR0_PG && (old & CR0_PG) === 0 && c.efer & EFER_LME) {
    // Activating long mode: PAE must be on and CS must not be a 64-bit segment.
    if ((c.cr4 & CR4_PAE) === 0) c.gp(0);
    c.efer |= EFER_LMA;
  }
  if ((v & CR0_PG) === 0 && old & CR0_PG && c.efer & EFER_LMA) {
    if (c.code64) c.gp(0);
    c.efer &= ~EFER_LMA;
  }
  c.cr0 = v;
  if ((v & CR0_PE) === 0) c.cpl = 0;
  c.updateMode();
  if ((old ^ v) & (CR0_PG | CR0_PE | 0x10000)) c.flushTlb(true);
}

function setCr4(v: number): void {
  if (v & ~CR4_SUPPORTED) c.gp(0);
  if (v & CR4_VMXE && !c.model.vmx) c.gp(0);
  if ((v & CR4_VMXE) === 0 && c.vmx.on) c.gp(0);
  if (c.efer & EFER_LMA && (v & CR4_PAE) === 0) c.gp(0);
  const old = c.cr4;
  c.cr4 = v;
  if ((old ^ v) & 0xb0) c.flushTlb(true);
}

function syscall(): void {
  if (!c.code64 || (c.efer & EFER_SCE) === 0) c.ud();
  const next = D.ip;
  setRegNum(c, RCX, next);
  setR(11, 8, c.flags & ~RF, 0);
  const sel = c.starHi & 0xffff;
  c.segSel[CS] = sel & 0xfffc;
  c.segBase[CS] = 0;
  c.segLimit[CS] = 0xffffffff;
  c.segAttr[CS] = SA_P | SA_S | 0xb | SA_L | (1 << 15);
  c.segSel[SS] = (sel + 8) & 0xfffc;
  c.segBase[SS] = 0;
  c.segLimit[SS] = 0xffffffff;
  c.segAttr[SS] = SA_P | SA_S | 3 | SA_DB | (1 << 15);
  c.cpl = 0;
  c.flags = (c.flags & ~(c.sfmask | RF)) | 2;
  c.rip = c.lstar;
  c.updateMode();
}

function sysret(): void {
  if (!c.code64 || (c.efer & EFER_SCE) === 0) c.ud();
  requireCpl0();
  const sel = (c.starHi >>> 16) & 0xffff;
  const to64 = D.rexW;
  const target = to64 ? regNum(c, RCX) : c.rlo[RCX]! >>> 0;
  if (to64 && (target < -0x800000000000 || target >= 0x800000000000)) c.gp(0);
  c.segSel[CS] = ((to64 ? sel + 16 : sel) & 0xfffc) | 3;
  c.segBase[CS] = 0;
  c.segLimit[CS] = 0xffffffff;
  c.segAttr[CS] = SA_P | SA_S | 0xb | (3 << 5) | (to64 ? SA_L : SA_DB) | (1 << 15);
  c.segSel[SS] = ((sel + 8) & 0xfffc) | 3;
  c.segAttr[SS] = (c.segAttr[SS]! & ~(SA_UNUSABLE | (3 << 5))) | SA_P | SA_S | 3 | (3 << 5) | SA_DB;
  c.cpl = 3;
  c.flags = ((c.rlo[11]! & 0x3c7fd7) | 2) >>> 0;
  c.pollIn = 0;
  c.rip = target;
  c.updateMode();
}

function sysenter(): void {
  if ((c.cr0 & CR0_PE) === 0) c.gp(0);
  if ((c.sysenterCs & 0xfffc) === 0) c.gp(0);
  const sel = c.sysenterCs & 0xfffc;
  const lm = !c.lin32;
  c.flags &= ~(VM | IF | RF);
  c.segSel[CS] = sel;
  c.segBase[CS] = 0;
  c.segLimit[CS] = 0xffffffff;
  c.segAttr[CS] = SA_P | SA_S | 0xb | (lm ? SA_L : SA_DB) | (1 << 15);
  c.segSel[SS] = sel + 8;
  c.segBase[SS] = 0;
  c.segLimit[SS] = 0xffffffff;
  c.segAttr[SS] = SA_P | SA_S | 3 | SA_DB | (1 << 15);
  c.cpl = 0;
  c.updateMode();
  setRegNum(c, RSP, lm ? c.sysenterEsp : c.sysenterEsp >>> 0);
  c.rip = lm ? c.sysenterEip : c.sysenterEip >>> 0;
}

function sysexit(): void {
  if ((c.cr0 & CR0_PE) === 0 || c.cpl !== 0 || (c.sysenterCs & 0xfffc) === 0) c.gp(0);
  const to64 = D.rexW;
  const base = c.sysenterCs & 0xfffc;
  c.segSel[CS] = (to64 ? base + 32 : base + 16) | 3;
  c.segBase[CS] = 0;
  c.segLimit[CS] = 0xffffffff;
  c.segAttr[CS] = SA_P | SA_S | 0xb | (3 << 5) | (to64 ? SA_L : SA_DB) | (1 << 15);
  c.segSel[SS] = (to64 ? base + 40 : base + 24) | 3;
  c.segBase[SS] = 0;
  c.segLimit[SS] = 0xffffffff;
  c.segAttr[SS] = SA_P | SA_S | 3 | (3 << 5) | SA_DB | (1 << 15);
  c.cpl = 3;
  c.updateMode();
  if (to64) {
    setR(RSP, 8, c.rlo[RCX]!, c.rhi[RCX]!);
    c.rip = regNum(c, RDX);
  } else {
    setR(RSP, 4, c.rlo[RCX]!);
    c.rip = c.rlo[RDX]! >>> 0;
  }
}

export { EX_UD };
