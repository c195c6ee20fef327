/**
 * A minimal PC for tests: RAM at physical 0, COM1's data port collecting what the guest
 * prints (its line status register always reports "transmitter empty"), QEMU's isa-debug-exit
 * at port 0xF4, open bus everywhere else, and a multiboot v1 loader that enters an ELF32 kernel
 * the way QEMU's -kernel does (32-bit protected mode, flat segments, EAX = 0x2BADB002, EBX = the
 * multiboot information structure).
 */
import { allocateRam, type PhysBus, type TimeSource } from "@axvisor/machine";
import { X86Cpu } from "../cpu.js";
import { CS, DS, ES, FS, GS, SA_DB, SA_G, SA_P, SA_S, SS } from "../regs.js";
import type { PortIo, RunExit } from "../types.js";

const COM1 = 0x3f8;
const DEBUG_EXIT = 0xf4;
/** Where the loader puts the multiboot information structure. */
const MBI_ADDR = 0x9000;

export class TestPc implements PhysBus, PortIo, TimeSource {
  readonly ram: Uint8Array;
  readonly ramBase = 0;
  serial = "";
  /** The value written to isa-debug-exit (QEMU exits with (v << 1) | 1), or undefined. */
  exitCode: number | undefined;
  ticks = 0;
  readonly cpu: X86Cpu;

  /** `jit`: use the JIT tier (default: unless AXVISOR_JIT=0); RAM is wasm memory either way. */
  constructor(ramSize = 32 << 20, options: { jit?: boolean } = {}) {
    this.ram = allocateRam(ramSize);
    this.cpu = new X86Cpu({
      cpuId: 0,
      apicId: 0,
      bus: this,
      io: this,
      time: this,
      ...(options.jit === undefined ? {} : { jit: options.jit }),
    });
  }

  load(): bigint | null {
    return null;
  }

  store(): boolean {
    return false;
  }

  in(port: number, size: 1 | 2 | 4): number {
    if (port === COM1 + 5) return 0x60;
    return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  }

  out(port: number, _size: 1 | 2 | 4, value: number): void {
    if (port === COM1) this.serial += String.fromCharCode(value & 0xff);
    else if (port === DEBUG_EXIT) this.exitCode = value;
  }

  now(): number {
    return this.ticks;
  }

  /** Loads a multiboot v1 ELF32 kernel and sets the CPU up as QEMU's loader leaves it. */
  loadMultiboot(elf: Uint8Array): void {
    const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
    if (dv.getUint32(0, true) !== 0x464c457f || elf[4] !== 1) {
      throw new Error("not an ELF32 image");
    }
    const entry = dv.getUint32(24, true);
    const phoff = dv.getUint32(28, true);
    const phentsize = dv.getUint16(42, true);
    const phnum = dv.getUint16(44, true);
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * phentsize;
      if (dv.getUint32(ph, true) !== 1) continue;
      const offset = dv.getUint32(ph + 4, true);
      const paddr = dv.getUint32(ph + 12, true);
      const filesz = dv.getUint32(ph + 16, true);
      const memsz = dv.getUint32(ph + 20, true);
      this.ram.set(elf.subarray(offset, offset + filesz), paddr);
      this.ram.fill(0, paddr + filesz, paddr + memsz);
    }
    const mbi = new DataView(this.ram.buffer, this.ram.byteOffset + MBI_ADDR, 64);
    mbi.setUint32(0, 1, true); // flags: mem_lower/mem_upper valid
    mbi.setUint32(4, 640, true);
    mbi.setUint32(8, (this.ram.byteLength >> 10) - 1024, true);
    const cpu = this.cpu;
    cpu.cr0 = 0x11; // PE, ET
    for (const seg of [CS, DS, ES, FS, GS, SS]) {
      cpu.segSel[seg] = seg === CS ? 0x10 : 0x18;
      cpu.segBase[seg] = 0;
      cpu.segLimit[seg] = 0xffffffff;
      cpu.segAttr[seg] = SA_P | SA_S | SA_DB | SA_G | (seg === CS ? 0xb : 3);
    }
    cpu.cpl = 0;
    cpu.flags = 2;
    cpu.rlo.fill(0);
    cpu.rhi.fill(0);
    cpu.rlo[0] = 0x2badb002;
    cpu.rlo[3] = MBI_ADDR;
    cpu.rip = entry;
    cpu.updateMode();
    cpu.flushTlb(true);
  }

  /** Runs until the program exits, shuts down, halts for good, or `limit` instructions pass. */
  runUntilExit(limit: number): { exit: RunExit | "exit" | "limit"; executed: number } {
    let executed = 0;
    while (executed < limit) {
      const before = this.cpu.icount;
      const r = this.cpu.run(10000);
      executed += this.cpu.icount - before;
      this.ticks += 10000;
      if (this.exitCode !== undefined) return { exit: "exit", executed };
      if (r === "shutdown" || r === "hlt") return { exit: r, executed };
    }
    return { exit: "limit", executed };
  }
}
