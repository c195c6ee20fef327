/**
 * The x87 escape opcodes D8..DF: operand fetch, the register stack with its tag word and stack
 * faults, status/control word handling and the environment images; the arithmetic itself is in
 * softx80.ts. The core hands over the escape byte, the ModRM byte and (for memory forms) the
 * effective address it has computed.
 *
 * Exceptions: a masked exception delivers its default result; when an invalid-operation,
 * denormal or divide-by-zero exception is unmasked the destination is left unchanged, as the
 * SDM specifies. Unmasked overflow/underflow store the masked result (QEMU's model; the SDM's
 * exponent-biased result is not produced). An unmasked exception sets ES/B, and the next
 * waiting x87 instruction returns FPU_X87_EXCEPTION (#MF, or the core's legacy FERR# path).
 */

import type { FpuResult, GprPort, MemPort } from "../contract.js";
import * as contractModule from "../contract.js";
import type { FpuState } from "../state.js";
import * as stateModule from "../state.js";
import * as arithModule from "./arith.js";
import * as functionsModule from "./functions.js";
import * as softx80Module from "./softx80.js";

// Module-local bindings for the hot paths: a bundler's module-namespace indirection for
// imported names (vitest's, for one) costs more than the arithmetic itself.
const { FPU_FAULT, FPU_OK, FPU_UD, FPU_X87_EXCEPTION } = contractModule;
const { SW_B, SW_C0, SW_C1, SW_C2, SW_C3, SW_ES, SW_SF, TAG_EMPTY, tagOf } = stateModule;
const { arith } = arithModule;
const { fprem, fscale, fxtract, transcendental } = functionsModule;
const {
  CMP_EQ,
  CMP_GT,
  CMP_LT,
  compareExt,
  F_DE,
  F_IE,
  F_PE,
  F_ZE,
  flags,
  fromInt64,
  fromNarrow,
  KIND_INF,
  KIND_QNAN,
  KIND_SNAN,
  KIND_UNSUPPORTED,
  KIND_ZERO,
  kindOf,
  narrowRes,
  res,
  roundIntExt,
  sqrtExt,
  toInt,
  toIntRes,
  setIndefinite,
  toNarrow,
} = softx80Module;

const buf = new Uint8Array(108);
const view = new DataView(buf.buffer);

/** Operands fetched for the current instruction. */
const A = { se: 0, hi: 0, lo: 0 };
const B = { se: 0, hi: 0, lo: 0 };
type Reg = typeof A;

const EXC_MASK = 0x3f;

function pc(s: FpuState): number {
  return (s.fcw >> 8) & 3;
}
function rc(s: FpuState): number {
  return (s.fcw >> 10) & 3;
}

/** Per-instruction scratch: condition codes to set and whether a stack fault happened. */
let stackFault = false;
let stackC1 = 0;

/** Reads ST(i) into r; an empty register is a stack underflow and reads as the indefinite. */
function readST(s: FpuState, i: number, r: Reg): boolean {
  const p = s.phys(i);
  if (s.tag(p) === TAG_EMPTY) {
    flags.exc |= F_IE;
    stackFault = true;
    stackC1 = 0;
    r.se = 0xffff;
    r.hi = 0xc0000000;
    r.lo = 0;
    return false;
  }
  r.se = s.regSe(p);
  r.hi = s.regHi(p);
  r.lo = s.regLo(p);
  return true;
}

function writeST(s: FpuState, i: number, se: number, hi: number, lo: number): void {
  const p = s.phys(i);
  s.setReg(p, se, hi, lo);
  s.setTag(p, tagOf(se, hi, lo));
}

/** Whether ST(7) (the register a push would fill) is free; a full one is a stack overflow. */
function pushCheck(s: FpuState): boolean {
  if (s.tag(s.phys(7)) !== TAG_EMPTY) {
    flags.exc |= F_IE;
    stackFault = true;
    stackC1 = 1;
    return false;
  }
  return true;
}

function push(s: FpuState, se: number, hi: number, lo: number): void {
  s.top = s.top - 1;
  writeST(s, 0, se, hi, lo);
}

function pop(s: FpuState): void {
  s.setTag(s.phys(0), TAG_EMPTY);
  s.top = s.top + 1;
}

/** True when an exception that suppresses the result (IE, DE, ZE) is unmasked. */
function suppressed(s: FpuState): boolean {
  return (flags.exc & ~s.fcw & (F_IE | F_DE | F_ZE)) !== 0;
}

/** Folds this instruction's flags into the status word. c1: the C1 to report, or -1 to keep. */
function commit(s: FpuState, _c1: number): void {
  let sw = s.fsw | flags.exc;
  // C1 reports the direction of a stack fault. It would also report "rounded up" (the SDM's
  // rule, which the hardware follows), but QEMU 7.2 leaves C1 alone there and the unit follows
  // QEMU; `_c1` carries the hardware value for that choice.
  if (stackFault) sw = ((sw | SW_SF) & ~SW_C1) | (stackC1 ? SW_C1 : 0);
  if (sw & ~s.fcw & EXC_MASK) sw |= SW_ES | SW_B;
  s.fsw = sw;
}

function setCC(s: FpuState, c3: number, c2: number, c1: number, c0: number): void {
  let sw = s.fsw & ~(SW_C0 | SW_C1 | SW_C2 | SW_C3);
  if (c0) sw |= SW_C0;
  if (c1) sw |= SW_C1;
  if (c2) sw |= SW_C2;
  if (c3) sw |= SW_C3;
  s.fsw = sw;
}

/** Whether the instruction checks for a pending unmasked exception first (not the FN* forms). */
function isWaiting(opcode: number, modrm: number): boolean {
  const reg = (modrm >> 3) & 7;
  if (modrm < 0xc0) {
    if (opcode === 0xd9 && (reg === 6 || reg === 7)) return false;
    if (opcode === 0xdd && (reg === 6 || reg === 7)) return false;
    return true;
  }
  if (opcode === 0xdb && (modrm === 0xe2 || modrm === 0xe3)) return false;
  if (opcode === 0xdf && modrm === 0xe0) return false;
  return true;
}

/** Whether an unmasked x87 exception is pending (ES set): the next waiting instruction faults. */
export function x87ExceptionPending(s: FpuState): boolean {
  return (s.fsw & SW_ES) !== 0;
}

/** FWAIT/WAIT (9B): #MF when an unmasked exception is pending. */
export function fwait(s: FpuState): FpuResult {
  return x87ExceptionPending(s) ? FPU_X87_EXCEPTION : FPU_OK;
}

export function fninit(s: FpuState): void {
  s.fcw = 0x037f;
  s.fsw = 0;
  s.ftw = 0xffff;
  s.fop = 0;
  s.setFip(0, 0);
  s.setFdp(0, 0);
}

export function executeX87(
  opcode: number,
  modrm: number,
  eaLo: number,
  eaHi: number,
  s: FpuState,
  gpr: GprPort,
  mem: MemPort,
  envFormat: number = ENV_PROTECTED_32,
): FpuResult {
  if (isWaiting(opcode, modrm) && x87ExceptionPending(s)) return FPU_X87_EXCEPTION;
  flags.exc = 0;
  flags.c1 = 0;
  stackFault = false;
  if (modrm < 0xc0) {
    const r = memoryForm(opcode, (modrm >> 3) & 7, eaLo, eaHi, s, envFormat, mem);
    if (r === FPU_OK && !isX87Control(opcode, modrm)) {
      s.fop = ((opcode & 7) << 8) | modrm;
      s.setFdp(eaLo, eaHi);
    }
    return r;
  }
  const r = registerForm(opcode, modrm, s, gpr);
  if (r === FPU_OK && !isX87Control(opcode, modrm)) s.fop = ((opcode & 7) << 8) | modrm;
  return r;
}

/**
 * The x87 control instructions (FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FLDENV, FNSTENV, FRSTOR,
 * FNSAVE): they leave FIP, FOP and FDP as the last non-control instruction set them, so the
 * core must not record their address as FIP.
 */
export function isX87Control(opcode: number, modrm: number): boolean {
  if (modrm < 0xc0) return (opcode === 0xd9 || opcode === 0xdd) && ((modrm >> 3) & 7) >= 4;
  return (
    (opcode === 0xdb && (modrm === 0xe2 || modrm === 0xe3)) || (opcode === 0xdf && modrm === 0xe0)
  );
}

function readMem(mem: MemPort, lo: number, hi: number, len: number): boolean {
  return mem.read(lo, hi, len, buf, 0);
}

function writeMem(mem: MemPort, lo: number, hi: number, len: number): boolean {
  return mem.write(lo, hi, len, buf, 0);
}

/** Arithmetic with ST(0) as destination and a converted memory operand as source. */
function arithMem(s: FpuState, op: number): FpuResult {
  // B holds the converted source; an empty ST(0) reads as the indefinite (a stack fault).
  readST(s, 0, A);
  return arithCommon(s, op, 0, A, B, false);
}

/**
 * op: 0 add, 1 mul, 2 com, 3 comp, 4 sub, 5 subr, 6 div, 7 divr (the ModRM.reg numbering of
 * D8/DC), applied as dest = dest op src, with dest = ST(di).
 */
function arithCommon(
  s: FpuState,
  op: number,
  di: number,
  dst: Reg,
  src: Reg,
  popAfter: boolean,
): FpuResult {
  if (op === 2 || op === 3) {
    const c = compareExt(dst.se, dst.hi, dst.lo, src.se, src.hi, src.lo, false);
    if (!suppressed(s)) setCompareCC(s, c);
    commit(s, 0);
    if (op === 3 && !suppressed(s)) pop(s);
    return FPU_OK;
  }
  // A stack fault's masked response is the indefinite itself, whatever the other operand.
  if (stackFault) setIndefinite();
  else arith(op, dst, src, pc(s), rc(s));
  if (!suppressed(s)) {
    writeST(s, di, res.se, res.hi, res.lo);
    if (popAfter) pop(s);
  }
  commit(s, flags.c1);
  return FPU_OK;
}

/** C3 C2 C0 of a comparison; C1 is kept (QEMU 7.2; the SDM clears it). */
function setCompareCC(s: FpuState, c: number): void {
  const c1 = (s.fsw >> 9) & 1;
  if (c === CMP_GT) setCC(s, 0, 0, c1, 0);
  else if (c === CMP_LT) setCC(s, 0, 0, c1, 1);
  else if (c === CMP_EQ) setCC(s, 1, 0, c1, 0);
  else setCC(s, 1, 1, c1, 1);
}

function loadSource(kind: number, bytes: number): void {
  if (kind === 0) {
    // float
    if (bytes === 4) fromNarrow(0, view.getUint32(0, true), false);
    else fromNarrow(view.getUint32(4, true), view.getUint32(0, true), true);
  } else {
    // integer
    let lo: number;
    let hi: number;
    if (bytes === 2) {
      lo = view.getInt16(0, true);
      hi = lo < 0 ? -1 : 0;
    } else if (bytes === 4) {
      lo = view.getInt32(0, true);
      hi = lo < 0 ? -1 : 0;
    } else {
      lo = view.getUint32(0, true);
      hi = view.getInt32(4, true);
    }
    const neg = hi < 0 ? 1 : 0;
    if (neg) {
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    fromInt64(neg, hi >>> 0, lo >>> 0);
  }
  B.se = res.se;
  B.hi = res.hi;
  B.lo = res.lo;
}

function memoryForm(
  opcode: number,
  reg: number,
  lo: number,
  hi: number,
  s: FpuState,
  envFormat: number,
  mem: MemPort,
): FpuResult {
  switch (opcode) {
    case 0xd8:
    case 0xdc:
    case 0xda:
    case 0xde: {
      const isInt = opcode === 0xda || opcode === 0xde;
      const bytes = opcode === 0xd8 ? 4 : opcode === 0xdc ? 8 : opcode === 0xda ? 4 : 2;
      if (!readMem(mem, lo, hi, bytes)) return FPU_FAULT;
      loadSource(isInt ? 1 : 0, bytes);
      return arithMem(s, reg);
    }
    case 0xd9:
      switch (reg) {
        case 0:
          if (!readMem(mem, lo, hi, 4)) return FPU_FAULT;
          loadSource(0, 4);
          return loadPush(s, B);
        case 2:
        case 3:
          return storeNarrow(s, mem, lo, hi, false, reg === 3);
        case 4:
          return fldenv(s, mem, lo, hi, envFormat);
        case 5:
          if (!readMem(mem, lo, hi, 2)) return FPU_FAULT;
          s.fcw = view.getUint16(0, true);
          s.fsw = updateES(s);
          return FPU_OK;
        case 6:
          return fnstenv(s, mem, lo, hi, envFormat);
        case 7:
          view.setUint16(0, s.fcw, true);
          return writeMem(mem, lo, hi, 2) ? FPU_OK : FPU_FAULT;
        default:
          return FPU_UD;
      }
    case 0xdb:
      switch (reg) {
        case 0:
          if (!readMem(mem, lo, hi, 4)) return FPU_FAULT;
          loadSource(1, 4);
          return loadPush(s, B);
        case 1:
        case 2:
        case 3:
          return storeInt(s, mem, lo, hi, 32, reg);
        case 5:
          if (!readMem(mem, lo, hi, 10)) return FPU_FAULT;
          B.lo = view.getUint32(0, true);
          B.hi = view.getUint32(4, true);
          B.se = view.getUint16(8, true);
          return loadPush(s, B);
        case 7: {
          readST(s, 0, A);
          if (suppressed(s)) return done(s);
          view.setUint32(0, A.lo, true);
          view.setUint32(4, A.hi, true);
          view.setUint16(8, A.se, true);
          if (!writeMem(mem, lo, hi, 10)) return FPU_FAULT;
          pop(s);
          return done(s);
        }
        default:
          return FPU_UD;
      }
    case 0xdd:
      switch (reg) {
        case 0:
          if (!readMem(mem, lo, hi, 8)) return FPU_FAULT;
          loadSource(0, 8);
          return loadPush(s, B);
        case 1:
        case 2:
        case 3:
          if (reg === 1) return storeInt(s, mem, lo, hi, 64, 1);
          return storeNarrow(s, mem, lo, hi, true, reg === 3);
        case 4:
          return frstor(s, mem, lo, hi, envFormat);
        case 6:
          return fnsave(s, mem, lo, hi, envFormat);
        case 7:
          view.setUint16(0, s.fsw, true);
          return writeMem(mem, lo, hi, 2) ? FPU_OK : FPU_FAULT;
        default:
          return FPU_UD;
      }
    case 0xdf:
      switch (reg) {
        case 0:
          if (!readMem(mem, lo, hi, 2)) return FPU_FAULT;
          loadSource(1, 2);
          return loadPush(s, B);
        case 1:
        case 2:
        case 3:
          return storeInt(s, mem, lo, hi, 16, reg);
        case 4:
          if (!readMem(mem, lo, hi, 10)) return FPU_FAULT;
          loadBcd();
          return loadPush(s, B);
        case 5:
          if (!readMem(mem, lo, hi, 8)) return FPU_FAULT;
          loadSource(1, 8);
          return loadPush(s, B);
        case 6:
          return storeBcd(s, mem, lo, hi);
        case 7:
          return storeInt(s, mem, lo, hi, 64, 3);
        default:
          return FPU_UD;
      }
    default:
      return FPU_UD;
  }
}

function updateES(s: FpuState): number {
  const sw = s.fsw;
  return sw & ~s.fcw & EXC_MASK ? sw | SW_ES | SW_B : sw & ~(SW_ES | SW_B);
}

function done(s: FpuState): FpuResult {
  commit(s, stackFault ? stackC1 : 0);
  return FPU_OK;
}

function loadPush(s: FpuState, v: Reg): FpuResult {
  if (!pushCheck(s)) {
    if (!suppressed(s)) {
      push(s, 0xffff, 0xc0000000, 0);
    }
    return done(s);
  }
  if (!suppressed(s)) push(s, v.se, v.hi, v.lo);
  return done(s);
}

function storeNarrow(
  s: FpuState,
  mem: MemPort,
  lo: number,
  hi: number,
  double: boolean,
  popAfter: boolean,
): FpuResult {
  readST(s, 0, A);
  toNarrow(A.se, A.hi, A.lo, double, rc(s));
  const c1 = flags.c1;
  if (suppressed(s)) {
    commit(s, c1);
    return FPU_OK;
  }
  if (double) {
    view.setUint32(0, narrowRes.lo, true);
    view.setUint32(4, narrowRes.hi, true);
  } else view.setUint32(0, narrowRes.lo, true);
  if (!writeMem(mem, lo, hi, double ? 8 : 4)) return FPU_FAULT;
  if (popAfter) pop(s);
  commit(s, c1);
  return FPU_OK;
}

/** FIST (kind 2), FISTP (3), FISTTP (1). */
function storeInt(
  s: FpuState,
  mem: MemPort,
  lo: number,
  hi: number,
  bits: number,
  kind: number,
): FpuResult {
  readST(s, 0, A);
  toInt(A.se, A.hi, A.lo, bits, kind === 1 ? 3 : rc(s));
  const c1 = flags.c1;
  if (suppressed(s)) {
    commit(s, c1);
    return FPU_OK;
  }
  const bytes = bits / 8;
  if (bits === 16) view.setUint16(0, toIntRes.lo, true);
  else view.setUint32(0, toIntRes.lo, true);
  if (bits === 64) view.setUint32(4, toIntRes.hi, true);
  if (!writeMem(mem, lo, hi, bytes)) return FPU_FAULT;
  if (kind !== 2) pop(s);
  commit(s, c1);
  return FPU_OK;
}

/** FBLD: 18 packed BCD digits and a sign byte, loaded exactly (invalid digits load as is). */
function loadBcd(): void {
  let vHi = 0;
  let vLo = 0;
  for (let i = 8; i >= 0; i--) {
    const b = buf[i]!;
    for (const d of [b >> 4, b & 15]) {
      // v = v * 10 + d on a (hi, lo) pair, split to stay exact.
      const l = vLo * 10 + d;
      vLo = l % 0x100000000;
      vHi = vHi * 10 + Math.floor(l / 0x100000000);
    }
  }
  fromInt64(buf[9]! >> 7, vHi >>> 0, vLo >>> 0);
  B.se = res.se;
  B.hi = res.hi;
  B.lo = res.lo;
}

function storeBcd(s: FpuState, mem: MemPort, lo: number, hi: number): FpuResult {
  readST(s, 0, A);
  const excBefore = flags.exc;
  toInt(A.se, A.hi, A.lo, 64, rc(s));
  let mh = toIntRes.hi;
  let ml = toIntRes.lo;
  const neg = mh >>> 31;
  if (neg) {
    ml = (~ml + 1) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  // 18 BCD digits: magnitudes up to 10^18 - 1 (0x0DE0B6B3A763FFFF).
  const tooBig =
    (flags.exc & F_IE) !== 0 || mh > 0x0de0b6b3 || (mh === 0x0de0b6b3 && ml >= 0xa7640000);
  const c1 = flags.c1;
  if (tooBig) {
    // Invalid, not inexact: the PE of the integer conversion does not stand.
    flags.exc = (flags.exc & ~F_PE) | (excBefore & F_PE) | F_IE;
    if (suppressed(s)) return done(s);
    buf.fill(0, 0, 7);
    buf[7] = 0xc0;
    buf[8] = 0xff;
    buf[9] = 0xff;
  } else {
    let h = mh;
    let l = ml;
    for (let i = 0; i < 9; i++) {
      let byte = 0;
      for (let k = 0; k < 2; k++) {
        // (h, l) divmod 10 without losing precision.
        const rh = h % 10;
        h = Math.floor(h / 10);
        const cur = rh * 0x100000000 + l;
        const q = Math.floor(cur / 10);
        const d = cur - q * 10;
        l = q >>> 0;
        byte |= d << (4 * k);
      }
      buf[i] = byte;
    }
    buf[9] = A.se & 0x8000 ? 0x80 : 0; // the sign of the operand: -0.4 stores as -0
  }
  if (!writeMem(mem, lo, hi, 10)) return FPU_FAULT;
  pop(s);
  commit(s, c1);
  return FPU_OK;
}

/**
 * The layouts of the FNSTENV/FLDENV image (and the head of FNSAVE/FRSTOR's), chosen by the
 * core from the operand size and the mode: 32-bit protected (28 bytes, also 64-bit mode),
 * 16-bit protected (14 bytes), and the real/virtual-8086 forms, where FIP and FDP are stored
 * as linear addresses split around FOP.
 */
export const ENV_PROTECTED_32 = 0;
export const ENV_PROTECTED_16 = 1;
export const ENV_REAL_32 = 2;
export const ENV_REAL_16 = 3;

const envBytes = (format: number) => (format & 1 ? 14 : 28);

function envTo(s: FpuState, format: number): void {
  const wide = !(format & 1);
  buf.fill(0, 0, 28);
  const put = (k: number, v: number) => {
    if (wide) view.setUint32(k * 4, v >>> 0, true);
    else view.setUint16(k * 2, v & 0xffff, true);
  };
  put(0, s.fcw);
  put(1, s.fsw);
  put(2, s.ftw);
  if (format === ENV_PROTECTED_32) {
    view.setUint32(12, s.fipLo, true);
    view.setUint32(16, (s.fop & 0x7ff) << 16, true); // FCS = 0: the unit keeps no selectors
    view.setUint32(20, s.fdpLo, true);
  } else if (format === ENV_PROTECTED_16) {
    put(3, s.fipLo);
    put(5, s.fdpLo);
  } else {
    put(3, s.fipLo & 0xffff);
    put(4, (((s.fipLo >>> 16) & (wide ? 0xffff : 0xf)) << 12) | (s.fop & 0x7ff));
    put(5, s.fdpLo & 0xffff);
    put(6, ((s.fdpLo >>> 16) & (wide ? 0xffff : 0xf)) << 12);
  }
}

function envFrom(s: FpuState, format: number): void {
  const wide = !(format & 1);
  const get = (k: number) => (wide ? view.getUint32(k * 4, true) : view.getUint16(k * 2, true));
  s.fcw = get(0) & 0xffff;
  s.fsw = get(1) & 0xffff;
  s.ftw = get(2) & 0xffff;
  if (format === ENV_PROTECTED_32) {
    s.setFip(view.getUint32(12, true), 0);
    s.fop = view.getUint16(18, true);
    s.setFdp(view.getUint32(20, true), 0);
  } else if (format === ENV_PROTECTED_16) {
    s.setFip(get(3), 0);
    s.setFdp(get(5), 0);
  } else {
    const mask = wide ? 0xffff : 0xf;
    s.setFip(((((get(4) >>> 12) & mask) << 16) | get(3)) >>> 0, 0);
    s.fop = get(4) & 0x7ff;
    s.setFdp(((((get(6) >>> 12) & mask) << 16) | get(5)) >>> 0, 0);
  }
  s.fsw = updateES(s);
}

/** FNSTENV: store the environment, then mask all exceptions. */
function fnstenv(s: FpuState, mem: MemPort, lo: number, hi: number, format: number): FpuResult {
  envTo(s, format);
  if (!writeMem(mem, lo, hi, envBytes(format))) return FPU_FAULT;
  s.fcw = s.fcw | EXC_MASK;
  return FPU_OK;
}

function fldenv(s: FpuState, mem: MemPort, lo: number, hi: number, format: number): FpuResult {
  if (!readMem(mem, lo, hi, envBytes(format))) return FPU_FAULT;
  envFrom(s, format);
  return FPU_OK;
}

function fnsave(s: FpuState, mem: MemPort, lo: number, hi: number, format: number): FpuResult {
  envTo(s, format);
  const base = envBytes(format);
  for (let i = 0; i < 8; i++) {
    const p = s.phys(i);
    view.setUint32(base + i * 10, s.regLo(p), true);
    view.setUint32(base + 4 + i * 10, s.regHi(p), true);
    view.setUint16(base + 8 + i * 10, s.regSe(p), true);
  }
  if (!writeMem(mem, lo, hi, base + 80)) return FPU_FAULT;
  fninit(s);
  return FPU_OK;
}

function frstor(s: FpuState, mem: MemPort, lo: number, hi: number, format: number): FpuResult {
  const base = envBytes(format);
  if (!readMem(mem, lo, hi, base + 80)) return FPU_FAULT;
  envFrom(s, format);
  for (let i = 0; i < 8; i++) {
    const p = s.phys(i);
    s.setReg(
      p,
      view.getUint16(base + 8 + i * 10, true),
      view.getUint32(base + 4 + i * 10, true),
      view.getUint32(base + i * 10, true),
    );
  }
  return FPU_OK;
}

/**
 * FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 keyed by their ModRM byte (0xE9..0xED), as the x87 rounds
 * its internal 66-bit values under RC: [se, hi, lo to nearest, lo in the other direction, whether
 * that other value is the one rounding up gives (else rounding down and to zero give it)].
 */
const CONSTANTS: Record<number, [number, number, number, number, boolean]> = {
  233: [0x4000, 0xd49a784b, 0xcd1b8afe, 0xcd1b8aff, true],
  234: [0x3fff, 0xb8aa3b29, 0x5c17f0bc, 0x5c17f0bb, false],
  235: [0x4000, 0xc90fdaa2, 0x2168c235, 0x2168c234, false],
  236: [0x3ffd, 0x9a209a84, 0xfbcff799, 0xfbcff798, false],
  237: [0x3ffe, 0xb17217f7, 0xd1cf79ac, 0xd1cf79ab, false],
};

function registerForm(opcode: number, modrm: number, s: FpuState, gpr: GprPort): FpuResult {
  const i = modrm & 7;
  const reg = (modrm >> 3) & 7;
  switch (opcode) {
    case 0xd8:
      readST(s, 0, A);
      readST(s, i, B);
      return arithCommon(s, reg, 0, A, B, false);
    case 0xdc:
    case 0xde: {
      if (opcode === 0xde && reg === 3) {
        if (i !== 1) return FPU_UD;
        // FCOMPP
        readST(s, 0, A);
        readST(s, 1, B);
        const c = compareExt(A.se, A.hi, A.lo, B.se, B.hi, B.lo, false);
        if (!suppressed(s)) {
          setCompareCC(s, c);
          pop(s);
          pop(s);
        }
        return done(s);
      }
      if (reg === 2 || reg === 3) {
        // The aliases FCOM2 (DC D0+i), FCOMP3 (DC D8+i) and FCOMP5 (DE D0+i).
        readST(s, 0, A);
        readST(s, i, B);
        return arithCommon(s, opcode === 0xde || reg === 3 ? 3 : 2, 0, A, B, false);
      }
      // dest = ST(i); DC/DE reverse the sense of sub/div: "FSUB ST(i), ST(0)" is reg 5.
      readST(s, i, A);
      readST(s, 0, B);
      const op = reg >= 4 ? reg ^ 1 : reg;
      return arithCommon(s, op, i, A, B, opcode === 0xde);
    }
    case 0xd9:
      return d9Register(modrm, s);
    case 0xda:
    case 0xdb: {
      if (modrm < 0xe0) {
        const f = gpr.getFlags();
        const cf = f & 1;
        const zf = (f >> 6) & 1;
        const pf = (f >> 2) & 1;
        const cond = [cf, zf, cf | zf, pf][reg & 3]!;
        const take = opcode === 0xda ? cond === 1 : cond === 0;
        readST(s, 0, A);
        readST(s, i, B);
        if (take && !suppressed(s)) writeST(s, 0, B.se, B.hi, B.lo);
        return done(s);
      }
      if (opcode === 0xda) {
        if (modrm !== 0xe9) return FPU_UD;
        readST(s, 0, A);
        readST(s, 1, B);
        const c = compareExt(A.se, A.hi, A.lo, B.se, B.hi, B.lo, true);
        if (!suppressed(s)) {
          setCompareCC(s, c);
          pop(s);
          pop(s);
        }
        return done(s);
      }
      if (modrm === 0xe2) {
        s.fsw = s.fsw & ~(0x80ff | SW_SF);
        return FPU_OK;
      }
      if (modrm === 0xe3) {
        fninit(s);
        return FPU_OK;
      }
      if (modrm === 0xe0 || modrm === 0xe1 || modrm === 0xe4) return FPU_OK; // FENI/FDISI/FSETPM
      if (reg === 5 || reg === 6) return comi(s, gpr, i, reg === 5, false);
      return FPU_UD;
    }
    case 0xdd:
      switch (reg) {
        case 0: // FFREE
          s.setTag(s.phys(i), TAG_EMPTY);
          return FPU_OK;
        case 1: // FXCH4 alias
          return fxch(s, i);
        case 2:
        case 3:
          readST(s, 0, A);
          if (!suppressed(s)) {
            writeST(s, i, A.se, A.hi, A.lo);
            if (reg === 3) pop(s);
          }
          return done(s);
        case 4:
        case 5: {
          readST(s, 0, A);
          readST(s, i, B);
          const c = compareExt(A.se, A.hi, A.lo, B.se, B.hi, B.lo, true);
          if (!suppressed(s)) {
            setCompareCC(s, c);
            if (reg === 5) pop(s);
          }
          return done(s);
        }
        default:
          return FPU_UD;
      }
    case 0xdf:
      if (modrm === 0xe0) {
        gpr.set(0, ((gpr.getLo(0) & ~0xffff) | s.fsw) >>> 0, gpr.getHi(0));
        return FPU_OK;
      }
      if (reg === 0) {
        // FFREEP (undocumented): free ST(i) and pop.
        s.setTag(s.phys(i), TAG_EMPTY);
        pop(s);
        return FPU_OK;
      }
      if (reg === 1) return fxch(s, i);
      if (reg === 2 || reg === 3) {
        readST(s, 0, A);
        if (!suppressed(s)) {
          writeST(s, i, A.se, A.hi, A.lo);
          pop(s);
        }
        return done(s);
      }
      if (reg === 5 || reg === 6) return comi(s, gpr, i, reg === 5, true);
      return FPU_UD;
    default:
      return FPU_UD;
  }
}

function fxch(s: FpuState, i: number): FpuResult {
  readST(s, 0, A);
  readST(s, i, B);
  if (!suppressed(s)) {
    writeST(s, 0, B.se, B.hi, B.lo);
    writeST(s, i, A.se, A.hi, A.lo);
  }
  return done(s);
}

/** FCOMI/FUCOMI(P): ZF, PF, CF from the comparison. */
function comi(s: FpuState, gpr: GprPort, i: number, quiet: boolean, popAfter: boolean): FpuResult {
  readST(s, 0, A);
  readST(s, i, B);
  const c = compareExt(A.se, A.hi, A.lo, B.se, B.hi, B.lo, quiet);
  if (!suppressed(s)) {
    if (c === CMP_GT) gpr.setFlags(false, false, false);
    else if (c === CMP_LT) gpr.setFlags(false, false, true);
    else if (c === CMP_EQ) gpr.setFlags(true, false, false);
    else gpr.setFlags(true, true, true);
    if (popAfter) pop(s);
  }
  return done(s);
}

function d9Register(modrm: number, s: FpuState): FpuResult {
  const i = modrm & 7;
  if (modrm < 0xc8) {
    // FLD ST(i)
    readST(s, i, B);
    return loadPush(s, B);
  }
  if (modrm < 0xd0) return fxch(s, i);
  if (modrm === 0xd0) return FPU_OK; // FNOP
  if (modrm < 0xd8) return FPU_UD;
  if (modrm < 0xe0) {
    // FSTP1 alias
    readST(s, 0, A);
    if (!suppressed(s)) {
      writeST(s, i, A.se, A.hi, A.lo);
      pop(s);
    }
    return done(s);
  }
  switch (modrm) {
    case 0xe0:
    case 0xe1:
      // An empty ST(0) gets the indefinite itself (the masked response), not its negation.
      if (!readST(s, 0, A)) {
        if (!suppressed(s)) writeST(s, 0, A.se, A.hi, A.lo);
      } else writeST(s, 0, modrm === 0xe0 ? A.se ^ 0x8000 : A.se & 0x7fff, A.hi, A.lo);
      return done(s);
    case 0xe4: {
      readST(s, 0, A);
      const c = compareExt(A.se, A.hi, A.lo, 0, 0, 0, false);
      if (!suppressed(s)) setCompareCC(s, c);
      return done(s);
    }
    case 0xe5:
      fxam(s);
      return FPU_OK;
    case 0xe8:
      return constant(s, 0x3fff, 0x80000000, 0);
    case 0xee:
      return constant(s, 0, 0, 0);
    case 0xe9:
    case 0xea:
    case 0xeb:
    case 0xec:
    case 0xed: {
      const [se, hi, lo, alt, altUp] = CONSTANTS[modrm]!;
      const r = rc(s);
      const useAlt = altUp ? r === 2 : r === 1 || r === 3;
      return constant(s, se, hi, useAlt ? alt : lo);
    }
    case 0xf6:
    case 0xf7:
      s.top = s.top + (modrm === 0xf6 ? -1 : 1);
      setCC(s, 0, 0, 0, 0);
      return FPU_OK;
    case 0xfa:
      // QEMU 7.2 sets C3 C2 C1 C0 = 0100 for any negative operand of FSQRT (-0 included).
      if (readST(s, 0, A) && A.se & 0x8000) setCC(s, 0, 1, 0, 0);
      return unaryST0(s, () => sqrtExt(A.se, A.hi, A.lo, pc(s), rc(s)));
    case 0xfc:
      return unaryST0(s, () => roundIntExt(A.se, A.hi, A.lo, rc(s)));
    case 0xf4:
      return fxtractOp(s);
    case 0xf5:
    case 0xf8: {
      readST(s, 0, A);
      readST(s, 1, B);
      const q = stackFault ? -1 : fprem(A, B, modrm === 0xf5);
      if (stackFault) setIndefinite();
      if (!suppressed(s)) {
        writeST(s, 0, res.se, res.hi, res.lo);
        // After a stack fault C3 and C0 keep their values and C2 is cleared (as the hardware
        // does; C1 = 0 comes with the fault).
        if (stackFault) s.fsw &= ~SW_C2;
        else if (q >= 0) setCC(s, (q >> 1) & 1, 0, q & 1, (q >> 2) & 1);
        else if (q === -2) setCC(s, 0, 1, 0, 0);
      }
      commit(s, -1);
      return FPU_OK;
    }
    case 0xfd: {
      readST(s, 0, A);
      readST(s, 1, B);
      if (stackFault) setIndefinite();
      else fscale(A, B, rc(s));
      if (!suppressed(s)) writeST(s, 0, res.se, res.hi, res.lo);
      commit(s, flags.c1);
      return FPU_OK;
    }
    case 0xf0:
    case 0xf1:
    case 0xf2:
    case 0xf3:
    case 0xf9:
    case 0xfb:
    case 0xfe:
    case 0xff:
      return transcendentalOp(s, modrm);
    default:
      return FPU_UD;
  }
}

function constant(s: FpuState, se: number, hi: number, lo: number): FpuResult {
  B.se = se;
  B.hi = hi;
  B.lo = lo;
  return loadPush(s, B);
}

function unaryST0(s: FpuState, f: () => void): FpuResult {
  readST(s, 0, A);
  if (stackFault) setIndefinite();
  else f();
  if (!suppressed(s)) writeST(s, 0, res.se, res.hi, res.lo);
  commit(s, flags.c1);
  return FPU_OK;
}

function fxam(s: FpuState): void {
  const p = s.phys(0);
  const se = s.regSe(p);
  const sign = se >>> 15;
  if (s.tag(p) === TAG_EMPTY) {
    setCC(s, 1, 0, sign, 1);
    return;
  }
  const k = kindOf(se, s.regHi(p), s.regLo(p));
  switch (k) {
    case KIND_UNSUPPORTED:
      setCC(s, 0, 0, sign, 0);
      return;
    case KIND_QNAN:
    case KIND_SNAN:
      setCC(s, 0, 0, sign, 1);
      return;
    case KIND_INF:
      setCC(s, 0, 1, sign, 1);
      return;
    case KIND_ZERO:
      setCC(s, 1, 0, sign, 0);
      return;
    default:
      if ((se & 0x7fff) === 0) setCC(s, 1, 1, sign, 0);
      else setCC(s, 0, 1, sign, 0);
      return;
  }
}

function fxtractOp(s: FpuState): FpuResult {
  readST(s, 0, A);
  if (stackFault) {
    // Underflow: both results are the indefinite (masked).
    if (!suppressed(s)) {
      if (!pushCheck(s)) return done(s);
      writeST(s, 0, 0xffff, 0xc0000000, 0);
      push(s, 0xffff, 0xc0000000, 0);
    }
    return done(s);
  }
  if (!pushCheck(s)) {
    if (!suppressed(s)) {
      writeST(s, 0, 0xffff, 0xc0000000, 0);
      push(s, 0xffff, 0xc0000000, 0);
    }
    return done(s);
  }
  const x = fxtract(A);
  if (!suppressed(s)) {
    writeST(s, 0, x.expSe, x.expHi, x.expLo);
    push(s, x.sigSe, x.sigHi, x.sigLo);
  }
  return done(s);
}

function transcendentalOp(s: FpuState, modrm: number): FpuResult {
  readST(s, 0, A);
  const needsST1 = modrm === 0xf1 || modrm === 0xf3 || modrm === 0xf9;
  if (needsST1) readST(s, 1, B);
  const pushes = modrm === 0xf2 || modrm === 0xfb;
  if (pushes && !stackFault && !pushCheck(s)) {
    if (!suppressed(s)) {
      writeST(s, 0, 0xffff, 0xc0000000, 0);
      push(s, 0xffff, 0xc0000000, 0);
    }
    return done(s);
  }
  const out = transcendental(modrm, A, B, pc(s), rc(s));
  if (stackFault) {
    // The masked response to a stack fault: the indefinite in every destination.
    out.outOfRange = false;
    out.se = out.se2 = 0xffff;
    out.hi = out.hi2 = 0xc0000000;
    out.lo = out.lo2 = 0;
  }
  if (suppressed(s)) return done(s);
  if (out.outOfRange) {
    // C2 = 1: the operand is left for the program to reduce; the other codes stay (QEMU).
    s.fsw |= SW_C2;
    return FPU_OK;
  }
  if (needsST1) {
    writeST(s, 1, out.se, out.hi, out.lo);
    pop(s);
  } else if (pushes) {
    writeST(s, 0, out.se, out.hi, out.lo);
    push(s, out.se2, out.hi2, out.lo2);
  } else writeST(s, 0, out.se, out.hi, out.lo);
  // Only the trigonometric ones report "reduction complete" (C2 = 0).
  if (modrm === 0xf2 || modrm === 0xfb || modrm === 0xfe || modrm === 0xff) s.fsw &= ~SW_C2;
  commit(s, flags.c1);
  return FPU_OK;
}
