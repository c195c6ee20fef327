import { ArmVCpu } from "@axvisor/arm-vcpu";
import type { ArchVCpu } from "@axvisor/axvcpu";
import type { VcpuDebugArch } from "../../platform/vcpu-debug.js";

/**
 * GDB's view of an aarch64 vCPU, numbered as GDB's AArch64 port and QEMU's stub number it:
 * x0-x30 are 0-30, sp 31, pc 32, cpsr 33 (features org.gnu.gdb.aarch64.core), v0-v31 34-65,
 * fpsr 66, fpcr 67 (org.gnu.gdb.aarch64.fpu). The `g` packet carries the core registers;
 * GDB reads the FP/SIMD ones with `p`.
 */
export const SP = 31;
export const PC = 32;
export const CPSR = 33;
export const V0 = 34;
export const FPSR = 66;
export const FPCR = 67;

/** The vector register's union type as GDB's own aarch64 description defines it. */
const VREG_TYPES = `    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v2u" type="uint64" count="2"/>
    <vector id="v2i" type="int64" count="2"/>
    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v4u" type="uint32" count="4"/>
    <vector id="v4i" type="int32" count="4"/>
    <vector id="v8u" type="uint16" count="8"/>
    <vector id="v8i" type="int16" count="8"/>
    <vector id="v16u" type="uint8" count="16"/>
    <vector id="v16i" type="int8" count="16"/>
    <vector id="v1u" type="uint128" count="1"/>
    <vector id="v1i" type="int128" count="1"/>
    <union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
    <union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
    <union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
    <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
    <union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
    <union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>
`;

/** The aarch64 target description (core and fpu features), as gdb-multiarch expects it. */
export function aarch64TargetXml(): string {
  const reg = (name: string, regnum: number, bits: number, type: string) =>
    `    <reg name="${name}" bitsize="${bits}" regnum="${regnum}" type="${type}"/>\n`;
  let x = `<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n`;
  x += "  <architecture>aarch64</architecture>\n";
  x += `  <feature name="org.gnu.gdb.aarch64.core">\n`;
  for (let i = 0; i <= 30; i++) x += reg(`x${i}`, i, 64, "int");
  x += reg("sp", SP, 64, "data_ptr");
  x += reg("pc", PC, 64, "code_ptr");
  x += reg("cpsr", CPSR, 32, "int");
  x += "  </feature>\n";
  x += `  <feature name="org.gnu.gdb.aarch64.fpu">\n${VREG_TYPES}`;
  for (let i = 0; i < 32; i++) x += reg(`v${i}`, V0 + i, 128, "aarch64v");
  x += reg("fpsr", FPSR, 32, "int");
  x += reg("fpcr", FPCR, 32, "int");
  x += "  </feature>\n</target>\n";
  return x;
}

const TARGET_XML = aarch64TargetXml();
/** x0-x30, sp and pc (8 bytes each) and cpsr (4 bytes): the `g` packet. */
export const G_BYTES = 33 * 8 + 4;
/** BRK #0, little-endian. */
export const BRK0 = Uint8Array.of(0x00, 0x00, 0x20, 0xd4);

function arm(vcpu: ArchVCpu): ArmVCpu {
  if (!(vcpu instanceof ArmVCpu)) throw new TypeError("not an aarch64 vCPU");
  return vcpu;
}

export function le(v: bigint, bytes: number): Uint8Array {
  const b = new Uint8Array(bytes);
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
}

export function fromLe(data: Uint8Array): bigint {
  let v = 0n;
  for (let i = data.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[i] ?? 0);
  return v;
}

/** The size in bytes of register `regnum`, or 0 if there is none. */
export function regSize(regnum: number): number {
  if (regnum >= 0 && regnum <= PC) return 8;
  if (regnum === CPSR || regnum === FPSR || regnum === FPCR) return 4;
  if (regnum >= V0 && regnum < V0 + 32) return 16;
  return 0;
}

function read(v: ArmVCpu, regnum: number): Uint8Array | undefined {
  if (regnum >= 0 && regnum <= 30) return le(v.getGpr(regnum), 8);
  if (regnum === SP) return le(v.getSp(), 8);
  if (regnum === PC) return le(v.getPc(), 8);
  if (regnum === CPSR) return le(v.getPstate(), 4);
  if (regnum >= V0 && regnum < V0 + 32) return v.getVreg(regnum - V0);
  if (regnum === FPSR) return le(BigInt(v.getFpStatus().fpsr), 4);
  if (regnum === FPCR) return le(BigInt(v.getFpStatus().fpcr), 4);
  return undefined;
}

function write(v: ArmVCpu, regnum: number, data: Uint8Array): boolean {
  if (data.length !== regSize(regnum)) return false;
  const value = fromLe(data);
  if (regnum >= 0 && regnum <= 30) v.setGpr(regnum, value);
  else if (regnum === SP) v.setSp(value);
  else if (regnum === PC) v.setPc(value);
  else if (regnum === CPSR) v.setPstate(value);
  else if (regnum >= V0 && regnum < V0 + 32) v.setVreg(regnum - V0, data);
  else {
    const s = v.getFpStatus();
    if (regnum === FPSR) v.setFpStatus(Number(value), s.fpcr);
    else v.setFpStatus(s.fpsr, Number(value));
  }
  return true;
}

/** The aarch64 platform's debugger support (ArmVCpu's debug mode underneath). */
export const armDebugArch: VcpuDebugArch = {
  features: (annex) => (annex === "target.xml" ? TARGET_XML : undefined),
  readRegisters(vcpu) {
    const v = arm(vcpu);
    const out = new Uint8Array(G_BYTES);
    for (let r = 0, at = 0; r <= CPSR; at += regSize(r), r++) out.set(read(v, r) ?? [], at);
    return out;
  },
  writeRegisters(vcpu, data) {
    const v = arm(vcpu);
    for (let r = 0, at = 0; r <= CPSR && at + regSize(r) <= data.length; at += regSize(r), r++) {
      write(v, r, data.subarray(at, at + regSize(r)));
    }
    return true;
  },
  readRegister: (vcpu, regnum) => read(arm(vcpu), regnum),
  writeRegister: (vcpu, regnum, data) => write(arm(vcpu), regnum, data),
  translate: (vcpu, gva) => arm(vcpu).translateGuestVirtual(gva),
  breakpointInstruction: (kind) => (kind === 4 ? BRK0 : undefined),
  setTrapping: (vcpu, on) => arm(vcpu).setDebugTrap(on),
  setSingleStep: (vcpu, on) => arm(vcpu).setSingleStep(on),
  takeStop: (vcpu) => arm(vcpu).takeDebugStop(),
  pc: (vcpu) => arm(vcpu).getPc(),
};
