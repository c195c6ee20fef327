import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BARE_ARCHES,
  type BareArch,
  type BareWorkloadName,
  bareWorkloadImage,
  linuxImagesProblem,
  QEMU_BINARIES,
} from "./arches.js";
import type { BenchContext, Benchmark, RowId } from "./benchmarks.js";
import { runInChild } from "./child-process.js";
import { instructionCount, readWorkloadParams, withIterations } from "./image-params.js";
import { BENCH_END, BENCH_FAIL, BENCH_START, type JobResult } from "./job.js";
import type { Measurement } from "./measure.js";
import { REPO_ROOT } from "./paths.js";
import { qemuOutcome, runQemu } from "./qemu.js";
import { scaledIterations } from "./workloads.js";

const LINUX_MARKER = "GUEST-INIT-OK";

function rowOf(arch: BareArch, what: "intloop" | "memloop" | "linux"): RowId {
  return `${arch}-${what}`;
}

function noQemu(ctx: BenchContext, arch: BareArch): string | undefined {
  return ctx.qemuVersions[arch] === undefined
    ? `${QEMU_BINARIES[arch]} is not installed`
    : undefined;
}

function workloadTimeoutMs(ctx: BenchContext): number {
  return ctx.quick ? 60_000 : 180_000;
}

/** A native Linux boot may take this long on our board: twice the --linux-timeout. */
export function bareLinuxTimeoutMs(ctx: BenchContext): number {
  return 2 * ctx.linuxTimeoutMs;
}

function fromJob(
  r: JobResult,
  toValue: (f: Readonly<Record<string, number>>) => number,
): Measurement {
  if (!r.ok) return r;
  return { ok: true, value: toValue(r.figures), detail: r.figures };
}

function facts(arch: BareArch, name: BareWorkloadName, iterations: number) {
  const image = bareWorkloadImage(arch, name);
  const p = readWorkloadParams(readFileSync(image));
  return {
    image: image.slice(REPO_ROOT.length),
    iterations,
    instructions_per_iteration: p.perIteration,
    instructions: instructionCount(p, iterations),
  };
}

const mips = (instructions: number) => (f: Readonly<Record<string, number>>) =>
  instructions / ((f.ms ?? Number.NaN) / 1000) / 1e6;

function emuWorkload(arch: BareArch, name: BareWorkloadName): Benchmark {
  const spec = BARE_ARCHES[arch];
  const w = spec.workloads[name];
  const iterations = (ctx: BenchContext) => scaledIterations(w.iterations.emu, ctx.quick);
  return {
    id: `${rowOf(arch, name)}.emu`,
    row: rowOf(arch, name),
    target: "emu",
    arch,
    method: `${w.title}: the native form on our ${spec.platform} board with no firmware (axvisor emu -M ${spec.platform} -kernel X.elf), in a fresh child process; MIPS = instructions between BENCH-START and BENCH-END / time between them`,
    unavailable: () => undefined,
    facts: (ctx) => facts(arch, name, iterations(ctx)),
    async run(ctx) {
      const n = iterations(ctx);
      const { instructions } = facts(arch, name, n);
      const timeoutMs = workloadTimeoutMs(ctx);
      const r = await runInChild(
        {
          kind: "emu-workload",
          platform: spec.platform,
          devices: spec.devices,
          image: bareWorkloadImage(arch, name),
          iterations: n,
          timeoutMs,
        },
        { hardTimeoutMs: timeoutMs + 30_000 },
      );
      return fromJob(r, mips(instructions));
    },
  };
}

function qemuWorkload(arch: BareArch, name: BareWorkloadName): Benchmark {
  const spec = BARE_ARCHES[arch];
  const w = spec.workloads[name];
  const iterations = (ctx: BenchContext) => scaledIterations(w.iterations.qemu, ctx.quick);
  const devices = spec.devices.flatMap((d) => ["-device", d]);
  return {
    id: `${rowOf(arch, name)}.qemu`,
    row: rowOf(arch, name),
    target: "qemu",
    arch,
    method: `${w.title}: the native form under ${QEMU_BINARIES[arch]} ${[...spec.qemuWorkloadArgs, ...devices].join(" ")} (TCG), markers timed on its stdout`,
    unavailable: (ctx) => noQemu(ctx, arch),
    facts: (ctx) => facts(arch, name, iterations(ctx)),
    async run(ctx) {
      const n = iterations(ctx);
      const { instructions } = facts(arch, name, n);
      const image = join(ctx.tmpDir, `${arch}-${name}-native-${n}.elf`);
      writeFileSync(image, withIterations(readFileSync(bareWorkloadImage(arch, name)), n));
      const timeoutMs = workloadTimeoutMs(ctx);
      const r = await runQemu({
        binary: QEMU_BINARIES[arch],
        args: [...spec.qemuWorkloadArgs, ...devices, "-nographic", "-kernel", image],
        markers: [BENCH_START, BENCH_END],
        until: BENCH_END,
        failPrefix: BENCH_FAIL,
        timeoutMs,
        after: "wait",
      });
      return fromJob(qemuOutcome(r, BENCH_END, BENCH_START, timeoutMs), mips(instructions));
    },
  };
}

function emuLinux(arch: BareArch): Benchmark {
  const spec = BARE_ARCHES[arch];
  return {
    id: `${rowOf(arch, "linux")}.emu`,
    row: rowOf(arch, "linux"),
    target: "emu",
    arch,
    method: `shared/guests/${arch} kernel + initramfs booted natively on our ${spec.platform} board (-smp 1, -m ${spec.linux.memoryMiB}M, -append '${spec.linux.append}'): seconds from creating the machine to ${LINUX_MARKER}`,
    unavailable: () => spec.linux.cannotBoot ?? linuxImagesProblem(spec.linux),
    facts: (ctx) => ({
      kernel: spec.linux.kernel,
      initrd: spec.linux.initrd,
      append: spec.linux.append,
      timeout_s: bareLinuxTimeoutMs(ctx) / 1000,
    }),
    async run(ctx) {
      const l = spec.linux;
      const timeoutMs = bareLinuxTimeoutMs(ctx);
      const r = await runInChild(
        {
          kind: "emu-boot",
          platform: spec.platform,
          kernel: l.kernel,
          initrd: l.initrd,
          append: l.append,
          cpus: 1,
          memoryMiB: l.memoryMiB,
          marker: LINUX_MARKER,
          timeoutMs,
        },
        { hardTimeoutMs: timeoutMs + 30_000 },
      );
      return fromJob(r, (f) => (f.ms ?? Number.NaN) / 1000);
    },
  };
}

function qemuLinux(arch: BareArch): Benchmark {
  const spec = BARE_ARCHES[arch];
  const l = spec.linux;
  const args = () => [
    ...spec.linux.qemuArgs,
    "-m",
    `${spec.linux.memoryMiB}M`,
    "-smp",
    "1",
    "-nographic",
    "-kernel",
    spec.linux.kernel,
    "-initrd",
    spec.linux.initrd,
    "-append",
    spec.linux.append,
  ];
  return {
    id: `${rowOf(arch, "linux")}.qemu`,
    row: rowOf(arch, "linux"),
    target: "qemu",
    arch,
    method: `the same kernel and initramfs under ${QEMU_BINARIES[arch]} ${l.qemuArgs.join(" ")} -m ${l.memoryMiB}M -smp 1 (TCG${arch === "x86_64" ? ", SeaBIOS" : ", no firmware"}): seconds from spawning QEMU to ${LINUX_MARKER}`,
    unavailable: (ctx) => noQemu(ctx, arch) ?? linuxImagesProblem(spec.linux),
    facts: () => ({
      kernel: spec.linux.kernel,
      initrd: spec.linux.initrd,
      append: spec.linux.append,
    }),
    async run(ctx) {
      const timeoutMs = Math.min(ctx.linuxTimeoutMs, 60_000);
      const r = await runQemu({
        binary: QEMU_BINARIES[arch],
        args: args(),
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

/** The aarch64 and x86_64 rows: integer loop, memory loop, native Linux; ours beside QEMU. */
export function bareArchBenchmarks(): Benchmark[] {
  const list: Benchmark[] = [];
  for (const arch of ["aarch64", "x86_64"] as const) {
    for (const name of ["intloop", "memloop"] as const) {
      list.push(emuWorkload(arch, name), qemuWorkload(arch, name));
    }
    list.push(emuLinux(arch), qemuLinux(arch));
  }
  return list;
}
