import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { type BenchArch, QEMU_BINARIES } from "./arches.js";
import { allBenchmarks, type BenchContext, type Benchmark, benchmarkArch } from "./benchmarks.js";
import { cpuHonoursJitSwitch, loadAverage, machineInfo } from "./machine-info.js";
import { type MeasuredBenchmark, measureInterleaved, skipped } from "./measure.js";
import { type BenchOptions, OptionsError, parseBenchArgs, USAGE } from "./options.js";
import { qemuVersion } from "./qemu.js";
import {
  benchmarkRecord,
  buildReport,
  formatMachine,
  formatNumber,
  formatTable,
} from "./report.js";

export interface BenchIo {
  readonly stdout: { write(s: string): unknown };
  /** Progress lines. */
  readonly stderr: { write(s: string): unknown };
}

/** The benchmarks --only selects (ids like "intloop.qemu" or whole rows like "intloop"). */
export function selectBenchmarks(
  all: readonly Benchmark[],
  opts: Pick<BenchOptions, "only" | "quick"> & Partial<Pick<BenchOptions, "arch">>,
): Benchmark[] {
  const unknown = opts.only.filter((o) => !all.some((b) => b.id === o || b.row === o));
  if (unknown.length > 0) {
    throw new OptionsError(`--only: no benchmark or row named ${unknown.join(", ")} (see --list)`);
  }
  const arches = opts.arch ?? [];
  return all.filter((b) =>
    arches.length > 0 && !arches.includes(benchmarkArch(b))
      ? false
      : opts.only.length > 0
        ? opts.only.some((o) => b.id === o || b.row === o)
        : !(opts.quick && b.skipWhenQuick),
  );
}

/** `pnpm bench`: returns the exit status (0 whatever the figures; 2 for bad options). */
export async function runBench(argv: readonly string[], io: BenchIo): Promise<number> {
  let opts: BenchOptions;
  let selected: Benchmark[];
  try {
    opts = parseBenchArgs(argv);
    selected = selectBenchmarks(allBenchmarks(), opts);
  } catch (e) {
    if (e instanceof OptionsError) {
      io.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.list) {
    for (const b of selected) io.stdout.write(`${b.id}\n    ${b.method}\n`);
    return 0;
  }

  const qemuVersions: Partial<Record<BenchArch, string>> = {};
  if (opts.qemu) {
    for (const arch of new Set(selected.map(benchmarkArch))) {
      const v = qemuVersion(QEMU_BINARIES[arch]);
      if (v !== undefined) qemuVersions[arch] = v;
    }
  }
  const qemu = qemuVersions.riscv64;
  const machine = machineInfo(Object.values(qemuVersions)[0]);
  const tmpDir = mkdtempSync(join(os.tmpdir(), "axvisor-bench-"));
  const ctx: BenchContext = {
    runs: opts.runs,
    quick: opts.quick,
    qemu,
    qemuVersions,
    tmpDir,
    linuxTimeoutMs: opts.linuxTimeoutS * 1000,
  };
  io.stderr.write(`${formatMachine(machine)}\n`);
  const results = new Map<Benchmark, MeasuredBenchmark>();
  try {
    const runnable: Benchmark[] = [];
    for (const b of selected) {
      const why = b.target === "qemu" && !opts.qemu ? "--no-qemu" : b.unavailable(ctx);
      if (why === undefined) {
        runnable.push(b);
      } else {
        io.stderr.write(`${b.id}: skipped: ${why}\n`);
        results.set(b, skipped(why));
      }
    }
    const measured = await measureInterleaved(
      opts.runs,
      runnable.map((b) => () => b.run(ctx)),
      (bi, i, r) => {
        const what = r.ok ? formatNumber(r.value) : `failed: ${r.why}`;
        io.stderr.write(`${runnable[bi]!.id} run ${i + 1}/${opts.runs}: ${what}\n`);
      },
    );
    runnable.forEach((b, i) => {
      results.set(b, measured[i]!);
    });
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const records = selected.map((b) => benchmarkRecord(b, results.get(b)!, ctx));
  machine.loadavg_end = loadAverage();

  const notes: string[] = [];
  if (selected.some((b) => b.row === "interp")) {
    notes.push(
      cpuHonoursJitSwitch()
        ? "interpreter rows ran with AXVISOR_JIT=0 (the CPU reads it: its JIT was off)"
        : "interpreter rows ran with AXVISOR_JIT=0, but the CPU has no JIT yet (it does not read the variable), so they measure the same interpreter as the integer-loop row",
    );
  }
  if (machine.loadavg_start[0]! > machine.cores * 0.5) {
    notes.push(
      `the machine was busy (load average ${machine.loadavg_start[0]} on ${machine.cores} cores at start): figures are lower and noisier than on an idle machine`,
    );
  }
  const report = buildReport(records, machine, { runs: opts.runs, quick: opts.quick }, notes);
  io.stdout.write(`\n${formatMachine(machine)}\n\n${formatTable(report)}\n`);
  if (opts.json !== undefined) {
    try {
      writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      io.stderr.write(`wrote ${opts.json}\n`);
    } catch (e) {
      io.stderr.write(`bench: cannot write ${opts.json}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}
