import { EXIT_KINDS, type ExitKind } from "@axvisor/axvcpu";

const KIND_INDEX = Object.fromEntries(EXIT_KINDS.map((k, i) => [k, i])) as Record<ExitKind, number>;

/**
 * What one vCPU did since its VM was created (restarts included): guest instructions, the
 * host time it ran, sat halted, or waited runnable for a host CPU, its exits by neutral kind
 * with the host time they cost, and the guest accesses nothing could serve.
 *
 * Every millisecond the VMM's loop is busy belongs to one vCPU's run time: its slice, or its
 * share of the VMM's work between slices (timers, interrupts, scheduling, console, yielding to
 * the event loop). An exit costs its round trip (from the previous exit to it), and slice
 * switches are paid by the exits around them: leaving a slice by the exit that ended it, the
 * VMM's busy time until the next slice and binding by that slice's first exit. So for an
 * exit-bound guest the mean cost of its exits is the wall time per exit, what `pnpm bench`
 * measures.
 *
 * Counting is per slice and per run of exits of one kind (never per instruction or per timed
 * exit), so it costs nothing measurable; the serving times are estimated from a sample.
 */
export class VcpuStats {
  instructions = 0;
  /** Host milliseconds of its slices and its share of the VMM's work between slices. */
  runMs = 0;
  haltedMs = 0;
  waitingMs = 0;
  guestFaults = 0;
  /** Exits of each kind, indexed as EXIT_KINDS. */
  readonly exits = new Float64Array(EXIT_KINDS.length);
  /** Host milliseconds spent serving the exits of each kind (AxVM's and the VMM's part). */
  readonly exitMs = new Float64Array(EXIT_KINDS.length);
  /**
   * Host milliseconds from the previous exit to this one's being served within a slice (guest
   * time, trap, decoding, serving), per kind.
   */
  readonly exitRoundTripMs = new Float64Array(EXIT_KINDS.length);
  /**
   * Host milliseconds of slice switches, per kind of the exit each part was charged to: the
   * exit that ended a slice pays for leaving it (its time beyond its exits' round trips:
   * unbinding, the VMM's handling of that exit beyond its serving), the next slice's first
   * exit for the VMM's work in between (the vCPU's share of it) and for binding.
   */
  readonly exitSwitchMs = new Float64Array(EXIT_KINDS.length);
  /** Run time of slices since the last time accounting (to keep it out of `waitingMs`). */
  unaccountedRunMs = 0;
  /** When the current slice began, the round trips recorded in it, its last exit's kind. */
  #sliceAt = 0;
  #sliceTripMs = 0;
  #sliceLast = -1;
  /** Switch time since the last exit, for the next slice's first exit. */
  #pendingSwitchMs = 0;

  /** `count` exits of one kind, with the host time serving them took and their round trips. */
  recordExits(kind: ExitKind, count: number, serveMs: number, roundTripMs: number): void {
    const i = KIND_INDEX[kind];
    this.exits[i] = (this.exits[i] ?? 0) + count;
    this.exitMs[i] = (this.exitMs[i] ?? 0) + serveMs;
    this.exitRoundTripMs[i] = (this.exitRoundTripMs[i] ?? 0) + roundTripMs;
    this.#sliceTripMs += roundTripMs;
    if (this.#sliceLast < 0) {
      // The slice's first exit: it pays for the VMM's work since the previous slice and this
      // slice's binding (from its start to its first run's).
      const entry = Math.max(0, performance.now() - roundTripMs - this.#sliceAt);
      this.#sliceTripMs += entry;
      this.exitSwitchMs[i] = (this.exitSwitchMs[i] ?? 0) + this.#pendingSwitchMs + entry;
      this.#pendingSwitchMs = 0;
    }
    this.#sliceLast = i;
  }

  /** Host time the VMM spent on an exit already counted (one AxVM returned unserved). */
  addServeTime(kind: ExitKind, ms: number): void {
    const i = KIND_INDEX[kind];
    this.exitMs[i] = (this.exitMs[i] ?? 0) + ms;
    this.exitRoundTripMs[i] = (this.exitRoundTripMs[i] ?? 0) + ms;
    this.#sliceTripMs += ms;
  }

  /**
   * A slice of this vCPU begins at `at` (performance.now()): what `recordExits` reports next
   * belongs to it.
   */
  beginSlice(at: number): void {
    this.#sliceAt = at;
    this.#sliceTripMs = 0;
    this.#sliceLast = -1;
  }

  /**
   * The slice took `ms` of host time: it is run time, and what its exits' round trips and its
   * binding do not hold (unbinding, the VMM's handling of the exit beyond its serving) is the
   * cost of leaving, paid by the exit that ended the slice.
   */
  endSlice(ms: number): void {
    this.runMs += ms;
    this.unaccountedRunMs += ms;
    const leave = Math.max(0, ms - this.#sliceTripMs);
    const i = this.#sliceLast;
    if (i >= 0) this.exitSwitchMs[i] = (this.exitSwitchMs[i] ?? 0) + leave;
    else this.#pendingSwitchMs += leave;
  }

  /** The vCPU's share (`ms`) of the VMM's work after its last slice, before the next round. */
  chargeBetweenSlices(ms: number): void {
    if (!(ms > 0)) return;
    this.runMs += ms;
    this.unaccountedRunMs += ms;
    this.#pendingSwitchMs += ms;
  }

  /**
   * Run time no exit has been charged with yet: the VMM's work since the last slice, which
   * the next exit pays for (a vCPU that never runs again keeps it as run time only).
   */
  get pendingSwitchMs(): number {
    return this.#pendingSwitchMs;
  }

  /** Host milliseconds the exits of `kind` cost in all: round trips and slice switches. */
  exitCostMs(kind: ExitKind): number {
    const i = KIND_INDEX[kind];
    return (this.exitRoundTripMs[i] ?? 0) + (this.exitSwitchMs[i] ?? 0);
  }

  exitCount(kind: ExitKind): number {
    return this.exits[KIND_INDEX[kind]] ?? 0;
  }

  totalExits(): number {
    let n = 0;
    for (const e of this.exits) n += e;
    return n;
  }

  /** Guest instructions per microsecond of run time. */
  get mips(): number {
    return this.runMs > 0 ? this.instructions / (this.runMs * 1000) : 0;
  }
}

export class VmStats {
  readonly vcpus: VcpuStats[];

  constructor(vcpuCount: number) {
    this.vcpus = Array.from({ length: vcpuCount }, () => new VcpuStats());
  }

  vcpu(id: number): VcpuStats {
    const s = this.vcpus[id];
    if (s === undefined) throw new RangeError(`no vCPU ${id}`);
    return s;
  }

  /** Every vCPU summed. */
  total(): VcpuStats {
    const t = new VcpuStats();
    for (const v of this.vcpus) {
      t.instructions += v.instructions;
      t.runMs += v.runMs;
      t.haltedMs += v.haltedMs;
      t.waitingMs += v.waitingMs;
      t.guestFaults += v.guestFaults;
      v.exits.forEach((n, i) => {
        t.exits[i] = (t.exits[i] ?? 0) + n;
        t.exitMs[i] = (t.exitMs[i] ?? 0) + (v.exitMs[i] ?? 0);
        t.exitRoundTripMs[i] = (t.exitRoundTripMs[i] ?? 0) + (v.exitRoundTripMs[i] ?? 0);
        t.exitSwitchMs[i] = (t.exitSwitchMs[i] ?? 0) + (v.exitSwitchMs[i] ?? 0);
      });
    }
    return t;
  }
}

/**
 * `vm stats` / `--stats` text for one VM: a line per vCPU, then its exits by kind with their
 * mean cost, of which the serving and the slice switches are parts.
 */
export function formatVmStats(vmLabel: string, stats: VmStats): string[] {
  const lines: string[] = [];
  const row = (name: string, s: VcpuStats) =>
    `  ${name.padEnd(6)} ${String(s.instructions).padStart(12)} insns ${s.mips.toFixed(1).padStart(7)} MIPS  run ${sec(s.runMs)}  halted ${sec(s.haltedMs)}  waiting ${sec(s.waitingMs)}  exits ${s.totalExits()}  guest faults ${s.guestFaults}`;
  lines.push(`VM ${vmLabel}:`);
  stats.vcpus.forEach((s, i) => {
    lines.push(row(`vCPU ${i}`.padEnd(6), s));
  });
  const t = stats.total();
  if (stats.vcpus.length > 1) lines.push(row("all", t));
  const kinds = EXIT_KINDS.map(
    (k, i) =>
      [
        k,
        t.exits[i] ?? 0,
        (t.exitRoundTripMs[i] ?? 0) + (t.exitSwitchMs[i] ?? 0),
        t.exitMs[i] ?? 0,
        t.exitSwitchMs[i] ?? 0,
      ] as const,
  )
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  for (const [kind, n, cost, serve, switching] of kinds) {
    const us = (ms: number) => ((ms * 1000) / n).toFixed(2);
    lines.push(
      `  exit ${kind.padEnd(18)} ${String(n).padStart(10)}  mean ${us(cost)} us (serving ${us(serve)} us, slice switches ${us(switching)} us)`,
    );
  }
  return lines;
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
