import { type AxResult, err, ok } from "@axvisor/axerrno";
import { CS, DS, ES, FS, GS, SS, type X86Cpu, type X86RegName } from "@axvisor/cpu-x86_64";
import type { PcMachine } from "@axvisor/platform-x86_64-qemu-q35";
import { translateGuestLinear } from "@axvisor/x86-vcpu";
import { BoardDebugTarget } from "../../platform/board-debug-target.js";
import {
  readX86Register,
  readX86Registers,
  writeX86Register,
  writeX86Registers,
  X86_TARGET_XML,
  type X86RegisterFile,
  type X86SystemRegister,
} from "./x86-registers.js";

/** INT3: GDB's x86 software breakpoint (kind 1). */
const INT3 = Uint8Array.of(0xcc);
const SEGMENT: Partial<Record<X86SystemRegister, number>> = {
  cs: CS,
  ss: SS,
  ds: DS,
  es: ES,
  fs: FS,
  gs: GS,
};
const MSR_FS_BASE = 0xc000_0100;
const MSR_GS_BASE = 0xc000_0101;
const MSR_KERNEL_GS_BASE = 0xc000_0102;
const MSR: Partial<Record<X86SystemRegister, number>> = {
  fs_base: MSR_FS_BASE,
  gs_base: MSR_GS_BASE,
  k_gs_base: MSR_KERNEL_GS_BASE,
};

/** A bare CPU's registers as the debugger sees them (the CPU's own state, nothing shadowed). */
function cpuRegisters(c: X86Cpu): X86RegisterFile {
  return {
    gpr: (hw) => c.getReg(GPR_BY_HW[hw]!),
    setGpr: (hw, value) => c.setReg(GPR_BY_HW[hw]!, value),
    get(reg) {
      const seg = SEGMENT[reg];
      if (seg !== undefined) return BigInt(c.getSegment(seg).selector);
      const msr = MSR[reg];
      if (msr !== undefined) return c.readMsr(msr) ?? 0n;
      // What is left (rip, rflags, control registers, EFER) the CPU names the same way.
      return c.getReg(reg as X86RegName);
    },
    set(reg, value) {
      const msr = MSR[reg];
      if (msr !== undefined) return c.writeMsr(msr, value);
      if (reg === "rip" || reg === "rflags" || reg === "cr2" || reg === "cr8") {
        c.setReg(reg, value);
        return true;
      }
      return false; // selectors, CR0/3/4, EFER: the guest's own business
    },
    fpu: () => c.fpu.bytes,
  };
}

const GPR_BY_HW = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
] as const;

/**
 * The bare PC (`axvisor emu -M x86_64-qemu-q35 -s`) as a debug target: each CPU is a thread,
 * all CPUs stop together, INT3 stops a CPU for the debugger (the CPU's `debugBreakpoints`) so
 * the guest's #BP handler never sees it. Registers are numbered as for x86_64 VMs (QEMU's
 * x86_64 stub numbering). Memory is read through the CPU's current paging (linear
 * addresses), RAM and the firmware ROM only: a debugger's read never reaches a device.
 */
export function x86BoardDebugTarget(pc: PcMachine): BoardDebugTarget {
  const cpu = (i: number): X86Cpu => pc.cpus[i] ?? pc.cpus[0]!;
  const rom = pc.rom;
  const romBase = rom === undefined ? 0 : 2 ** 32 - rom.bytes.length;
  const inRom = (pa: number, n: number) =>
    rom !== undefined && pa >= romBase && pa + n <= romBase + rom.bytes.length;
  const readPhysical = (pa: number, n: number): AxResult<Uint8Array> => {
    if (inRom(pa, n)) return ok(rom!.bytes.slice(pa - romBase, pa - romBase + n));
    if (pa < 0 || pa + n > pc.ram.length) return err("BadAddress", "not RAM");
    return ok(pc.ram.slice(pa, pa + n));
  };
  const memory = { read: readPhysical, write: () => ok(undefined) };
  return new BoardDebugTarget({
    board: pc,
    targetXml: X86_TARGET_XML,
    cpuCount: () => pc.cpus.length,
    threadInfo(i) {
      const c = cpu(i);
      const mode = c.waitSipi
        ? "waiting for SIPI"
        : (c.cr0 & 1) === 0
          ? "real mode"
          : c.code64
            ? "long mode"
            : "protected mode";
      return `CPU ${i} (${mode}${c.halted ? ", halted" : ""})`;
    },
    readRegisters: (i) => readX86Registers(cpuRegisters(cpu(i))),
    writeRegisters: (i, data) => writeX86Registers(cpuRegisters(cpu(i)), data),
    readRegister: (i, regnum) => readX86Register(cpuRegisters(cpu(i)), regnum),
    writeRegister: (i, regnum, data) => writeX86Register(cpuRegisters(cpu(i)), regnum, data),
    translate(i, va) {
      const c = cpu(i);
      // Higher-half addresses as negative numbers (exact); 32-bit modes see 32-bit addresses.
      const lin = c.lin32 ? Number(va & 0xffff_ffffn) : Number(BigInt.asIntN(64, va));
      if (!Number.isSafeInteger(lin)) return null;
      const n = (r: "cr0" | "cr3" | "cr4" | "efer") => Number(c.getReg(r));
      return translateGuestLinear(
        memory,
        { cr0: n("cr0"), cr3: n("cr3"), cr4: n("cr4"), efer: n("efer") },
        lin,
      );
    },
    readPhysical,
    writePhysical(pa, data) {
      if (inRom(pa, data.length)) {
        rom!.bytes.set(data, pa - romBase);
        return ok(undefined);
      }
      if (pa < 0 || pa + data.length > pc.ram.length) return err("BadAddress", "not RAM");
      pc.ram.set(data, pa);
      return ok(undefined);
    },
    fence: (pa, length) => pc.ramWritten(pa, length),
    breakpointInstruction: (kind) => (kind === 1 ? INT3 : undefined),
  });
}
