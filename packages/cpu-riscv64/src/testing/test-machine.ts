/**
 * A minimal machine for tests: RAM at 0x8000_0000, a scratch MMIO device at 0x1000_0000
 * that records accesses, nothing anywhere else (access faults), and a settable clock.
 */

import { allocateRam } from "@axvisor/machine";
import type { HartExtensions, HartOptions, PhysBus, TimeSource } from "../bus.js";
import { Hart } from "../hart.js";

export const RAM_BASE = 0x8000_0000;
export const MMIO_BASE = 0x1000_0000;

export interface MmioAccess {
  kind: "load" | "store";
  paddr: number;
  width: number;
  value: bigint;
}

export class TestBus implements PhysBus {
  readonly ram: Uint8Array;
  readonly ramBase = RAM_BASE;
  readonly log: MmioAccess[] = [];
  /** What MMIO loads return. */
  mmioValue = 0x1122334455667788n;

  constructor(ramSize = 4 << 20) {
    // Wasm RAM, so harts on it have their JIT (when it is on).
    this.ram = allocateRam(ramSize);
  }

  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null {
    if (paddr >= MMIO_BASE && paddr < MMIO_BASE + 0x1000) {
      const value = BigInt.asUintN(width * 8, this.mmioValue);
      this.log.push({ kind: "load", paddr, width, value });
      return value;
    }
    return null;
  }

  store(paddr: number, width: 1 | 2 | 4 | 8, value: bigint): boolean {
    if (paddr >= MMIO_BASE && paddr < MMIO_BASE + 0x1000) {
      this.log.push({ kind: "store", paddr, width, value });
      return true;
    }
    return false;
  }

  /** Writes little-endian words at a physical RAM address. */
  writeWords(paddr: number, words: readonly number[]): void {
    const dv = new DataView(this.ram.buffer, this.ram.byteOffset);
    words.forEach((w, i) => {
      dv.setUint32(paddr - RAM_BASE + 4 * i, w >>> 0, true);
    });
  }

  write64(paddr: number, v: bigint): void {
    new DataView(this.ram.buffer, this.ram.byteOffset).setBigUint64(paddr - RAM_BASE, v, true);
  }

  read64(paddr: number): bigint {
    return new DataView(this.ram.buffer, this.ram.byteOffset).getBigUint64(paddr - RAM_BASE, true);
  }

  read32(paddr: number): number {
    return new DataView(this.ram.buffer, this.ram.byteOffset).getUint32(paddr - RAM_BASE, true);
  }
}

export class ManualClock implements TimeSource {
  ticks = 0;
  now(): number {
    return this.ticks;
  }
}

/**
 * A hart whose program (32-bit words) is placed at RAM_BASE, where it starts. `jit` is the
 * Hart option (default: on unless AXVISOR_JIT=0).
 */
export function makeHart(
  program: readonly number[] = [],
  extensions: HartExtensions = {},
  jit?: HartOptions["jit"],
): { hart: Hart; bus: TestBus; clock: ManualClock } {
  const bus = new TestBus();
  bus.writeWords(RAM_BASE, program);
  const clock = new ManualClock();
  const hart = new Hart({
    hartId: 0,
    bus,
    time: clock,
    resetPc: RAM_BASE,
    extensions,
    ...(jit !== undefined ? { jit } : {}),
  });
  return { hart, bus, clock };
}
