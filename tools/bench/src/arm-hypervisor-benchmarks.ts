import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchContext, Benchmark } from "./benchmarks.js";
import { runInChild } from "./child-process.js";
import { instructionCount, readWorkloadParams, withIterations } from "./image-params.js";
import type { JobResult } from "./job.js";
import type { Measurement } from "./measure.js";
import { linuxConfigProblem, REPO_ROOT, vmConfigPath } from "./paths.js";
import { scaledIterations, WORKLOADS_DIR } from "./workloads.js";

/**
 * The aarch64 hypervisor rows: guests under `axvisor run` on the aarch64-qemu-virt host
 * platform (arm-vcpu at EL2, a vGICv3), beside the bare-machine and QEMU rows of the same
 * architecture. JSON: `aarch64.guest_loop_mips`, `aarch64.linux_boot_s`,
 * `aarch64.exit_roundtrip_us`, `aarch64.vm_start_ms`.
 */
const PLATFORM = "aarch64-qemu-virt";
const ARCH = "aarch64" as const;
const GUEST_CONFIG = join(WORKLOADS_DIR, "aarch64/bench-guest.toml");
const LINUX_CONFIG = "linux-aarch64-qemu-smp1.toml";
const LINUX_MARKER = "GUEST-INIT-OK";

/**
 * The loop sized like the bare aarch64 rows (a second or two on the interpreter); the exits
 * as riscv64's (QEMU's 2M: at under 1 µs per exit, a run of 200 000 was a third V8's
 * one-time optimisation of the exit path).
 */
const ITERATIONS = { intloop: 20_000_000, exitloop: 2_000_000 } as const;
type GuestWorkload = keyof typeof ITERATIONS;

function image(name: GuestWorkload): string {
  return join(WORKLOADS_DIR, `aarch64/${name}-native.bin`);
}

function workloadFacts(name: GuestWorkload, iterations: number) {
  const p = readWorkloadParams(readFileSync(image(name)));
  return {
    image: image(name).slice(REPO_ROOT.length),
    config: GUEST_CONFIG.slice(REPO_ROOT.length),
    iterations,
    instructions_per_iteration: p.perIteration,
    instructions: instructionCount(p, iterations),
  };
}

function fromJob(
  r: JobResult,
  toValue: (f: Readonly<Record<string, number>>) => number,
): Measurement {
  if (!r.ok) return r;
  return { ok: true, value: toValue(r.figures), detail: r.figures };
}

function timeoutMs(ctx: BenchContext): number {
  return ctx.quick ? 60_000 : 180_000;
}

function guestWorkload(name: GuestWorkload): Benchmark {
  const row = name === "intloop" ? "aarch64-intloop" : "aarch64-exit";
  const iterations = (ctx: BenchContext) => scaledIterations(ITERATIONS[name], ctx.quick);
  return {
    id: `${row}.hypervisor`,
    row,
    target: "hypervisor",
    arch: ARCH,
    method:
      name === "intloop"
        ? "the aarch64 integer loop (native form, EL1) as the only VM under the hypervisor on aarch64-qemu-virt (tools/bench/workloads/aarch64/bench-guest.toml), in a fresh child process; MIPS = instructions between BENCH-START and BENCH-END / time between them"
        : "stores to the VM's emulated PL011 (UARTICR), each a data abort to EL2, an MMIO exit served by the VMM and an ERET back, as the only VM under the hypervisor on aarch64-qemu-virt; figure = time between BENCH-START and BENCH-END / stores",
    unavailable: () => undefined,
    facts: (ctx) => workloadFacts(name, iterations(ctx)),
    async run(ctx) {
      const n = iterations(ctx);
      const { instructions } = workloadFacts(name, n);
      const file = join(ctx.tmpDir, `aarch64-${name}-guest-${n}.bin`);
      writeFileSync(file, withIterations(readFileSync(image(name)), n));
      const limit = timeoutMs(ctx);
      const r = await runInChild(
        {
          kind: "vmm-workload",
          image: file,
          iterations: n,
          timeoutMs: limit,
          platform: PLATFORM,
          config: GUEST_CONFIG,
        },
        { hardTimeoutMs: limit + 30_000 },
      );
      return fromJob(r, (f) => {
        const ms = f.ms ?? Number.NaN;
        return name === "exitloop" ? (ms * 1000) / n : instructions / (ms / 1000) / 1e6;
      });
    },
  };
}

function linuxUnderHypervisor(): Benchmark {
  const config = vmConfigPath(LINUX_CONFIG);
  return {
    id: "aarch64-linux.hypervisor",
    row: "aarch64-linux",
    target: "hypervisor",
    arch: ARCH,
    method: `configs/vms/${LINUX_CONFIG} under the hypervisor on aarch64-qemu-virt (vGICv3, emulated PL011, PSCI over HVC): seconds from creating the VM to ${LINUX_MARKER} on its console`,
    unavailable: () => linuxConfigProblem(config),
    facts: (ctx) => ({
      config: `configs/vms/${LINUX_CONFIG}`,
      timeout_s: ctx.linuxTimeoutMs / 1000,
    }),
    async run(ctx) {
      const r = await runInChild(
        {
          kind: "vmm-boot",
          config,
          marker: LINUX_MARKER,
          timeoutMs: ctx.linuxTimeoutMs,
          platform: PLATFORM,
        },
        { hardTimeoutMs: ctx.linuxTimeoutMs + 30_000 },
      );
      return fromJob(r, (f) => (f.ms ?? Number.NaN) / 1000);
    },
  };
}

function vmStart(): Benchmark {
  return {
    id: "aarch64-vm-start.hypervisor",
    row: "aarch64-vm-start",
    target: "hypervisor",
    arch: ARCH,
    method:
      "the aarch64 demo guest (guests/aarch64/demo, the platform's default guest) created and started on a fresh aarch64-qemu-virt host: ms to its first console byte",
    unavailable: () => undefined,
    facts: () => ({ guest: "guests/aarch64/demo/demo.bin" }),
    async run(ctx) {
      const limit = timeoutMs(ctx);
      const r = await runInChild(
        { kind: "vmm-start", count: 1, timeoutMs: limit, platform: PLATFORM },
        { hardTimeoutMs: limit + 30_000 },
      );
      return fromJob(r, (f) => f.ms ?? Number.NaN);
    },
  };
}

export function armHypervisorBenchmarks(): Benchmark[] {
  return [guestWorkload("intloop"), linuxUnderHypervisor(), guestWorkload("exitloop"), vmStart()];
}
