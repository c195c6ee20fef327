/** `pnpm fuzz`: runs a campaign and reports; see FUZZ_HELP. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  type CaseResult,
  describeProgram,
  type FuzzArch,
  type FuzzTargets,
  minimise,
  programFor,
  runCase,
} from "./campaign.js";
import type { Finding } from "./finding.js";
import type { FuzzWorkerMessage, FuzzWorkerTask } from "./fuzz-worker.js";
import type { FuzzProgram } from "./generate.js";
import { FUZZ_HELP, FuzzUsageError, parseFuzzArgs } from "./options.js";

export interface FuzzIo {
  out(text: string): void;
  err(text: string): void;
}

/** At most this many findings are minimised and saved; the campaign counts the rest. */
const MAX_REPORTED = 3;

export async function runFuzzCli(argv: readonly string[], io: FuzzIo): Promise<number> {
  let opts: ReturnType<typeof parseFuzzArgs>;
  try {
    opts = parseFuzzArgs(argv);
  } catch (e) {
    if (e instanceof FuzzUsageError) {
      io.err(`pnpm fuzz: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    io.out(FUZZ_HELP);
    return 0;
  }
  // The CPU reads AXVISOR_JIT when each hart is made.
  if (!opts.jit) process.env.AXVISOR_JIT = "0";
  const first = opts.only ?? 0;
  const last = opts.only !== undefined ? opts.only + 1 : opts.cases;
  const caseOpts: CaseOpts = { budget: opts.budget, targets: opts.targets, arch: opts.arch };
  const counts: Record<Finding["kind"], number> = {
    "host-error": 0,
    hang: 0,
    canary: 0,
    isolation: 0,
  };
  let failing = 0;
  let reported = 0;
  const started = performance.now();
  let lastProgress = started;
  io.out(
    `pnpm fuzz: ${last - first} case(s), ${opts.arch}, seed ${opts.seed}, ${opts.budget} instructions each, targets ${opts.targets}\n`,
  );
  const jobs = Math.min(opts.jobs, last - first);
  const results =
    jobs > 1
      ? inWorkers(opts.seed, first, last, jobs, caseOpts)
      : inThisThread(opts.seed, first, last, caseOpts);
  let done = 0;
  for await (const r of results) {
    done++;
    if (opts.only !== undefined) io.out(`case ${r.index}: ${r.summary}\n`);
    if (r.findings.length > 0) {
      failing++;
      for (const f of new Set(r.findings.map((x) => x.kind))) counts[f]++;
      if (reported < MAX_REPORTED && r.index >= 0) {
        reported++;
        await report(opts.seed, r, opts, io, caseOpts);
      } else if (r.index < 0) {
        for (const f of r.findings) io.out(`FINDING: ${f.kind}: ${f.detail}\n`);
      }
    }
    const now = performance.now();
    if (now - lastProgress > 10_000) {
      lastProgress = now;
      io.out(
        `  ... ${done} cases in ${((now - started) / 1000).toFixed(0)} s, ${failing} failing\n`,
      );
    }
  }
  const secs = (performance.now() - started) / 1000;
  io.out(
    `pnpm fuzz: ${last - first} cases (seed ${opts.seed}) in ${secs.toFixed(1)} s: ` +
      `${counts["host-error"]} host failures, ${counts.hang} hangs, ${counts.isolation} isolation breaches, ` +
      `${counts.canary} canary disturbances\n`,
  );
  return failing === 0 ? 0 : 1;
}

type CaseOpts = { budget: number; targets: FuzzTargets; arch: FuzzArch };

async function* inThisThread(
  seed: number,
  first: number,
  last: number,
  caseOpts: CaseOpts,
): AsyncGenerator<CaseResult> {
  for (let i = first; i < last; i++) yield await runCase(seed, i, caseOpts);
}

/**
 * The cases spread over `jobs` worker threads (worker w runs first + w, first + w + jobs, ...),
 * yielded as they finish. A worker that dies outside a case is a host failure (index -1).
 */
async function* inWorkers(
  seed: number,
  first: number,
  last: number,
  jobs: number,
  caseOpts: CaseOpts,
): AsyncGenerator<CaseResult> {
  // Under vitest this module is the TypeScript source; the worker thread runs the built one.
  const url = new URL(
    import.meta.url.endsWith(".ts") ? "../dist/fuzz-worker.js" : "./fuzz-worker.js",
    import.meta.url,
  );
  const queue: (FuzzWorkerMessage | { kind: "failed"; detail: string })[] = [];
  let notify: (() => void) | undefined;
  const push = (m: (typeof queue)[number]) => {
    queue.push(m);
    notify?.();
  };
  const workers = Array.from({ length: jobs }, (_, w) => {
    const task: FuzzWorkerTask = { seed, first: first + w, last, stride: jobs, ...caseOpts };
    const worker = new Worker(url, { workerData: task, execArgv: builtExecArgv() });
    worker.on("message", (m: FuzzWorkerMessage) => push(m));
    worker.on("error", (e) => push({ kind: "failed", detail: `worker ${w} failed: ${e.message}` }));
    return worker;
  });
  let live = jobs;
  try {
    while (live > 0) {
      const m = queue.shift();
      if (m === undefined) {
        await new Promise<void>((r) => {
          notify = r;
        });
        notify = undefined;
        continue;
      }
      if (m.kind === "case") {
        yield {
          index: m.index,
          findings: m.findings,
          summary: m.summary,
          program: programFor(seed, m.index, caseOpts.arch),
        };
      } else if (m.kind === "done") {
        live--;
      } else {
        live--;
        yield {
          index: -1,
          findings: [{ kind: "host-error", detail: m.detail }],
          summary: "",
          program: programFor(seed, 0),
        };
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * This process's Node flags without export conditions: a test runner resolves workspace
 * packages to their TypeScript source (`--conditions source`), which a worker cannot load.
 */
function builtExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--conditions" || a === "-C") i++;
    else if (!a.startsWith("--conditions=")) out.push(a);
  }
  return out;
}

async function report(
  seed: number,
  r: CaseResult,
  opts: ReturnType<typeof parseFuzzArgs>,
  io: FuzzIo,
  caseOpts: CaseOpts,
): Promise<void> {
  io.out(`FINDING in case ${r.index} (seed ${seed}): ${r.summary}\n`);
  for (const f of r.findings) io.out(`  ${f.kind}: ${f.detail}\n`);
  let program = r.program;
  let findings = r.findings;
  if (opts.minimise) {
    const m = await minimise(seed, r, caseOpts);
    program = m.program;
    findings = m.findings;
    io.out(
      `  minimised in ${m.runs} reruns; still: ${findings[0]?.kind}: ${findings[0]?.detail}\n`,
    );
  }
  for (const line of describeProgram(program)) io.out(`  ${line}\n`);
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, `seed${seed}-case${r.index}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ seed, case: r.index, findings, program: toJson(program) }, null, 2)}\n`,
  );
  io.out(
    `  saved ${file}; rerun: pnpm fuzz${caseOpts.arch === "riscv64" ? "" : ` --arch ${caseOpts.arch}`} --seed ${seed} --case ${r.index}\n`,
  );
}

function toJson(program: FuzzProgram): unknown {
  if (program.kind === "image") {
    return {
      kind: "image",
      name: program.name,
      base64: Buffer.from(program.bytes).toString("base64"),
    };
  }
  return {
    kind: "random",
    body: Array.from(program.body, (w) => `0x${w.toString(16).padStart(8, "0")}`),
    regs: program.regs.map((v) => `0x${BigInt.asUintN(64, v).toString(16)}`),
  };
}
