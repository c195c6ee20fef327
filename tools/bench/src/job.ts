/**
 * One measurement, run in a child process of its own (see child-process.ts): a fresh V8
 * heap and code cache per run, its own environment (AXVISOR_JIT=0 for the interpreter
 * figure), and a hang or crash that costs one run instead of the whole benchmark.
 */
export type Job =
  | {
      /** A native workload on a bare machine (default: the riscv64 virt board, M-mode). */
      readonly kind: "emu-workload";
      readonly image: string;
      readonly iterations: number;
      readonly timeoutMs: number;
      /** The platform registry name of the board (default riscv64-qemu-virt). */
      readonly platform?: string;
      /** `-device` options for the board (e.g. x86's isa-debug-exit). */
      readonly devices?: readonly string[];
    }
  | {
      /** A kernel booted natively on a bare machine until `marker` appears on its console. */
      readonly kind: "emu-boot";
      readonly platform: string;
      readonly kernel: string;
      readonly initrd?: string;
      readonly append?: string;
      readonly cpus: number;
      readonly memoryMiB: number;
      readonly marker: string;
      readonly timeoutMs: number;
    }
  | {
      /** A guest-form workload as the only VM under the hypervisor. */
      readonly kind: "vmm-workload";
      readonly image: string;
      readonly iterations: number;
      readonly timeoutMs: number;
      /** The host platform (default riscv64-qemu-virt). */
      readonly platform?: string;
      /** The VM config whose kernel the image replaces (default workloads/bench-guest.toml). */
      readonly config?: string;
    }
  | {
      /** A VM config booted under the hypervisor until `marker` appears on its console. */
      readonly kind: "vmm-boot";
      readonly config: string;
      readonly marker: string;
      readonly timeoutMs: number;
      /** The host platform (default riscv64-qemu-virt). */
      readonly platform?: string;
      /**
       * Host threads the VM's vCPUs run on, as `axvisor run --threads` (default 1: the VMM's
       * one scheduler loop). The time still runs from creating the VM, so it includes
       * starting the worker threads.
       */
      readonly threads?: number;
    }
  | {
      /** `count` demo VMs created and started at once; times to first output of each. */
      readonly kind: "vmm-start";
      readonly count: number;
      readonly timeoutMs: number;
      /** The host platform whose default guest starts (default riscv64-qemu-virt). */
      readonly platform?: string;
    }
  | {
      /**
       * A guest (flat binary entered at 0x8000 in real mode, 64 KiB of RAM) as the only VM of
       * an x86_64 hypervisor: ms from creating the VM to its first console byte and to
       * BENCH-START / BENCH-END.
       */
      readonly kind: "vmm-x86";
      readonly image: string;
      readonly timeoutMs: number;
    }
  | {
      /**
       * The parallel workload on 2 bare harts sharing RAM: on 2 worker threads, or taking
       * turns on one.
       */
      readonly kind: "emu-parallel";
      readonly threads: 1 | 2;
      readonly iterations: number;
      /** The parent kills the child after this (plus a margin); the harts have no clock limit. */
      readonly timeoutMs: number;
    }
  | {
      /**
       * The parallel guest (guests/riscv64/parallel-test) as the only VM of the riscv64
       * hypervisor, 2 vCPUs on 2 host CPUs: its vCPUs on the VMM's one scheduler loop
       * (`threads` 1) or on 2 worker threads (`axvisor run --threads 2`).
       */
      readonly kind: "vmm-parallel";
      readonly threads: 1 | 2;
      readonly iterations: number;
      readonly timeoutMs: number;
    }
  | {
      /** Process RSS before and after `count` demo VMs have booted and gone idle. */
      readonly kind: "vmm-idle-rss";
      readonly count: number;
      readonly timeoutMs: number;
    };

/** What a job reports: named figures (ms, instructions, bytes...) or why it did not finish. */
export type JobResult =
  | { readonly ok: true; readonly figures: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly why: string };

/** The line prefix a child writes its result after, on stdout. */
export const RESULT_PREFIX = "@@AXBENCH-RESULT ";

export const BENCH_START = "BENCH-START";
export const BENCH_END = "BENCH-END";
export const BENCH_FAIL = "BENCH-FAIL";

/** "150 s", "0.3 s": a timeout as failure messages state it. */
export function secondsText(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}
