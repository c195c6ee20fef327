import { fileURLToPath } from "node:url";

/** tools/bench/workloads, from src/ or dist/ alike. */
export const WORKLOADS_DIR = fileURLToPath(new URL("../workloads/", import.meta.url));

export type WorkloadName = "intloop" | "memloop" | "branchy" | "pagetable" | "exitloop";
export type WorkloadForm = "native" | "guest";

export interface Workload {
  readonly name: WorkloadName;
  readonly title: string;
  /**
   * Iterations per run, per target, each sized for a run long enough that start-up costs do
   * not decide the figure: `emu` for the bare machine and `hypervisor` for the guest (QEMU's
   * count for the integer and memory loops, which compiled code runs near QEMU's speed; fewer
   * for the MMIO loop, where every store under the hypervisor is a VM exit), `qemu` for QEMU
   * TCG.
   */
  readonly iterations: {
    readonly emu: number;
    readonly hypervisor: number;
    readonly qemu: number;
    /** With the JIT off (the `interp` rows), when that needs fewer than `emu`/`hypervisor`. */
    readonly interpreter?: number;
  };
}

export const WORKLOADS: Readonly<Record<WorkloadName, Workload>> = {
  intloop: {
    name: "intloop",
    title: "integer loop (addi/addi/bnez)",
    // The guest runs QEMU's count: with compiled code at QEMU's speed, 50M iterations took
    // under 0.1 s, mostly warm-up (compilation, V8's tier-up), which QEMU's 20x longer run
    // amortised and ours did not.
    iterations: {
      emu: 50_000_000,
      hypervisor: 1_000_000_000,
      qemu: 1_000_000_000,
      interpreter: 50_000_000,
    },
  },
  memloop: {
    name: "memloop",
    title: "memory loop (ld/addi/sd/addi/bnez)",
    iterations: { emu: 30_000_000, hypervisor: 300_000_000, qemu: 300_000_000 },
  },
  branchy: {
    name: "branchy",
    title: "branches, calls, indirect jumps",
    iterations: { emu: 4_000_000, hypervisor: 4_000_000, qemu: 8_000_000 },
  },
  pagetable: {
    name: "pagetable",
    title: "page-table walks (Sv39, TLB miss per page)",
    iterations: { emu: 10_000, hypervisor: 10_000, qemu: 10_000 },
  },
  exitloop: {
    name: "exitloop",
    title: "MMIO store loop (UART scratch register)",
    // QEMU's count under the hypervisor too: at under 1 µs per exit, 200 000 exits took a
    // fifth of a second, of which V8 optimising the exit path after its first runs (a
    // one-time cost of ~0.1 s) was a third.
    iterations: { emu: 2_000_000, hypervisor: 2_000_000, qemu: 2_000_000 },
  },
};

/**
 * The committed image of a workload form: the ELF (QEMU and the bare machine load it), or the
 * raw binary (what a VM config's kernel_path names for the hypervisor).
 */
export function workloadImage(
  name: WorkloadName,
  form: WorkloadForm,
  format: "elf" | "bin" = "elf",
): string {
  return `${WORKLOADS_DIR}${name}-${form}.${format}`;
}

/** Iterations scaled for --quick (a tenth, at least one). */
export function scaledIterations(n: number, quick: boolean): number {
  return quick ? Math.max(1, Math.round(n / 10)) : n;
}
