import { translateGuestVirtual } from "@axvisor/arm-vcpu";
import { type AxResult, axErr, err, ok } from "@axvisor/axerrno";
import { type Aarch64Cpu, SysReg } from "@axvisor/cpu-aarch64";
import { ARM_VIRT, type ArmVirtMachine } from "@axvisor/platform-aarch64-qemu-virt";
import { BoardDebugTarget } from "../../platform/board-debug-target.js";
import {
  aarch64TargetXml,
  BRK0,
  CPSR,
  FPCR,
  FPSR,
  fromLe,
  G_BYTES,
  le,
  PC,
  regSize,
  SP,
  V0,
} from "./arm-debug.js";

const TARGET_XML = aarch64TargetXml();

/**
 * The bare aarch64 machine (`axvisor emu -s`) as a debug target: each CPU is a thread, all
 * CPUs stop together. BRK stops a CPU for the debugger (the CPU's `debugBreakpoints`), so the
 * guest's own debug exception handler never sees it. Memory is read through the CPU's
 * current stage-1 translation (the EL1&0 regime below EL2, the EL2 regime at EL2), RAM only:
 * a debugger's read never reaches a device register.
 */
export function armBoardDebugTarget(m: ArmVirtMachine): BoardDebugTarget {
  const cpu = (i: number): Aarch64Cpu => {
    const c = m.cpus[i] ?? m.cpus[0];
    if (c === undefined) throw axErr("BadState", "the machine has no CPUs");
    return c;
  };
  const readPhysical = (pa: number, n: number): AxResult<Uint8Array> => {
    const off = pa - ARM_VIRT.ram.base;
    if (off < 0 || off + n > m.ram.length) return err("BadAddress", "not RAM");
    return ok(m.ram.slice(off, off + n));
  };
  const memory = { read: readPhysical, write: () => ok(undefined) };
  return new BoardDebugTarget({
    board: m,
    targetXml: TARGET_XML,
    cpuCount: () => m.cpus.length,
    threadInfo(i) {
      const c = cpu(i);
      return `CPU ${i} (${c.poweredOn ? `EL${c.el}` : "off"})`;
    },
    readRegisters(i) {
      const c = cpu(i);
      const out = new Uint8Array(G_BYTES);
      for (let r = 0, at = 0; r <= CPSR; at += regSize(r), r++) out.set(read(c, r) ?? [], at);
      return out;
    },
    writeRegisters(i, data) {
      const c = cpu(i);
      for (let r = 0, at = 0; r <= CPSR && at + regSize(r) <= data.length; at += regSize(r), r++) {
        write(c, r, data.subarray(at, at + regSize(r)));
      }
      return true;
    },
    readRegister: (i, regnum) => read(cpu(i), regnum),
    writeRegister: (i, regnum, data) => write(cpu(i), regnum, data),
    translate(i, va) {
      const c = cpu(i);
      const el2 = c.el === 2;
      return translateGuestVirtual(
        memory,
        {
          sctlr: c.readSysReg(el2 ? SysReg.SCTLR_EL2 : SysReg.SCTLR_EL1),
          tcr: c.readSysReg(el2 ? SysReg.TCR_EL2 : SysReg.TCR_EL1),
          ttbr0: c.readSysReg(el2 ? SysReg.TTBR0_EL2 : SysReg.TTBR0_EL1),
          ttbr1: el2 ? 0n : c.readSysReg(SysReg.TTBR1_EL1),
        },
        va,
      );
    },
    readPhysical,
    writePhysical(pa, data) {
      const off = pa - ARM_VIRT.ram.base;
      if (off < 0 || off + data.length > m.ram.length) return err("BadAddress", "not RAM");
      m.ram.set(data, off);
      return ok(undefined);
    },
    fence: () => m.fenceAll(),
    breakpointInstruction: (kind) => (kind === 4 ? BRK0 : undefined),
  });
}

/** A register as GDB numbers it; sp is the stack pointer of the CPU's current EL and SPSel. */
function read(c: Aarch64Cpu, regnum: number): Uint8Array | undefined {
  if (regnum >= 0 && regnum <= 30) return le(c.getX(regnum), 8);
  if (regnum === SP) return le(c.getSp(c.activeSpIndex()), 8);
  if (regnum === PC) return le(c.getPc(), 8);
  if (regnum === CPSR) return le(BigInt(c.pstate >>> 0), 4);
  if (regnum >= V0 && regnum < V0 + 32)
    return c.fp.u8.slice((regnum - V0) * 16, (regnum - V0 + 1) * 16);
  if (regnum === FPSR) return le(BigInt(c.fp.fpsr >>> 0), 4);
  if (regnum === FPCR) return le(BigInt(c.fp.fpcr >>> 0), 4);
  return undefined;
}

function write(c: Aarch64Cpu, regnum: number, data: Uint8Array): boolean {
  if (data.length !== regSize(regnum)) return false;
  const v = fromLe(data);
  if (regnum >= 0 && regnum <= 30) c.setX(regnum, v);
  else if (regnum === SP) c.setSp(c.activeSpIndex(), v);
  else if (regnum === PC) c.setPc(v);
  else if (regnum === CPSR) {
    try {
      c.pstate = Number(v);
    } catch {
      return false; // an EL the CPU does not have
    }
  } else if (regnum >= V0 && regnum < V0 + 32) c.fp.u8.set(data, (regnum - V0) * 16);
  else if (regnum === FPSR) c.fp.fpsr = Number(v);
  else c.fp.fpcr = Number(v);
  return true;
}
