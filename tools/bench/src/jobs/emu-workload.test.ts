import { describe, expect, it } from "vitest";
import { BENCH_END, BENCH_FAIL, BENCH_START } from "../job.js";
import { MarkerWatch } from "../markers.js";
import { workloadImage } from "../workloads.js";
import { runEmuWorkload, workloadOutcome } from "./emu-workload.js";

const watch = () => new MarkerWatch([BENCH_START, BENCH_END], BENCH_FAIL);

describe("workloadOutcome", () => {
  it("gives the marker-to-marker time and the executed instructions between them", () => {
    const w = watch();
    w.feed("BENCH-START\n", 100, 1_000);
    w.feed("BENCH-END\n", 2100, 300_001_000);
    expect(workloadOutcome(w, false, 1000, () => "")).toEqual({
      ok: true,
      figures: { ms: 2000, counted: 300_000_000 },
    });
  });

  it("reports what the guest said when it trapped", () => {
    const w = watch();
    w.feed(
      "BENCH-START\nBENCH-FAIL cause=000000000000000d epc=0000000080000100 tval=0000000100000000\n",
      1,
    );
    expect(workloadOutcome(w, false, 1000, () => "machine poweroff")).toEqual({
      ok: false,
      why: "guest reported BENCH-FAIL cause=000000000000000d epc=0000000080000100 tval=0000000100000000",
    });
  });

  it("says how far a run that timed out or stopped got", () => {
    const started = watch();
    started.feed("BENCH-START\n", 1);
    expect(workloadOutcome(started, true, 120_000, () => "")).toEqual({
      ok: false,
      why: "timeout after 120 s (BENCH-START but no BENCH-END)",
    });
    expect(workloadOutcome(watch(), false, 1000, () => "emulator fault: illegal state")).toEqual({
      ok: false,
      why: "emulator fault: illegal state (no BENCH-START)",
    });
  });
});

describe("runEmuWorkload", () => {
  it("runs a native workload on the bare machine and times it between the markers", async () => {
    const r = await runEmuWorkload({
      image: workloadImage("intloop", "native"),
      iterations: 20_000,
      timeoutMs: 30_000,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.figures.ms).toBeGreaterThanOrEqual(0);
    // 60 005 instructions between the markers, seen at slice granularity (20 000 per slice).
    expect(r.figures.counted).toBeGreaterThanOrEqual(60_005 - 20_000);
    expect(r.figures.counted).toBeLessThanOrEqual(60_005 + 40_000);
  });

  it("reports a timeout instead of hanging", async () => {
    const r = await runEmuWorkload({
      image: workloadImage("intloop", "native"),
      iterations: 1e12,
      timeoutMs: 300,
    });
    expect(r).toEqual({ ok: false, why: "timeout after 0.3 s (BENCH-START but no BENCH-END)" });
  });
});
