/**
 * CPUID: a small, honest model. It advertises what this CPU implements: the integer core,
 * TSC, MSRs, PAE, PGE, PSE/PSE-36, CMOV, CX8, CX16, APIC, SYSENTER, PAT, MTRR, CLFLUSH,
 * POPCNT, x2APIC and the TSC-deadline timer (when the board's LAPIC answers their MSRs), NX,
 * 1 GiB pages, RDTSCP, LM, LAHF in 64-bit mode, LZCNT/ABM, FSGSBASE, and VMX (unless the model
 * turns it off), plus the hypervisor bit when running as a guest under VMX; FPU, MMX, FXSR, SSE
 * and SSE2 from the unit in fpu/ (see its README for what of SSE floating point it has).
 */
import type { X86Cpu } from "./cpu.js";
import { RCX } from "./regs.js";

/** Maximum basic and extended leaves. */
const MAX_BASIC = 0xd;
const MAX_EXT = 0x80000008;
/** Family 6, model 0x8F-like signature ("max"-lite). */
const SIGNATURE = 0x000806f8;

function str4(s: string, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) v |= (s.charCodeAt(i + k) & 0xff) << (8 * k);
  return v >>> 0;
}

export function cpuid(cpu: X86Cpu): void {
  const leaf = cpu.rlo[0]! >>> 0;
  const sub = cpu.rlo[RCX]! >>> 0;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const vendor = cpu.model.vendor.padEnd(12, " ");
  switch (leaf) {
    case 0:
      a = MAX_BASIC;
      b = str4(vendor, 0);
      d = str4(vendor, 4);
      c = str4(vendor, 8);
      break;
    case 1:
      a = SIGNATURE;
      // CLFLUSH line size 8 (x 8 bytes), 1 logical processor, APIC id.
      b = (8 << 8) | (1 << 16) | ((cpu.apicId & 0xff) << 24);
      // ECX: VMX(5), CX16(13), x2APIC(21), POPCNT(23), TSC-deadline(24), hypervisor(31).
      c = (1 << 13) | (1 << 23);
      if (cpu.model.vmx) c |= 1 << 5;
      // x2APIC (21) and the TSC-deadline timer (24) when the board's LAPIC serves their MSRs.
      if (cpu.lapic?.readMsr !== undefined) c |= (1 << 21) | (1 << 24);
      if (cpu.vmx.guestMode) c |= 1 << 31;
      // EDX: VME? no. DE(2), PSE(3), TSC(4), MSR(5), PAE(6), CX8(8), APIC(9), SEP(11), MTRR(12),
      // PGE(13), CMOV(15), PAT(16), PSE-36(17), CLFSH(19).
      // FPU(0), MMX(23), FXSR(24), SSE(25), SSE2(26): the unit in fpu/.
      d =
        1 |
        (1 << 23) |
        (1 << 24) |
        (1 << 25) |
        (1 << 26) |
        (1 << 2) |
        (1 << 3) |
        (1 << 4) |
        (1 << 5) |
        (1 << 6) |
        (1 << 8) |
        (1 << 9) |
        (1 << 11) |
        (1 << 12) |
        (1 << 13) |
        (1 << 15) |
        (1 << 16) |
        (1 << 17) |
        (1 << 19);
      break;
    case 7:
      if (sub === 0) {
        // EBX: FSGSBASE(0).
        b = 1;
      }
      break;
    case 0xb:
      // Not in range (MAX_BASIC = 0xD covers it): x2APIC topology, one thread per core.
      if (sub === 0) {
        a = 0;
        b = 1;
        c = 0x100;
      } else {
        c = sub & 0xff;
      }
      d = cpu.apicId;
      break;
    case 0x80000000:
      a = MAX_EXT;
      break;
    case 0x80000001:
      // ECX: LAHF-SAHF(0), ABM/LZCNT(5). EDX: SYSCALL(11), NX(20), 1G pages(26), RDTSCP(27), LM(29).
      c = 1 | (1 << 5);
      d = (1 << 11) | (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29);
      break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const brand = cpu.model.brand.padEnd(48, "\0").slice(0, 48);
      const o = (leaf - 0x80000002) * 16;
      a = str4(brand, o);
      b = str4(brand, o + 4);
      c = str4(brand, o + 8);
      d = str4(brand, o + 12);
      break;
    }
    case 0x80000008:
      // 40 physical address bits, 48 linear.
      a = 0x3028;
      break;
    default:
      break;
  }
  cpu.rlo[0] = a;
  cpu.rhi[0] = 0;
  cpu.rlo[3] = b;
  cpu.rhi[3] = 0;
  cpu.rlo[RCX] = c;
  cpu.rhi[RCX] = 0;
  cpu.rlo[2] = d;
  cpu.rhi[2] = 0;
}
