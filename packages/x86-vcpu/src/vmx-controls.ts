import { axErr } from "@axvisor/axerrno";
import type { X86Cpu } from "@axvisor/cpu-x86_64";

/** IA32_VMX_* capability MSRs (SDM appendix A). */
export const VmxMsr = {
  Basic: 0x480,
  PinbasedCtls: 0x481,
  ProcbasedCtls: 0x482,
  ExitCtls: 0x483,
  EntryCtls: 0x484,
  Cr0Fixed0: 0x486,
  Cr0Fixed1: 0x487,
  Cr4Fixed0: 0x488,
  Cr4Fixed1: 0x489,
  ProcbasedCtls2: 0x48b,
  TruePinbasedCtls: 0x48d,
  TrueProcbasedCtls: 0x48e,
  TrueExitCtls: 0x48f,
  TrueEntryCtls: 0x490,
} as const;

export const Pin = { ExternalInterruptExiting: 1 << 0, NmiExiting: 1 << 3 } as const;

export const Proc = {
  InterruptWindowExiting: 1 << 2,
  HltExiting: 1 << 7,
  Cr3LoadExiting: 1 << 15,
  Cr3StoreExiting: 1 << 16,
  UseIoBitmaps: 1 << 25,
  UseMsrBitmaps: 1 << 28,
  ActivateSecondary: 1 << 31,
} as const;

export const Proc2 = {
  EnableEpt: 1 << 1,
  EnableRdtscp: 1 << 3,
  EnableVpid: 1 << 5,
  UnrestrictedGuest: 1 << 7,
} as const;

export const ExitCtl = {
  HostAddressSpace64: 1 << 9,
  AckInterruptOnExit: 1 << 15,
  SavePat: 1 << 18,
  LoadPat: 1 << 19,
  SaveEfer: 1 << 20,
  LoadEfer: 1 << 21,
} as const;

export const EntryCtl = {
  Ia32eModeGuest: 1 << 9,
  LoadPat: 1 << 14,
  LoadEfer: 1 << 15,
} as const;

function msr(cpu: X86Cpu, index: number): bigint {
  const v = cpu.readMsr(index);
  if (v === null)
    throw axErr("Unsupported", `the CPU has no VMX capability MSR 0x${index.toString(16)}`);
  return v;
}

/**
 * A VMX control field's value by the SDM's "algorithm 3" (A.2), as x86_vcpu's
 * `set_control` does: bits the TRUE capability MSR requires are set, `set` is added, `clear`
 * removed, and a requested bit the CPU cannot set is an error naming the field.
 */
export function controlValue(
  cpu: X86Cpu,
  name: string,
  capMsr: number,
  trueMsr: number | null,
  set: number,
  clear: number,
): number {
  const cap = msr(cpu, trueMsr ?? capMsr);
  const allowed0 = Number(cap & 0xffff_ffffn);
  const allowed1 = Number(cap >> 32n);
  const missing = (set & ~allowed1) >>> 0;
  if (missing !== 0) {
    throw axErr(
      "Unsupported",
      `VMX ${name} controls: the CPU cannot set 0x${missing.toString(16)} (allowed-1 0x${(allowed1 >>> 0).toString(16)})`,
    );
  }
  if ((clear & allowed0) !== 0) {
    throw axErr(
      "Unsupported",
      `VMX ${name} controls: the CPU cannot clear 0x${(clear & allowed0).toString(16)}`,
    );
  }
  // Flexible bits nobody asked about keep the non-TRUE MSR's default-1 setting.
  const defaults = trueMsr === null ? allowed0 : Number(msr(cpu, capMsr) & 0xffff_ffffn);
  return ((allowed0 | set | (defaults & allowed1 & ~clear)) & ~clear & allowed1) >>> 0;
}

/** CR0/CR4 bits VMX operation fixes: [must be 1, may be 1]. */
export function fixedBits(cpu: X86Cpu, cr: 0 | 4): [number, number] {
  const f0 = msr(cpu, cr === 0 ? VmxMsr.Cr0Fixed0 : VmxMsr.Cr4Fixed0);
  const f1 = msr(cpu, cr === 0 ? VmxMsr.Cr0Fixed1 : VmxMsr.Cr4Fixed1);
  return [Number(f0 & 0xffff_ffffn) >>> 0, Number(f1 & 0xffff_ffffn) >>> 0];
}
