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
 * WFI with mie = 0); rejects with the first hart's failure, stopping the others.
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
  const cpu0 = processCpuMs();
  const t0 = performance.now();
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
          const worker = new Worker(url, { workerData, execArgv: builtExecArgv() });
          let settled = false;
          worker.once("message", (m: HartWorkerMessage) => {
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
  };
}

/** The worker runs the built code: drop the `--conditions source` a test runner may add. */
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
