/**
 * CSR file: reads/writes with WARL legalisation (csrGet/csrSet, shared by instructions and
 * by the host API) and the privilege rules of CSR instructions (csrInstruction), including
 * the H extension's VS redirection and virtual-instruction cases.
 */
import { CSR, HS, MS } from "./csr-numbers.js";
import type { HartCore as Hart } from "./hart-core.js";
import { PMP_CFG_REGS, PMP_ENTRIES } from "./pmp.js";
import { Slot } from "./slots.js";
import { mipEffective } from "./trap.js";

const TWO32 = 4294967296;
/** sstatus/vsstatus fields visible through the S-level view. */
export const SSTATUS_MASK = MS.SIE | MS.SPIE | MS.SPP | MS.FS | MS.SUM | MS.MXR;
const MSTATUS_WMASK = SSTATUS_MASK | MS.MIE | MS.MPIE | MS.MPP | MS.MPRV | MS.TVM | MS.TW | MS.TSR;
const HSTATUS_WMASK = HS.GVA | HS.SPV | HS.SPVP | HS.HU | HS.VGEIN | HS.VTVM | HS.VTW | HS.VTSR;
/** Number of guest external interrupt lines (hgeip bits 1..GEILEN). */
export const GEILEN = 31;
/** Implemented programmable counters (mhpmcounter3..18), as QEMU 7.2's default pmu-num. */
export const HPM_COUNTERS = 16;
const HGEIE_MASK = 0xfffffffe | 0;

/** VS-stage interrupt bits (VSSIP, VSTIP, VSEIP) and SGEIP. */
export const VS_IRQS = 0x444;
export const H_IRQS = 0x1444;
export const S_IRQS = 0x222;

/** How a CSR kept in a Hart.c64 slot is written: as is, as an xepc, or as an xtvec. */
const PLAIN = 0;
const EPC = 1;
const TVEC = 2;

/**
 * CSRs kept in Hart.c64 slots, found through dense tables indexed by CSR number (the CSR path
 * of the world switch and of guest CSR instructions: a typed-array load instead of keyed
 * lookups). An entry is 0 for "not here", else `(kind << 5) | (slot + 1)`. H_SLOTS holds the
 * CSRs that exist only with the H extension.
 */
const SLOTS = new Uint8Array(4096);
const H_SLOTS = new Uint8Array(4096);
function slotted(table: Uint8Array, num: number, slot: number, kind: number): void {
  table[num] = (kind << 5) | (slot + 1);
}
slotted(SLOTS, CSR.mscratch, Slot.mscratch, PLAIN);
slotted(SLOTS, CSR.mtval, Slot.mtval, PLAIN);
slotted(SLOTS, CSR.sscratch, Slot.sscratch, PLAIN);
slotted(SLOTS, CSR.stval, Slot.stval, PLAIN);
slotted(SLOTS, CSR.mcause, Slot.mcause, PLAIN);
slotted(SLOTS, CSR.scause, Slot.scause, PLAIN);
slotted(SLOTS, CSR.mepc, Slot.mepc, EPC);
slotted(SLOTS, CSR.sepc, Slot.sepc, EPC);
slotted(SLOTS, CSR.mtvec, Slot.mtvec, TVEC);
slotted(SLOTS, CSR.stvec, Slot.stvec, TVEC);
slotted(H_SLOTS, CSR.vsscratch, Slot.vsscratch, PLAIN);
slotted(H_SLOTS, CSR.vstval, Slot.vstval, PLAIN);
slotted(H_SLOTS, CSR.vscause, Slot.vscause, PLAIN);
slotted(H_SLOTS, CSR.htval, Slot.htval, PLAIN);
slotted(H_SLOTS, CSR.htinst, Slot.htinst, PLAIN);
slotted(H_SLOTS, CSR.mtval2, Slot.mtval2, PLAIN);
slotted(H_SLOTS, CSR.mtinst, Slot.mtinst, PLAIN);
slotted(H_SLOTS, CSR.htimedelta, Slot.htimedelta, PLAIN);
slotted(H_SLOTS, CSR.vsepc, Slot.vsepc, EPC);
slotted(H_SLOTS, CSR.vstvec, Slot.vstvec, TVEC);

/** The c64 entry of CSR `num` on this hart (0: not a slotted CSR). */
function slotEntry(h: Hart, num: number): number {
  // `?? 0`: a host may ask for a number that is not a CSR at all.
  const e = SLOTS[num] ?? 0;
  return e !== 0 || !h.hasH ? e : (H_SLOTS[num] ?? 0);
}

/** 1 for the S CSRs that V=1 redirects to their VS counterpart (number + 0x100). */
const VS_REDIRECT = new Uint8Array(4096);
for (const n of [
  CSR.sstatus,
  CSR.sie,
  CSR.stvec,
  CSR.sscratch,
  CSR.sepc,
  CSR.scause,
  CSR.stval,
  CSR.sip,
  CSR.stimecmp,
  CSR.satp,
]) {
  VS_REDIRECT[n] = 1;
}

/** pmpcfg0 and pmpcfg2: RV64 has only even pmpcfg registers, and 16 entries need two. */
function isPmpCfg(num: number): boolean {
  return num >= 0x3a0 && num < 0x3a0 + PMP_CFG_REGS && (num & 1) === 0;
}
function isPmpAddr(num: number): boolean {
  return num >= 0x3b0 && num < 0x3b0 + PMP_ENTRIES;
}
/**
 * mhpmcounter3..(2+HPM_COUNTERS) exist (QEMU 7.2's default pmu-num is 16, so OpenSBI reports
 * "MHPM Count 16"); the higher ones are illegal as on QEMU. They hold what is written and do
 * not count: every mhpmevent selects no event here.
 */
function isHpmCounter(num: number): boolean {
  return num >= 0xb03 && num < 0xb03 + HPM_COUNTERS;
}

function fsDirty(s: number): number {
  return (s & MS.FS) === MS.FS ? 0x80000000 | 0 : 0;
}

/** Reads CSR `num` into h.csrLo/h.csrHi. Returns false when it does not exist. */
export function csrGet(h: Hart, num: number, virt: boolean): boolean {
  if (virt && VS_REDIRECT[num] === 1) num += 0x100;
  let lo = 0;
  let hi = 0;
  const c = h.c64;
  const entry = slotEntry(h, num);
  if (entry !== 0) {
    const slot = (entry & 31) - 1;
    lo = c[slot * 2]!;
    hi = c[slot * 2 + 1]!;
  } else {
    switch (num) {
      case CSR.fflags:
        lo = h.fflags & 0x1f;
        break;
      case CSR.frm:
        lo = h.frm & 7;
        break;
      case CSR.fcsr:
        lo = ((h.frm & 7) << 5) | (h.fflags & 0x1f);
        break;
      case CSR.cycle:
      case CSR.mcycle: {
        const v = h.instret + h.mcycleOff;
        lo = v | 0;
        hi = Math.floor(v / TWO32) | 0;
        break;
      }
      case CSR.instret:
      case CSR.minstret: {
        const v = h.instret + h.minstretOff;
        lo = v | 0;
        hi = Math.floor(v / TWO32) | 0;
        break;
      }
      case CSR.time: {
        let t = h.time.now();
        if (virt) t += c[Slot.htimedelta * 2 + 1]! * TWO32 + (c[Slot.htimedelta * 2]! >>> 0);
        lo = t | 0;
        hi = Math.floor(t / TWO32) | 0;
        break;
      }
      case CSR.mstatus:
        lo = h.mstatus;
        hi = 0xa | fsDirty(h.mstatus);
        if (h.hasH) hi |= (h.mstatusGva ? 0x40 : 0) | (h.mstatusMpv ? 0x80 : 0);
        break;
      case CSR.sstatus:
        lo = h.mstatus & SSTATUS_MASK;
        hi = 0x2 | fsDirty(h.mstatus);
        break;
      case CSR.misa:
        lo = h.misa;
        hi = 0x80000000 | 0;
        break;
      case CSR.medeleg:
        lo = h.medeleg;
        break;
      case CSR.mideleg:
        lo = h.mideleg | (h.hasH ? H_IRQS : 0);
        break;
      case CSR.mie:
        lo = h.mie;
        break;
      case CSR.mip:
        lo = mipEffective(h);
        break;
      case CSR.sie:
        lo = h.mie & h.mideleg & S_IRQS;
        break;
      case CSR.sip:
        lo = mipEffective(h) & h.mideleg & S_IRQS;
        break;
      case CSR.mcounteren:
        lo = h.mcounteren;
        break;
      case CSR.scounteren:
        lo = h.scounteren;
        break;
      case CSR.mcountinhibit:
        lo = h.mcountinhibit;
        break;
      case CSR.menvcfg:
        lo = h.menvcfg;
        hi = h.menvcfgStce ? 0x80000000 | 0 : 0;
        break;
      case CSR.senvcfg:
        lo = h.senvcfg;
        break;
      case CSR.mvendorid:
      case CSR.marchid:
      case CSR.mimpid:
      case CSR.mconfigptr:
        break;
      case CSR.mhartid:
        lo = h.hartId;
        break;
      case CSR.satp:
        lo = c[Slot.satp * 2]!;
        hi = c[Slot.satp * 2 + 1]!;
        break;
      case CSR.stimecmp:
        if (!h.hasSstc) return false;
        lo = c[Slot.stimecmp * 2]!;
        hi = c[Slot.stimecmp * 2 + 1]!;
        break;
      default:
        if (isPmpCfg(num)) {
          const [l, u] = h.pmp.readCfg(num - 0x3a0);
          lo = l;
          hi = u;
          break;
        }
        if (isPmpAddr(num)) {
          lo = h.pmp.readAddrLo(num - 0x3b0);
          hi = h.pmp.readAddrHi(num - 0x3b0);
          break;
        }
        if (isHpmCounter(num) || (num >= 0xc03 && isHpmCounter(num - 0x100))) {
          // mhpmcounterN (0xb03..) and its user view hpmcounterN (0xc03..): inert storage.
          const i = (num & 0x1f) * 2;
          lo = h.hpmCounter[i]!;
          hi = h.hpmCounter[i + 1]!;
          break;
        }
        if (num >= 0x323 && num <= 0x33f) {
          const i = (num & 0x1f) * 2;
          lo = h.hpmEvent[i]!;
          hi = h.hpmEvent[i + 1]!;
          break;
        }
        if ((num & 0xff8) === 0x7a0) return h.triggers.read(h, num);
        if (!h.hasH) return false;
        if (!hGet(h, num)) return false;
        return true;
    }
  }
  h.csrLo = lo;
  h.csrHi = hi;
  return true;
}

function hGet(h: Hart, num: number): boolean {
  const c = h.c64;
  let lo = 0;
  let hi = 0;
  switch (num) {
    case CSR.hstatus:
      lo = h.hstatus;
      hi = 0x2;
      break;
    case CSR.hedeleg:
      lo = h.hedeleg;
      break;
    case CSR.hideleg:
      lo = h.hideleg;
      break;
    case CSR.hie:
      lo = h.mie & H_IRQS;
      break;
    case CSR.hip:
      lo = mipEffective(h) & H_IRQS;
      break;
    case CSR.hvip:
      lo = h.hvip;
      break;
    case CSR.hcounteren:
      lo = h.hcounteren;
      break;
    case CSR.hgeie:
      lo = h.hgeie;
      break;
    case CSR.hgeip:
      lo = h.hgeip;
      break;
    case CSR.henvcfg:
      lo = h.henvcfg;
      hi = h.henvcfgStce && h.menvcfgStce ? 0x80000000 | 0 : 0;
      break;
    case CSR.hgatp:
      lo = c[Slot.hgatp * 2]!;
      hi = c[Slot.hgatp * 2 + 1]!;
      break;
    case CSR.vsstatus:
      lo = h.vsstatus;
      hi = 0x2 | fsDirty(h.vsstatus);
      break;
    case CSR.vsie:
      lo = (h.mie & h.hideleg & VS_IRQS) >> 1;
      break;
    case CSR.vsip:
      lo = (mipEffective(h) & h.hideleg & VS_IRQS) >> 1;
      break;
    case CSR.vsatp:
      lo = c[Slot.vsatp * 2]!;
      hi = c[Slot.vsatp * 2 + 1]!;
      break;
    case CSR.vstimecmp:
      if (!h.hasSstc) return false;
      lo = c[Slot.vstimecmp * 2]!;
      hi = c[Slot.vstimecmp * 2 + 1]!;
      break;
    default:
      return false;
  }
  h.csrLo = lo;
  h.csrHi = hi;
  return true;
}

/** satp/vsatp/hgatp: a write selecting an unsupported MODE has no effect at all. */
function legalAtp(hi: number): boolean {
  const mode = hi >>> 28;
  return mode === 0 || mode === 8 || mode === 9;
}

/** Writes CSR `num` with WARL legalisation. Returns false when it does not exist. */
export function csrSet(h: Hart, num: number, lo: number, hi: number, virt: boolean): boolean {
  if (virt && VS_REDIRECT[num] === 1) num += 0x100;
  const c = h.c64;
  const entry = slotEntry(h, num);
  if (entry !== 0) {
    const i = ((entry & 31) - 1) * 2;
    const kind = entry >> 5;
    c[i] = kind === EPC ? lo & ~1 : kind === TVEC && (lo & 3) >= 2 ? lo & ~3 : lo;
    c[i + 1] = hi;
    return true;
  }
  switch (num) {
    case CSR.fflags:
      h.fflags = lo & 0x1f;
      h.markFsDirty();
      return true;
    case CSR.frm:
      h.frm = lo & 7;
      h.markFsDirty();
      return true;
    case CSR.fcsr:
      h.fflags = lo & 0x1f;
      h.frm = (lo >> 5) & 7;
      h.markFsDirty();
      return true;
    case CSR.mcycle:
      h.mcycleOff = (hi >>> 0) * TWO32 + (lo >>> 0) - h.instret;
      return true;
    case CSR.minstret:
      h.minstretOff = (hi >>> 0) * TWO32 + (lo >>> 0) - h.instret;
      return true;
    case CSR.mstatus: {
      let v = (h.mstatus & ~MSTATUS_WMASK) | (lo & MSTATUS_WMASK);
      if ((v & MS.MPP) === 2 << 11) v &= ~MS.MPP;
      if (!h.hasH) {
        // without H, SPP and MPP need no further legalisation
      } else {
        h.mstatusGva = (hi & 0x40) !== 0;
        h.mstatusMpv = (hi & 0x80) !== 0;
      }
      h.mstatus = v;
      h.updateCtx();
      return true;
    }
    case CSR.sstatus:
      h.mstatus = (h.mstatus & ~SSTATUS_MASK) | (lo & SSTATUS_MASK);
      h.updateCtx();
      return true;
    case CSR.misa:
      return true;
    case CSR.medeleg:
      h.medeleg = lo & (h.hasH ? 0xf0b7ff : 0xb3ff);
      return true;
    case CSR.mideleg:
      h.mideleg = lo & S_IRQS;
      return true;
    case CSR.mie:
      h.mie = lo & (0xaaa | (h.hasH ? H_IRQS : 0));
      return true;
    case CSR.mip: {
      const m = S_IRQS & ~(h.menvcfgStce && h.hasSstc ? 0x20 : 0);
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      if (h.hasH) h.hvip = (h.hvip & ~4) | (lo & 4);
      return true;
    }
    case CSR.sie: {
      const m = h.mideleg & S_IRQS;
      h.mie = (h.mie & ~m) | (lo & m);
      return true;
    }
    case CSR.sip: {
      const m = h.mideleg & 2;
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      return true;
    }
    case CSR.mcounteren:
      h.mcounteren = lo;
      return true;
    case CSR.scounteren:
      h.scounteren = lo;
      return true;
    case CSR.mcountinhibit:
      h.mcountinhibit = lo & ~2;
      return true;
    case CSR.menvcfg:
      h.menvcfg = lo & 1;
      h.menvcfgStce = h.hasSstc && (hi & 0x80000000) !== 0;
      return true;
    case CSR.senvcfg:
      h.senvcfg = lo & 1;
      return true;
    case CSR.mvendorid:
    case CSR.marchid:
    case CSR.mimpid:
    case CSR.mhartid:
    case CSR.mconfigptr:
      return true;
    case CSR.satp:
      if (legalAtp(hi)) {
        c[Slot.satp * 2] = lo;
        c[Slot.satp * 2 + 1] = hi & 0x9fffffff;
        h.flushTlb(false);
      }
      return true;
    case CSR.stimecmp:
      if (!h.hasSstc) return false;
      c[Slot.stimecmp * 2] = lo;
      c[Slot.stimecmp * 2 + 1] = hi;
      h.updateTimers();
      return true;
    default:
      break;
  }
  if (isPmpCfg(num)) {
    h.pmp.writeCfg(num - 0x3a0, lo, hi);
    h.flushTlb();
    return true;
  }
  if (isPmpAddr(num)) {
    h.pmp.writeAddr(num - 0x3b0, lo, hi);
    h.flushTlb();
    return true;
  }
  if (num >= 0xb03 && isHpmCounter(num)) {
    const i = (num & 0x1f) * 2;
    h.hpmCounter[i] = lo;
    h.hpmCounter[i + 1] = hi;
    return true;
  }
  if (num >= 0x323 && num <= 0x33f) {
    const i = (num & 0x1f) * 2;
    h.hpmEvent[i] = lo;
    h.hpmEvent[i + 1] = hi;
    return true;
  }
  if (num >= 0xc03 && isHpmCounter(num - 0x100)) return true; // read-only (the instruction traps)
  if ((num & 0xff8) === 0x7a0) return h.triggers.write(h, num, lo, hi);
  if (!h.hasH) return false;
  switch (num) {
    case CSR.hstatus: {
      let v = (h.hstatus & ~HSTATUS_WMASK) | (lo & HSTATUS_WMASK);
      if (((v >> 12) & 0x3f) > GEILEN) v = (v & ~HS.VGEIN) | (h.hstatus & HS.VGEIN);
      h.hstatus = v;
      return true;
    }
    case CSR.hedeleg:
      h.hedeleg = lo & 0xb1ff;
      return true;
    case CSR.hideleg:
      h.hideleg = lo & VS_IRQS;
      return true;
    case CSR.hie:
      h.mie = (h.mie & ~H_IRQS) | (lo & H_IRQS);
      return true;
    case CSR.hip:
      h.hvip = (h.hvip & ~4) | (lo & 4);
      return true;
    case CSR.hvip:
      h.hvip = lo & VS_IRQS;
      return true;
    case CSR.hcounteren:
      h.hcounteren = lo;
      return true;
    case CSR.hgeie:
      h.hgeie = lo & HGEIE_MASK;
      return true;
    case CSR.hgeip:
      return true;
    case CSR.henvcfg:
      h.henvcfg = lo & 1;
      h.henvcfgStce = h.hasSstc && (hi & 0x80000000) !== 0;
      return true;
    case CSR.hgatp:
      if (legalAtp(hi)) {
        c[Slot.hgatp * 2] = lo & ~3;
        c[Slot.hgatp * 2 + 1] = hi & 0xf3ffffff;
        // Cached guest translations are tagged with hgatp/vsatp (see checkGuestTranslations).
        if (h.virt) h.checkGuestTranslations();
      }
      return true;
    case CSR.vsstatus:
      h.vsstatus = (h.vsstatus & ~SSTATUS_MASK) | (lo & SSTATUS_MASK);
      h.updateCtx();
      return true;
    case CSR.vsie: {
      const m = h.hideleg & VS_IRQS;
      h.mie = (h.mie & ~m) | ((lo << 1) & m);
      return true;
    }
    case CSR.vsip: {
      const m = h.hideleg & 4;
      h.hvip = (h.hvip & ~m) | ((lo << 1) & m);
      return true;
    }
    case CSR.vsatp:
      if (legalAtp(hi)) {
        c[Slot.vsatp * 2] = lo;
        c[Slot.vsatp * 2 + 1] = hi & 0x9fffffff;
        if (h.virt) h.checkGuestTranslations();
      }
      return true;
    case CSR.vstimecmp:
      if (!h.hasSstc) return false;
      c[Slot.vstimecmp * 2] = lo;
      c[Slot.vstimecmp * 2 + 1] = hi;
      h.updateTimers();
      return true;
    default:
      return false;
  }
}

/**
 * CSRs whose writes can change which interrupt is pending or enabled (with V=1 the S
 * numbers stand for their VS twins): a write to one of them ends the slice so the hart
 * re-evaluates interrupts before the next instruction.
 */
const IRQ_CSRS = new Set<number>([
  CSR.mstatus,
  CSR.sstatus,
  CSR.vsstatus,
  CSR.hstatus,
  CSR.mie,
  CSR.sie,
  CSR.hie,
  CSR.vsie,
  CSR.mip,
  CSR.sip,
  CSR.hip,
  CSR.hvip,
  CSR.vsip,
  CSR.mideleg,
  CSR.hideleg,
  CSR.hgeie,
  CSR.menvcfg,
  CSR.henvcfg,
  CSR.stimecmp,
  CSR.vstimecmp,
  CSR.htimedelta,
]);

const CSRRW = 1;
const CSRRS = 2;
const CSRRC = 3;

/**
 * Executes a Zicsr instruction with all privilege checks. Raises illegal-instruction or
 * virtual-instruction exceptions through the hart.
 */
export function csrInstruction(h: Hart, insn: number): void {
  const f3 = (insn >> 12) & 7;
  const rd = (insn >> 7) & 31;
  const rs1 = (insn >> 15) & 31;
  const num = insn >>> 20;
  const op = f3 & 3;
  const write = op === CSRRW || rs1 !== 0;
  const priv = h.priv;
  const virt = h.virt;
  const level = (num >> 8) & 3;
  if (write && num >>> 10 === 3) h.illegal();
  if (level > priv && !(level === 2 && priv === 1)) {
    if (level === 3 || !virt) h.illegal();
    // V=1: H/VS CSRs from VS or VU, and S CSRs from VU, exist in HS-mode: virtual instruction.
    if (csrExistsForVirt(h, num)) h.virtualInstruction();
    h.illegal();
  }
  if (virt && level === 2) {
    if (csrExistsForVirt(h, num)) h.virtualInstruction();
    h.illegal();
  }
  checkSpecialAccess(h, num, priv, virt);
  let slo = 0;
  let shi = 0;
  if (f3 & 4) slo = rs1;
  else {
    slo = h.x[rs1 * 2]!;
    shi = h.x[rs1 * 2 + 1]!;
  }
  if (!csrGet(h, num, virt)) h.illegal();
  const olo = h.csrLo;
  const ohi = h.csrHi;
  if (write) {
    let nlo = slo;
    let nhi = shi;
    if (op === CSRRS) {
      nlo = olo | slo;
      nhi = ohi | shi;
    } else if (op === CSRRC) {
      nlo = olo & ~slo;
      nhi = ohi & ~shi;
    }
    // RMW of mip/sip/hip/vsip must not fold hardware-driven bits into the software ones.
    if (op !== CSRRW && isIpCsr(num)) {
      const sw = swIpView(h, num, virt);
      nlo = op === CSRRS ? sw | slo : sw & ~slo;
    }
    const inhibitBefore = h.mcountinhibit;
    if (!csrSet(h, num, nlo, nhi, virt)) h.illegal();
    if (num === CSR.mcountinhibit) {
      // The writing instruction itself retires under the old setting; the hart counts it
      // after this returns, under the new one, so compensate its single count here.
      const on = h.mcountinhibit & ~inhibitBefore;
      const off = inhibitBefore & ~h.mcountinhibit;
      if (on & 1) h.mcycleOff += 1;
      if (on & 4) h.minstretOff += 1;
      if (off & 1) h.mcycleOff -= 1;
      if (off & 4) h.minstretOff -= 1;
    }
    if (IRQ_CSRS.has(num)) h.sliceBreak = true;
  }
  if (rd !== 0) {
    h.x[rd * 2] = olo;
    h.x[rd * 2 + 1] = ohi;
  }
}

function isIpCsr(num: number): boolean {
  return num === CSR.mip || num === CSR.hip || num === CSR.vsip || num === CSR.sip;
}

/** The software-writable part of an interrupt-pending CSR, as read-modify-write sees it. */
function swIpView(h: Hart, num: number, virt: boolean): number {
  if (num === CSR.mip) return (h.mipSw & S_IRQS) | (h.hvip & 4);
  if (num === CSR.hip) return h.hvip & 4;
  if (num === CSR.vsip || (num === CSR.sip && virt)) return (h.hvip & h.hideleg & 4) >> 1;
  return h.mipSw & h.mideleg & 2;
}

function csrExistsForVirt(h: Hart, num: number): boolean {
  if (!h.hasH) return false;
  const saveLo = h.csrLo;
  const saveHi = h.csrHi;
  const ok = csrGet(h, num, false);
  h.csrLo = saveLo;
  h.csrHi = saveHi;
  return ok;
}

function checkSpecialAccess(h: Hart, num: number, priv: number, virt: boolean): void {
  if (num >= 0xc00 && num <= 0xc1f) {
    // A counter that does not exist is illegal before any enable bit is looked at (QEMU).
    if (num >= 0xc03 && !isHpmCounter(num - 0x100)) h.illegal();
    const bit = 1 << (num - 0xc00);
    if (priv < 3 && (h.mcounteren & bit) === 0) h.illegal();
    if (virt) {
      if ((h.hcounteren & bit) === 0) h.virtualInstruction();
      if (priv === 0 && (h.scounteren & bit) === 0) h.virtualInstruction();
    } else if (priv === 0 && (h.scounteren & bit) === 0) h.illegal();
    return;
  }
  switch (num) {
    case CSR.fflags:
    case CSR.frm:
    case CSR.fcsr:
      if (!h.fpEnabled()) h.illegal();
      return;
    case CSR.satp:
      if (virt) {
        if (h.hstatus & HS.VTVM) h.virtualInstruction();
      } else if (priv === 1 && h.mstatus & MS.TVM) h.illegal();
      return;
    case CSR.hgatp:
      if (priv === 1 && h.mstatus & MS.TVM) h.illegal();
      return;
    case CSR.stimecmp:
    case CSR.vstimecmp:
      if (!h.hasSstc) h.illegal();
      if (priv < 3 && (!h.menvcfgStce || (h.mcounteren & 2) === 0)) h.illegal();
      if (virt && (!h.henvcfgStce || (h.hcounteren & 2) === 0)) h.virtualInstruction();
      return;
    default:
      return;
  }
}
