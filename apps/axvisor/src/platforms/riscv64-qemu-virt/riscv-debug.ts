import type { ArchVCpu } from "@axvisor/axvcpu";
import { RiscvCsr, RiscvVCpu } from "@axvisor/riscv-vcpu";
import type { VcpuDebugArch } from "../../platform/vcpu-debug.js";

/**
 * GDB's view of a riscv64 vCPU, numbered as GDB's RISC-V port and QEMU's riscv64 stub number
 * it: x0-x31 are 0-31, pc 32, f0-f31 33-64, CSR n is 65 + n, the privilege level 4161.
 * The supervisor CSRs are the guest's (sstatus is the hart's vsstatus while V=1).
 */
export const PC = 32;
export const FPR0 = 33;
export const CSR0 = 65;
export const PRIV = CSR0 + 4096;
/** GPRs and pc: what the `g` packet carries (the rest is read with `p`). */
export const G_REGS = 33;

const GPR_NAMES = [
  "zero",
  "ra",
  "sp",
  "gp",
  "tp",
  "t0",
  "t1",
  "t2",
  "fp",
  "s1",
  "a0",
  "a1",
  "a2",
  "a3",
  "a4",
  "a5",
  "a6",
  "a7",
  "s2",
  "s3",
  "s4",
  "s5",
  "s6",
  "s7",
  "s8",
  "s9",
  "s10",
  "s11",
  "t3",
  "t4",
  "t5",
  "t6",
];
const FPR_NAMES = [
  "ft0",
  "ft1",
  "ft2",
  "ft3",
  "ft4",
  "ft5",
  "ft6",
  "ft7",
  "fs0",
  "fs1",
  "fa0",
  "fa1",
  "fa2",
  "fa3",
  "fa4",
  "fa5",
  "fa6",
  "fa7",
  "fs2",
  "fs3",
  "fs4",
  "fs5",
  "fs6",
  "fs7",
  "fs8",
  "fs9",
  "fs10",
  "fs11",
  "ft8",
  "ft9",
  "ft10",
  "ft11",
];
/** The fcsr fields, CSRs 1-3. */
export const FFLAGS = 1;
export const FRM = 2;
export const FCSR = 3;
export const SUPERVISOR_CSRS: readonly [string, number][] = [
  ["sstatus", RiscvCsr.sstatus],
  ["sie", RiscvCsr.sie],
  ["stvec", RiscvCsr.stvec],
  ["sscratch", RiscvCsr.sscratch],
  ["sepc", RiscvCsr.sepc],
  ["scause", RiscvCsr.scause],
  ["stval", RiscvCsr.stval],
  ["sip", RiscvCsr.sip],
  ["satp", RiscvCsr.satp],
];

/** The machine-mode CSRs the bare machine's target description adds (`axvisor emu -s`). */
export const MACHINE_CSRS: readonly [string, number][] = [
  ["mstatus", RiscvCsr.mstatus],
  ["misa", RiscvCsr.misa],
  ["medeleg", RiscvCsr.medeleg],
  ["mideleg", RiscvCsr.mideleg],
  ["mie", RiscvCsr.mie],
  ["mtvec", RiscvCsr.mtvec],
  ["mscratch", RiscvCsr.mscratch],
  ["mepc", RiscvCsr.mepc],
  ["mcause", RiscvCsr.mcause],
  ["mtval", RiscvCsr.mtval],
  ["mip", RiscvCsr.mip],
];

/** QEMU-style riscv64 target description with the given CSRs in org.gnu.gdb.riscv.csr. */
export function riscvTargetXml(csrs: readonly [string, number][] = SUPERVISOR_CSRS): string {
  const reg = (name: string, regnum: number, bits: number, type: string) =>
    `    <reg name="${name}" bitsize="${bits}" regnum="${regnum}" type="${type}"/>\n`;
  let x = `<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n`;
  x += "  <architecture>riscv:rv64</architecture>\n";
  x += `  <feature name="org.gnu.gdb.riscv.cpu">\n`;
  GPR_NAMES.forEach((n, i) => {
    const type =
      n === "sp" || n === "fp" || n === "gp" || n === "tp"
        ? "data_ptr"
        : n === "ra"
          ? "code_ptr"
          : "int";
    x += reg(n, i, 64, type);
  });
  x += reg("pc", PC, 64, "code_ptr");
  x += "  </feature>\n";
  x += `  <feature name="org.gnu.gdb.riscv.fpu">\n`;
  FPR_NAMES.forEach((n, i) => {
    x += reg(n, FPR0 + i, 64, "ieee_double");
  });
  x += reg("fflags", CSR0 + FFLAGS, 64, "int");
  x += reg("frm", CSR0 + FRM, 64, "int");
  x += reg("fcsr", CSR0 + FCSR, 64, "int");
  x += "  </feature>\n";
  x += `  <feature name="org.gnu.gdb.riscv.csr">\n`;
  for (const [n, csr] of csrs) x += reg(n, CSR0 + csr, 64, "int");
  x += "  </feature>\n";
  x += `  <feature name="org.gnu.gdb.riscv.virtual">\n`;
  x += reg("priv", PRIV, 64, "int");
  x += "  </feature>\n</target>\n";
  return x;
}

const TARGET_XML = riscvTargetXml();
/** ebreak and c.ebreak, little-endian. */
export const EBREAK = Uint8Array.of(0x73, 0x00, 0x10, 0x00);
export const C_EBREAK = Uint8Array.of(0x02, 0x90);

function riscv(vcpu: ArchVCpu): RiscvVCpu {
  if (!(vcpu instanceof RiscvVCpu)) throw new TypeError("not a riscv64 vCPU");
  return vcpu;
}

export function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

export function fromBytes(data: Uint8Array): bigint | undefined {
  if (data.length !== 8) return undefined;
  return new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
}

function read(v: RiscvVCpu, regnum: number): bigint | undefined {
  if (regnum >= 0 && regnum < 32) return v.getGpr(regnum);
  if (regnum === PC) return v.getPc();
  if (regnum >= FPR0 && regnum < FPR0 + 32) return v.getFpr(regnum - FPR0);
  if (regnum === PRIV) return BigInt(v.guestPrivilege);
  const csr = regnum - CSR0;
  if (csr === FFLAGS) return BigInt(v.getFcsr() & 0x1f);
  if (csr === FRM) return BigInt(v.getFcsr() >> 5);
  if (csr === FCSR) return BigInt(v.getFcsr());
  return v.getGuestCsr(csr);
}

function write(v: RiscvVCpu, regnum: number, value: bigint): boolean {
  if (regnum === 0) return true;
  if (regnum > 0 && regnum < 32) v.setGpr(regnum, value);
  else if (regnum === PC) v.setPc(value);
  else if (regnum >= FPR0 && regnum < FPR0 + 32) v.setFpr(regnum - FPR0, value);
  else {
    const csr = regnum - CSR0;
    const f = v.getFcsr();
    if (csr === FFLAGS) v.setFcsr((f & ~0x1f) | Number(value & 0x1fn));
    else if (csr === FRM) v.setFcsr((f & 0x1f) | (Number(value & 7n) << 5));
    else if (csr === FCSR) v.setFcsr(Number(value & 0xffn));
    else return v.setGuestCsr(csr, value);
  }
  return true;
}

/** The riscv64 platform's debugger support (RiscvVCpu's debug mode underneath). */
export const riscvDebugArch: VcpuDebugArch = {
  features: (annex) => (annex === "target.xml" ? TARGET_XML : undefined),
  readRegisters(vcpu) {
    const v = riscv(vcpu);
    const out = new Uint8Array(G_REGS * 8);
    for (let i = 0; i < G_REGS; i++) out.set(u64(read(v, i) ?? 0n), i * 8);
    return out;
  },
  writeRegisters(vcpu, data) {
    const v = riscv(vcpu);
    for (let i = 0; i < G_REGS && (i + 1) * 8 <= data.length; i++) {
      write(v, i, fromBytes(data.subarray(i * 8, i * 8 + 8)) ?? 0n);
    }
    return true;
  },
  readRegister(vcpu, regnum) {
    const value = read(riscv(vcpu), regnum);
    return value === undefined ? undefined : u64(value);
  },
  writeRegister(vcpu, regnum, data) {
    const value = fromBytes(data);
    return value !== undefined && write(riscv(vcpu), regnum, value);
  },
  translate: (vcpu, gva) => riscv(vcpu).translateGuestVirtual(gva),
  breakpointInstruction: (kind) => (kind === 2 ? C_EBREAK : kind === 4 ? EBREAK : undefined),
  setTrapping: (vcpu, on) => riscv(vcpu).setDebugTrap(on),
  setSingleStep: (vcpu, on) => riscv(vcpu).setSingleStep(on),
  takeStop: (vcpu) => riscv(vcpu).takeDebugStop(),
  pc: (vcpu) => riscv(vcpu).getPc(),
};
