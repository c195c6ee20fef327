import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bareWorkloadImage } from "../arches.js";
import { withIterations } from "../image-params.js";
import { runEmuBoot } from "./emu-boot.js";

/**
 * The aarch64 integer loop, cut to 100 000 iterations, as a small "kernel": it prints
 * BENCH-START, BENCH-END and powers off.
 */
const kernel = join(mkdtempSync(join(os.tmpdir(), "emu-boot-test-")), "intloop.elf");
writeFileSync(
  kernel,
  withIterations(readFileSync(bareWorkloadImage("aarch64", "intloop")), 100_000),
);
const job = {
  platform: "aarch64-qemu-virt",
  kernel,
  cpus: 1,
  memoryMiB: 64,
  timeoutMs: 60_000,
};

describe("runEmuBoot", () => {
  it("times the marker from machine creation and reads the instruction counter there", async () => {
    const r = await runEmuBoot({ ...job, marker: "BENCH-END" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.figures.ms).toBeGreaterThan(0);
    // 100 000 iterations of 3 instructions: the counter has passed them.
    expect(r.figures.counted).toBeGreaterThanOrEqual(300_000);
  });

  it("says how the machine ended when the marker never came", async () => {
    const r = await runEmuBoot({ ...job, marker: "GUEST-INIT-OK", timeoutMs: 60_000 });
    expect(r).toEqual({ ok: false, why: "machine poweroff (no GUEST-INIT-OK)" });
  });
});
