import { parseArgs } from "node:util";
import { BENCH_ARCHES, type BenchArch } from "./arches.js";

export interface BenchOptions {
  readonly runs: number;
  readonly quick: boolean;
  readonly json: string | undefined;
  /** Benchmark ids or row ids to run (all when empty). */
  readonly only: readonly string[];
  /** Architectures whose rows run (all when empty). */
  readonly arch: readonly BenchArch[];
  readonly qemu: boolean;
  readonly linuxTimeoutS: number;
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: pnpm bench [options]

Runs every benchmark of AxVisor.ts (our emulator as a bare machine, guests under the
hypervisor, and the same workloads under QEMU when qemu-system-riscv64 is installed; the
aarch64 and x86_64 bare machines beside qemu-system-aarch64/x86_64) and prints a table. Benchmarks report numbers; nothing passes or fails on speed.

options:
  --runs N          measure each figure N times (default 3; --quick: 1)
  --quick           a fast smoke run: 1 run, a tenth of the work, Linux on 1 hart only
  --json FILE       also write the results as JSON (see tools/bench/README.md)
  --only LIST       comma-separated rows or benchmark ids (e.g. intloop,linux-smp1.qemu)
  --arch LIST       only these architectures' rows: riscv64, aarch64, x86_64 (default all)
  --no-qemu         do not run QEMU
  --linux-timeout S seconds one Linux boot may take (default 150; --quick: 60; twice
                    that for native aarch64/x86_64 boots on our interpreting CPUs)
  --list            list the benchmarks and what each measures, then exit
  -h, --help        this text

environment: AXVISOR_JIT=0 is set for the interpreter rows; the CPU honours it once it has a JIT.`;

export class OptionsError extends Error {}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new OptionsError(`${what}: expected a positive integer, got '${text}'`);
  }
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof SPEC; strict: true; allowPositionals: false }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: SPEC, strict: true, allowPositionals: false });
  } catch (e) {
    throw new OptionsError((e as Error).message);
  }
  const v = parsed.values;
  const quick = v.quick ?? false;
  return {
    runs: v.runs === undefined ? (quick ? 1 : 3) : positiveInt(v.runs, "--runs"),
    quick,
    json: v.json,
    only: (v.only ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    arch: parseArches(v.arch),
    qemu: !(v["no-qemu"] ?? false),
    linuxTimeoutS:
      v["linux-timeout"] === undefined
        ? quick
          ? 60
          : 150
        : positiveInt(v["linux-timeout"], "--linux-timeout"),
    list: v.list ?? false,
    help: v.help ?? false,
  };
}

function parseArches(text: string | undefined): BenchArch[] {
  const names = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const n of names) {
    if (!(BENCH_ARCHES as readonly string[]).includes(n)) {
      throw new OptionsError(`--arch: unknown architecture '${n}' (${BENCH_ARCHES.join(", ")})`);
    }
  }
  return [...new Set(names)] as BenchArch[];
}

const SPEC = {
  arch: { type: "string" },
  runs: { type: "string" },
  quick: { type: "boolean" },
  json: { type: "string" },
  only: { type: "string" },
  "no-qemu": { type: "boolean" },
  "linux-timeout": { type: "string" },
  list: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
