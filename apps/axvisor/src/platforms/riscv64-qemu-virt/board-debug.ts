import { type AxResult, axErr, err, ok } from "@axvisor/axerrno";
import type { Hart } from "@axvisor/cpu-riscv64";
import { VIRT, type VirtMachine } from "@axvisor/platform-riscv64-qemu-virt";
import { RiscvCsr, translateGuestVirtual } from "@axvisor/riscv-vcpu";
import { BoardDebugTarget } from "../../platform/board-debug-target.js";
import {
  C_EBREAK,
  CSR0,
  EBREAK,
  FCSR,
  FFLAGS,
  FPR0,
  FRM,
  fromBytes,
  G_REGS,
  MACHINE_CSRS,
  PC,
  PRIV,
  riscvTargetXml,
  SUPERVISOR_CSRS,
  u64,
} from "./riscv-debug.js";

const TARGET_XML = riscvTargetXml([...SUPERVISOR_CSRS, ...MACHINE_CSRS]);

/**
 * The bare machine (`axvisor emu -s`) as a debug target: each hart is a thread, all harts
 * stop together. Breakpoint instructions stop a hart as external debug would (the hart's
 * `debugBreakpoints`), so firmware and kernel trap handlers never see them. Memory is read
 * through the hart's current translation (satp, below M-mode), RAM only: a debugger's read
 * never reaches a device register (the mask ROM is readable, and patchable for breakpoints
 * as QEMU's is).
 */
export function riscvBoardDebugTarget(m: VirtMachine): BoardDebugTarget {
  const hart = (i: number): Hart => {
    const h = m.harts[i] ?? m.harts[0];
    if (h === undefined) throw axErr("BadState", "the machine has no harts");
    return h;
  };
  const readPhysical = (pa: number, n: number): AxResult<Uint8Array> => {
    const rom = pa - VIRT.mrom.base;
    if (rom >= 0 && rom + n <= m.rom.bytes.length) return ok(m.rom.bytes.slice(rom, rom + n));
    const off = pa - VIRT.dram.base;
    if (off < 0 || off + n > m.ram.length) return err("BadAddress", "not RAM");
    return ok(m.ram.slice(off, off + n));
  };
  const memory = { read: readPhysical, write: () => ok(undefined) };
  return new BoardDebugTarget({
    board: m,
    targetXml: TARGET_XML,
    cpuCount: () => m.harts.length,
    threadInfo(i) {
      const h = hart(i);
      return `hart ${i} (${["U", "S", "?", "M"][h.priv] ?? "?"}-mode${h.virt ? ", V=1" : ""})`;
    },
    readRegisters(i) {
      const h = hart(i);
      const out = new Uint8Array(G_REGS * 8);
      for (let r = 0; r < G_REGS; r++) out.set(u64(read(h, r) ?? 0n), r * 8);
      return out;
    },
    writeRegisters(i, data) {
      const h = hart(i);
      for (let r = 0; r < G_REGS && (r + 1) * 8 <= data.length; r++) {
        write(h, r, fromBytes(data.subarray(r * 8, r * 8 + 8)) ?? 0n);
      }
      return true;
    },
    readRegister(i, regnum) {
      const v = read(hart(i), regnum);
      return v === undefined ? undefined : u64(v);
    },
    writeRegister(i, regnum, data) {
      const v = fromBytes(data);
      return v !== undefined && write(hart(i), regnum, v);
    },
    translate(i, va) {
      const h = hart(i);
      const satp = h.readCsr(RiscvCsr.satp);
      if (h.priv === 3 || satp >> 60n === 0n) {
        return va <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(va) : null;
      }
      const signed = BigInt.asIntN(64, va);
      if (signed < BigInt(Number.MIN_SAFE_INTEGER)) return null;
      return translateGuestVirtual(memory, satp, Number(signed));
    },
    readPhysical,
    writePhysical(pa, data) {
      const rom = pa - VIRT.mrom.base;
      if (rom >= 0 && rom + data.length <= m.rom.bytes.length) {
        m.rom.bytes.set(data, rom);
        return ok(undefined);
      }
      const off = pa - VIRT.dram.base;
      if (off < 0 || off + data.length > m.ram.length) return err("BadAddress", "not RAM");
      m.ram.set(data, off);
      return ok(undefined);
    },
    fence: () => m.fenceAll(),
    breakpointInstruction: (kind) => (kind === 2 ? C_EBREAK : kind === 4 ? EBREAK : undefined),
  });
}

function read(h: Hart, regnum: number): bigint | undefined {
  if (regnum >= 0 && regnum < 32) {
    return (BigInt((h.x[2 * regnum + 1] ?? 0) >>> 0) << 32n) | BigInt((h.x[2 * regnum] ?? 0) >>> 0);
  }
  if (regnum === PC) return h.getPc();
  if (regnum >= FPR0 && regnum < FPR0 + 32) {
    const i = regnum - FPR0;
    return (BigInt((h.f[2 * i + 1] ?? 0) >>> 0) << 32n) | BigInt((h.f[2 * i] ?? 0) >>> 0);
  }
  if (regnum === PRIV) return BigInt(h.priv);
  const csr = regnum - CSR0;
  if (csr === FFLAGS) return BigInt(h.fflags);
  if (csr === FRM) return BigInt(h.frm);
  if (csr === FCSR) return BigInt((h.frm << 5) | h.fflags);
  if (!KNOWN_CSRS.has(csr)) return undefined;
  return h.readCsr(csr);
}

function write(h: Hart, regnum: number, value: bigint): boolean {
  const lo = Number(value & 0xffff_ffffn) | 0;
  const hi = Number((value >> 32n) & 0xffff_ffffn) | 0;
  if (regnum === 0) return true;
  if (regnum > 0 && regnum < 32) {
    h.x[2 * regnum] = lo;
    h.x[2 * regnum + 1] = hi;
  } else if (regnum === PC) h.setPc(value);
  else if (regnum >= FPR0 && regnum < FPR0 + 32) {
    const i = regnum - FPR0;
    h.f[2 * i] = lo;
    h.f[2 * i + 1] = hi;
  } else {
    const csr = regnum - CSR0;
    if (csr === FFLAGS) h.fflags = lo & 0x1f;
    else if (csr === FRM) h.frm = lo & 7;
    else if (csr === FCSR) {
      h.fflags = lo & 0x1f;
      h.frm = (lo >> 5) & 7;
    } else if (KNOWN_CSRS.has(csr)) h.writeCsr(csr, value);
    else return false;
  }
  return true;
}

const KNOWN_CSRS = new Set([...SUPERVISOR_CSRS, ...MACHINE_CSRS].map(([, n]) => n));
