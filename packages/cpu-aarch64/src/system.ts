/**
 * Branches, exception generation (SVC/HVC/SMC/BRK), and the system instruction space:
 * hints, barriers, MSR (immediate), MRS/MSR (register) with their EL and trap checks, and
 * SYS operations (DC, IC, AT, TLBI).
 */

import type { Aarch64Cpu } from "./cpu.js";
import { EC } from "./cpu.js";
import { condHolds as condHoldsFn } from "./execute.js";
import { fpAccessCheck } from "./fpsimd-bridge.js";
import { ACC_LOAD, ACC_STORE, CTX_EL0, CTX_EL1, CTX_EL2 } from "./mmu.js";
import { sysreg } from "./sysreg-encoding.js";
import { HCR, plainReg, SR, TRAP_ACR, TRAP_ID1, TRAP_ID2, TRAP_ID3, TRAP_VM } from "./sysregs.js";

const TWO32 = 4294967296;
// Local binding (see cpu.ts).
const condHolds = condHoldsFn;

export function branchSystem(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  if ((insn & 0x7c000000) === 0x14000000) {
    // B / BL
    if (insn < 0) {
      const r = cpu.pc;
      x[60] = r | 0;
      x[61] = Math.floor(r / TWO32) | 0;
    }
    cpu.pc = cpu.curPc + ((insn << 6) >> 6) * 4;
    return;
  }
  if ((insn & 0x7e000000) === 0x34000000) {
    // CBZ / CBNZ
    const rt = insn & 31;
    const zero = rt === 31 || (insn < 0 ? (x[rt * 2]! | x[rt * 2 + 1]!) === 0 : x[rt * 2]! === 0);
    if (zero === ((insn & (1 << 24)) === 0)) cpu.pc = cpu.curPc + ((insn << 8) >> 13) * 4;
    return;
  }
  if ((insn & 0x7e000000) === 0x36000000) {
    // TBZ / TBNZ
    const rt = insn & 31;
    const bit = ((insn >>> 26) & 32) | ((insn >>> 19) & 31);
    const v =
      rt === 31 ? 0 : bit < 32 ? (x[rt * 2]! >>> bit) & 1 : (x[rt * 2 + 1]! >>> (bit - 32)) & 1;
    if ((v === 0) === ((insn & (1 << 24)) === 0)) cpu.pc = cpu.curPc + ((insn << 13) >> 18) * 4;
    return;
  }
  if ((insn & 0xff000010) >>> 0 === 0x54000000) {
    if (condHolds(cpu, insn & 15)) cpu.pc = cpu.curPc + ((insn << 8) >> 13) * 4;
    return;
  }
  if ((insn & 0xfe000000) >>> 0 === 0xd6000000) {
    branchRegister(cpu, insn);
    return;
  }
  if ((insn & 0xff000000) >>> 0 === 0xd4000000) {
    exceptionGeneration(cpu, insn);
    return;
  }
  if ((insn & 0xffc00000) >>> 0 === 0xd5000000) {
    system(cpu, insn);
    return;
  }
  cpu.undefinedInstruction();
}

/** The PC value a branch to register value (lo, hi) produces (tag bits dropped under TBI). */
function branchTarget(cpu: Aarch64Cpu, lo: number, hi: number): number {
  const top = hi >> 23;
  if (top !== 0 && top !== -1) {
    // Bits 63:56 are replaced by bit 55 when top-byte-ignore applies to the address.
    const el = cpu.el;
    const b55 = (hi >>> 23) & 1;
    let tbi: boolean;
    if (el === 2) tbi = (cpu.sys.r[SR.TCR_EL2 * 2]! & (1 << 20)) !== 0;
    else tbi = (cpu.sys.r[SR.TCR_EL1 * 2 + 1]! & (b55 ? 1 << 6 : 1 << 5)) !== 0;
    if (tbi) hi = b55 ? hi | 0xff000000 : hi & 0x00ffffff;
  }
  return hi * TWO32 + (lo >>> 0);
}

function branchRegister(cpu: Aarch64Cpu, insn: number): void {
  const x = cpu.x;
  const opc = (insn >>> 21) & 15;
  const op2 = (insn >>> 16) & 31;
  const op3 = (insn >>> 10) & 63;
  const rn = (insn >>> 5) & 31;
  const op4 = insn & 31;
  if (op2 !== 31 || op3 !== 0 || op4 !== 0) cpu.undefinedInstruction();
  switch (opc) {
    case 0:
    case 1:
    case 2: {
      const lo = rn === 31 ? 0 : x[rn * 2]!;
      const hi = rn === 31 ? 0 : x[rn * 2 + 1]!;
      if (opc === 1) {
        const r = cpu.pc;
        x[60] = r | 0;
        x[61] = Math.floor(r / TWO32) | 0;
      }
      cpu.pc = branchTarget(cpu, lo, hi);
      return;
    }
    case 4:
      if (rn !== 31 || cpu.el === 0) cpu.undefinedInstruction();
      cpu.eret();
      return;
    default:
      cpu.undefinedInstruction();
  }
}

function exceptionGeneration(cpu: Aarch64Cpu, insn: number): void {
  const opc = (insn >>> 21) & 7;
  const ll = insn & 3;
  const imm16 = (insn >>> 5) & 0xffff;
  if (((insn >>> 2) & 7) !== 0) cpu.undefinedInstruction();
  if (opc === 0 && ll === 1) {
    cpu.exception(EC.SVC, imm16, false, true);
  }
  if (opc === 0 && ll === 2) {
    // HVC
    if (cpu.el === 0) cpu.undefinedInstruction();
    if (!cpu.hasEl2) {
      if (cpu.firmware?.(cpu, "hvc", imm16)) return;
      cpu.undefinedInstruction();
    }
    if (cpu.hcrHi(HCR.HCD)) cpu.undefinedInstruction();
    cpu.exception(EC.HVC, imm16, true, true);
  }
  if (opc === 0 && ll === 3) {
    // SMC: no EL3. Trapped to EL2 by HCR_EL2.TSC from EL1; else the emulator's firmware.
    if (cpu.el === 0) cpu.undefinedInstruction();
    if (cpu.el === 1 && cpu.hcrHi(HCR.TSC)) cpu.exception(EC.SMC, imm16, true, false);
    if (cpu.firmware?.(cpu, "smc", imm16)) return;
    cpu.undefinedInstruction();
  }
  if (opc === 1 && ll === 0) {
    if (cpu.debugBreakpoints) {
      // Not executed: the CPU stops at the BRK for the debugger.
      cpu.pc = cpu.curPc;
      cpu.instructions--;
      cpu.debugBreakHit = true;
      cpu.sliceBreak = true;
      cpu.yieldRun = true;
      return;
    }
    // MDCR_EL2.TDE (bit 8) routes debug exceptions from EL1 and EL0 to EL2: a hypervisor's
    // debugger takes the guest's breakpoints.
    const tde = cpu.el < 2 && cpu.hasEl2 && (cpu.sys.r[SR.MDCR_EL2 * 2]! & (1 << 8)) !== 0;
    cpu.exception(EC.BRK, imm16, tde, false);
  }
  cpu.undefinedInstruction();
}

/** ISS of a trapped MSR/MRS/SYS (EC 0x18). */
function sysIss(
  op0: number,
  op1: number,
  crn: number,
  crm: number,
  op2: number,
  rt: number,
  read: boolean,
): number {
  return (
    (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0)
  );
}

function system(cpu: Aarch64Cpu, insn: number): void {
  const l = (insn >>> 21) & 1;
  const op0 = (insn >>> 19) & 3;
  const op1 = (insn >>> 16) & 7;
  const crn = (insn >>> 12) & 15;
  const crm = (insn >>> 8) & 15;
  const op2 = (insn >>> 5) & 7;
  const rt = insn & 31;
  if (op0 === 0) {
    if (l !== 0) cpu.undefinedInstruction();
    if (crn === 2 && rt === 31) {
      hint(cpu, (crm << 3) | op2);
      return;
    }
    if (crn === 3 && rt === 31) {
      // CLREX, DSB, DMB, ISB (SB is not advertised).
      if (op1 !== 3) cpu.undefinedInstruction();
      if (op2 === 2) cpu.exclAddr = -1;
      else if (op2 < 4 || op2 > 6) cpu.undefinedInstruction();
      else if (op2 === 6) cpu.dropFetchPage();
      return;
    }
    if (crn === 4 && rt === 31) {
      msrImmediate(cpu, op1, crm, op2);
      return;
    }
    cpu.undefinedInstruction();
  }
  if (op0 === 1) {
    if (l !== 0) cpu.undefinedInstruction();
    sysOp(cpu, op1, crn, crm, op2, rt);
    return;
  }
  msrMrs(cpu, l === 1, op0, op1, crn, crm, op2, rt);
}

function hint(cpu: Aarch64Cpu, op: number): void {
  switch (op) {
    case 2: // WFE
    case 3: {
      // WFI
      const wfe = op === 2;
      if (cpu.el < 2) {
        const sctlr1 = cpu.sys.r[SR.SCTLR_EL1 * 2]!;
        // SCTLR_EL1.nTWE (18) / nTWI (16) = 0 traps EL0 to EL1 (EL2 with TGE).
        if (cpu.el === 0 && (sctlr1 & (wfe ? 1 << 18 : 1 << 16)) === 0) {
          cpu.exception(EC.WFX, 0x1e00000 | (wfe ? 1 : 0), false);
        }
        if (cpu.hcrHi(wfe ? HCR.TWE : HCR.TWI))
          cpu.exception(EC.WFX, 0x1e00000 | (wfe ? 1 : 0), true);
      }
      if (wfe) {
        // An event pending: consume it. Otherwise give other CPUs the rest of the slice.
        if (cpu.event) cpu.event = false;
        else cpu.sliceBreak = true;
        return;
      }
      if (!cpu.interruptPending()) {
        cpu.wfiExit = true;
        cpu.sliceBreak = true;
      }
      return;
    }
    case 4: // SEV
    case 5: // SEVL
      cpu.event = true;
      return;
    default:
      // NOP, YIELD, ESB, PSB, CSDB, and the PAC/BTI hints of CPUs without PAC/BTI.
      return;
  }
}

function msrImmediate(cpu: Aarch64Cpu, op1: number, crm: number, op2: number): void {
  if (op1 === 3 && (op2 === 6 || op2 === 7)) {
    // DAIFSet / DAIFClr: EL0 needs SCTLR_EL1.UMA.
    if (cpu.el === 0 && (cpu.sys.r[SR.SCTLR_EL1 * 2]! & (1 << 9)) === 0) {
      cpu.exception(EC.SYSREG, sysIss(0, op1, 4, crm, op2, 31, false), false);
    }
    const bits = (crm & 15) << 6;
    if (op2 === 6) cpu.daif |= bits;
    else cpu.daif &= ~bits;
    cpu.sliceBreak = true;
    return;
  }
  if (cpu.el === 0) cpu.undefinedInstruction();
  if (op1 === 0 && op2 === 5) {
    cpu.setPstateEl(cpu.el, crm & 1);
    return;
  }
  if (op1 === 0 && op2 === 4 && cpu.model === "max") {
    cpu.pan = crm & 1;
    cpu.updateCtx();
    return;
  }
  cpu.undefinedInstruction();
}

// ------------------------------------------------------------------ MRS / MSR

const ENC_CTR = sysreg(3, 3, 0, 0, 1);
const ENC_DCZID = sysreg(3, 3, 0, 0, 7);
const ENC_NZCV = sysreg(3, 3, 4, 2, 0);
const ENC_DAIF = sysreg(3, 3, 4, 2, 1);
const ENC_FPCR = sysreg(3, 3, 4, 4, 0);
const ENC_FPSR = sysreg(3, 3, 4, 4, 1);
const ENC_SP_EL0 = sysreg(3, 0, 4, 1, 0);
const ENC_REVIDR = sysreg(3, 0, 0, 0, 6);
const ENC_AIDR = sysreg(3, 1, 0, 0, 7);
const ENC_CCSIDR = sysreg(3, 1, 0, 0, 0);
const ENC_CLIDR = sysreg(3, 1, 0, 0, 1);
const ENC_CNTFRQ = sysreg(3, 3, 14, 0, 0);
const ENC_CNTPCT = sysreg(3, 3, 14, 0, 1);
const ENC_CNTVCT = sysreg(3, 3, 14, 0, 2);
/** ICC_PMR_EL1 is the one GICv3 CPU interface register outside CRn = 12. */
const ENC_ICC_PMR = sysreg(3, 0, 4, 6, 0);

function msrMrs(
  cpu: Aarch64Cpu,
  read: boolean,
  op0: number,
  op1: number,
  crn: number,
  crm: number,
  op2: number,
  rt: number,
): void {
  const x = cpu.x;
  const el = cpu.el;
  const enc = sysreg(op0, op1, crn, crm, op2);
  const iss = sysIss(op0, op1, crn, crm, op2, rt, read);
  // The lowest EL the encoding space allows (op1: 0-2 EL1, 3 EL0, 4-5 EL2, 6 EL3, 7 EL1).
  const minEl = op1 === 3 ? 0 : op1 === 4 || op1 === 5 ? 2 : op1 === 6 ? 3 : 1;
  if (el < minEl || (minEl === 2 && !cpu.hasEl2) || minEl === 3) cpu.undefinedInstruction();
  const hcr = cpu.hasEl2 ? cpu.sys.r[SR.HCR_EL2 * 2]! : 0;
  const toEl2 = el < 2 && cpu.hasEl2;
  if (el === 0) el0Access(cpu, enc, iss);
  const dev = cpu.sysRegDevice;
  // GICv3 CPU interface registers (CRn = 12, CRm >= 8, and ICC_PMR_EL1) go to the device.
  if (dev !== undefined && op0 === 3 && ((crn === 12 && crm >= 8) || enc === ENC_ICC_PMR)) {
    const tge = (hcr & (1 << HCR.TGE)) !== 0;
    const ctx = {
      el,
      irqVirtual: el < 2 && !tge && (hcr & (1 << HCR.IMO)) !== 0,
      fiqVirtual: el < 2 && !tge && (hcr & (1 << HCR.FMO)) !== 0,
    };
    // The SGI generation registers have no virtual (ICV) form: with IMO/FMO routing
    // interrupts to EL2, an EL1 write traps to EL2, which sends the virtual SGI itself.
    if (
      !read &&
      (ctx.irqVirtual || ctx.fiqVirtual) &&
      op1 === 0 &&
      crn === 12 &&
      crm === 11 &&
      op2 >= 5
    ) {
      cpu.exception(EC.SYSREG, iss, true);
    }
    if (read) {
      const v = dev.read(cpu.cpuId, enc, ctx);
      if (v === undefined) cpu.undefinedInstruction();
      if (rt !== 31) {
        x[rt * 2] = Number(v & 0xffffffffn) | 0;
        x[rt * 2 + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
      }
    } else {
      const lo = rt === 31 ? 0 : x[rt * 2]!;
      const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
      const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      if (!dev.write(cpu.cpuId, enc, v, ctx)) cpu.undefinedInstruction();
      cpu.sliceBreak = true;
    }
    return;
  }
  // EL2 trap controls on EL0/EL1 accesses.
  if (toEl2) {
    const p = plainReg(enc);
    let group = p?.trap ?? 0;
    if (cpu.sys.isIdReg(enc)) group = TRAP_ID3;
    else if (enc === ENC_REVIDR || enc === ENC_AIDR) group = TRAP_ID1;
    else if (enc === ENC_CTR || enc === ENC_CCSIDR || enc === ENC_CLIDR) group = TRAP_ID2;
    if (group !== 0) {
      const trapped =
        (group === TRAP_VM && (hcr & (1 << (read ? HCR.TRVM : HCR.TVM))) !== 0) ||
        (group === TRAP_ACR && (hcr & (1 << HCR.TACR)) !== 0) ||
        (group === TRAP_ID1 && read && (hcr & (1 << HCR.TID1)) !== 0) ||
        (group === TRAP_ID2 && (hcr & (1 << HCR.TID2)) !== 0) ||
        (group === TRAP_ID3 && read && (hcr & (1 << HCR.TID3)) !== 0);
      if (trapped) cpu.exception(EC.SYSREG, iss, true);
    }
    // CNTHCTL_EL2.EL1PCTEN (bit 0) / EL1PCEN (bit 1) gate the physical counter and timer.
    if (op0 === 3 && op1 === 3 && crn === 14) {
      const cnthctl = cpu.sys.r[SR.CNTHCTL_EL2 * 2]!;
      if (enc === ENC_CNTPCT && (cnthctl & 1) === 0 && !(hcr & (1 << HCR.TGE))) {
        cpu.exception(EC.SYSREG, iss, true);
      }
      if (crm === 2 && (cnthctl & 2) === 0 && !(hcr & (1 << HCR.TGE)))
        cpu.exception(EC.SYSREG, iss, true);
    }
  }
  if (enc === ENC_FPCR || enc === ENC_FPSR) fpAccessCheck(cpu);
  // SP_EL0 is accessible only while SP_ELx is selected.
  if (enc === ENC_SP_EL0 && cpu.spsel === 0) cpu.undefinedInstruction();
  const sys = cpu.sys;
  if (read) {
    if (!sys.read(enc, el, true)) cpu.undefinedInstruction();
    if (rt !== 31) {
      x[rt * 2] = sys.lo;
      x[rt * 2 + 1] = sys.hi;
    }
  } else {
    const lo = rt === 31 ? 0 : x[rt * 2]!;
    const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
    if (!sys.write(enc, lo, hi, el, true)) cpu.undefinedInstruction();
  }
}

/** EL0 access controls of the registers EL0 may reach. */
function el0Access(cpu: Aarch64Cpu, enc: number, iss: number): void {
  const r = cpu.sys.r;
  const sctlr = r[SR.SCTLR_EL1 * 2]!;
  const trap = (): never => cpu.exception(EC.SYSREG, iss, false);
  if (enc === ENC_NZCV || enc === ENC_FPCR || enc === ENC_FPSR || enc === ENC_DCZID) return;
  if (enc === ENC_DAIF) {
    if ((sctlr & (1 << 9)) === 0) trap();
    return;
  }
  if (enc === ENC_CTR) {
    if ((sctlr & (1 << 15)) === 0) trap();
    return;
  }
  if (enc === sysreg(3, 3, 13, 0, 2) || enc === sysreg(3, 3, 13, 0, 3)) {
    // TPIDR_EL0 read/write; TPIDRRO_EL0 read-only from EL0.
    if (enc === sysreg(3, 3, 13, 0, 3) && (iss & 1) === 0) cpu.undefinedInstruction();
    return;
  }
  if (enc >>> 7 === ((3 << 7) | (3 << 4) | 14)) {
    // Generic timer: CNTKCTL_EL1 controls.
    const k = r[SR.CNTKCTL_EL1 * 2]!;
    const crm = (enc >>> 3) & 15;
    let ok: boolean;
    if (enc === ENC_CNTFRQ) ok = (k & 3) !== 0;
    else if (enc === ENC_CNTPCT) ok = (k & 1) !== 0;
    else if (enc === ENC_CNTVCT) ok = (k & 2) !== 0;
    else if (crm === 2) ok = (k & (1 << 9)) !== 0;
    else if (crm === 3) ok = (k & (1 << 8)) !== 0;
    else ok = false;
    if (!ok) trap();
    return;
  }
  cpu.undefinedInstruction();
}

// ------------------------------------------------------------------ SYS: DC, IC, AT, TLBI

function sysOp(
  cpu: Aarch64Cpu,
  op1: number,
  crn: number,
  crm: number,
  op2: number,
  rt: number,
): void {
  const el = cpu.el;
  const x = cpu.x;
  const iss = sysIss(1, op1, crn, crm, op2, rt, false);
  const hcr = cpu.hasEl2 ? cpu.sys.r[SR.HCR_EL2 * 2]! : 0;
  const lowerEl = el < 2 && cpu.hasEl2;
  if (crn === 7) {
    const key = (op1 << 8) | (crm << 4) | op2;
    switch (key) {
      case 0x010: // IC IALLUIS
      case 0x050: // IC IALLU
        if (el === 0) cpu.undefinedInstruction();
        if (lowerEl && hcr & (1 << HCR.TPU)) cpu.exception(EC.SYSREG, iss, true);
        cpu.dropFetchPage();
        cpu.codeBarrier(-1);
        return;
      case 0x351: // IC IVAU
        if (el === 0 && (cpu.sys.r[SR.SCTLR_EL1 * 2]! & (1 << 26)) === 0)
          cpu.exception(EC.SYSREG, iss, false);
        if (lowerEl && hcr & (1 << HCR.TPU)) cpu.exception(EC.SYSREG, iss, true);
        cpu.dropFetchPage();
        cpu.codeBarrier(cpu.cachedPage(rt === 31 ? 0 : x[rt * 2]!, rt === 31 ? 0 : x[rt * 2 + 1]!));
        return;
      case 0x341: // DC ZVA
        dcZva(cpu, rt, iss, hcr);
        return;
      case 0x061: // DC IVAC
      case 0x062: // DC ISW
      case 0x0a2: // DC CSW
      case 0x0e2: // DC CISW
      case 0x3a1: // DC CVAC
      case 0x3b1: // DC CVAU
      case 0x3e1: // DC CIVAC
      case 0x3c1: // DC CVAP
        if (key === 0x3c1) cpu.undefinedInstruction(); // DC CVAP needs FEAT_DPB
        if (op1 === 0 && el === 0) cpu.undefinedInstruction();
        if (op1 === 3 && el === 0 && (cpu.sys.r[SR.SCTLR_EL1 * 2]! & (1 << 26)) === 0) {
          cpu.exception(EC.SYSREG, iss, false);
        }
        if (lowerEl) {
          const setWay = (op2 & 2) !== 0 && op1 === 0;
          if (setWay && hcr & (1 << HCR.TSW)) cpu.exception(EC.SYSREG, iss, true);
          if (!setWay && hcr & (1 << HCR.TPCP)) cpu.exception(EC.SYSREG, iss, true);
        }
        if (key === 0x061 && el === 1) {
          // DC IVAC needs write permission (it may discard data): check the translation.
          const lo = rt === 31 ? 0 : x[rt * 2]!;
          const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
          cpu.mmu.cm = true;
          try {
            cpu.mmu.translate(lo & ~63, hi, ACC_STORE, cpu.dataCtx, 1);
          } finally {
            cpu.mmu.cm = false;
          }
        }
        return;
      default:
        break;
    }
    if (crm === 8 && op1 !== 3 && el > 0) {
      at(cpu, op1, op2, rt);
      return;
    }
    cpu.undefinedInstruction();
  }
  if (crn === 8) {
    // TLBI. By VA (VAE1, VAAE1, VALE1, VAALE1, VAE2, VALE2 and their IS forms): that page in
    // every address space (a superset of what the operation names, which is allowed). Every
    // other form (by ASID, all, by IPA) drops the whole software TLB.
    if (el === 0) cpu.undefinedInstruction();
    if (op1 === 4 && el < 2) cpu.undefinedInstruction();
    if (op1 !== 0 && op1 !== 4) cpu.undefinedInstruction();
    if (el === 1 && cpu.hasEl2 && hcr & (1 << HCR.TTLB)) cpu.exception(EC.SYSREG, iss, true);
    if (crm !== 3 && crm !== 7 && crm !== 4 && crm !== 0) cpu.undefinedInstruction();
    const byVa = (crm === 3 || crm === 7) && (op1 === 0 ? (op2 & 1) === 1 : op2 === 1 || op2 === 5);
    // Inner Shareable forms (CRm 3, and CRm 0 for IPAS2E1IS), or any EL1 TLBI with
    // HCR_EL2.FB, reach every CPU on the same RAM; the others only this one.
    const broadcast =
      crm === 3 || crm === 0 || (el === 1 && cpu.hasEl2 && (hcr & (1 << HCR.FB)) !== 0);
    const targets = broadcast ? cpu.shareDomain : [cpu];
    if (byVa) {
      // Xt[43:0] = VA[55:12], sign-extended from VA bit 55 like the TLB's page keys.
      const lo = rt === 31 ? 0 : x[rt * 2]!;
      const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
      const page = ((hi << 20) >> 20) * TWO32 + (lo >>> 0);
      for (const c of targets) c.flushTlbPage(page);
    } else for (const c of targets) c.flushTlb();
    return;
  }
  cpu.undefinedInstruction();
}

function dcZva(cpu: Aarch64Cpu, rt: number, iss: number, hcr: number): void {
  const el = cpu.el;
  if (el === 0 && (cpu.sys.r[SR.SCTLR_EL1 * 2]! & (1 << 14)) === 0)
    cpu.exception(EC.SYSREG, iss, false);
  if (el < 2 && cpu.hasEl2 && hcr & (1 << HCR.TDZ)) cpu.exception(EC.SYSREG, iss, true);
  const x = cpu.x;
  const lo = (rt === 31 ? 0 : x[rt * 2]!) & ~63;
  const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
  const pa = cpu.mmu.translate(lo, hi, ACC_STORE, cpu.dataCtx, 8);
  const ro = pa - cpu.ramBase;
  cpu.notifyExternalWrite(pa, 64);
  if (ro >= 0 && ro + 64 <= cpu.ramSize) {
    cpu.ram.fill(0, ro, ro + 64);
    return;
  }
  for (let i = 0; i < 64; i += 8) {
    if (!cpu.bus.store(pa + i, 8, 0n)) cpu.mmu.externalAbort(lo + i, hi, ACC_STORE);
  }
}

/** AT S1E1R/W, S1E0R/W, S1E2R/W, S12E1R/W, S12E0R/W: the result goes to PAR_EL1. */
function at(cpu: Aarch64Cpu, op1: number, op2: number, rt: number): void {
  const el = cpu.el;
  const x = cpu.x;
  let ctx: number;
  let s1only = true;
  if (op1 === 0 && op2 < 4) {
    // S1E1R, S1E1W (op2 0, 1), S1E0R, S1E0W (2, 3)
    ctx = op2 < 2 ? (cpu.pan ? 2 : CTX_EL1) : CTX_EL0;
  } else if (op1 === 4 && op2 < 2) {
    if (el < 2) cpu.undefinedInstruction();
    ctx = CTX_EL2;
  } else if (op1 === 4 && op2 >= 4 && op2 < 8) {
    // S12E1R/W (4, 5), S12E0R/W (6, 7)
    if (el < 2) cpu.undefinedInstruction();
    ctx = op2 < 6 ? CTX_EL1 : CTX_EL0;
    s1only = false;
  } else {
    cpu.undefinedInstruction();
  }
  const write = (op2 & 1) !== 0;
  const lo = rt === 31 ? 0 : x[rt * 2]!;
  const hi = rt === 31 ? 0 : x[rt * 2 + 1]!;
  const mmu = cpu.mmu;
  const pa = mmu.walk(lo, hi, write ? ACC_STORE : ACC_LOAD, ctx, s1only || ctx === CTX_EL2);
  const r = cpu.sys.r;
  if (pa < 0) {
    // F=1, FST, PTW (bit 8), S (bit 9: stage 2).
    r[SR.PAR_EL1 * 2] =
      1 | (mmu.fsc << 1) | (mmu.faultPtw ? 1 << 8 : 0) | (mmu.faultS2 ? 1 << 9 : 0) | (1 << 11);
    r[SR.PAR_EL1 * 2 + 1] = 0;
    return;
  }
  // PA[47:12], SH (bits 8:7), NS (bit 9, RES... reported 0), ATTR in bits 63:56.
  const page = pa - (pa % 4096);
  r[SR.PAR_EL1 * 2] = page | 0 | (mmu.sh << 7) | (1 << 9) | (1 << 11);
  r[SR.PAR_EL1 * 2 + 1] = (Math.floor(page / TWO32) & 0xffff) | (mmu.attr << 24);
}
