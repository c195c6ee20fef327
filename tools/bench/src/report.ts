import type { BareArch } from "./arches.js";
import type { BenchContext, Benchmark, RowId, Target } from "./benchmarks.js";
import { ROWS, TARGET_TITLES } from "./benchmarks.js";
import type { MachineInfo } from "./machine-info.js";
import type { MeasuredBenchmark } from "./measure.js";

/**
 * Headline keys of the riscv64 rows: the guest-under-hypervisor medians (and the same for QEMU
 * and the bare machine).
 */
export const HEADLINE_KEYS = {
  intloop: "loop_mips",
  memloop: "memloop_mips",
  interp: "interp_loop_mips",
  "linux-smp1": "linux_boot_s",
  exit: "exit_roundtrip_us",
  "vm-start": "vm_start_ms",
  "idle-rss": "idle_vm_rss_mb",
  branchy: "branchy_mips",
  pagetable: "pagetable_mips",
  "linux-smp2": "linux_boot_smp2_s",
  "start-8": "start_8_vms_ms",
  parallel: "parallel_speedup",
} as const satisfies Partial<Record<RowId, string>>;

type HeadlineRow = keyof typeof HEADLINE_KEYS;
export type HeadlineKey = (typeof HEADLINE_KEYS)[HeadlineRow];
export type Headline = Record<HeadlineKey, number | null>;

/**
 * The aarch64 and x86_64 rows' keys, in the objects `aarch64` / `x86_64` (our bare machine)
 * and `qemu.aarch64` / `qemu.x86_64`.
 */
export const ARCH_KEYS = {
  "aarch64-intloop": ["aarch64", "loop_mips"],
  "aarch64-memloop": ["aarch64", "memloop_mips"],
  "aarch64-linux": ["aarch64", "linux_native_s"],
  "x86_64-intloop": ["x86_64", "loop_mips"],
  "x86_64-memloop": ["x86_64", "memloop_mips"],
  "x86_64-linux": ["x86_64", "linux_native_s"],
} as const satisfies Record<
  Exclude<RowId, HeadlineRow | ArchHypervisorRow | HvArchRow>,
  readonly [BareArch, string]
>;

/** The x86_64 hypervisor rows' keys, in the `x86_64` object beside the bare machine's. */
export const HV_ARCH_KEYS = {
  "x86_64-exit": ["x86_64", "exit_roundtrip_us"],
  "x86_64-pio-exit": ["x86_64", "pio_exit_roundtrip_us"],
  "x86_64-vm-start": ["x86_64", "vm_start_ms"],
  "x86_64-linux-hv": ["x86_64", "linux_boot_s"],
} as const;
type HvArchRow = keyof typeof HV_ARCH_KEYS;
export type HvArchHeadline = Record<(typeof HV_ARCH_KEYS)[HvArchRow][1], number | null>;

export type ArchHeadline = Record<"loop_mips" | "memloop_mips" | "linux_native_s", number | null>;

/** The aarch64 hypervisor rows' keys in the `aarch64` object (a guest under `axvisor run`). */
export const ARCH_HYPERVISOR_KEYS = {
  "aarch64-intloop": "guest_loop_mips",
  "aarch64-linux": "linux_boot_s",
  "aarch64-exit": "exit_roundtrip_us",
  "aarch64-vm-start": "vm_start_ms",
} as const satisfies Partial<Record<RowId, string>>;

/** Rows only the hypervisor measures. */
type ArchHypervisorRow = "aarch64-exit" | "aarch64-vm-start";

export type ArchHypervisorHeadline = Record<
  (typeof ARCH_HYPERVISOR_KEYS)[keyof typeof ARCH_HYPERVISOR_KEYS],
  number | null
>;

/** On the bare machine and under QEMU there is no VM exit: the same loop is a device store. */
export const MMIO_STORE_KEY = "mmio_store_us";

export interface BenchmarkRecord {
  readonly id: string;
  readonly row: RowId;
  readonly title: string;
  readonly target: Target;
  readonly unit: string;
  readonly better: "higher" | "lower";
  readonly method: string;
  readonly status: "ok" | "failed" | "skipped";
  readonly why?: string;
  /** Values of the completed runs, in order. */
  readonly runs: readonly number[];
  readonly min: number | null;
  readonly median: number | null;
  readonly max: number | null;
  readonly facts: Readonly<Record<string, number | string>>;
  /** Per run: what the run measured besides the figure (ms between markers, counted instructions...). */
  readonly details: readonly Readonly<Record<string, number>>[];
}

export interface BenchReport extends Headline {
  readonly schema: "axvisor-bench/1";
  readonly date: string;
  readonly machine: MachineInfo;
  readonly options: { readonly runs: number; readonly quick: boolean };
  readonly notes: readonly string[];
  readonly emu: Headline & { readonly [MMIO_STORE_KEY]: number | null };
  readonly qemu: Headline & { readonly [MMIO_STORE_KEY]: number | null } & Record<
      BareArch,
      ArchHeadline
    >;
  /** Our bare aarch64 machine, and guests under the aarch64 hypervisor. */
  readonly aarch64: ArchHeadline & ArchHypervisorHeadline;
  /** Our bare x86_64 machine, and guests under the x86_64 hypervisor. */
  readonly x86_64: ArchHeadline & HvArchHeadline;
  readonly benchmarks: readonly BenchmarkRecord[];
}

export function benchmarkRecord(
  b: Benchmark,
  m: MeasuredBenchmark,
  ctx: BenchContext,
): BenchmarkRecord {
  const row = ROWS.find((r) => r.id === b.row)!;
  const status = m.summary !== undefined ? "ok" : m.skipped !== undefined ? "skipped" : "failed";
  let facts: Readonly<Record<string, number | string>> = {};
  try {
    facts = b.facts(ctx);
  } catch {
    // facts of a benchmark that cannot run (missing image) are simply absent
  }
  return {
    id: b.id,
    row: b.row,
    title: row.title,
    target: b.target,
    unit: row.unit,
    better: row.better,
    method: b.method,
    status,
    ...(status !== "ok" ? { why: m.skipped ?? m.failed ?? "" } : {}),
    runs: m.values,
    min: m.summary?.min ?? null,
    median: m.summary?.median ?? null,
    max: m.summary?.max ?? null,
    facts,
    details: m.details,
  };
}

function headline(records: readonly BenchmarkRecord[], target: Target): Headline {
  const out = {} as Record<HeadlineKey, number | null>;
  for (const [row, key] of Object.entries(HEADLINE_KEYS) as [HeadlineRow, HeadlineKey][]) {
    // A device store on the bare machine or QEMU is not a VM exit round trip.
    const r =
      row === "exit" && target !== "hypervisor"
        ? undefined
        : records.find((x) => x.row === row && x.target === target);
    out[key] = r?.median ?? null;
  }
  return out;
}

function archHeadline(
  records: readonly BenchmarkRecord[],
  arch: BareArch,
  target: "emu" | "qemu",
): ArchHeadline {
  const out: ArchHeadline = { loop_mips: null, memloop_mips: null, linux_native_s: null };
  for (const [row, [a, key]] of Object.entries(ARCH_KEYS)) {
    if (a !== arch) continue;
    out[key] = records.find((x) => x.row === row && x.target === target)?.median ?? null;
  }
  return out;
}

function armHypervisorHeadline(records: readonly BenchmarkRecord[]): ArchHypervisorHeadline {
  const out = {} as Record<keyof ArchHypervisorHeadline, number | null>;
  for (const [row, key] of Object.entries(ARCH_HYPERVISOR_KEYS)) {
    out[key] = records.find((x) => x.row === row && x.target === "hypervisor")?.median ?? null;
  }
  return out;
}

function hvArchHeadline(records: readonly BenchmarkRecord[]): HvArchHeadline {
  const out: HvArchHeadline = {
    exit_roundtrip_us: null,
    pio_exit_roundtrip_us: null,
    vm_start_ms: null,
    linux_boot_s: null,
  };
  for (const [row, [, key]] of Object.entries(HV_ARCH_KEYS)) {
    out[key] = records.find((x) => x.row === row && x.target === "hypervisor")?.median ?? null;
  }
  return out;
}

export function buildReport(
  records: readonly BenchmarkRecord[],
  machine: MachineInfo,
  options: { runs: number; quick: boolean },
  notes: readonly string[],
  date = new Date(),
): BenchReport {
  const store = (t: Target) =>
    records.find((x) => x.row === "exit" && x.target === t)?.median ?? null;
  return {
    schema: "axvisor-bench/1",
    date: date.toISOString(),
    machine,
    options,
    notes,
    ...headline(records, "hypervisor"),
    emu: { ...headline(records, "emu"), [MMIO_STORE_KEY]: store("emu") },
    qemu: {
      ...headline(records, "qemu"),
      [MMIO_STORE_KEY]: store("qemu"),
      aarch64: archHeadline(records, "aarch64", "qemu"),
      x86_64: archHeadline(records, "x86_64", "qemu"),
    },
    aarch64: { ...archHeadline(records, "aarch64", "emu"), ...armHypervisorHeadline(records) },
    x86_64: { ...archHeadline(records, "x86_64", "emu"), ...hvArchHeadline(records) },
    benchmarks: records,
  };
}

/** 3 significant digits, no exponent for the magnitudes benchmarks produce. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function cell(r: BenchmarkRecord | undefined): string {
  if (r === undefined) return "-";
  if (r.status === "skipped") return "skipped";
  if (r.status === "failed") return "failed";
  if (r.runs.length === 1) return formatNumber(r.median!);
  return `${formatNumber(r.median!)} (${formatNumber(r.min!)})`;
}

/**
 * Rows whose QEMU figure is another row's: QEMU has no hypervisor of ours to run, so Linux
 * under our x86_64 hypervisor is set beside QEMU booting the same kernel natively.
 */
const QEMU_ROW_OF: Partial<Record<RowId, RowId>> = { "x86_64-linux-hv": "x86_64-linux" };

/** The QEMU record shown in `row`. */
function qemuRecord(records: readonly BenchmarkRecord[], row: RowId): BenchmarkRecord | undefined {
  const from = QEMU_ROW_OF[row] ?? row;
  return records.find((x) => x.row === from && x.target === "qemu");
}

/**
 * How ours compares with QEMU: "12x slower" / "1.5x faster". The guest figure when there is
 * one, else the bare machine's (marked "bare"). The MMIO row always compares the bare
 * machine: under QEMU the loop is a device store, not a VM exit.
 */
export function versusQemu(records: readonly BenchmarkRecord[], row: RowId): string {
  const q = qemuRecord(records, row)?.median ?? null;
  const guest =
    row === "exit"
      ? null
      : (records.find((x) => x.row === row && x.target === "hypervisor")?.median ?? null);
  const bare = records.find((x) => x.row === row && x.target === "emu")?.median ?? null;
  const ours = guest ?? bare;
  if (q === null || ours === null || q === 0 || ours === 0) return "";
  const better = ROWS.find((r) => r.id === row)!.better;
  const speed = better === "higher" ? ours / q : q / ours; // > 1: ours is faster
  const text = speed >= 1 ? `${formatNumber(speed)}x faster` : `${formatNumber(1 / speed)}x slower`;
  return guest === null ? `${text} (bare)` : text;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The printed table: one line per row, median (min) per target, then the failures. */
export function formatTable(report: BenchReport): string {
  const records = report.benchmarks;
  const header = [
    "benchmark",
    "unit",
    TARGET_TITLES.emu,
    TARGET_TITLES.hypervisor,
    TARGET_TITLES.qemu,
    "ours vs QEMU",
  ];
  const lines: string[][] = [];
  for (const row of ROWS) {
    const rs = records.filter((r) => r.row === row.id);
    if (rs.length === 0) continue;
    const get = (t: Target) => rs.find((r) => r.target === t);
    lines.push([
      row.title,
      row.unit,
      cell(get("emu")),
      cell(get("hypervisor")),
      cell(qemuRecord(records, row.id)),
      versusQemu(records, row.id),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) =>
    l
      .map((c, i) => pad(c, widths[i]!, i >= 2 && i <= 4))
      .join("  ")
      .trimEnd();
  const out = [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)];
  out.push(
    "",
    "cells: median (min) over the runs; MIPS, x (speed-up): higher is better; s, ms, us, MB: lower is better.",
  );
  const problems = records.filter((r) => r.status !== "ok");
  if (problems.length > 0) {
    out.push("");
    for (const r of problems) out.push(`${r.id}: ${r.status}: ${r.why}`);
  }
  for (const n of report.notes) out.push(`note: ${n}`);
  return out.join("\n");
}

export function formatMachine(m: MachineInfo): string {
  return [
    `machine: ${m.cpu_model}, ${m.cores} cores, ${m.memory_gb} GiB, ${m.os}`,
    `node ${m.node} (V8 ${m.v8}), commit ${m.git_commit ?? "unknown"}, ${m.qemu ?? "no QEMU"}`,
    `load average at start ${m.loadavg_start.join(" ")}${m.loadavg_end ? `, at end ${m.loadavg_end.join(" ")}` : ""}`,
  ].join("\n");
}
