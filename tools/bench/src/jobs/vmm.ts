import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  createHostBoard,
  type DefaultGuest,
  defaultGuestOf,
  describeEnd,
  type HostPlatform,
  memoryToFit,
  platforms,
  type VmEnd,
  type VmInstance,
  Vmm,
  VmmLog,
  vcpuThreadRunner,
} from "@axvisor/app";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { withIterations } from "../image-params.js";
import {
  BENCH_END,
  BENCH_FAIL,
  BENCH_START,
  type Job,
  type JobResult,
  secondsText,
} from "../job.js";
import { MarkerWatch } from "../markers.js";
import { processRssBytes } from "../qemu.js";
import { WORKLOADS_DIR } from "../workloads.js";
import { workloadOutcome } from "./emu-workload.js";

type VmmJob = Extract<Job, { kind: "vmm-workload" | "vmm-boot" | "vmm-start" | "vmm-idle-rss" }>;

/** The host platform of a job: riscv64-qemu-virt unless the job names another. */
function platformOf(job: { readonly platform?: string }): HostPlatform {
  return platforms.get(job.platform ?? "riscv64-qemu-virt");
}

function demoGuest(platform: HostPlatform): DefaultGuest {
  return defaultGuestOf(platform);
}

const DEMO_READY = "DEMO-READY";
/** How long idle VMs are left alone before the process's memory is read. */
const IDLE_SETTLE_MS = 1000;

/** The VMM with a console watch per VM: the hypervisor as `axvisor run` builds it, in process. */
class BenchVmm {
  readonly vmm: Vmm;
  readonly watches = new Map<number, MarkerWatch>();
  readonly ends = new Map<number, VmEnd>();
  #loop: Promise<void> | undefined;
  #onChange: () => void = () => {};

  readonly platform: HostPlatform;

  constructor(
    platform: HostPlatform,
    harts: number,
    ramBytes: number,
    markers: readonly string[],
    failPrefix?: string,
    vms: readonly AxVMCrateConfig[] = [],
  ) {
    this.platform = platform;
    const machine = createHostBoard(platform, { cpus: harts, ramSize: ramBytes, vms });
    const log = new VmmLog({ level: "warn", sink: (line) => process.stderr.write(`${line}\n`) });
    this.vmm = new Vmm({
      machine,
      log,
      onOutput: (vm, bytes) => {
        let w = this.watches.get(vm.id);
        if (w === undefined) {
          w = new MarkerWatch(markers, failPrefix);
          this.watches.set(vm.id, w);
        }
        w.feed(bytes, performance.now(), this.vmm.instructions);
        this.#onChange();
      },
      onVmEnd: (vm: VmInstance, end: VmEnd) => {
        this.ends.set(vm.id, end);
        this.#onChange();
      },
    });
  }

  start(): void {
    this.#loop = this.vmm.run().catch((e: unknown) => {
      this.loopError = e instanceof Error ? e.message : String(e);
    });
  }

  /** Set when the VMM's scheduler itself failed. */
  loopError: string | undefined;

  /**
   * Resolves when `done()` holds (checked after every console flush and VM end), with
   * "timeout" after `timeoutMs`, or "ended" if the scheduler stopped by itself. The VMs keep
   * running afterwards until `stop()`.
   */
  waitFor(done: () => boolean, timeoutMs: number): Promise<"done" | "timeout" | "ended"> {
    return new Promise((resolve) => {
      const finish = (r: "done" | "timeout" | "ended") => {
        clearTimeout(timer);
        this.#onChange = () => {};
        resolve(r);
      };
      const timer = setTimeout(() => finish("timeout"), timeoutMs);
      this.#onChange = () => {
        if (done()) finish("done");
      };
      if (done()) finish("done");
      void this.#loop?.then(() => finish("ended"));
    });
  }

  async stop(): Promise<void> {
    this.vmm.quit();
    await this.#loop;
  }

  /** Why a VM has not got where it should: its end, the scheduler's failure, or a timeout. */
  why(vmId: number, r: "done" | "timeout" | "ended", timeoutMs: number): string {
    const end = this.ends.get(vmId);
    if (end !== undefined) return `VM ${describeEnd(end)}`;
    if (this.loopError !== undefined) return `the VMM failed: ${this.loopError}`;
    return r === "timeout" ? `timeout after ${secondsText(timeoutMs)}` : "the VMM stopped";
  }
}

/** The bench guest config (workloads/bench-guest.toml or `path`) running `image` instead of its kernel. */
async function benchGuestConfig(image: string, path?: string): Promise<AxVMCrateConfig> {
  const config = await loadAxVMConfig(path ?? join(WORKLOADS_DIR, "bench-guest.toml"));
  return { ...config, kernel: { ...config.kernel, kernelPath: image } };
}

async function runWorkload(job: Extract<VmmJob, { kind: "vmm-workload" }>): Promise<JobResult> {
  // The iteration count is patched into a private copy of the image.
  const image = join(tmpdir(), `axvisor-bench-${process.pid}-${basename(job.image)}`);
  writeFileSync(image, withIterations(readFileSync(job.image), job.iterations));
  try {
    const config = await benchGuestConfig(image, job.config);
    const b = new BenchVmm(
      platformOf(job),
      1,
      memoryToFit([config]),
      [BENCH_START, BENCH_END],
      BENCH_FAIL,
      [config],
    );
    const vm = b.vmm.createVm(config);
    b.vmm.startVm(vm.id);
    b.start();
    const w = () => b.watches.get(vm.id);
    const r = await b.waitFor(
      () => w()?.has(BENCH_END) === true || w()?.failLine !== undefined || b.ends.has(vm.id),
      job.timeoutMs,
    );
    await b.stop();
    const watch = w() ?? new MarkerWatch([BENCH_START, BENCH_END], BENCH_FAIL);
    return workloadOutcome(watch, r === "timeout", job.timeoutMs, () =>
      b.why(vm.id, r, job.timeoutMs),
    );
  } finally {
    rmSync(image, { force: true });
  }
}

async function runBoot(job: Extract<VmmJob, { kind: "vmm-boot" }>): Promise<JobResult> {
  const config = await loadAxVMConfig(job.config);
  const harts = Math.max(1, config.base.cpuNum);
  const b = new BenchVmm(platformOf(job), harts, memoryToFit([config]), [job.marker], undefined, [
    config,
  ]);
  const threads = job.threads ?? 1;
  const runner = threads > 1 ? vcpuThreadRunner(b.platform) : undefined;
  const t0 = performance.now();
  const vm = b.vmm.createVm(config);
  if (threads > 1) {
    const refusal =
      runner === undefined
        ? `${b.platform.name} runs vCPUs on one thread only`
        : runner.refusal(b.vmm, threads);
    if (refusal !== undefined) {
      b.vmm.shutdown();
      return { ok: false, why: refusal };
    }
  }
  b.vmm.startVm(vm.id);
  // Before the scheduler loop starts: its first round runs at once, and the vCPUs are the
  // workers' from here on.
  const threaded = runner?.run(b.vmm, vm, threads);
  b.start();
  const r = await b.waitFor(
    () => b.watches.get(vm.id)?.has(job.marker) === true || b.ends.has(vm.id),
    job.timeoutMs,
  );
  threaded?.stop();
  await threaded?.done;
  await b.stop();
  const hit = b.watches.get(vm.id)?.hit(job.marker);
  if (hit !== undefined) {
    // The workers' instructions are known once they have left (the boot went on a little
    // past the marker meanwhile); the scheduler loop counts its own at the marker.
    const instructions = threaded?.instructions ?? hit.counter ?? 0;
    return { ok: true, figures: { ms: hit.timeMs - t0, instructions } };
  }
  return { ok: false, why: `${b.why(vm.id, r, job.timeoutMs)} (no ${job.marker})` };
}

/** `count` demo VMs with ids 1..count, each with its in-memory disk. */
function createDemoVms(b: BenchVmm, count: number): VmInstance[] {
  const base = demoGuest(b.platform).config;
  const vms: VmInstance[] = [];
  for (let i = 1; i <= count; i++) {
    const config = { ...base, base: { ...base.base, id: i, name: `demo${i}` } };
    const disk = demoGuest(b.platform).disk;
    const vm = b.vmm.createVm(config, disk !== undefined ? { disk } : {});
    b.vmm.startVm(vm.id);
    vms.push(vm);
  }
  return vms;
}

function demoHostRam(platform: HostPlatform, count: number): number {
  return memoryToFit(Array.from({ length: count }, () => demoGuest(platform).config));
}

async function runStart(job: Extract<VmmJob, { kind: "vmm-start" }>): Promise<JobResult> {
  const platform = platformOf(job);
  const b = new BenchVmm(platform, 2, demoHostRam(platform, job.count), [DEMO_READY]);
  const t0 = performance.now();
  const vms = createDemoVms(b, job.count);
  b.start();
  const r = await b.waitFor(
    () => vms.every((vm) => b.watches.has(vm.id) || b.ends.has(vm.id)),
    job.timeoutMs,
  );
  await b.stop();
  const firsts = vms.map((vm) => b.watches.get(vm.id)?.firstByte?.timeMs);
  const missing = vms.findIndex((_, i) => firsts[i] === undefined);
  if (missing >= 0) {
    const vm = vms[missing]!;
    return { ok: false, why: `VM ${vm.id} printed nothing (${b.why(vm.id, r, job.timeoutMs)})` };
  }
  const times = firsts.map((t) => t! - t0);
  return { ok: true, figures: { ms: Math.max(...times), firstMs: Math.min(...times) } };
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function runIdleRss(job: Extract<VmmJob, { kind: "vmm-idle-rss" }>): Promise<JobResult> {
  const platform = platformOf({});
  const b = new BenchVmm(platform, 2, demoHostRam(platform, job.count), [DEMO_READY]);
  collectGarbage();
  const before = processRssBytes();
  if (before === undefined)
    return { ok: false, why: "cannot read this process's RSS (/proc/self/status)" };
  const vms = createDemoVms(b, job.count);
  b.start();
  const ready = (vm: VmInstance) => b.watches.get(vm.id)?.has(DEMO_READY) === true;
  const r = await b.waitFor(() => vms.every((vm) => ready(vm) || b.ends.has(vm.id)), job.timeoutMs);
  const notReady = vms.find((vm) => !ready(vm));
  if (notReady !== undefined) {
    await b.stop();
    return {
      ok: false,
      why: `VM ${notReady.id} did not print ${DEMO_READY} (${b.why(notReady.id, r, job.timeoutMs)})`,
    };
  }
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  collectGarbage();
  const after = processRssBytes() ?? before;
  await b.stop();
  return {
    ok: true,
    figures: {
      bytesPerVm: (after - before) / job.count,
      rssBefore: before,
      rssAfter: after,
      vms: job.count,
    },
  };
}

/** Guests under the hypervisor, in this process. */
export async function runVmmJob(job: VmmJob): Promise<JobResult> {
  switch (job.kind) {
    case "vmm-workload":
      return runWorkload(job);
    case "vmm-boot":
      return runBoot(job);
    case "vmm-start":
      return runStart(job);
    case "vmm-idle-rss":
      return runIdleRss(job);
  }
}
