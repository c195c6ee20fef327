import type { PhysBus, TimeSource } from "@axvisor/machine";
import type { JitOptions } from "./jit/jit.js";

export type { PhysBus, TimeSource };

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
