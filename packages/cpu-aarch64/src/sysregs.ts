/**
 * System register storage and values: every register the CPU implements itself, with the ID
 * register values of the selected model. Access permission and trap checks for MRS/MSR live
 * in system.ts; this file answers "what does register `enc` read as / what does a write do".
 */

import type { Aarch64Cpu } from "./cpu.js";
import { FPCR_WRITABLE } from "./fpsimd/index.js";
import { sysreg } from "./sysreg-encoding.js";

/** Storage slots (Int32Array lo/hi pairs). */
export const SR = {
  SCTLR_EL1: 0,
  ACTLR_EL1: 1,
  CPACR_EL1: 2,
  TTBR0_EL1: 3,
  TTBR1_EL1: 4,
  TCR_EL1: 5,
  AFSR0_EL1: 6,
  AFSR1_EL1: 7,
  ESR_EL1: 8,
  FAR_EL1: 9,
  PAR_EL1: 10,
  MAIR_EL1: 11,
  AMAIR_EL1: 12,
  VBAR_EL1: 13,
  CONTEXTIDR_EL1: 14,
  TPIDR_EL1: 15,
  TPIDR_EL0: 16,
  TPIDRRO_EL0: 17,
  CNTKCTL_EL1: 18,
  SPSR_EL1: 19,
  ELR_EL1: 20,
  CSSELR_EL1: 21,
  MDSCR_EL1: 22,
  OSDLR_EL1: 23,
  MDCCINT_EL1: 24,
  DBGCLAIM: 25,
  OSLK: 26,
  DBGPRCR_EL1: 27,
  CNTP_CTL: 28,
  CNTP_CVAL: 29,
  CNTV_CTL: 30,
  CNTV_CVAL: 31,
  CNTHP_CTL: 32,
  CNTHP_CVAL: 33,
  CNTHCTL_EL2: 34,
  CNTVOFF_EL2: 35,
  CNTFRQ: 36,
  HCR_EL2: 37,
  MDCR_EL2: 38,
  CPTR_EL2: 39,
  HSTR_EL2: 40,
  HACR_EL2: 41,
  SCTLR_EL2: 42,
  ACTLR_EL2: 43,
  TTBR0_EL2: 44,
  TCR_EL2: 45,
  VTTBR_EL2: 46,
  VTCR_EL2: 47,
  ESR_EL2: 48,
  AFSR0_EL2: 49,
  AFSR1_EL2: 50,
  FAR_EL2: 51,
  HPFAR_EL2: 52,
  MAIR_EL2: 53,
  AMAIR_EL2: 54,
  VBAR_EL2: 55,
  TPIDR_EL2: 56,
  VPIDR_EL2: 57,
  VMPIDR_EL2: 58,
  SPSR_EL2: 59,
  ELR_EL2: 60,
  /** DBGBVR0..5, DBGBCR0..5, DBGWVR0..3, DBGWCR0..3. */
  DBGBVR: 64,
  DBGBCR: 70,
  DBGWVR: 76,
  DBGWCR: 80,
} as const;
const SLOTS = 84;

/** HCR_EL2 bit numbers (all in the low word except E2H/ID/CD). */
export const HCR = {
  VM: 0,
  SWIO: 1,
  PTW: 2,
  FMO: 3,
  IMO: 4,
  AMO: 5,
  VF: 6,
  VI: 7,
  VSE: 8,
  FB: 9,
  DC: 12,
  TWI: 13,
  TWE: 14,
  TID0: 15,
  TID1: 16,
  TID2: 17,
  TID3: 18,
  TSC: 19,
  TIDCP: 20,
  TACR: 21,
  TSW: 22,
  TPCP: 23,
  TPU: 24,
  TTLB: 25,
  TVM: 26,
  TGE: 27,
  TDZ: 28,
  HCD: 29,
  TRVM: 30,
  RW: 31,
} as const;

/** Which EL2 trap controls a register answers to (bit set of TRAP_*). */
export const TRAP_VM = 1;
export const TRAP_ACR = 2;
export const TRAP_ID1 = 4;
export const TRAP_ID2 = 8;
export const TRAP_ID3 = 16;

/** A register the CPU stores: its slot, writable bits (lo, hi), and trap group. */
interface Plain {
  slot: number;
  wlo: number;
  whi: number;
  /** Bits that always read as one (RES1). */
  res1: number;
  trap: number;
  /** Writing it changes translation: flush the TLB. */
  tlb: boolean;
  /** Lowest EL that may access it (0 for the EL0 registers). */
  minEl: number;
}

const ALL = -1;
const plain = new Map<number, Plain>();
function def(
  enc: number,
  slot: number,
  minEl: number,
  wlo = ALL,
  whi = ALL,
  trap = 0,
  tlb = false,
  res1 = 0,
): void {
  plain.set(enc, { slot, wlo, whi, res1, trap, tlb, minEl });
}

// EL1 and EL0 registers.
def(sysreg(3, 0, 1, 0, 0), SR.SCTLR_EL1, 1, ALL, 0, TRAP_VM, true);
def(sysreg(3, 0, 1, 0, 1), SR.ACTLR_EL1, 1, ALL, ALL, TRAP_ACR);
def(sysreg(3, 0, 1, 0, 2), SR.CPACR_EL1, 1, 0x10300000, 0);
def(sysreg(3, 0, 2, 0, 0), SR.TTBR0_EL1, 1, ALL, ALL, TRAP_VM, true);
def(sysreg(3, 0, 2, 0, 1), SR.TTBR1_EL1, 1, ALL, ALL, TRAP_VM, true);
def(sysreg(3, 0, 2, 0, 2), SR.TCR_EL1, 1, ~(1 << 6), 0x7f, TRAP_VM, true);
def(sysreg(3, 0, 5, 1, 0), SR.AFSR0_EL1, 1, ALL, ALL, TRAP_VM);
def(sysreg(3, 0, 5, 1, 1), SR.AFSR1_EL1, 1, ALL, ALL, TRAP_VM);
def(sysreg(3, 0, 5, 2, 0), SR.ESR_EL1, 1, ALL, 0, TRAP_VM);
def(sysreg(3, 0, 6, 0, 0), SR.FAR_EL1, 1, ALL, ALL, TRAP_VM);
def(sysreg(3, 0, 7, 4, 0), SR.PAR_EL1, 1);
def(sysreg(3, 0, 10, 2, 0), SR.MAIR_EL1, 1, ALL, ALL, TRAP_VM, true);
def(sysreg(3, 0, 10, 3, 0), SR.AMAIR_EL1, 1, ALL, ALL, TRAP_VM);
def(sysreg(3, 0, 12, 0, 0), SR.VBAR_EL1, 1, ~0x7ff, ALL);
def(sysreg(3, 0, 13, 0, 1), SR.CONTEXTIDR_EL1, 1, ALL, 0, TRAP_VM);
def(sysreg(3, 0, 13, 0, 4), SR.TPIDR_EL1, 1);
def(sysreg(3, 0, 14, 1, 0), SR.CNTKCTL_EL1, 1, 0x3ff, 0);
def(sysreg(3, 0, 4, 0, 0), SR.SPSR_EL1, 1, 0xf07003cf | 0, 0);
def(sysreg(3, 0, 4, 0, 1), SR.ELR_EL1, 1);
def(sysreg(3, 2, 0, 0, 0), SR.CSSELR_EL1, 1, 0xf, 0, TRAP_ID2);
def(sysreg(3, 3, 13, 0, 2), SR.TPIDR_EL0, 0);
def(sysreg(3, 3, 13, 0, 3), SR.TPIDRRO_EL0, 0);
// Debug registers: stored, inert (no breakpoints or watchpoints fire).
def(sysreg(2, 0, 0, 2, 2), SR.MDSCR_EL1, 1, 0x0000e03f | (1 << 15) | (1 << 13), 0);
def(sysreg(2, 0, 1, 3, 4), SR.OSDLR_EL1, 1, 1, 0);
def(sysreg(2, 0, 0, 2, 0), SR.MDCCINT_EL1, 1, 0x60000000, 0);
def(sysreg(2, 0, 1, 4, 4), SR.DBGPRCR_EL1, 1, 1, 0);
for (let n = 0; n < 6; n++) {
  def(sysreg(2, 0, 0, n, 4), SR.DBGBVR + n, 1);
  def(sysreg(2, 0, 0, n, 5), SR.DBGBCR + n, 1, 0x00f001e7 | (0xf << 20), 0);
}
for (let n = 0; n < 4; n++) {
  def(sysreg(2, 0, 0, n, 6), SR.DBGWVR + n, 1, ~3, ALL);
  def(sysreg(2, 0, 0, n, 7), SR.DBGWCR + n, 1, 0x1f001fff, 0);
}
// EL2 registers.
def(sysreg(3, 4, 1, 0, 0), SR.SCTLR_EL2, 2, ALL, 0, 0, true, 0x30c50830);
def(sysreg(3, 4, 1, 0, 1), SR.ACTLR_EL2, 2);
def(sysreg(3, 4, 1, 1, 1), SR.MDCR_EL2, 2, 0xfff, 0);
def(sysreg(3, 4, 1, 1, 2), SR.CPTR_EL2, 2, (1 << 31) | (1 << 20) | (1 << 10), 0, 0, false, 0x33ff);
def(sysreg(3, 4, 1, 1, 3), SR.HSTR_EL2, 2, 0xbfff, 0);
def(sysreg(3, 4, 1, 1, 7), SR.HACR_EL2, 2);
def(sysreg(3, 4, 2, 0, 0), SR.TTBR0_EL2, 2, ALL, 0xffff, 0, true);
def(sysreg(3, 4, 2, 0, 2), SR.TCR_EL2, 2, 0x0017ffbf, 0, 0, true, (1 << 31) | (1 << 23));
def(sysreg(3, 4, 2, 1, 0), SR.VTTBR_EL2, 2, ALL, ALL, 0, true);
def(sysreg(3, 4, 2, 1, 2), SR.VTCR_EL2, 2, 0x7ffff, 0, 0, true, 1 << 31);
def(sysreg(3, 4, 5, 2, 0), SR.ESR_EL2, 2, ALL, 0);
def(sysreg(3, 4, 5, 1, 0), SR.AFSR0_EL2, 2);
def(sysreg(3, 4, 5, 1, 1), SR.AFSR1_EL2, 2);
def(sysreg(3, 4, 6, 0, 0), SR.FAR_EL2, 2);
def(sysreg(3, 4, 6, 0, 4), SR.HPFAR_EL2, 2, ~0xf, 0xfff);
def(sysreg(3, 4, 10, 2, 0), SR.MAIR_EL2, 2, ALL, ALL, 0, true);
def(sysreg(3, 4, 10, 3, 0), SR.AMAIR_EL2, 2);
def(sysreg(3, 4, 12, 0, 0), SR.VBAR_EL2, 2, ~0x7ff, ALL);
def(sysreg(3, 4, 13, 0, 2), SR.TPIDR_EL2, 2);
def(sysreg(3, 4, 0, 0, 0), SR.VPIDR_EL2, 2, ALL, 0);
def(sysreg(3, 4, 0, 0, 5), SR.VMPIDR_EL2, 2, (~(1 << 31) & ~(1 << 29)) | 0, 0xff);
def(sysreg(3, 4, 4, 0, 0), SR.SPSR_EL2, 2, 0xf07003cf | 0, 0);
def(sysreg(3, 4, 4, 0, 1), SR.ELR_EL2, 2);

/** Looks up a register the CPU stores (for trap checks in system.ts). */
export function plainReg(enc: number): Plain | undefined {
  return plain.get(enc);
}

// Encodings of the registers handled case by case.
const E = {
  MIDR: sysreg(3, 0, 0, 0, 0),
  MPIDR: sysreg(3, 0, 0, 0, 5),
  REVIDR: sysreg(3, 0, 0, 0, 6),
  CCSIDR: sysreg(3, 1, 0, 0, 0),
  CLIDR: sysreg(3, 1, 0, 0, 1),
  AIDR: sysreg(3, 1, 0, 0, 7),
  CTR: sysreg(3, 3, 0, 0, 1),
  DCZID: sysreg(3, 3, 0, 0, 7),
  SP_EL0: sysreg(3, 0, 4, 1, 0),
  SP_EL1: sysreg(3, 4, 4, 1, 0),
  SPSEL: sysreg(3, 0, 4, 2, 0),
  CURRENTEL: sysreg(3, 0, 4, 2, 2),
  PAN: sysreg(3, 0, 4, 2, 3),
  NZCV: sysreg(3, 3, 4, 2, 0),
  DAIF: sysreg(3, 3, 4, 2, 1),
  FPCR: sysreg(3, 3, 4, 4, 0),
  FPSR: sysreg(3, 3, 4, 4, 1),
  ISR: sysreg(3, 0, 12, 1, 0),
  HCR: sysreg(3, 4, 1, 1, 0),
  OSLAR: sysreg(2, 0, 1, 0, 4),
  OSLSR: sysreg(2, 0, 1, 1, 4),
  MDRAR: sysreg(2, 0, 1, 0, 0),
  MDCCSR: sysreg(2, 3, 0, 1, 0),
  CLAIMSET: sysreg(2, 0, 7, 8, 6),
  CLAIMCLR: sysreg(2, 0, 7, 9, 6),
  AUTHSTATUS: sysreg(2, 0, 7, 14, 6),
} as const;

export class SysRegs {
  /** Slot storage: slot s is r[2s] (lo), r[2s+1] (hi). */
  readonly r = new Int32Array(SLOTS * 2);
  /** Result of read(). */
  lo = 0;
  hi = 0;
  private readonly cpu: Aarch64Cpu;
  /** The model's ID register values by encoding (lo, hi as a two-element array). */
  private readonly ids = new Map<number, [number, number]>();

  constructor(cpu: Aarch64Cpu) {
    this.cpu = cpu;
    const max = cpu.model === "max";
    const gic = cpu.sysRegDevice !== undefined ? 1 << 24 : 0;
    // EL0, EL1 (and EL2): AArch64 only; no EL3; FP and AdvSIMD implemented.
    const pfr0 = 0x11 | (cpu.hasEl2 ? 0x100 : 0) | gic;
    const id = (op2crm: [number, number], lo: number, hi = 0): void => {
      this.ids.set(sysreg(3, 0, 0, op2crm[0], op2crm[1]), [lo | 0, hi | 0]);
    };
    id([4, 0], pfr0);
    id([5, 0], 0x10305006); // ID_AA64DFR0: debug v8, 6 breakpoints, 4 watchpoints, no PMU
    // ID_AA64ISAR0 as QEMU's cortex-a57: AES (with PMULL), SHA1, SHA2, CRC32; "max" adds LSE.
    id([6, 0], 0x00011120 | (max ? 0x00200000 : 0));
    // ID_AA64MMFR0: 44-bit PA, 16-bit ASIDs, 4 KiB granule only (16/64 KiB not supported).
    id([7, 0], 0x0f000024);
    // ID_AA64MMFR1: "max" has PAN.
    id([7, 1], max ? 0x00100000 : 0);
  }

  reset(): void {
    const r = this.r;
    r.fill(0);
    const max = this.cpu.model === "max";
    r[SR.SCTLR_EL1 * 2] = 0x00c50838 | (max ? 1 << 23 : 0);
    r[SR.SCTLR_EL2 * 2] = 0x30c50830;
    r[SR.CPTR_EL2 * 2] = 0x33ff;
    r[SR.VTCR_EL2 * 2] = 1 << 31;
    r[SR.TCR_EL2 * 2] = (1 << 31) | (1 << 23);
    r[SR.HCR_EL2 * 2] = this.cpu.hasEl2 ? 0 : 1 << HCR.RW;
    r[SR.CNTFRQ * 2] = 62_500_000;
    r[SR.OSLK * 2] = 1;
    r[SR.VPIDR_EL2 * 2] = this.cpu.midr;
    r[SR.VMPIDR_EL2 * 2] = this.cpu.mpidrLo;
    r[SR.VMPIDR_EL2 * 2 + 1] = this.cpu.mpidrHi;
  }

  /** The ID register value set (for trap checks: is `enc` a group-3 ID register). */
  isIdReg(enc: number): boolean {
    // op0=3, op1=0, CRn=0, CRm=1..7: the ID space (unallocated ones read as zero).
    return enc >>> 11 === 0b11000 && ((enc >>> 7) & 15) === 0 && ((enc >>> 3) & 15) >= 1;
  }

  /**
   * Reads register `enc` as seen from EL `el` (virtualised ID values at EL1); result in lo/hi.
   * False if the CPU has no such register (the caller may try the sysreg device).
   */
  read(enc: number, el: number, _fromInsn: boolean): boolean {
    const cpu = this.cpu;
    const r = this.r;
    const p = plain.get(enc);
    if (p !== undefined) {
      if (p.minEl === 2 && !cpu.hasEl2) return false;
      this.lo = r[p.slot * 2]! | p.res1;
      this.hi = r[p.slot * 2 + 1]!;
      return true;
    }
    if (this.isIdReg(enc)) {
      const v = this.ids.get(enc);
      this.lo = v?.[0] ?? 0;
      this.hi = v?.[1] ?? 0;
      return true;
    }
    this.hi = 0;
    switch (enc) {
      case E.MIDR:
        // EL1 reads VPIDR_EL2 when EL2 is implemented.
        this.lo = el < 2 && cpu.hasEl2 ? r[SR.VPIDR_EL2 * 2]! : cpu.midr;
        return true;
      case E.MPIDR:
        if (el < 2 && cpu.hasEl2) {
          this.lo = r[SR.VMPIDR_EL2 * 2]! | (1 << 31);
          this.hi = r[SR.VMPIDR_EL2 * 2 + 1]!;
        } else {
          this.lo = cpu.mpidrLo;
          this.hi = cpu.mpidrHi;
        }
        return true;
      case E.REVIDR:
      case E.AIDR:
        this.lo = 0;
        return true;
      case E.CCSIDR: {
        const sel = r[SR.CSSELR_EL1 * 2]!;
        this.lo = sel === 0 ? 0x701fe00a : sel === 1 ? 0x201fe012 : sel === 2 ? 0x70ffe07a : 0;
        return true;
      }
      case E.CLIDR:
        this.lo = 0x0a200023;
        return true;
      case E.CTR:
        this.lo = 0x8444c004 | 0;
        return true;
      case E.DCZID: {
        // 64-byte blocks; DZP when DC ZVA would trap or is prohibited at this EL.
        const dzp =
          (el < 2 && cpu.hcrHi(HCR.TDZ)) || (el === 0 && (r[SR.SCTLR_EL1 * 2]! & (1 << 14)) === 0);
        this.lo = 4 | (dzp ? 16 : 0);
        return true;
      }
      case E.SP_EL0:
      case E.SP_EL1: {
        const n = enc === E.SP_EL0 ? 0 : 1;
        if (n === 1 && !cpu.hasEl2) return false;
        const act = cpu.activeSpIndex() === n;
        this.lo = act ? cpu.x[62]! : cpu.spBank[n * 2]!;
        this.hi = act ? cpu.x[63]! : cpu.spBank[n * 2 + 1]!;
        return true;
      }
      case E.SPSEL:
        this.lo = cpu.spsel;
        return true;
      case E.CURRENTEL:
        this.lo = cpu.el << 2;
        return true;
      case E.PAN:
        if (cpu.model !== "max") return false;
        this.lo = cpu.pan << 22;
        return true;
      case E.NZCV:
        this.lo = (cpu.nf << 31) | (cpu.zf << 30) | (cpu.cf << 29) | (cpu.vf << 28);
        return true;
      case E.DAIF:
        this.lo = cpu.daif;
        return true;
      case E.FPCR:
        this.lo = cpu.fp.fpcr;
        return true;
      case E.FPSR:
        this.lo = cpu.fp.fpsr;
        return true;
      case E.ISR:
        this.lo = this.isr(el);
        return true;
      case E.HCR:
        if (!cpu.hasEl2) return false;
        this.lo = r[SR.HCR_EL2 * 2]!;
        this.hi = r[SR.HCR_EL2 * 2 + 1]!;
        return true;
      case E.OSLSR:
        // OSLM = 0b10 (OS lock implemented), OSLK.
        this.lo = 8 | (r[SR.OSLK * 2]! << 1);
        return true;
      case E.MDRAR:
      case E.MDCCSR:
      case E.AUTHSTATUS:
        this.lo = 0;
        return true;
      case E.CLAIMSET:
        this.lo = 0xff;
        return true;
      case E.CLAIMCLR:
        this.lo = r[SR.DBGCLAIM * 2]!;
        return true;
      default:
        return cpu.timer.read(enc, this);
    }
  }

  /** ISR_EL1: A, I, F pending as seen by EL1 (virtual when routed to EL2). */
  private isr(el: number): number {
    const cpu = this.cpu;
    const h = this.r[SR.HCR_EL2 * 2]!;
    const imo = cpu.hasEl2 && el < 2 && (h & (1 << HCR.IMO)) !== 0;
    const fmo = cpu.hasEl2 && el < 2 && (h & (1 << HCR.FMO)) !== 0;
    const amo = cpu.hasEl2 && el < 2 && (h & (1 << HCR.AMO)) !== 0;
    let v = 0;
    if (imo ? (h & (1 << HCR.VI)) !== 0 || cpu.virqLine : cpu.irqLine) v |= 1 << 7;
    if (fmo ? (h & (1 << HCR.VF)) !== 0 || cpu.vfiqLine : cpu.fiqLine) v |= 1 << 6;
    if (amo && (h & (1 << HCR.VSE)) !== 0) v |= 1 << 8;
    return v;
  }

  /** Writes register `enc`; false if it does not exist or is read-only. */
  write(enc: number, lo: number, hi: number, el: number, _fromInsn: boolean): boolean {
    const cpu = this.cpu;
    const r = this.r;
    const p = plain.get(enc);
    if (p !== undefined) {
      if (p.minEl === 2 && !cpu.hasEl2) return false;
      const s = p.slot * 2;
      const oldLo = r[s]!;
      const oldHi = r[s + 1]!;
      r[s] = (oldLo & ~p.wlo) | (lo & p.wlo) | p.res1;
      r[s + 1] = (oldHi & ~p.whi) | (hi & p.whi);
      if (p.slot === SR.SCTLR_EL1) {
        const res1 = cpu.model === "max" ? 0x30500800 : 0x30d00800;
        r[s] = r[s]! | res1;
      }
      if (p.tlb && (r[s] !== oldLo || r[s + 1] !== oldHi)) {
        // Translation tables (TTBRs, VTTBR) select an address space; the controls flush.
        if (p.slot === SR.TTBR0_EL1 || p.slot === SR.TTBR1_EL1 || p.slot === SR.VTTBR_EL2) {
          cpu.updateAsid();
        } else cpu.flushTlb();
      }
      cpu.updateCtx();
      return true;
    }
    switch (enc) {
      case E.SP_EL0:
      case E.SP_EL1: {
        const n = enc === E.SP_EL0 ? 0 : 1;
        if (n === 1 && !cpu.hasEl2) return false;
        if (cpu.activeSpIndex() === n) {
          cpu.x[62] = lo;
          cpu.x[63] = hi;
        } else {
          cpu.spBank[n * 2] = lo;
          cpu.spBank[n * 2 + 1] = hi;
        }
        return true;
      }
      case E.SPSEL:
        cpu.setPstateEl(cpu.el, lo & 1);
        return true;
      case E.PAN:
        if (cpu.model !== "max") return false;
        cpu.pan = (lo >>> 22) & 1;
        cpu.updateCtx();
        return true;
      case E.NZCV:
        cpu.nf = (lo >>> 31) & 1;
        cpu.zf = (lo >>> 30) & 1;
        cpu.cf = (lo >>> 29) & 1;
        cpu.vf = (lo >>> 28) & 1;
        return true;
      case E.DAIF:
        cpu.daif = lo & 0x3c0;
        cpu.sliceBreak = true;
        return true;
      case E.FPCR:
        // AHP, DN, FZ, RMode (the FP exception trap enables are RAZ/WI on these models).
        cpu.fp.fpcr = lo & FPCR_WRITABLE;
        return true;
      case E.FPSR:
        // The cumulative flags and QC (NZCV of FPSR is AArch32 only).
        cpu.fp.fpsr = lo & 0x0800009f;
        return true;
      case E.HCR: {
        if (!cpu.hasEl2) return false;
        // RW is RES1 (EL1 is AArch64), E2H and the other high bits are not implemented.
        const nlo = (lo & 0x7fffffff) | (1 << HCR.RW);
        const nhi = hi & 0x3; // CD, ID
        // Bits that change translation (VM, PTW, DC, TGE, CD, ID) flush cached translations.
        const xl =
          (nlo ^ r[SR.HCR_EL2 * 2]!) &
          ((1 << HCR.VM) | (1 << HCR.PTW) | (1 << HCR.DC) | (1 << HCR.TGE));
        const xh = nhi ^ r[SR.HCR_EL2 * 2 + 1]!;
        r[SR.HCR_EL2 * 2] = nlo;
        r[SR.HCR_EL2 * 2 + 1] = nhi;
        if (xl !== 0 || xh !== 0) cpu.flushTlb();
        cpu.updateCtx();
        cpu.sliceBreak = true;
        return true;
      }
      case E.OSLAR:
        r[SR.OSLK * 2] = lo & 1;
        return true;
      case E.CLAIMSET:
        r[SR.DBGCLAIM * 2] = r[SR.DBGCLAIM * 2]! | (lo & 0xff);
        return true;
      case E.CLAIMCLR:
        r[SR.DBGCLAIM * 2] = r[SR.DBGCLAIM * 2]! & ~lo;
        return true;
      case E.MDCCSR:
        return false;
      default:
        if (this.isIdReg(enc)) return false;
        return cpu.timer.write(enc, lo, hi, el);
    }
  }
}
