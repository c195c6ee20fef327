/**
 * A `pnpm fuzz --jobs N` worker thread: runs every case i of its share (i = first + w, first +
 * w + N, ...) and posts each outcome. Cases are independent and each builds its own host, so a
 * case's outcome does not depend on which worker ran it or what ran before.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type FuzzArch, type FuzzTargets, runCase } from "./campaign.js";
import type { Finding } from "./finding.js";

/** What a worker is told to run. */
export interface FuzzWorkerTask {
  readonly seed: number;
  readonly first: number;
  readonly last: number;
  readonly stride: number;
  readonly budget: number;
  readonly targets: FuzzTargets;
  readonly arch: FuzzArch;
}

/** One case's outcome, as posted to the main thread; `done` marks the end of the share. */
export type FuzzWorkerMessage =
  | {
      readonly kind: "case";
      readonly index: number;
      readonly findings: Finding[];
      readonly summary: string;
    }
  | { readonly kind: "done" };

const task = workerData as FuzzWorkerTask;
const port = parentPort;
if (port === null) throw new Error("fuzz-worker runs as a worker thread of pnpm fuzz --jobs");
for (let i = task.first; i < task.last; i += task.stride) {
  const r = await runCase(task.seed, i, {
    budget: task.budget,
    targets: task.targets,
    arch: task.arch,
  });
  port.postMessage({
    kind: "case",
    index: i,
    findings: r.findings,
    summary: r.summary,
  } satisfies FuzzWorkerMessage);
}
port.postMessage({ kind: "done" } satisfies FuzzWorkerMessage);
