/**
 * Trap entry (exceptions and interrupts, with M/HS/VS delegation), interrupt selection in
 * the spec's priority order, and MRET/SRET.
 */
import { HS, MS } from "./csr-numbers.js";
import type { HartCore as Hart } from "./hart-core.js";
import { Slot } from "./slots.js";

const TWO32 = 4294967296;
/** Interrupt priority: MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI. */
const PRIORITY = [11, 3, 7, 9, 1, 5, 12, 10, 2, 6] as const;
const M_IRQS = (1 << 3) | (1 << 7) | (1 << 11);

const TARGET_M = 3;
const TARGET_HS = 1;
const TARGET_VS = 2;

function setSlot(h: Hart, slot: number, v: number): void {
  h.c64[slot * 2] = v | 0;
  h.c64[slot * 2 + 1] = Math.floor(v / TWO32) | 0;
}
/**
 * mtval2/htval hold the faulting guest-physical address shifted right by 2. A GPA is an
 * unsigned 64-bit value, but the MMU carries it as a signed number (with vsatp bare a negative
 * virtual address is its own GPA): shifting the unsigned value leaves the top two bits clear.
 */
function setGpaShifted(h: Hart, slot: number, gpa: number): void {
  const v = Math.floor(gpa / 4);
  h.c64[slot * 2] = v | 0;
  h.c64[slot * 2 + 1] = (Math.floor(v / TWO32) | 0) & 0x3fffffff;
}
function slotNum(h: Hart, slot: number): number {
  return h.c64[slot * 2 + 1]! * TWO32 + (h.c64[slot * 2]! >>> 0);
}

function u64AsNumber(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

/**
 * A compare value at or above this is never reached: `time` stays below 2^53 and htimedelta,
 * taken as signed, below 2^63, so no (virtual) time can get there. A timer left disarmed
 * (compare = 2^64 - 1, as SBI and Linux leave it) then costs no clock read.
 */
const NEVER_DUE = 2 ** 63 + 2 ** 54;

/**
 * The mip value as software sees it: software bits, hardware lines, timers and H sources.
 * With `wanted`, only those bits are sure to be right: a timer outside them is not compared
 * with the clock (interrupt checks pass mie, so a masked timer costs no clock read).
 */
export function mipEffective(h: Hart, wanted = -1): number {
  let v = (h.mipSw & 0x222) | h.hwIrq;
  // The time is read once, and only for an armed timer (reading the clock is the costly part).
  let now = -1;
  if (h.hasSstc && h.menvcfgStce && (wanted & 0x20) !== 0) {
    v &= ~0x20;
    if (h.hwIrq & 0x20) v |= 0x20;
    const c = h.c64;
    const cmp = u64AsNumber(c[Slot.stimecmp * 2]!, c[Slot.stimecmp * 2 + 1]!);
    if (cmp < NEVER_DUE) {
      now = h.time.now();
      if (now >= cmp) v |= 0x20;
    }
  }
  if (h.hasH) {
    v |= h.hvip & 0x444;
    if (h.hasSstc && h.menvcfgStce && h.henvcfgStce && (wanted & 0x40) !== 0) {
      const c = h.c64;
      const cmp = u64AsNumber(c[Slot.vstimecmp * 2]!, c[Slot.vstimecmp * 2 + 1]!);
      if (cmp < NEVER_DUE) {
        const vnow = (now < 0 ? h.time.now() : now) + slotNum(h, Slot.htimedelta);
        if (vnow >= cmp) v |= 0x40;
      }
    }
    const vgein = (h.hstatus >> 12) & 0x3f;
    if (vgein !== 0 && (h.hgeip >>> vgein) & 1) v |= 0x400;
    if (h.hgeip & h.hgeie) v |= 0x1000;
  }
  return v;
}

function highest(bits: number): number {
  for (let k = 0; k < PRIORITY.length; k++) {
    const b = PRIORITY[k]!;
    if ((bits >>> b) & 1) return b;
  }
  return -1;
}

/** Pending and enabled (in mie) interrupts, ignoring global enables: what wakes WFI. */
export function wakeupPending(h: Hart): boolean {
  let p = mipEffective(h, h.mie) & h.mie;
  if (h.hostTrapMode) p &= ~M_IRQS;
  return p !== 0;
}

/** Takes the highest-priority interrupt that is pending and enabled. Returns true if one was. */
export function checkInterrupts(h: Hart): boolean {
  let pend = mipEffective(h, h.mie) & h.mie;
  if (h.hostTrapMode) pend &= ~M_IRQS;
  if (pend === 0) return false;
  const priv = h.priv;
  const virt = h.virt;
  const mideleg = h.hostTrapMode ? -1 : h.mideleg | (h.hasH ? 0x1444 : 0);
  const m = pend & ~mideleg;
  if (m !== 0 && (priv < 3 || (h.mstatus & MS.MIE) !== 0)) {
    deliver(h, highest(m), true, TARGET_M, 0, 0, 0, false);
    return true;
  }
  const hideleg = h.hasH ? h.hideleg : 0;
  const s = pend & mideleg & ~hideleg;
  if (s !== 0 && (virt || priv < 1 || (priv === 1 && (h.mstatus & MS.SIE) !== 0))) {
    deliver(h, highest(s), true, TARGET_HS, 0, 0, 0, false);
    return true;
  }
  const vs = pend & mideleg & hideleg;
  if (vs !== 0 && virt && (priv === 0 || (h.vsstatus & MS.SIE) !== 0)) {
    deliver(h, highest(vs), true, TARGET_VS, 0, 0, 0, false);
    return true;
  }
  return false;
}

const BREAKPOINT = 3;

/** Enters the trap recorded by Hart.fault() (h.trap* fields) for the instruction at h.pc. */
export function takeException(h: Hart): void {
  const cause = h.trapCause;
  if (cause === BREAKPOINT && h.debugBreakpoints) {
    // Debug-mode entry rather than a trap: no CSR changes, pc stays at the EBREAK.
    h.debugBreakHit = true;
    h.hostTrapped = true;
    return;
  }
  const priv = h.priv;
  const bit = 2 ** cause;
  const medeleg = h.hostTrapMode ? -1 : h.medeleg;
  let target = TARGET_M;
  if (priv < 3 && (medeleg & bit) !== 0) {
    target = h.virt && (h.hedeleg & bit) !== 0 ? TARGET_VS : TARGET_HS;
  }
  let tinst = h.trapTinst;
  if (tinst === -1) {
    tinst = target === TARGET_VS ? 0 : transformedInsn(h.insn, h.insnLen);
    // A fault inside a split misaligned access: bits 19:15 hold the faulting byte's offset.
    if (tinst !== 0 && !Number.isNaN(h.misalignedVa)) {
      tinst |= ((h.trapTval - h.misalignedVa) & 0x1f) << 15;
    }
  }
  deliver(h, cause, false, target, h.trapTval, h.trapTval2, tinst, h.trapGva);
}

/**
 * The transformed instruction written to htinst/mtinst for an explicit memory access
 * (H extension: offset and rs1 fields zeroed; bit 1 clear when the original was compressed).
 */
export function transformedInsn(insn: number, len: number): number {
  const op = insn & 0x7f;
  let t: number;
  if (op === 0x03 || op === 0x07) t = insn & 0x7fff;
  else if (op === 0x23 || op === 0x27) t = insn & 0x01f0707f;
  else if (op === 0x2f || (op === 0x73 && ((insn >> 12) & 7) === 4)) t = insn & ~(0x1f << 15);
  else return 0;
  return len === 2 ? t & ~2 : t;
}

function tvecTarget(h: Hart, slot: number, cause: number, irq: boolean): number {
  const lo = h.c64[slot * 2]!;
  const base = h.c64[slot * 2 + 1]! * TWO32 + ((lo & ~3) >>> 0);
  return irq && (lo & 3) === 1 ? base + 4 * cause : base;
}

function deliver(
  h: Hart,
  cause: number,
  irq: boolean,
  target: number,
  tval: number,
  tval2: number,
  tinst: number,
  gva: boolean,
): void {
  const priv = h.priv;
  const virt = h.virt;
  const epc = h.pc;
  const c = h.c64;
  h.resAddr = -1;
  if (target === TARGET_M) {
    setSlot(h, Slot.mepc, epc);
    c[Slot.mcause * 2] = cause;
    c[Slot.mcause * 2 + 1] = irq ? 0x80000000 | 0 : 0;
    setSlot(h, Slot.mtval, tval);
    if (h.hasH) {
      setGpaShifted(h, Slot.mtval2, tval2);
      setSlot(h, Slot.mtinst, tinst >>> 0);
      h.mstatusMpv = virt;
      h.mstatusGva = gva;
    }
    let s = h.mstatus;
    s = (s & ~MS.MPIE) | ((s & MS.MIE) << 4);
    s &= ~MS.MIE;
    s = (s & ~MS.MPP) | (priv << 11);
    h.mstatus = s;
    h.setMode(3, false);
    h.pc = tvecTarget(h, Slot.mtvec, cause, irq);
  } else if (target === TARGET_HS) {
    setSlot(h, Slot.sepc, epc);
    c[Slot.scause * 2] = cause;
    c[Slot.scause * 2 + 1] = irq ? 0x80000000 | 0 : 0;
    setSlot(h, Slot.stval, tval);
    if (h.hasH) {
      setGpaShifted(h, Slot.htval, tval2);
      setSlot(h, Slot.htinst, tinst >>> 0);
      let hs = h.hstatus & ~(HS.SPV | HS.GVA);
      if (virt) hs = (hs & ~HS.SPVP) | HS.SPV | (priv === 1 ? HS.SPVP : 0);
      if (gva) hs |= HS.GVA;
      h.hstatus = hs;
    }
    let s = h.mstatus;
    s = (s & ~MS.SPIE) | ((s & MS.SIE) << 4);
    s &= ~MS.SIE;
    s = (s & ~MS.SPP) | ((priv & 1) << 8);
    h.mstatus = s;
    h.setMode(1, false);
    if (h.hostTrapMode) {
      h.hostTrapped = true;
    } else {
      h.pc = tvecTarget(h, Slot.stvec, cause, irq);
    }
  } else {
    const vcause = irq ? cause - 1 : cause;
    setSlot(h, Slot.vsepc, epc);
    c[Slot.vscause * 2] = vcause;
    c[Slot.vscause * 2 + 1] = irq ? 0x80000000 | 0 : 0;
    setSlot(h, Slot.vstval, tval);
    let s = h.vsstatus;
    s = (s & ~MS.SPIE) | ((s & MS.SIE) << 4);
    s &= ~MS.SIE;
    s = (s & ~MS.SPP) | ((priv & 1) << 8);
    h.vsstatus = s;
    h.setMode(1, true);
    h.pc = tvecTarget(h, Slot.vstvec, vcause, irq);
  }
}

/** MRET (the caller has checked that the hart is in M-mode). */
export function mret(h: Hart): void {
  let s = h.mstatus;
  const mpp = (s >> 11) & 3;
  s = (s & ~MS.MIE) | ((s & MS.MPIE) >> 4);
  s |= MS.MPIE;
  s &= ~MS.MPP;
  if (mpp !== 3) s &= ~MS.MPRV;
  const v = h.hasH && mpp !== 3 && h.mstatusMpv;
  h.mstatusMpv = false;
  h.mstatus = s;
  h.setMode(mpp, v);
  h.pc = slotNum(h, Slot.mepc);
}

/** SRET (the caller has checked TSR/VTSR and privilege). */
export function sret(h: Hart): void {
  if (h.virt) {
    let s = h.vsstatus;
    const spp = (s >> 8) & 1;
    s = (s & ~MS.SIE) | ((s & MS.SPIE) >> 4);
    s |= MS.SPIE;
    s &= ~MS.SPP;
    h.vsstatus = s;
    h.setMode(spp, true);
    h.pc = slotNum(h, Slot.vsepc);
    return;
  }
  let s = h.mstatus;
  const spp = (s >> 8) & 1;
  s = (s & ~MS.SIE) | ((s & MS.SPIE) >> 4);
  s |= MS.SPIE;
  s &= ~MS.SPP;
  s &= ~MS.MPRV;
  h.mstatus = s;
  let v = false;
  if (h.hasH) {
    v = (h.hstatus & HS.SPV) !== 0;
    h.hstatus &= ~HS.SPV;
  }
  h.setMode(spp, v);
  h.pc = slotNum(h, Slot.sepc);
}
