import uPlot from "uplot";
import type { VmSample } from "../protocol.js";

/** Points kept per series (2 a second: the last minute). */
const WINDOW = 120;

interface Previous {
  at: number;
  samples: Map<number, VmSample>;
}

/**
 * The live plots: guest MIPS per VM, VM exits per second by kind (all VMs), and the share of
 * host time each VM's vCPUs ran and sat halted. Rates are differences of the worker's
 * counters between two samples.
 */
export class Plots {
  #mips: uPlot;
  readonly #exits: uPlot;
  #time: uPlot;
  readonly #kinds: readonly string[];
  #vmIds: number[] = [];
  #prev: Previous | undefined;
  readonly #t: number[] = [];
  readonly #mipsData = new Map<number, (number | null)[]>();
  readonly #runData = new Map<number, (number | null)[]>();
  readonly #haltData = new Map<number, (number | null)[]>();
  readonly #exitData: number[][];
  readonly #hosts: { mips: HTMLElement; exits: HTMLElement; time: HTMLElement };

  constructor(
    hosts: { mips: HTMLElement; exits: HTMLElement; time: HTMLElement },
    kinds: readonly string[],
  ) {
    this.#hosts = hosts;
    this.#kinds = kinds;
    this.#exitData = kinds.map(() => []);
    this.#mips = this.#chart(hosts.mips, "guest MIPS", []);
    this.#exits = this.#chart(
      hosts.exits,
      "VM exits / s by kind",
      kinds.map((k) => ({ label: k })),
    );
    this.#time = this.#chart(hosts.time, "vCPU run / halted time (% of a host CPU, per VM)", []);
  }

  /** Data points per plot (the e2e test watches them grow). */
  get points(): number {
    return this.#t.length;
  }

  add(at: number, samples: readonly VmSample[]): void {
    const prev = this.#prev;
    const cur = new Map(samples.map((s) => [s.id, s]));
    this.#prev = { at, samples: cur };
    if (prev === undefined) return;
    const dt = (at - prev.at) / 1000;
    if (!(dt > 0)) return;
    const ids = samples.map((s) => s.id).sort((a, b) => a - b);
    const layoutChanged = ids.join(",") !== this.#vmIds.join(",");
    this.#t.push(Date.now() / 1000);
    const exits = this.#kinds.map(() => 0);
    for (const id of new Set([...ids, ...this.#vmIds])) {
      const s = cur.get(id);
      const p = prev.samples.get(id);
      const ok = s !== undefined && p !== undefined;
      series(this.#mipsData, id).push(ok ? (s.instructions - p.instructions) / dt / 1e6 : null);
      series(this.#runData, id).push(ok ? (s.runMs - p.runMs) / 10 / dt : null);
      series(this.#haltData, id).push(ok ? (s.haltedMs - p.haltedMs) / 10 / dt : null);
      if (ok)
        for (const [i, n] of s.exits.entries()) {
          exits[i] = (exits[i] ?? 0) + (n - (p.exits[i] ?? 0)) / dt;
        }
    }
    for (const [i, n] of exits.entries()) this.#exitData[i]?.push(n);
    this.#trim();
    if (layoutChanged) this.#relayout(ids);
    this.#draw();
  }

  #trim(): void {
    const cut = this.#t.length - WINDOW;
    if (cut <= 0) return;
    this.#t.splice(0, cut);
    for (const m of [this.#mipsData, this.#runData, this.#haltData]) {
      for (const d of m.values()) d.splice(0, cut);
    }
    for (const d of this.#exitData) d.splice(0, cut);
  }

  #relayout(ids: number[]): void {
    // Series of deleted VMs go; the plots are rebuilt with one series per live VM.
    for (const m of [this.#mipsData, this.#runData, this.#haltData]) {
      for (const id of m.keys()) if (!ids.includes(id)) m.delete(id);
    }
    this.#vmIds = ids;
    this.#mips.destroy();
    this.#time.destroy();
    this.#mips = this.#chart(
      this.#hosts.mips,
      "guest MIPS",
      ids.map((id) => ({ label: `VM ${id}` })),
    );
    this.#time = this.#chart(
      this.#hosts.time,
      "vCPU run / halted time (% of a host CPU, per VM)",
      ids.flatMap((id) => [{ label: `VM ${id} run` }, { label: `VM ${id} halted`, dash: [4, 3] }]),
    );
  }

  #draw(): void {
    const n = this.#t.length;
    const fill = (d: (number | null)[] | undefined) => {
      const a = d ?? [];
      return a.length < n ? [...Array<null>(n - a.length).fill(null), ...a] : a;
    };
    this.#mips.setData([this.#t, ...this.#vmIds.map((id) => fill(this.#mipsData.get(id)))]);
    this.#exits.setData([this.#t, ...this.#exitData]);
    this.#time.setData([
      this.#t,
      ...this.#vmIds.flatMap((id) => [fill(this.#runData.get(id)), fill(this.#haltData.get(id))]),
    ]);
  }

  #chart(host: HTMLElement, title: string, series: { label: string; dash?: number[] }[]): uPlot {
    const width = Math.max(300, host.clientWidth || 420);
    return new uPlot(
      {
        title,
        width,
        height: 190,
        scales: { x: { time: true } },
        legend: { live: false },
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: PALETTE[i % PALETTE.length] ?? "#888",
            width: 1.5,
            ...(s.dash !== undefined ? { dash: s.dash } : {}),
          })),
        ],
      },
      [[], ...series.map(() => [])],
      host,
    );
  }
}

const PALETTE = [
  "#4e9af1",
  "#f1a34e",
  "#5cc26a",
  "#e25c5c",
  "#a77de8",
  "#43c6c6",
  "#d6c14a",
  "#e07bb8",
  "#8c8c8c",
  "#6ea2c9",
  "#c98f6e",
  "#7fbf7f",
];

function series(m: Map<number, (number | null)[]>, id: number): (number | null)[] {
  let d = m.get(id);
  if (d === undefined) {
    d = [];
    m.set(id, d);
  }
  return d;
}
