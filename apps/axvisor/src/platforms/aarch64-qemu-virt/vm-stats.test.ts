import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ExitKind } from "@axvisor/axvcpu";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startTestVmm } from "../../vmm/test-support/harness.js";
import { MarkerStats } from "../../vmm/test-support/marker-stats.js";
import { armDefaultGuestConfig, armDefaultGuestDisk } from "./default-guest.js";

/**
 * `vm stats` on the aarch64 platform against what `pnpm bench` measures with the same
 * workloads (tools/bench/workloads/aarch64, bench-guest.toml): guest instructions and MIPS
 * for the integer loop, the MMIO exit's count and mean cost for the exit loop, and the
 * halted time of a guest that waits in WFI.
 */
const WORKLOADS = resolve(REPO_ROOT, "tools/bench/workloads/aarch64");
const PLATFORM = "aarch64-qemu-virt";
const dir = mkdtempSync(join(tmpdir(), "axvisor-arm-stats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The workload's parameter block (bench's "AXBENCH1": iterations, per iteration, fixed). */
function withIterations(name: string, iterations: number) {
  const image = Uint8Array.from(readFileSync(join(WORKLOADS, `${name}-native.bin`)));
  const magic = new TextEncoder().encode("AXBENCH1");
  let at = -1;
  for (let i = 0; i + 40 <= image.length && at < 0; i += 8) {
    if (magic.every((b, j) => image[i + j] === b)) at = i;
  }
  if (at < 0) throw new Error(`${name}: no AXBENCH1 block`);
  const view = new DataView(image.buffer);
  view.setBigUint64(at + 8, BigInt(iterations), true);
  const file = join(dir, `${name}-${iterations}.bin`);
  writeFileSync(file, image);
  const perIteration = Number(view.getBigUint64(at + 16, true));
  const fixed = Number(view.getBigUint64(at + 24, true));
  return { file, instructions: perIteration * iterations + fixed };
}

/** The workload as the bench's only VM, with its statistics read as each marker arrives. */
async function benchVm(name: string, iterations: number, kind: ExitKind) {
  const w = withIterations(name, iterations);
  const base = await loadAxVMConfig(join(WORKLOADS, "bench-guest.toml"));
  const config = { ...base, kernel: { ...base.kernel, kernelPath: w.file } };
  const marks = new MarkerStats(["BENCH-START", "BENCH-END"], kind);
  const t = startTestVmm({
    platform: PLATFORM,
    harts: 1,
    vms: [config],
    onOutput: (_vm, text) => marks.seen(text),
  });
  marks.watch(t.vmm.createVm(config).stats.vcpu(0));
  t.vmm.startVm(1);
  return { t, marks, instructions: w.instructions };
}

/**
 * The bench's figure is wall time between the markers' arrival on the console; `vm stats`
 * counts every millisecond the VMM is busy as some vCPU's run time (its slices and its share
 * of the VMM's work between them) and an exit's cost as its round trip plus the switch of the
 * slice it ended. With one VM on one host CPU both are the same wall time, on an idle or a
 * loaded host; they differ by what falls between a marker and the slice end that hands it on.
 */
describe("VM statistics on aarch64", () => {
  it("count the integer loop's instructions and give its MIPS as pnpm bench does (within 10 %)", async () => {
    // Long enough (a second or more) that the harness seeing each marker up to a poll late
    // (20 ms) stays a small part of the bench method's figure, now that the JIT runs it fast.
    const iterations = process.env.AXVISOR_JIT === "0" ? 5_000_000 : 100_000_000;
    const { t, marks, instructions } = await benchVm("intloop", iterations, "Nothing");
    try {
      await t.waitFor(1, /BENCH-END/, 180_000);
      const d = marks.between("BENCH-START", "BENCH-END");
      const bench = instructions / (d.ms * 1000);
      const stats = d.instructions / (d.runMs * 1000);
      console.log(
        `aarch64 intloop: vm stats ${stats.toFixed(1)} MIPS, bench method ${bench.toFixed(1)} MIPS (${(((stats - bench) / bench) * 100).toFixed(1)} %)`,
      );
      expect(Math.abs(stats - bench) / bench).toBeLessThan(0.1);
      expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
      const s = t.vmm.vm(1).stats.vcpu(0);
      // The loop, plus the boot code and the marker lines (a few thousand instructions);
      // trapping instructions (HVC, the UART's MMIO stores) are exits, not retired.
      expect(s.instructions).toBeGreaterThanOrEqual(instructions);
      expect(s.instructions).toBeLessThan(instructions + 20_000);
      expect(s.exitCount("SystemDown")).toBe(1);
    } finally {
      await t.close();
    }
  }, 300_000);

  it("give the MMIO exit count and cost pnpm bench measures for its exit loop (within 10 %)", async () => {
    const n = 300_000;
    const { t, marks } = await benchVm("exitloop", n, "MmioWrite");
    try {
      await t.waitFor(1, /BENCH-END/, 180_000);
      const d = marks.between("BENCH-START", "BENCH-END");
      const bench = (d.ms * 1000) / n;
      const stats = (d.costMs * 1000) / d.exits;
      console.log(
        `aarch64 exitloop: vm stats ${stats.toFixed(2)} us/exit, bench method ${bench.toFixed(2)} us/exit (${(((stats - bench) / bench) * 100).toFixed(1)} %)`,
      );
      expect(Math.abs(stats - bench) / bench).toBeLessThan(0.1);
      expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
      const s = t.vmm.vm(1).stats.vcpu(0);
      // One exit per store, and one per character the workload prints.
      expect(s.exitCount("MmioWrite")).toBeGreaterThanOrEqual(n);
      expect(s.exitCount("MmioWrite")).toBeLessThan(n + 200);
      expect(s.exitCount("MmioRead")).toBeLessThan(200);
    } finally {
      await t.close();
    }
  }, 300_000);

  it("count the time a vCPU waits in WFI as halted, not run, and each millisecond once", async () => {
    const config = armDefaultGuestConfig();
    const t = startTestVmm({ platform: PLATFORM, vms: [config] });
    try {
      t.vmm.createVm(config, { disk: armDefaultGuestDisk() });
      t.vmm.startVm(1);
      await t.waitFor(1, /DEMO-READY/, 60_000);
      const s = t.vmm.vm(1).stats.vcpu(1);
      const stats = t.vmm.vm(1).stats.vcpus;
      // Charged time, up to the VMM's accounting clock (slices since then are run time whose
      // halted/waiting complement is not charged yet).
      const accounted = () =>
        stats.map((v) => v.runMs + v.haltedMs + v.waitingMs - v.unaccountedRunMs);
      const h0 = s.haltedMs;
      const r0 = s.runMs;
      const a0 = accounted();
      const c0 = t.vmm.statsAccountedAt;
      const w0 = performance.now();
      await new Promise((r) => setTimeout(r, 500));
      const wall = performance.now() - w0;
      const clock = t.vmm.statsAccountedAt - c0;
      // The accounting runs once per round of the scheduler or idle sleep, so it trails the
      // wall clock by at most a round or a sleep.
      expect(clock).toBeGreaterThan(wall * 0.5);
      // vCPU 1 idles in WFI: nearly all of that time is halted time.
      expect(s.haltedMs - h0).toBeGreaterThan(clock * 0.6);
      expect(s.runMs - r0).toBeLessThan(clock * 0.2);
      expect(s.exitCount("Halt")).toBeGreaterThan(0);
      // Each vCPU's time is run, halted or waiting, each millisecond once: what was charged
      // is the time the accounting clock advanced, however loaded the host is (to a few
      // milliseconds: the VMM's work between slices is charged as it happens).
      accounted().forEach((ms, i) => {
        expect(Math.abs(ms - (a0[i] ?? 0) - clock)).toBeLessThan(5 + clock * 0.02);
      });
    } finally {
      await t.close();
    }
  }, 60_000);
});
