import type { ArchVCpu } from "@axvisor/axvcpu";
import { VmcsField as F } from "@axvisor/cpu-x86_64";
import { X86VCpu } from "@axvisor/x86-vcpu";
import type { VcpuDebugArch } from "../../platform/vcpu-debug.js";

/**
 * GDB's view of an x86_64 vCPU, numbered as QEMU's x86_64 stub numbers it (so a GDB that
 * debugs QEMU guests reads ours the same way): the 16 GPRs in GDB's order 0-15, rip 16,
 * eflags 17, cs ss ds es fs gs 18-23, fs_base gs_base k_gs_base 24-26, cr0 cr2 cr3 cr4 cr8
 * 27-31, efer 32, st0-st7 33-40, the x87 control registers 41-48, xmm0-xmm15 49-64, mxcsr 65.
 * Control registers read as the guest sees them (read shadows for host-owned bits).
 */
const GPR_NAMES = [
  "rax",
  "rbx",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "rbp",
  "rsp",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
/** The hardware (ModRM) number of each GPR in GDB's order. */
const GPR_HW = [0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];
export const RIP = 16;
const EFLAGS = 17;
const SEG_NAMES = ["cs", "ss", "ds", "es", "fs", "gs"];
const SEG_SEL = [
  F.GUEST_CS_SEL,
  F.GUEST_SS_SEL,
  F.GUEST_DS_SEL,
  F.GUEST_ES_SEL,
  F.GUEST_FS_SEL,
  F.GUEST_GS_SEL,
];
const FS_BASE = 24;
const GS_BASE = 25;
const K_GS_BASE = 26;
const CR0 = 27;
const CR2 = 28;
const CR3 = 29;
const CR4 = 30;
const CR8 = 31;
const EFER = 32;
const ST0 = 33;
const FCTRL = 41;
const X87_CONTROL = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"];
const XMM0 = 49;
const MXCSR = 65;
export const REG_COUNT = 66;

/** FpuState offsets (cpu-x86_64's flat x87/SSE block). */
const OFF_FCW = 0;
const OFF_FSW = 2;
const OFF_FTW = 4;
const OFF_FOP = 6;
const OFF_FIP = 8;
const OFF_FDP = 16;
const OFF_MXCSR = 24;
const OFF_ST = 32;
const OFF_XMM = 160;

function width(regnum: number): number {
  if (regnum <= RIP) return 8;
  if (regnum <= 23) return 4;
  if (regnum <= EFER) return 8;
  if (regnum < FCTRL) return 10;
  if (regnum < XMM0) return 4;
  if (regnum < MXCSR) return 16;
  return 4;
}

function targetXml(): string {
  const reg = (name: string, regnum: number, type: string, group?: string) =>
    `    <reg name="${name}" bitsize="${width(regnum) * 8}" regnum="${regnum}" type="${type}"${group === undefined ? "" : ` group="${group}"`}/>\n`;
  let x = `<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n`;
  x += "  <architecture>i386:x86-64</architecture>\n";
  x += `  <feature name="org.gnu.gdb.i386.core">\n`;
  GPR_NAMES.forEach((n, i) => {
    x += reg(n, i, n === "rsp" || n === "rbp" ? "data_ptr" : "int64");
  });
  x += reg("rip", RIP, "code_ptr");
  x += reg("eflags", EFLAGS, "int32");
  SEG_NAMES.forEach((n, i) => {
    x += reg(n, 18 + i, "int32");
  });
  for (let i = 0; i < 8; i++) x += reg(`st${i}`, ST0 + i, "i387_ext");
  X87_CONTROL.forEach((n, i) => {
    x += reg(n, FCTRL + i, "int", "float");
  });
  x += "  </feature>\n";
  x += `  <feature name="org.gnu.gdb.i386.sse">\n`;
  x += `    <vector id="v4f" type="ieee_single" count="4"/>\n`;
  x += `    <vector id="v2d" type="ieee_double" count="2"/>\n`;
  x += `    <vector id="v16i8" type="int8" count="16"/>\n`;
  x += `    <vector id="v8i16" type="int16" count="8"/>\n`;
  x += `    <vector id="v4i32" type="int32" count="4"/>\n`;
  x += `    <vector id="v2i64" type="int64" count="2"/>\n`;
  x += `    <union id="vec128">\n`;
  for (const [field, type] of [
    ["v4_float", "v4f"],
    ["v2_double", "v2d"],
    ["v16_int8", "v16i8"],
    ["v8_int16", "v8i16"],
    ["v4_int32", "v4i32"],
    ["v2_int64", "v2i64"],
    ["uint128", "uint128"],
  ]) {
    x += `      <field name="${field}" type="${type}"/>\n`;
  }
  x += "    </union>\n";
  for (let i = 0; i < 16; i++) x += reg(`xmm${i}`, XMM0 + i, "vec128", "vector");
  x += reg("mxcsr", MXCSR, "int", "vector");
  x += "  </feature>\n";
  x += `  <feature name="org.gnu.gdb.i386.segments">\n`;
  x += reg("fs_base", FS_BASE, "int64");
  x += reg("gs_base", GS_BASE, "int64");
  x += "  </feature>\n";
  x += `  <feature name="org.axvisor.gdb.x86_64.system">\n`;
  x += reg("k_gs_base", K_GS_BASE, "int64", "system");
  x += reg("cr0", CR0, "int64", "system");
  x += reg("cr2", CR2, "int64", "system");
  x += reg("cr3", CR3, "int64", "system");
  x += reg("cr4", CR4, "int64", "system");
  x += reg("cr8", CR8, "int64", "system");
  x += reg("efer", EFER, "int64", "system");
  x += "  </feature>\n</target>\n";
  return x;
}

const TARGET_XML = targetXml();
/** INT3. */
const INT3 = Uint8Array.of(0xcc);

function x86(vcpu: ArchVCpu): X86VCpu {
  if (!(vcpu instanceof X86VCpu)) throw new TypeError("not an x86_64 vCPU");
  return vcpu;
}

function le(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function fromLe(data: Uint8Array): bigint {
  let v = 0n;
  for (let i = data.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[i]!);
  return v;
}

/** A control register as the guest reads it: host-owned bits (the mask) from the read shadow. */
function guestCr(v: X86VCpu, real: number, mask: number, shadow: number): bigint {
  const m = v.debugField(mask);
  return (v.debugField(real) & ~m) | (v.debugField(shadow) & m);
}

/** The x87 top-of-stack-relative register `i` in the FPU block (10 bytes). */
function stOffset(fpu: Uint8Array, i: number): number {
  const fsw = fpu[OFF_FSW]! | (fpu[OFF_FSW + 1]! << 8);
  const top = (fsw >> 11) & 7;
  return OFF_ST + 16 * ((top + i) & 7);
}

/** Where register `regnum` lives in the FPU block, and how many bytes; undefined: not there. */
function fpuSlot(fpu: Uint8Array, regnum: number): [number, number] | undefined {
  if (regnum >= ST0 && regnum < FCTRL) return [stOffset(fpu, regnum - ST0), 10];
  if (regnum >= XMM0 && regnum < MXCSR) return [OFF_XMM + 16 * (regnum - XMM0), 16];
  switch (regnum) {
    case FCTRL:
      return [OFF_FCW, 2];
    case FCTRL + 1:
      return [OFF_FSW, 2];
    case FCTRL + 2:
      return [OFF_FTW, 2];
    case FCTRL + 4:
      return [OFF_FIP, 4];
    case FCTRL + 6:
      return [OFF_FDP, 4];
    case FCTRL + 7:
      return [OFF_FOP, 2];
    case MXCSR:
      return [OFF_MXCSR, 4];
    default:
      return undefined;
  }
}

function read(v: X86VCpu, regnum: number): Uint8Array | undefined {
  if (regnum < 0 || regnum >= REG_COUNT) return undefined;
  const w = width(regnum);
  if (regnum < 16) return le(v.getGpr(GPR_HW[regnum]!), 8);
  if (regnum === RIP) return le(v.debugField(F.GUEST_RIP), 8);
  if (regnum === EFLAGS) return le(v.debugField(F.GUEST_RFLAGS), 4);
  if (regnum < FS_BASE) return le(v.debugField(SEG_SEL[regnum - 18]!), 4);
  switch (regnum) {
    case FS_BASE:
      return le(v.debugField(F.GUEST_FS_BASE), 8);
    case GS_BASE:
      return le(v.debugField(F.GUEST_GS_BASE), 8);
    case K_GS_BASE:
      return le(v.debugMisc("kernelGsBase"), 8);
    case CR0:
      return le(guestCr(v, F.GUEST_CR0, F.CR0_MASK, F.CR0_READ_SHADOW), 8);
    case CR2:
      return le(v.debugMisc("cr2"), 8);
    case CR3:
      return le(v.debugField(F.GUEST_CR3), 8);
    case CR4:
      return le(guestCr(v, F.GUEST_CR4, F.CR4_MASK, F.CR4_READ_SHADOW), 8);
    case CR8:
      return le(v.debugMisc("cr8"), 8);
    case EFER:
      return le(v.debugField(F.GUEST_EFER), 8);
  }
  const fpu = v.debugFpu();
  const out = new Uint8Array(w);
  if (fpu === null) {
    // Before the vCPU first ran: the reset values (FNINIT, MXCSR 0x1F80).
    if (regnum === FCTRL) out.set(le(0x37fn, 4));
    if (regnum === FCTRL + 2) out.set(le(0xffffn, 4));
    if (regnum === MXCSR) out.set(le(0x1f80n, 4));
    return out;
  }
  const slot = fpuSlot(fpu, regnum);
  if (slot !== undefined) out.set(fpu.subarray(slot[0], slot[0] + slot[1]));
  return out;
}

function write(v: X86VCpu, regnum: number, data: Uint8Array): boolean {
  if (regnum < 0 || regnum >= REG_COUNT || data.length !== width(regnum)) return false;
  const value = fromLe(data);
  if (regnum < 16) {
    v.setGpr(GPR_HW[regnum]!, value);
    return true;
  }
  if (regnum === RIP) {
    v.setDebugField(F.GUEST_RIP, value);
    return true;
  }
  if (regnum === EFLAGS) {
    // Bit 1 is always set; the reserved bits stay clear.
    v.setDebugField(F.GUEST_RFLAGS, (value & 0x3f_7fd7n) | 2n);
    return true;
  }
  if (regnum === FS_BASE) v.setDebugField(F.GUEST_FS_BASE, value);
  else if (regnum === GS_BASE) v.setDebugField(F.GUEST_GS_BASE, value);
  else if (regnum === K_GS_BASE) return v.setDebugMisc("kernelGsBase", value);
  else if (regnum === CR2) return v.setDebugMisc("cr2", value);
  else if (regnum === CR8) return v.setDebugMisc("cr8", value & 0xfn);
  else if (regnum < ST0)
    return false; // selectors, CR0/3/4, EFER: the guest's own business
  else {
    const fpu = v.debugFpu();
    const slot = fpu === null ? undefined : fpuSlot(fpu, regnum);
    if (fpu === null || slot === undefined) return false;
    fpu.set(data.subarray(0, slot[1]), slot[0]);
  }
  return true;
}

/** The x86_64 platform's debugger support (X86VCpu's debug mode underneath). */
export const x86DebugArch: VcpuDebugArch = {
  features: (annex) => (annex === "target.xml" ? TARGET_XML : undefined),
  readRegisters(vcpu) {
    const v = x86(vcpu);
    const parts: Uint8Array[] = [];
    for (let r = 0; r < REG_COUNT; r++) parts.push(read(v, r)!);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  },
  writeRegisters(vcpu, data) {
    const v = x86(vcpu);
    let at = 0;
    // The general registers, rip and eflags; the rest is written one by one (P packets).
    for (let r = 0; r <= EFLAGS && at + width(r) <= data.length; r++) {
      write(v, r, data.subarray(at, at + width(r)));
      at += width(r);
    }
    return true;
  },
  readRegister: (vcpu, regnum) => read(x86(vcpu), regnum),
  writeRegister: (vcpu, regnum, data) => write(x86(vcpu), regnum, data),
  translate: (vcpu, gva) => x86(vcpu).translateGuestVirtual(Number(BigInt.asUintN(64, gva))),
  breakpointInstruction: (kind) => (kind === 1 ? INT3 : undefined),
  setTrapping: (vcpu, on) => x86(vcpu).setDebugTrap(on),
  setSingleStep: (vcpu, on) => x86(vcpu).setSingleStep(on),
  takeStop: (vcpu) => x86(vcpu).takeDebugStop(),
  pc: (vcpu) => x86(vcpu).debugField(F.GUEST_RIP),
};
