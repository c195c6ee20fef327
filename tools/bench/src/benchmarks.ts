import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BareArch, BenchArch } from "./arches.js";
import { armHypervisorBenchmarks } from "./arm-hypervisor-benchmarks.js";
import { bareArchBenchmarks } from "./bare-arch-benchmarks.js";
import { runInChild } from "./child-process.js";
import { instructionCount, readWorkloadParams, withIterations } from "./image-params.js";
import { BENCH_END, BENCH_FAIL, BENCH_START, type Job, type JobResult } from "./job.js";
import { PARALLEL_PER_ITERATION } from "./jobs/emu-parallel.js";
import type { Measurement } from "./measure.js";
import { configImages, DEMO_GUEST, linuxConfigProblem, vmConfigPath } from "./paths.js";
import { OPENSBI_FW_DYNAMIC, processRssBytes, qemuOutcome, runQemu } from "./qemu.js";
import { scaledIterations, WORKLOADS, type WorkloadName, workloadImage } from "./workloads.js";
import { x86HypervisorBenchmarks } from "./x86-hypervisor-benchmarks.js";

/** Where a benchmark runs. */
export type Target = "emu" | "hypervisor" | "qemu";

export const TARGET_TITLES: Readonly<Record<Target, string>> = {
  emu: "bare machine",
  hypervisor: "guest (hypervisor)",
  qemu: "QEMU",
};

/** Table rows, in print order: one figure, measured on up to three targets. */
export const ROWS = [
  { id: "intloop", title: "integer loop", unit: "MIPS", better: "higher" },
  { id: "memloop", title: "memory loop", unit: "MIPS", better: "higher" },
  { id: "branchy", title: "branches/calls", unit: "MIPS", better: "higher" },
  { id: "pagetable", title: "page-table walks", unit: "MIPS", better: "higher" },
  { id: "interp", title: "integer loop, AXVISOR_JIT=0", unit: "MIPS", better: "higher" },
  { id: "exit", title: "MMIO store / VM exit", unit: "us", better: "lower" },
  { id: "linux-smp1", title: "Linux to GUEST-INIT-OK, 1 hart", unit: "s", better: "lower" },
  { id: "linux-smp2", title: "Linux to GUEST-INIT-OK, 2 harts", unit: "s", better: "lower" },
  { id: "vm-start", title: "VM start to first output", unit: "ms", better: "lower" },
  { id: "idle-rss", title: "memory per idle VM", unit: "MB", better: "lower" },
  { id: "start-8", title: "start 8 VMs", unit: "ms", better: "lower" },
  {
    id: "parallel",
    title: "parallel guest, 2 vCPUs: 2 host threads vs 1",
    unit: "x",
    better: "higher",
  },
  { id: "aarch64-intloop", title: "aarch64 integer loop", unit: "MIPS", better: "higher" },
  { id: "aarch64-memloop", title: "aarch64 memory loop", unit: "MIPS", better: "higher" },
  { id: "aarch64-linux", title: "aarch64 Linux to GUEST-INIT-OK", unit: "s", better: "lower" },
  { id: "aarch64-exit", title: "aarch64 MMIO store / VM exit", unit: "us", better: "lower" },
  {
    id: "aarch64-vm-start",
    title: "aarch64 VM start to first output",
    unit: "ms",
    better: "lower",
  },
  { id: "x86_64-intloop", title: "x86_64 integer loop", unit: "MIPS", better: "higher" },
  { id: "x86_64-memloop", title: "x86_64 memory loop", unit: "MIPS", better: "higher" },
  { id: "x86_64-linux", title: "x86_64 Linux to GUEST-INIT-OK", unit: "s", better: "lower" },
  { id: "x86_64-exit", title: "x86_64 MMIO store / VM exit", unit: "us", better: "lower" },
  { id: "x86_64-pio-exit", title: "x86_64 port write / VM exit", unit: "us", better: "lower" },
  { id: "x86_64-vm-start", title: "x86_64 VM start to first output", unit: "ms", better: "lower" },
  { id: "x86_64-linux-hv", title: "x86_64 Linux under the hypervisor", unit: "s", better: "lower" },
] as const;

export type RowId = (typeof ROWS)[number]["id"];

export interface BenchContext {
  readonly runs: number;
  readonly quick: boolean;
  /** QEMU's version line when it is installed (qemu-system-riscv64). */
  readonly qemu: string | undefined;
  /** The version line of each architecture's QEMU that is installed (and not --no-qemu). */
  readonly qemuVersions: Readonly<Partial<Record<BenchArch, string>>>;
  /** Scratch folder for patched images. */
  readonly tmpDir: string;
  /** Timeout of one Linux boot. */
  readonly linuxTimeoutMs: number;
}

export interface Benchmark {
  /** `<row>.<target>`, e.g. "intloop.hypervisor". */
  readonly id: string;
  readonly row: RowId;
  readonly target: Target;
  /** The architecture of the rows beside riscv64 (absent: riscv64). */
  readonly arch?: BareArch;
  /** What is measured and how, for the JSON and --list. */
  readonly method: string;
  /** Why it cannot run here, or undefined. */
  unavailable(ctx: BenchContext): string | undefined;
  /** Fixed facts of the run (iterations, instruction count...), for the JSON. */
  facts(ctx: BenchContext): Readonly<Record<string, number | string>>;
  run(ctx: BenchContext): Promise<Measurement>;
  /** Left out of --quick runs (the smoke run keeps one of each kind). */
  readonly skipWhenQuick?: boolean;
}

const DEMO_BANNER = "AxVisor.ts demo guest";
const DEMO_READY = "DEMO-READY";
const LINUX_MARKER = "GUEST-INIT-OK";
const LINUX_APPEND = "console=ttyS0 earlycon=sbi";
/** How long an idle VM is left alone before its memory is read. */
const IDLE_SETTLE_MS = 1000;

function workloadTimeoutMs(ctx: BenchContext): number {
  return ctx.quick ? 60_000 : 180_000;
}

function noQemu(ctx: BenchContext): string | undefined {
  return ctx.qemu === undefined ? "qemu-system-riscv64 is not installed" : undefined;
}

function fromJob(
  r: JobResult,
  toValue: (f: Readonly<Record<string, number>>) => number,
): Measurement {
  if (!r.ok) return r;
  return { ok: true, value: toValue(r.figures), detail: r.figures };
}

/** MIPS (or µs per iteration for the MMIO loop) from a marker-to-marker time. */
function workloadValue(name: WorkloadName, instructions: number, iterations: number) {
  return (f: Readonly<Record<string, number>>): number => {
    const ms = f.ms ?? Number.NaN;
    return name === "exitloop" ? (ms * 1000) / iterations : instructions / (ms / 1000) / 1e6;
  };
}

function workloadFacts(name: WorkloadName, form: "native" | "guest", iterations: number) {
  const format = form === "guest" ? "bin" : "elf";
  const p = readWorkloadParams(readFileSync(workloadImage(name, form, format)));
  return {
    image: `tools/bench/workloads/${name}-${form}.${format}`,
    iterations,
    instructions_per_iteration: p.perIteration,
    instructions: instructionCount(p, iterations),
  };
}

/** A workload on our emulator: bare machine (native form) or hypervisor guest (guest form). */
function ourWorkload(
  row: RowId,
  name: WorkloadName,
  target: "emu" | "hypervisor",
  env?: Readonly<Record<string, string>>,
): Benchmark {
  const form = target === "emu" ? "native" : "guest";
  const w = WORKLOADS[name].iterations;
  const count = (env?.AXVISOR_JIT === "0" ? w.interpreter : undefined) ?? w[target];
  const where =
    target === "emu"
      ? "the native (M-mode) form on the emulated virt board, no firmware (axvisor emu -bios none)"
      : "the guest (S-mode) form as the only VM under the hypervisor";
  const timing =
    name === "exitloop"
      ? "figure = time between BENCH-START and BENCH-END / stores"
      : "MIPS = instructions between BENCH-START and BENCH-END / time between them";
  return {
    id: `${row}.${target}`,
    row,
    target,
    method: `${WORKLOADS[name].title}: ${where}, in a fresh child process${
      env
        ? ` with ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : ""
    }; ${timing}`,
    unavailable: () => undefined,
    facts: (ctx) => workloadFacts(name, form, scaledIterations(count, ctx.quick)),
    async run(ctx) {
      const iterations = scaledIterations(count, ctx.quick);
      const { instructions } = workloadFacts(name, form, iterations);
      const timeoutMs = workloadTimeoutMs(ctx);
      const job: Job = {
        kind: target === "emu" ? "emu-workload" : "vmm-workload",
        image: workloadImage(name, form, form === "guest" ? "bin" : "elf"),
        iterations,
        timeoutMs,
      };
      const r = await runInChild(job, {
        hardTimeoutMs: timeoutMs + 30_000,
        ...(env ? { env } : {}),
      });
      return fromJob(r, workloadValue(name, instructions, iterations));
    },
  };
}

/** A native workload under QEMU TCG (-bios none), timed on its stdout. */
function qemuWorkload(row: RowId, name: WorkloadName): Benchmark {
  return {
    id: `${row}.qemu`,
    row,
    target: "qemu",
    method: `${WORKLOADS[name].title}: the native form under qemu-system-riscv64 -M virt -bios none (TCG), markers timed on its stdout`,
    unavailable: noQemu,
    facts: (ctx) =>
      workloadFacts(name, "native", scaledIterations(WORKLOADS[name].iterations.qemu, ctx.quick)),
    async run(ctx) {
      const iterations = scaledIterations(WORKLOADS[name].iterations.qemu, ctx.quick);
      const { instructions } = workloadFacts(name, "native", iterations);
      const image = join(ctx.tmpDir, `${name}-native-${iterations}.elf`);
      writeFileSync(image, withIterations(readFileSync(workloadImage(name, "native")), iterations));
      const timeoutMs = workloadTimeoutMs(ctx);
      const r = await runQemu({
        args: [
          "-M",
          "virt",
          "-m",
          "128M",
          "-smp",
          "1",
          "-nographic",
          "-bios",
          "none",
          "-kernel",
          image,
        ],
        markers: [BENCH_START, BENCH_END],
        until: BENCH_END,
        failPrefix: BENCH_FAIL,
        timeoutMs,
        after: "wait",
      });
      return fromJob(
        qemuOutcome(r, BENCH_END, BENCH_START, timeoutMs),
        workloadValue(name, instructions, iterations),
      );
    },
  };
}

function linuxConfig(harts: 1 | 2): string {
  return vmConfigPath(`linux-riscv64-qemu-smp${harts}.toml`);
}

/**
 * Host threads the 2-vCPU Linux row runs its vCPUs on. One (the VMM's scheduler loop) while
 * that is the faster way: on the 2-core bench host, 2 worker threads still take longer to
 * GUEST-INIT-OK, as they spend more CPU in all than the second core can give (each worker
 * warms up its own JIT and V8 code; apps/axvisor/docs/vmm.md, "Threads"). The figure keeps
 * its JSON key (linux_boot_smp2_s) whichever way it is measured.
 */
const LINUX_SMP2_THREADS = 1;

function linuxUnderHypervisor(harts: 1 | 2): Benchmark {
  const config = linuxConfig(harts);
  const threads = harts === 2 ? LINUX_SMP2_THREADS : 1;
  // The 2-vCPU row also times the other way back to back, so each bench shows which is faster.
  const other = harts === 2 ? 3 - threads : undefined;
  const on =
    threads === 1
      ? "its vCPUs on the VMM's one scheduler loop"
      : `its vCPUs on ${threads} host threads (axvisor run --threads ${threads}), their start-up included`;
  const beside =
    other === undefined
      ? ""
      : `; the same with --threads ${other} right after, beside it (s_1_thread, s_2_threads)`;
  const boot = async (ctx: BenchContext, n: number) =>
    runInChild(
      {
        kind: "vmm-boot",
        config,
        marker: LINUX_MARKER,
        timeoutMs: ctx.linuxTimeoutMs,
        ...(n > 1 ? { threads: n } : {}),
      },
      { hardTimeoutMs: ctx.linuxTimeoutMs + 30_000 },
    );
  return {
    id: `linux-smp${harts}.hypervisor`,
    row: `linux-smp${harts}`,
    target: "hypervisor",
    method: `configs/vms/linux-riscv64-qemu-smp${harts}.toml under the hypervisor, ${on}: seconds from creating the VM to ${LINUX_MARKER} on its console${beside}`,
    unavailable: () => linuxConfigProblem(config),
    facts: (ctx) => ({
      config: `configs/vms/linux-riscv64-qemu-smp${harts}.toml`,
      timeout_s: ctx.linuxTimeoutMs / 1000,
      threads,
    }),
    async run(ctx) {
      const m = fromJob(await boot(ctx, threads), (f) => (f.ms ?? Number.NaN) / 1000);
      if (!m.ok || other === undefined) return m;
      const r = await boot(ctx, other);
      const seconds = r.ok ? (r.figures.ms ?? Number.NaN) / 1000 : Number.NaN;
      const by = (n: number) => (n === threads ? m.value : seconds);
      return {
        ...m,
        detail: { ...m.detail, s_1_thread: by(1), s_2_threads: by(2) },
      };
    },
  };
}

function linuxUnderQemu(harts: 1 | 2): Benchmark {
  const config = linuxConfig(harts);
  return {
    id: `linux-smp${harts}.qemu`,
    row: `linux-smp${harts}`,
    target: "qemu",
    method: `the same kernel and initramfs under qemu-system-riscv64 -M virt -m 256M -smp ${harts} with OpenSBI fw_dynamic: seconds from spawning QEMU to ${LINUX_MARKER}`,
    unavailable: (ctx) => noQemu(ctx) ?? linuxConfigProblem(config),
    facts: () => ({ firmware: OPENSBI_FW_DYNAMIC, append: LINUX_APPEND }),
    async run(ctx) {
      const { kernel, ramdisk } = configImages(config);
      const args = ["-M", "virt", "-m", "256M", "-smp", String(harts), "-nographic"];
      args.push("-bios", OPENSBI_FW_DYNAMIC, "-kernel", kernel ?? "");
      if (ramdisk !== undefined) args.push("-initrd", ramdisk);
      args.push("-append", LINUX_APPEND);
      const timeoutMs = Math.min(ctx.linuxTimeoutMs, 60_000);
      const r = await runQemu({
        args,
        markers: [LINUX_MARKER],
        until: LINUX_MARKER,
        timeoutMs,
        after: "kill",
      });
      return fromJob(
        qemuOutcome(r, LINUX_MARKER, undefined, timeoutMs),
        (f) => (f.ms ?? Number.NaN) / 1000,
      );
    },
  };
}

const QEMU_DEMO_ARGS = (ram = "128M") => [
  "-M",
  "virt",
  "-m",
  ram,
  "-smp",
  "1",
  "-nographic",
  "-bios",
  OPENSBI_FW_DYNAMIC,
  "-kernel",
  DEMO_GUEST,
  "-global",
  "virtio-mmio.force-legacy=false",
];

function idleVmCount(ctx: BenchContext): number {
  return ctx.quick ? 2 : 4;
}

function hypervisorVmJob(
  row: "vm-start" | "idle-rss" | "start-8",
  method: string,
  job: (ctx: BenchContext) => Job,
  value: (f: Readonly<Record<string, number>>) => number,
): Benchmark {
  return {
    id: `${row}.hypervisor`,
    row,
    target: "hypervisor",
    method,
    unavailable: () => undefined,
    facts: (ctx) => {
      const j = job(ctx);
      return "count" in j ? { guest: "guests/riscv64/demo/demo.elf", vms: j.count } : {};
    },
    async run(ctx) {
      const j = job(ctx);
      return fromJob(await runInChild(j, { hardTimeoutMs: j.timeoutMs + 30_000 }), value);
    },
  };
}

/**
 * The parallel guest (guests/riscv64/parallel-test) on 2 vCPUs under the riscv64 hypervisor:
 * the VMM's one scheduler loop against `axvisor run --threads 2` (each host CPU a worker
 * thread with its own vCPU exit path), measured back to back in each run.
 */
function parallelSpeedup(): Benchmark {
  return {
    id: "parallel.hypervisor",
    row: "parallel",
    target: "hypervisor",
    method:
      "a guest (guests/riscv64/parallel-test) running the integer loop on both of its 2 vCPUs, joined through an AMOADD counter: wall time to its SRST power-off with --threads 1 (one scheduler loop) / the same with --threads 2 (one worker thread per emulated host CPU, timed from the moment both workers have built their harts and start together; their start-up is reported beside it), measured back to back",
    unavailable: () =>
      typeof SharedArrayBuffer === "undefined" ? "no SharedArrayBuffer in this host" : undefined,
    facts: (ctx) => ({
      vcpus: 2,
      iterations_per_vcpu: parallelGuestIterations(ctx),
      instructions_per_iteration: PARALLEL_PER_ITERATION,
    }),
    async run(ctx) {
      const iterations = parallelGuestIterations(ctx);
      const timeoutMs = workloadTimeoutMs(ctx);
      const ms: number[] = [];
      const cpu: number[] = [];
      let startup = 0;
      for (const threads of [1, 2] as const) {
        const r = await runInChild(
          { kind: "vmm-parallel", threads, iterations, timeoutMs },
          { hardTimeoutMs: timeoutMs + 30_000 },
        );
        if (!r.ok) return r;
        ms.push(r.figures.ms ?? Number.NaN);
        cpu.push(r.figures.cpu_ms ?? Number.NaN);
        if (threads === 2) startup = r.figures.startup_ms ?? 0;
      }
      const [one, two] = ms as [number, number];
      return {
        ok: true,
        value: one / two,
        detail: {
          ms_1_thread: one,
          ms_2_threads: two,
          cpu_ms_1_thread: cpu[0] ?? Number.NaN,
          cpu_ms_2_threads: cpu[1] ?? Number.NaN,
          worker_startup_ms: startup,
        },
      };
    },
  };
}

/**
 * Counting-loop iterations per vCPU of the parallel guest: the JIT runs this loop at a few
 * thousand MIPS, so about 1.5 s of work per vCPU takes this many.
 */
function parallelGuestIterations(ctx: BenchContext): number {
  return ctx.quick ? 200_000_000 : 1_500_000_000;
}

/** Counting-loop iterations per hart of the parallel workload (about 1 s per hart). */
function parallelIterations(ctx: BenchContext): number {
  return ctx.quick ? 50_000_000 : 300_000_000;
}

/**
 * The parallel workload on the bare machine: 2 harts over shared RAM, each counting through
 * the integer loop and joining on an AMO counter, on 2 worker threads against the same 2
 * harts taking turns on 1 thread, measured back to back in each run.
 */
function parallelSpeedupEmu(): Benchmark {
  return {
    id: "parallel.emu",
    row: "parallel",
    target: "emu",
    method:
      "2 bare harts sharing RAM, each running the integer loop (addi/addi/bnez) then an AMOADD join: wall time with both taking turns on 1 thread / wall time on 2 worker threads (from the moment both harts are built and released together; the workers' start-up is reported beside it), measured back to back",
    unavailable: () =>
      typeof SharedArrayBuffer === "undefined" ? "no SharedArrayBuffer in this host" : undefined,
    facts: (ctx) => ({
      harts: 2,
      iterations_per_hart: parallelIterations(ctx),
      instructions_per_iteration: PARALLEL_PER_ITERATION,
    }),
    async run(ctx) {
      const iterations = parallelIterations(ctx);
      const timeoutMs = workloadTimeoutMs(ctx);
      const ms: number[] = [];
      let startup = 0;
      for (const threads of [1, 2] as const) {
        const r = await runInChild(
          { kind: "emu-parallel", threads, iterations, timeoutMs },
          { hardTimeoutMs: timeoutMs + 30_000 },
        );
        if (!r.ok) return r;
        ms.push(r.figures.ms ?? Number.NaN);
        startup = r.figures.startup_ms ?? startup;
      }
      const [one, two] = ms as [number, number];
      return {
        ok: true,
        value: one / two,
        detail: { ms_1_thread: one, ms_2_threads: two, worker_startup_ms: startup },
      };
    },
  };
}

/** Every benchmark, in table order. */
export function allBenchmarks(): Benchmark[] {
  const list: Benchmark[] = [];
  for (const name of ["intloop", "memloop", "branchy", "pagetable"] as const) {
    list.push(
      ourWorkload(name, name, "emu"),
      ourWorkload(name, name, "hypervisor"),
      qemuWorkload(name, name),
    );
  }
  const noJit = { AXVISOR_JIT: "0" };
  list.push(
    ourWorkload("interp", "intloop", "emu", noJit),
    ourWorkload("interp", "intloop", "hypervisor", noJit),
  );
  list.push(
    ourWorkload("exit", "exitloop", "emu"),
    ourWorkload("exit", "exitloop", "hypervisor"),
    qemuWorkload("exit", "exitloop"),
  );
  list.push(linuxUnderHypervisor(1), linuxUnderQemu(1));
  list.push(
    { ...linuxUnderHypervisor(2), skipWhenQuick: true },
    { ...linuxUnderQemu(2), skipWhenQuick: true },
  );

  list.push(
    hypervisorVmJob(
      "vm-start",
      "the demo guest as the only VM: ms from creating the VM (config, memory, images, vCPU) to its first console byte",
      (ctx) => ({ kind: "vmm-start", count: 1, timeoutMs: ctx.quick ? 30_000 : 60_000 }),
      (f) => f.ms ?? Number.NaN,
    ),
    {
      id: "vm-start.qemu",
      row: "vm-start",
      target: "qemu",
      method: `the demo guest under QEMU with OpenSBI: ms from spawning QEMU to the guest's banner ("${DEMO_BANNER}", its first line; OpenSBI prints before it)`,
      unavailable: noQemu,
      facts: () => ({ guest: "guests/riscv64/demo/demo.elf" }),
      async run() {
        const r = await runQemu({
          args: QEMU_DEMO_ARGS(),
          markers: [DEMO_BANNER],
          until: DEMO_BANNER,
          timeoutMs: 30_000,
          after: "kill",
        });
        return fromJob(qemuOutcome(r, DEMO_BANNER, undefined, 30_000), (f) => f.ms ?? Number.NaN);
      },
    },
  );
  list.push(
    hypervisorVmJob(
      "idle-rss",
      `K demo VMs in one hypervisor process: (process RSS once every VM printed ${DEMO_READY} and idled ${IDLE_SETTLE_MS} ms - RSS before the first VM) / K, in MB`,
      (ctx) => ({ kind: "vmm-idle-rss", count: idleVmCount(ctx), timeoutMs: 120_000 }),
      (f) => (f.bytesPerVm ?? Number.NaN) / 2 ** 20,
    ),
    {
      id: "idle-rss.qemu",
      row: "idle-rss",
      target: "qemu",
      method: `one QEMU process per VM: its RSS once the demo guest printed ${DEMO_READY} and idled ${IDLE_SETTLE_MS} ms, in MB (-m 128M)`,
      unavailable: noQemu,
      facts: () => ({ guest: "guests/riscv64/demo/demo.elf", ram: "128M" }),
      async run() {
        const r = await runQemu({
          args: QEMU_DEMO_ARGS(),
          markers: [DEMO_READY],
          until: DEMO_READY,
          timeoutMs: 30_000,
          after: "kill",
          beforeKill: async (pid) => {
            await new Promise((res) => setTimeout(res, IDLE_SETTLE_MS));
            const rss = processRssBytes(pid);
            return rss === undefined ? {} : { rssBytes: rss };
          },
        });
        const o = qemuOutcome(r, DEMO_READY, undefined, 30_000);
        if (o.ok && o.figures.rssBytes === undefined)
          return { ok: false, why: "cannot read the QEMU process's RSS (/proc)" };
        return fromJob(o, (f) => (f.rssBytes ?? Number.NaN) / 2 ** 20);
      },
    },
  );
  list.push(
    hypervisorVmJob(
      "start-8",
      "8 demo VMs created one after another in one hypervisor process: ms from the first create to the last VM's first console byte",
      (ctx) => ({ kind: "vmm-start", count: 8, timeoutMs: ctx.quick ? 60_000 : 120_000 }),
      (f) => f.ms ?? Number.NaN,
    ),
    {
      id: "start-8.qemu",
      row: "start-8",
      target: "qemu",
      method: `8 QEMU processes spawned at once, each with the demo guest: ms from the first spawn to the last banner`,
      unavailable: noQemu,
      facts: () => ({ guest: "guests/riscv64/demo/demo.elf", vms: 8 }),
      async run() {
        const t0 = performance.now();
        const all = await Promise.all(
          Array.from({ length: 8 }, async () => {
            const spawnedAt = performance.now() - t0;
            const r = await runQemu({
              args: QEMU_DEMO_ARGS(),
              markers: [DEMO_BANNER],
              until: DEMO_BANNER,
              timeoutMs: 60_000,
              after: "kill",
            });
            const o = qemuOutcome(r, DEMO_BANNER, undefined, 60_000);
            return o.ok ? ({ ok: true, ms: spawnedAt + (o.figures.ms ?? Number.NaN) } as const) : o;
          }),
        );
        const bad = all.find((o) => !o.ok);
        if (bad !== undefined && !bad.ok) return bad;
        const times = all.map((o) => (o.ok ? o.ms : Number.NaN));
        return { ok: true, value: Math.max(...times), detail: { firstMs: Math.min(...times) } };
      },
    },
  );
  list.push(parallelSpeedup(), parallelSpeedupEmu());
  list.push(...bareArchBenchmarks(), ...armHypervisorBenchmarks(), ...x86HypervisorBenchmarks());
  return list;
}

/** The architecture a benchmark measures. */
export function benchmarkArch(b: Pick<Benchmark, "arch">): BenchArch {
  return b.arch ?? "riscv64";
}
