/**
 * The registers a debugger reads and writes, whatever holds them: a VM's vCPU (its VMCS
 * guest-state area, control registers as the guest sees them through read shadows) or a
 * bare board's CPU.
 */
export interface X86RegisterFile {
  /** General register by hardware (ModRM) number. */
  gpr(hw: number): bigint;
  setGpr(hw: number, value: bigint): void;
  get(reg: X86SystemRegister): bigint;
  /** False when the register cannot be written now (or is the guest's own business). */
  set(reg: X86SystemRegister, value: bigint): boolean;
  /** The x87/SSE block (cpu-x86_64's FpuState layout); null: not available yet. */
  fpu(): Uint8Array | null;
}

export type X86SystemRegister =
  | "rip"
  | "rflags"
  | "cs"
  | "ss"
  | "ds"
  | "es"
  | "fs"
  | "gs"
  | "fs_base"
  | "gs_base"
  | "k_gs_base"
  | "cr0"
  | "cr2"
  | "cr3"
  | "cr4"
  | "cr8"
  | "efer";

/**
 * GDB's view of an x86_64 CPU (a VM's vCPU or a bare board's CPU), numbered as QEMU's x86_64 stub numbers it (so a GDB that
 * debugs QEMU guests reads ours the same way): the 16 GPRs in GDB's order 0-15, rip 16,
 * eflags 17, cs ss ds es fs gs 18-23, fs_base gs_base k_gs_base 24-26, cr0 cr2 cr3 cr4 cr8
 * 27-31, efer 32, st0-st7 33-40, the x87 control registers 41-48, xmm0-xmm15 49-64, mxcsr 65.
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
const SEG_NAMES = ["cs", "ss", "ds", "es", "fs", "gs"] as const;
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

/** The 64-bit system registers by GDB number. */
const SYSTEM: Readonly<Record<number, X86SystemRegister>> = {
  [FS_BASE]: "fs_base",
  [GS_BASE]: "gs_base",
  [K_GS_BASE]: "k_gs_base",
  [CR0]: "cr0",
  [CR2]: "cr2",
  [CR3]: "cr3",
  [CR4]: "cr4",
  [CR8]: "cr8",
  [EFER]: "efer",
};

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

/** The i386:x86-64 target description (core, sse, segments, system). */
export const X86_TARGET_XML = targetXml();

/** Register `regnum` as GDB numbers it; undefined if there is none. */
export function readX86Register(f: X86RegisterFile, regnum: number): Uint8Array | undefined {
  if (regnum < 0 || regnum >= REG_COUNT) return undefined;
  const w = width(regnum);
  if (regnum < 16) return le(f.gpr(GPR_HW[regnum]!), 8);
  if (regnum === RIP) return le(f.get("rip"), 8);
  if (regnum === EFLAGS) return le(f.get("rflags"), 4);
  if (regnum < FS_BASE) return le(f.get(SEG_NAMES[regnum - 18]!), 4);
  const sys = SYSTEM[regnum];
  if (sys !== undefined) return le(f.get(sys), 8);
  const fpu = f.fpu();
  const out = new Uint8Array(w);
  if (fpu === null) {
    // Before the CPU first ran: the reset values (FNINIT, MXCSR 0x1F80).
    if (regnum === FCTRL) out.set(le(0x37fn, 4));
    if (regnum === FCTRL + 2) out.set(le(0xffffn, 4));
    if (regnum === MXCSR) out.set(le(0x1f80n, 4));
    return out;
  }
  const slot = fpuSlot(fpu, regnum);
  if (slot !== undefined) out.set(fpu.subarray(slot[0], slot[0] + slot[1]));
  return out;
}

export function writeX86Register(f: X86RegisterFile, regnum: number, data: Uint8Array): boolean {
  if (regnum < 0 || regnum >= REG_COUNT || data.length !== width(regnum)) return false;
  const value = fromLe(data);
  if (regnum < 16) {
    f.setGpr(GPR_HW[regnum]!, value);
    return true;
  }
  if (regnum === RIP) return f.set("rip", value);
  // Bit 1 is always set; the reserved bits stay clear.
  if (regnum === EFLAGS) return f.set("rflags", (value & 0x3f_7fd7n) | 2n);
  if (regnum === FS_BASE || regnum === GS_BASE || regnum === K_GS_BASE || regnum === CR2)
    return f.set(SYSTEM[regnum]!, value);
  if (regnum === CR8) return f.set("cr8", value & 0xfn);
  // Selectors, CR0/3/4, EFER: the guest's own business.
  if (regnum < ST0) return false;
  const fpu = f.fpu();
  const slot = fpu === null ? undefined : fpuSlot(fpu, regnum);
  if (fpu === null || slot === undefined) return false;
  fpu.set(data.subarray(0, slot[1]), slot[0]);
  return true;
}

/** The registers of GDB's `g` packet, in order. */
export function readX86Registers(f: X86RegisterFile): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let r = 0; r < REG_COUNT; r++) parts.push(readX86Register(f, r)!);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A `G` packet: the general registers, rip and eflags; the rest is written one by one. */
export function writeX86Registers(f: X86RegisterFile, data: Uint8Array): boolean {
  let at = 0;
  for (let r = 0; r <= EFLAGS && at + width(r) <= data.length; r++) {
    writeX86Register(f, r, data.subarray(at, at + width(r)));
    at += width(r);
  }
  return true;
}
