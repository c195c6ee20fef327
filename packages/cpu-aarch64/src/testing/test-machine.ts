/**
 * A minimal machine shaped like QEMU virt for the CPU's own tests: RAM at 0x4000_0000, a
 * PL011 whose data register collects the bytes written to it (the flag register reads
 * "transmit FIFO empty"), PSCI SYSTEM_OFF / SYSTEM_RESET through the CPU's firmware hook, and
 * a counter that advances with executed instructions (so runs are deterministic).
 */

import { allocateRam, openCompileQueue } from "@axvisor/machine";
import { Aarch64Cpu } from "../cpu.js";
import type { CpuModel, PhysBus, TimeSource } from "../types.js";

export const RAM_BASE = 0x4000_0000;
export const UART_BASE = 0x0900_0000;
export const PSCI_SYSTEM_OFF = 0x8400_0008;
export const PSCI_SYSTEM_RESET = 0x8400_0009;
export const PSCI_VERSION = 0x8400_0000;

export interface TestMachineOptions {
  ramSize?: number;
  model?: CpuModel;
  el2?: boolean;
  /** Counter ticks per executed instruction (default 1). */
  ticksPerInstruction?: number;
  /** Compile hot code (default: on unless AXVISOR_JIT=0). */
  jit?: boolean;
  /**
   * Entries before code is compiled (default 2: the short test programs then run mostly as
   * compiled code, so every CPU test checks both tiers).
   */
  jitHotThreshold?: number;
  /**
   * Compile on a worker thread, as the emulator does (default false: modules compile inside
   * the call that makes them, so a test sees compiled code at a fixed point of its program).
   */
  jitOffThread?: boolean;
}

export class TestMachine implements PhysBus {
  readonly ram: Uint8Array;
  readonly ramBase = RAM_BASE;
  readonly cpu: Aarch64Cpu;
  uart = "";
  /** Set when the program called PSCI SYSTEM_OFF (or SYSTEM_RESET). */
  off = false;
  ticks = 0;
  private readonly tpi: number;

  readonly time: TimeSource = { now: () => this.ticks };

  constructor(opts: TestMachineOptions = {}) {
    this.ram = allocateRam(opts.ramSize ?? 16 << 20);
    this.tpi = opts.ticksPerInstruction ?? 1;
    this.cpu = new Aarch64Cpu({
      cpuId: 0,
      mpidr: 0,
      bus: this,
      time: this.time,
      model: opts.model ?? "cortex-a57",
      el2: opts.el2 ?? true,
      ...(opts.jit === undefined ? {} : { jit: opts.jit }),
      jitOptions: {
        hotThreshold: opts.jitHotThreshold ?? 2,
        compileQueue: openCompileQueue({ offThread: opts.jitOffThread ?? false }),
      },
      firmware: (cpu, _conduit, _imm) => {
        const fn = Number(cpu.getX(0) & 0xffffffffn);
        if (fn === PSCI_SYSTEM_OFF || fn === PSCI_SYSTEM_RESET) {
          this.off = true;
          cpu.powerOff();
          return true;
        }
        if (fn === PSCI_VERSION) {
          cpu.setX(0, 0x10000n);
          return true;
        }
        cpu.setX(0, BigInt.asUintN(64, -1n)); // NOT_SUPPORTED
        return true;
      },
    });
  }

  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null {
    if (paddr >= UART_BASE && paddr < UART_BASE + 0x1000) {
      // UARTFR (0x18): TXFE | RXFE; everything else reads 0.
      return paddr - UART_BASE === 0x18 ? 0x90n : 0n;
    }
    void width;
    return null;
  }

  store(paddr: number, _width: 1 | 2 | 4 | 8, value: bigint): boolean {
    if (paddr >= UART_BASE && paddr < UART_BASE + 0x1000) {
      if (paddr === UART_BASE) this.uart += String.fromCharCode(Number(value & 0xffn));
      return true;
    }
    return false;
  }

  /** Copies bytes to a physical RAM address. */
  writePhys(paddr: number, bytes: Uint8Array): void {
    this.ram.set(bytes, paddr - RAM_BASE);
  }

  writeWords(paddr: number, words: readonly number[]): void {
    const dv = new DataView(this.ram.buffer, this.ram.byteOffset);
    words.forEach((w, i) => {
      dv.setUint32(paddr - RAM_BASE + 4 * i, w >>> 0, true);
    });
  }

  read64(paddr: number): bigint {
    return new DataView(this.ram.buffer, this.ram.byteOffset).getBigUint64(paddr - RAM_BASE, true);
  }

  /** Runs until SYSTEM_OFF or `limit` instructions; returns instructions executed. */
  runUntilOff(limit: number, slice = 10_000): number {
    let done = 0;
    while (!this.off && done < limit) {
      const before = this.cpu.instructions;
      const exit = this.cpu.run(Math.min(slice, limit - done));
      const n = this.cpu.instructions - before;
      done += n;
      this.ticks += n * this.tpi;
      if (exit === "wfi" && !this.off) {
        // Idle: jump the counter to the next timer event (if any) so waits finish.
        const next = this.cpu.nextTimerEvent();
        if (next === Number.POSITIVE_INFINITY) break;
        if (next > this.ticks) this.ticks = next;
        this.routeTimers();
      } else this.routeTimers();
    }
    return done;
  }

  /** Without a GIC, the timer lines drive IRQ directly (CNTV, CNTP, CNTHP ORed). */
  routeTimers(): void {
    this.cpu.setIrq(this.cpu.timerLines() !== 0);
  }
}
