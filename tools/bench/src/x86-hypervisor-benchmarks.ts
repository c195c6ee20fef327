/**
 * The x86_64 hypervisor rows: guests of apps/axvisor/test-guests/x86 as the only VM on the
 * x86_64 host platform (x86-vcpu on the emulated CPU's VMX, x86-vlapic), in the JSON's
 * `x86_64` object beside the bare machine's keys.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Benchmark } from "./benchmarks.js";
import { runInChild } from "./child-process.js";
import type { JobResult } from "./job.js";
import type { Measurement } from "./measure.js";
import { linuxConfigProblem, REPO_ROOT, vmConfigPath } from "./paths.js";

/**
 * Device accesses each exit-loop guest of the exit rows makes between BENCH-START and
 * BENCH-END (its -2m image; as riscv64's and aarch64's 2M, QEMU's count: with 20 000 the
 * figure was mostly V8 warming up the exit path, 8 µs of CPU per exit against 1.3 µs once
 * warm, and with 200 000 that one-time ~80 ms was still a third of it).
 */
export const X86_EXIT_ITERATIONS = 2_000_000;
const GUESTS = resolve(REPO_ROOT, "apps/axvisor/test-guests/x86");
const TIMEOUT_MS = 120_000;
const LINUX_CONFIG = "linux-x86_64-qemu-smp1.toml";
const LINUX_MARKER = "GUEST-INIT-OK";

function fromJob(
  r: JobResult,
  toValue: (f: Readonly<Record<string, number>>) => number,
): Measurement {
  if (!r.ok) return r;
  return { ok: true, value: toValue(r.figures), detail: r.figures };
}

function guestRow(
  id: "x86_64-exit" | "x86_64-pio-exit" | "x86_64-vm-start",
  image: string,
  method: string,
  value: (f: Readonly<Record<string, number>>) => number,
): Benchmark {
  const path = resolve(GUESTS, image);
  return {
    id: `${id}.hypervisor`,
    row: id,
    target: "hypervisor",
    arch: "x86_64",
    method,
    unavailable: () =>
      existsSync(path) ? undefined : `${path} is missing (apps/axvisor/test-guests/x86/build.sh)`,
    facts: () => ({
      guest: `apps/axvisor/test-guests/x86/${image}`,
      // The VM-start row boots the 20 000-access image (its loop is not timed).
      iterations: id === "x86_64-vm-start" ? 20_000 : X86_EXIT_ITERATIONS,
    }),
    async run() {
      const r = await runInChild(
        { kind: "vmm-x86", image: path, timeoutMs: TIMEOUT_MS },
        { hardTimeoutMs: TIMEOUT_MS + 30_000 },
      );
      return fromJob(r, value);
    },
  };
}

export function x86HypervisorBenchmarks(): Benchmark[] {
  const perExit = (f: Readonly<Record<string, number>>) =>
    ((f.loopMs ?? Number.NaN) * 1000) / X86_EXIT_ITERATIONS;
  return [
    guestRow(
      "x86_64-exit",
      "exitloop-mmio-2m.bin",
      `${X86_EXIT_ITERATIONS} 32-bit stores to the vIOAPIC (EPT violation, instruction decode, MMIO write served by the device, VM entry): µs per store between BENCH-START and BENCH-END`,
      perExit,
    ),
    guestRow(
      "x86_64-pio-exit",
      "exitloop-pio-2m.bin",
      `${X86_EXIT_ITERATIONS} OUTs to COM1's scratch register (I/O exit served by the 16550, VM entry): µs per OUT`,
      perExit,
    ),
    guestRow(
      "x86_64-vm-start",
      "exitloop-pio.bin",
      "a 64 KiB VM with the exit-loop guest: ms from creating the VM (config, memory, image, vCPU, VMCS) to its first console byte",
      (f) => f.firstByteMs ?? Number.NaN,
    ),
    linuxUnderHypervisor(),
  ];
}

/** Debian's bzImage under the hypervisor: the VMM's Linux boot protocol, vLAPIC/vIOAPIC, COM1. */
function linuxUnderHypervisor(): Benchmark {
  const config = vmConfigPath(LINUX_CONFIG);
  return {
    id: "x86_64-linux-hv.hypervisor",
    row: "x86_64-linux-hv",
    target: "hypervisor",
    arch: "x86_64",
    method: `configs/vms/${LINUX_CONFIG} under the hypervisor on x86_64-qemu-q35 (the bzImage loaded by the Linux boot protocol, ACPI tables for the VM, vLAPIC with the TSC-deadline timer, vIOAPIC, COM1): seconds from creating the VM to ${LINUX_MARKER} on its console; QEMU's cell is the x86_64 Linux row's (the same kernel and initramfs natively)`,
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
          platform: "x86_64-qemu-q35",
        },
        { hardTimeoutMs: ctx.linuxTimeoutMs + 30_000 },
      );
      return fromJob(r, (f) => (f.ms ?? Number.NaN) / 1000);
    },
  };
}
