import type { JitOptions } from "./jit/jit.js";

/**
 * What the hart needs from the machine around it. The board (or a test machine) implements
 * these; the hart reads and writes `ram` directly on its fast paths and calls `load`/`store`
 * for everything outside RAM.
 */
export interface PhysBus {
  /** Main RAM. Its byteOffset must be a multiple of 8 (the hart keeps aligned views on it). */
  readonly ram: Uint8Array;
  /** Physical address of ram[0], e.g. 0x8000_0000. */
  readonly ramBase: number;
  /** Device or ROM read outside RAM; null means nothing is there (access fault). */
  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null;
  /** Device write outside RAM; false means nothing is there (access fault). */
  store(paddr: number, width: 1 | 2 | 4 | 8, value: bigint): boolean;
}

/** The platform timer (the `time` CSR), in ticks of the timebase (10 MHz on QEMU virt). */
export interface TimeSource {
  now(): number;
}

/** Why `Hart.run()` returned. */
export type RunExit = "budget" | "wfi" | "host-trap";

export interface HartExtensions {
  /** The hypervisor extension (default true). */
  h?: boolean;
  /** Sstc: stimecmp/vstimecmp (default true). */
  sstc?: boolean;
}

export interface HartOptions {
  hartId: number;
  bus: PhysBus;
  time: TimeSource;
  /** PC after reset (QEMU virt: 0x1000, the mask ROM). */
  resetPc: number;
  extensions?: HartExtensions;
  /**
   * The JIT tier (compiling hot code to WebAssembly): true/false, or tuning options. Default:
   * on, unless the environment has AXVISOR_JIT=0. It only works when `bus.ram` came from
   * `allocateRam()`; on other RAM the hart interprets.
   */
  jit?: boolean | JitOptions;
}
