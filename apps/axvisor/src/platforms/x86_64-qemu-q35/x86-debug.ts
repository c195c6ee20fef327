import type { ArchVCpu } from "@axvisor/axvcpu";
import { VmcsField as F } from "@axvisor/cpu-x86_64";
import { X86VCpu } from "@axvisor/x86-vcpu";
import type { VcpuDebugArch } from "../../platform/vcpu-debug.js";
import {
  readX86Register,
  readX86Registers,
  writeX86Register,
  writeX86Registers,
  X86_TARGET_XML,
  type X86RegisterFile,
  type X86SystemRegister,
} from "./x86-registers.js";

/** INT3. */
const INT3 = Uint8Array.of(0xcc);

function x86(vcpu: ArchVCpu): X86VCpu {
  if (!(vcpu instanceof X86VCpu)) throw new TypeError("not an x86_64 vCPU");
  return vcpu;
}

/** A control register as the guest reads it: host-owned bits (the mask) from the read shadow. */
function guestCr(v: X86VCpu, real: number, mask: number, shadow: number): bigint {
  const m = v.debugField(mask);
  return (v.debugField(real) & ~m) | (v.debugField(shadow) & m);
}

const VMCS_FIELD: Partial<Record<X86SystemRegister, number>> = {
  rip: F.GUEST_RIP,
  rflags: F.GUEST_RFLAGS,
  cs: F.GUEST_CS_SEL,
  ss: F.GUEST_SS_SEL,
  ds: F.GUEST_DS_SEL,
  es: F.GUEST_ES_SEL,
  fs: F.GUEST_FS_SEL,
  gs: F.GUEST_GS_SEL,
  fs_base: F.GUEST_FS_BASE,
  gs_base: F.GUEST_GS_BASE,
  cr3: F.GUEST_CR3,
  efer: F.GUEST_EFER,
};

/** A vCPU's registers: the VMCS guest-state area, the rest as the vCPU saved it. */
function vcpuRegisters(v: X86VCpu): X86RegisterFile {
  return {
    gpr: (hw) => v.getGpr(hw),
    setGpr: (hw, value) => v.setGpr(hw, value),
    get(reg) {
      switch (reg) {
        case "cr0":
          return guestCr(v, F.GUEST_CR0, F.CR0_MASK, F.CR0_READ_SHADOW);
        case "cr4":
          return guestCr(v, F.GUEST_CR4, F.CR4_MASK, F.CR4_READ_SHADOW);
        case "cr2":
        case "cr8":
          return v.debugMisc(reg);
        case "k_gs_base":
          return v.debugMisc("kernelGsBase");
        default:
          return v.debugField(VMCS_FIELD[reg]!);
      }
    },
    set(reg, value) {
      switch (reg) {
        case "cr2":
        case "cr8":
          return v.setDebugMisc(reg, value);
        case "k_gs_base":
          return v.setDebugMisc("kernelGsBase", value);
        case "rip":
        case "rflags":
        case "fs_base":
        case "gs_base":
          v.setDebugField(VMCS_FIELD[reg]!, value);
          return true;
        default:
          return false;
      }
    },
    fpu: () => v.debugFpu(),
  };
}

/** The x86_64 platform's debugger support (X86VCpu's debug mode underneath). */
export const x86DebugArch: VcpuDebugArch = {
  features: (annex) => (annex === "target.xml" ? X86_TARGET_XML : undefined),
  readRegisters: (vcpu) => readX86Registers(vcpuRegisters(x86(vcpu))),
  writeRegisters: (vcpu, data) => writeX86Registers(vcpuRegisters(x86(vcpu)), data),
  readRegister: (vcpu, regnum) => readX86Register(vcpuRegisters(x86(vcpu)), regnum),
  writeRegister: (vcpu, regnum, data) => writeX86Register(vcpuRegisters(x86(vcpu)), regnum, data),
  translate: (vcpu, gva) => x86(vcpu).translateGuestVirtual(Number(BigInt.asUintN(64, gva))),
  breakpointInstruction: (kind) => (kind === 1 ? INT3 : undefined),
  setTrapping: (vcpu, on) => x86(vcpu).setDebugTrap(on),
  setSingleStep: (vcpu, on) => x86(vcpu).setSingleStep(on),
  takeStop: (vcpu) => x86(vcpu).takeDebugStop(),
  pc: (vcpu) => x86(vcpu).debugField(F.GUEST_RIP),
};
