/**
 * RDMSR/WRMSR: the MSRs Linux and firmware touch. Values cross as 32-bit halves; the result
 * of a read is left in `cpu.msrLo`/`cpu.msrHi`. An MSR this CPU does not know raises #GP.
 */
import type { X86Cpu } from "./cpu.js";
import { wrap64 } from "./int64.js";
import {
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
  EFER_SCE,
  FS,
  GS,
  MSR_APIC_BASE,
  MSR_BIOS_SIGN_ID,
  MSR_CSTAR,
  MSR_EFER,
  MSR_FEATURE_CONTROL,
  MSR_FS_BASE,
  MSR_GS_BASE,
  MSR_KERNEL_GS_BASE,
  MSR_LSTAR,
  MSR_MCG_CAP,
  MSR_MCG_STATUS,
  MSR_MISC_ENABLE,
  MSR_MTRR_DEF_TYPE,
  MSR_MTRRCAP,
  MSR_PAT,
  MSR_PLATFORM_ID,
  MSR_SFMASK,
  MSR_SPEC_CTRL,
  MSR_STAR,
  MSR_SYSENTER_CS,
  MSR_SYSENTER_EIP,
  MSR_SYSENTER_ESP,
  MSR_TSC,
  MSR_TSC_ADJUST,
  MSR_TSC_AUX,
  MSR_TSC_DEADLINE,
} from "./regs.js";

const TWO32 = 4294967296;

function split(cpu: X86Cpu, v: number): true {
  cpu.msrLo = v >>> 0;
  cpu.msrHi = Math.floor(v / TWO32) >>> 0;
  return true;
}

function joinSigned(lo: number, hi: number): number {
  return wrap64((hi | 0) * TWO32 + (lo >>> 0));
}

function canonical(v: number): boolean {
  return v >= -0x800000000000 && v < 0x800000000000;
}

/** Fixed-range MTRR numbers in the order of `mtrrFixed`. */
const MTRR_FIXED = [0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f];

function viaLapic(msr: number): boolean {
  return msr === MSR_APIC_BASE || msr === MSR_TSC_DEADLINE || (msr >= 0x800 && msr <= 0x8ff);
}

export function rdmsr(cpu: X86Cpu, msr: number): boolean {
  if (viaLapic(msr) && cpu.lapic?.readMsr !== undefined) {
    const v = cpu.lapic.readMsr(msr);
    if (v === null) return false;
    cpu.msrLo = Number(v & 0xffffffffn);
    cpu.msrHi = Number((v >> 32n) & 0xffffffffn);
    return true;
  }
  if (cpu.vmx.readCapabilityMsr(msr)) return true;
  switch (msr) {
    case MSR_TSC: {
      cpu.msrLo = cpu.readTsc();
      cpu.msrHi = cpu.hi;
      return true;
    }
    case MSR_APIC_BASE:
      return split(cpu, cpu.apicBaseFallback | (cpu.cpuId === 0 ? 0x100 : 0));
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN_ID:
    case MSR_SPEC_CTRL:
    case MSR_TSC_ADJUST:
    case MSR_MCG_STATUS:
    case 0x8b + 0x1000:
      return split(cpu, 0);
    case MSR_FEATURE_CONTROL:
      return split(cpu, cpu.featureControl);
    case MSR_MTRRCAP:
      // 8 variable ranges, fixed ranges, write-combining.
      return split(cpu, 0x508);
    case MSR_MCG_CAP:
      return split(cpu, 0);
    case MSR_SYSENTER_CS:
      return split(cpu, cpu.sysenterCs);
    case MSR_SYSENTER_ESP:
      return split(cpu, cpu.sysenterEsp);
    case MSR_SYSENTER_EIP:
      return split(cpu, cpu.sysenterEip);
    case MSR_MISC_ENABLE:
      return split(cpu, cpu.miscEnable);
    case MSR_PAT:
      cpu.msrLo = cpu.patLo >>> 0;
      cpu.msrHi = cpu.patHi >>> 0;
      return true;
    case MSR_MTRR_DEF_TYPE:
      return split(cpu, cpu.mtrrDefType);
    case MSR_EFER:
      return split(cpu, cpu.efer >>> 0);
    case MSR_STAR:
      cpu.msrLo = cpu.star >>> 0;
      cpu.msrHi = cpu.starHi >>> 0;
      return true;
    case MSR_LSTAR:
      return split(cpu, cpu.lstar);
    case MSR_CSTAR:
      return split(cpu, cpu.cstar);
    case MSR_SFMASK:
      return split(cpu, cpu.sfmask >>> 0);
    case MSR_FS_BASE:
      return split(cpu, cpu.segBase[FS]!);
    case MSR_GS_BASE:
      return split(cpu, cpu.segBase[GS]!);
    case MSR_KERNEL_GS_BASE:
      return split(cpu, cpu.kernelGsBase);
    case MSR_TSC_AUX:
      return split(cpu, cpu.tscAux >>> 0);
    default: {
      const fixed = MTRR_FIXED.indexOf(msr);
      if (fixed >= 0) return split(cpu, cpu.mtrrFixed[fixed]!);
      if (msr >= 0x200 && msr < 0x210) return split(cpu, cpu.mtrrVar[msr - 0x200]!);
      return false;
    }
  }
}

export function wrmsr(cpu: X86Cpu, msr: number, lo: number, hi: number): boolean {
  if (viaLapic(msr) && cpu.lapic?.writeMsr !== undefined) {
    return cpu.lapic.writeMsr(msr, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  }
  const v = joinSigned(lo, hi);
  switch (msr) {
    case MSR_TSC:
      cpu.tscOffset = (hi >>> 0) * TWO32 + (lo >>> 0) - cpu.time.now();
      return true;
    case MSR_APIC_BASE:
      cpu.apicBaseFallback = (lo & ~0x100) >>> 0;
      return true;
    case MSR_SPEC_CTRL:
    case MSR_TSC_ADJUST:
    case MSR_BIOS_SIGN_ID:
    case MSR_MCG_STATUS:
      return true;
    case MSR_FEATURE_CONTROL:
      if (cpu.featureControl & 1) return false;
      cpu.featureControl = lo & 0x7;
      return true;
    case MSR_SYSENTER_CS:
      cpu.sysenterCs = lo & 0xffff;
      return true;
    case MSR_SYSENTER_ESP:
      if (!canonical(v)) return false;
      cpu.sysenterEsp = v;
      return true;
    case MSR_SYSENTER_EIP:
      if (!canonical(v)) return false;
      cpu.sysenterEip = v;
      return true;
    case MSR_MISC_ENABLE:
      cpu.miscEnable = lo >>> 0;
      return true;
    case MSR_PAT:
      for (let i = 0; i < 8; i++) {
        const t = ((i < 4 ? lo : hi) >>> ((i & 3) * 8)) & 0xff;
        if (t === 2 || t === 3 || t > 7) return false;
      }
      cpu.patLo = lo;
      cpu.patHi = hi;
      return true;
    case MSR_MTRR_DEF_TYPE:
      cpu.mtrrDefType = lo & 0xcff;
      return true;
    case MSR_EFER: {
      const allowed = EFER_SCE | EFER_LME | EFER_NXE | EFER_LMA;
      if (lo & ~allowed || hi !== 0) return false;
      // LME may not change while paging is on; LMA is read-only.
      const pg = (cpu.cr0 & 0x80000000) !== 0;
      if (pg && (lo ^ cpu.efer) & EFER_LME) return false;
      cpu.efer = (lo & ~EFER_LMA) | (cpu.efer & EFER_LMA);
      cpu.updateMode();
      cpu.flushTlb(true);
      return true;
    }
    case MSR_STAR:
      cpu.star = lo;
      cpu.starHi = hi;
      return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
      if (!canonical(v)) return false;
      if (msr === MSR_LSTAR) cpu.lstar = v;
      else if (msr === MSR_CSTAR) cpu.cstar = v;
      else if (msr === MSR_FS_BASE) cpu.segBase[FS] = v;
      else if (msr === MSR_GS_BASE) cpu.segBase[GS] = v;
      else cpu.kernelGsBase = v;
      return true;
    case MSR_SFMASK:
      cpu.sfmask = lo >>> 0;
      return true;
    case MSR_TSC_AUX:
      cpu.tscAux = lo >>> 0;
      return true;
    default: {
      const fixed = MTRR_FIXED.indexOf(msr);
      if (fixed >= 0) {
        cpu.mtrrFixed[fixed] = (hi >>> 0) * TWO32 + (lo >>> 0);
        return true;
      }
      if (msr >= 0x200 && msr < 0x210) {
        cpu.mtrrVar[msr - 0x200] = (hi >>> 0) * TWO32 + (lo >>> 0);
        return true;
      }
      return false;
    }
  }
}
