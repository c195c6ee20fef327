import type { ExitKind } from "@axvisor/axvcpu";
import type { VcpuStats } from "../vm-stats.js";

/** What a vCPU's statistics said at the instant a console marker left the VMM. */
export interface StatsAtMarker {
  /** performance.now() when the marker's bytes left the VMM: what `pnpm bench` times. */
  readonly ms: number;
  readonly instructions: number;
  readonly runMs: number;
  /** Exits of the watched kind, and the host time they cost (round trips and switches). */
  readonly exits: number;
  readonly costMs: number;
}

/**
 * Takes a vCPU's statistics when each marker first appears in the console text, so a test
 * compares `vm stats` with the bench method (wall time between the markers) over exactly the
 * same span. Feed it the console text from the VMM's output hook.
 */
export class MarkerStats {
  readonly #markers: readonly string[];
  readonly #kind: ExitKind;
  readonly #at = new Map<string, StatsAtMarker>();
  #stats: VcpuStats | undefined;

  constructor(markers: readonly string[], kind: ExitKind) {
    this.#markers = markers;
    this.#kind = kind;
  }

  /** The vCPU to read (its VM exists only after the VMM that feeds this was built). */
  watch(stats: VcpuStats): void {
    this.#stats = stats;
  }

  /** The console text so far, just after output left the VMM. */
  seen(text: string): void {
    const ms = performance.now();
    const s = this.#stats;
    if (s === undefined) return;
    for (const m of this.#markers) {
      if (this.#at.has(m) || !text.includes(m)) continue;
      this.#at.set(m, {
        ms,
        instructions: s.instructions,
        runMs: s.runMs,
        exits: s.exitCount(this.#kind),
        costMs: s.exitCostMs(this.#kind),
      });
    }
  }

  at(marker: string): StatsAtMarker | undefined {
    return this.#at.get(marker);
  }

  /** The change of every figure from marker `from` to marker `to`; throws if one is missing. */
  between(from: string, to: string): StatsAtMarker {
    const a = this.#at.get(from);
    const b = this.#at.get(to);
    if (a === undefined || b === undefined) {
      throw new Error(`marker ${a === undefined ? from : to} did not appear`);
    }
    return {
      ms: b.ms - a.ms,
      instructions: b.instructions - a.instructions,
      runMs: b.runMs - a.runMs,
      exits: b.exits - a.exits,
      costMs: b.costMs - a.costMs,
    };
  }
}
