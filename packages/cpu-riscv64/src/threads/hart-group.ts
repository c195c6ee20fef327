import type { PhysBus, TimeSource } from "@axvisor/machine";
import { Hart } from "../hart.js";
import type { JitOptions } from "../jit/jit.js";
import { HartRunner } from "./hart-runner.js";
import type { SharedMsip } from "./shared-msip.js";

/** Ticks of the group's `time` CSR per millisecond (a 10 MHz timebase, as QEMU virt's). */
export const GROUP_TICKS_PER_MS = 10_000;

/** One hart of a group: its id (also its MSIP word) and where it starts. */
export interface GroupHart {
  readonly hartId: number;
  readonly resetPc: number;
}

/** How each hart of a group runs, whichever thread it is on. */
export interface GroupRunOptions {
  /** Instructions per slice between MSIP checks; default 200 000. */
  readonly slice?: number;
  /** A hart still running after this many instructions is a failure (a hung program). */
  readonly maxInstructions: number;
  /** The JIT tier, as HartOptions.jit (default: the environment's AXVISOR_JIT). */
  readonly jit?: boolean | JitOptions;
}

/** What one hart did. */
export interface HartOutcome {
  readonly hartId: number;
  readonly instructions: number;
  /** Where it stopped (the WFI it ended in). */
  readonly pc: bigint;
}

/** What a group run did: every hart, and the run's wall and process CPU time in ms. */
export interface GroupOutcome {
  readonly harts: readonly HartOutcome[];
  readonly wallMs: number;
  /** CPU time of the whole process (every thread) during the run. */
  readonly cpuMs: number;
  /** Worker threads only: ms from creating the workers until all harts were built and started. */
  readonly startupMs?: number;
}

export const DEFAULT_GROUP_SLICE = 200_000;

/**
 * Builds a hart of a group over `ram` (RAM at `ramBase`, the group's MSIP block as its only
 * device); `epochMs` is the `performance.timeOrigin` every thread of the group counts time from.
 */
export function groupHart(
  spec: GroupHart,
  ram: Uint8Array,
  ramBase: number,
  msip: SharedMsip,
  epochMs: number,
  opts: GroupRunOptions,
): HartRunner {
  const bus: PhysBus = {
    ram,
    ramBase,
    load: (pa, width) => msip.load(pa, width),
    store: (pa, width, value) => msip.store(pa, width, value),
  };
  const origin = performance.timeOrigin - epochMs;
  const time: TimeSource = {
    now: () => Math.floor((origin + performance.now()) * GROUP_TICKS_PER_MS),
  };
  const hart = new Hart({
    hartId: spec.hartId,
    bus,
    time,
    resetPc: spec.resetPc,
    ...(opts.jit === undefined ? {} : { jit: opts.jit }),
  });
  return new HartRunner(hart, msip, opts.maxInstructions);
}

/**
 * Runs every hart of the group on the calling thread, one slice each in turn: the
 * single-thread reference the threaded run is measured against, and the host-neutral way
 * (a browser page without cross-origin isolation has no shared memory between workers).
 */
export function runHartsInTurn(
  harts: readonly GroupHart[],
  ram: Uint8Array,
  ramBase: number,
  msip: SharedMsip,
  opts: GroupRunOptions,
): GroupOutcome {
  const cpu0 = processCpuMs();
  const t0 = performance.now();
  const runners = harts.map((h) => groupHart(h, ram, ramBase, msip, performance.timeOrigin, opts));
  const slice = opts.slice ?? DEFAULT_GROUP_SLICE;
  for (;;) {
    let running = 0;
    let waiting = 0;
    for (const r of runners) {
      const s = r.step(slice);
      if (s === "running") running++;
      else if (s === "waiting") waiting++;
    }
    if (running + waiting === 0) break;
    if (
      running === 0 &&
      runners.every((r) => r.state !== "waiting" || !msip.pending(r.hart.hartId))
    ) {
      throw new Error(
        `harts ${runners
          .filter((r) => r.state === "waiting")
          .map((r) => r.hart.hartId)
          .join(", ")} wait in WFI for an interrupt no running hart can send`,
      );
    }
  }
  return {
    harts: runners.map((r) => outcomeOf(r)),
    wallMs: performance.now() - t0,
    cpuMs: processCpuMs() - cpu0,
  };
}

export function outcomeOf(r: HartRunner): HartOutcome {
  return { hartId: r.hart.hartId, instructions: r.hart.instret, pc: r.hart.getPc() };
}

/** CPU time of the process (all threads) in ms where the host can tell (Node), else wall time. */
export function processCpuMs(): number {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } })
    .process;
  if (p?.cpuUsage === undefined) return performance.now();
  const u = p.cpuUsage();
  return (u.user + u.system) / 1000;
}
