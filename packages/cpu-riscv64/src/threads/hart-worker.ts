/**
 * Worker entry of `runHartsOnThreads`: one hart of the group on this thread, over the RAM and
 * MSIP words the group shares. Reports `done` with the hart's outcome, or `failed`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { adoptRam, type SharedRam } from "@axvisor/machine";
import {
  DEFAULT_GROUP_SLICE,
  type GroupHart,
  type GroupRunOptions,
  groupHart,
  outcomeOf,
} from "./hart-group.js";
import { SharedMsip } from "./shared-msip.js";

/** What the worker gets. */
export interface HartWorkerData {
  readonly ram: SharedRam;
  readonly ramBase: number;
  readonly msip: SharedArrayBuffer;
  readonly msipBase: number;
  readonly harts: number;
  readonly hart: GroupHart;
  readonly epochMs: number;
  readonly opts: GroupRunOptions;
}

/** What it reports. */
export type HartWorkerMessage =
  | { kind: "done"; hartId: number; instructions: number; pc: bigint }
  | { kind: "ready" }
  | { kind: "failed"; message: string }
  | { kind: "stopped" };

/** How long a halted hart sleeps before it looks at the group's stop word again. */
const WAIT_MS = 100;

const data = workerData as HartWorkerData;
const port = parentPort;
if (port !== null) {
  let msg: HartWorkerMessage;
  try {
    msg = run(data);
  } catch (e) {
    msg = { kind: "failed", message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(msg);
}

function run(d: HartWorkerData): HartWorkerMessage {
  const msip = new SharedMsip(d.msip, d.harts, d.msipBase);
  const runner = groupHart(d.hart, adoptRam(d.ram), d.ramBase, msip, d.epochMs, d.opts);
  const slice = d.opts.slice ?? DEFAULT_GROUP_SLICE;
  parentPort?.postMessage({ kind: "ready" } satisfies HartWorkerMessage);
  msip.awaitStart();
  for (;;) {
    if (msip.stopped) return { kind: "stopped" };
    const s = runner.step(slice);
    if (s === "done") return { kind: "done", ...outcomeOf(runner) };
    if (s === "waiting") msip.waitFor(d.hart.hartId, WAIT_MS);
  }
}
