import { Worker } from "node:worker_threads";
import { shareRam } from "@axvisor/machine";
import {
  type GroupHart,
  type GroupOutcome,
  type GroupRunOptions,
  type HartOutcome,
  processCpuMs,
} from "./hart-group.js";
import type { HartWorkerData, HartWorkerMessage } from "./hart-worker.js";
import type { SharedMsip } from "./shared-msip.js";

/**
 * Runs each hart of the group on its own worker thread, all over the same RAM (which must come
 * from `allocateRam`, a shared WebAssembly.Memory) and MSIP words: the harts truly run at the
 * same time, each with its own JIT and code cache. Resolves when every hart has finished (a
 * WFI with mie = 0); rejects with the first hart's failure, stopping the others. The harts
 * start together once every worker has built its hart; `startupMs` is the time until then
 * (thread creation and module loading, once per group), `wallMs` the run after it.
 *
 * Code one hart writes and another has compiled is not noticed by the other's JIT until it
 * executes FENCE.I, which is what RISC-V requires of software anyway (Linux sends remote
 * FENCE.I through SBI).
 */
export async function runHartsOnThreads(
  harts: readonly GroupHart[],
  ram: Uint8Array,
  ramBase: number,
  msip: SharedMsip,
  opts: GroupRunOptions,
): Promise<GroupOutcome> {
  const shared = shareRam(ram);
  if (shared === undefined) {
    throw new Error(
      "runHartsOnThreads: RAM must come from allocateRam (a shared WebAssembly.Memory)",
    );
  }
  const url = new URL(
    import.meta.url.endsWith(".ts") ? "../../dist/threads/hart-worker.js" : "./hart-worker.js",
    import.meta.url,
  );
  const created = performance.now();
  let cpu0 = processCpuMs();
  let t0 = created;
  let ready = 0;
  const started = (): void => {
    if (++ready < harts.length) return;
    cpu0 = processCpuMs();
    t0 = performance.now();
    msip.start();
  };
  const results = await Promise.allSettled(
    harts.map(
      (hart) =>
        new Promise<HartOutcome>((resolve, reject) => {
          const workerData: HartWorkerData = {
            ram: shared,
            ramBase,
            msip: msip.buffer,
            msipBase: msip.base,
            harts: msip.harts,
            hart,
            epochMs: performance.timeOrigin,
            opts,
          };
          // No inherited flags: the worker loads only built code, and a worker refuses process-wide
          // flags such as --expose-gc (or a test runner's --conditions source).
          const worker = new Worker(url, { workerData, execArgv: [] });
          let settled = false;
          worker.on("message", (m: HartWorkerMessage) => {
            if (m.kind === "ready") {
              started();
              return;
            }
            settled = true;
            if (m.kind === "done") {
              resolve({ hartId: m.hartId, instructions: m.instructions, pc: m.pc });
            } else {
              msip.stop();
              reject(new Error(m.kind === "failed" ? m.message : `hart ${hart.hartId} stopped`));
            }
          });
          worker.once("error", (e) => {
            settled = true;
            msip.stop();
            reject(e);
          });
          worker.once("exit", (code) => {
            if (!settled) {
              msip.stop();
              reject(new Error(`hart ${hart.hartId}: worker exited (${code}) without a result`));
            }
          });
        }),
    ),
  );
  const wallMs = performance.now() - t0;
  const cpuMs = processCpuMs() - cpu0;
  // The failure that stopped the group, not the "stopped" of the harts it took down.
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  const first = failures.find((e) => !/ stopped$/.test(e.message)) ?? failures[0];
  if (first !== undefined) throw first;
  return {
    harts: results.map((r) => (r as PromiseFulfilledResult<HartOutcome>).value),
    wallMs,
    cpuMs,
    startupMs: t0 - created,
  };
}
