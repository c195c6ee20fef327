/**
 * The aarch64 target: its prologue and vector table work (a program reaches its PSCI
 * SYSTEM_OFF, stepping over instructions that trap), a program that never ends is stopped by
 * the budget, and a fixed batch of random A64 cases runs clean on the bare board.
 */
import { describe, expect, it } from "vitest";
import { assembleA64, runBareA64 } from "./aarch64.js";
import { runCase } from "./campaign.js";
import { runFuzzCli } from "./cli.js";

// As `pnpm fuzz` does by default: interpreted, so every case replays exactly.
process.env.AXVISOR_JIT = "0";

const regs = Array.from({ length: 31 }, () => 0n);
const program = (words: number[]) => ({
  kind: "random" as const,
  body: Uint32Array.from(words),
  regs,
});

describe("pnpm fuzz --arch aarch64", () => {
  it("runs a program to its PSCI SYSTEM_OFF", async () => {
    const r = await runBareA64(assembleA64(program([0xd503201f, 0xd503201f])), 20_000);
    expect(r).toMatchObject({ findings: [], end: "poweroff" });
  });

  it("steps over instructions that trap to EL2 (UDF, HVC, an unknown system register)", async () => {
    const r = await runBareA64(
      assembleA64(program([0x00000000, 0xd4000002, 0xd5308000, 0xd503201f])),
      20_000,
    );
    expect(r).toMatchObject({ findings: [], end: "poweroff" });
  });

  it("stops a program that never ends at its budget", async () => {
    const r = await runBareA64(assembleA64(program([0x14000000])), 20_000);
    expect(r.end).toBe("stopped");
    expect(r.instructions).toBeGreaterThanOrEqual(20_000);
  });

  it("runs 30 random A64 cases on the bare board with no finding", async () => {
    const out: string[] = [];
    const status = await runFuzzCli(
      ["--arch", "aarch64", "--cases", "30", "--seed", "20261207", "--budget", "20000"],
      { out: (s) => out.push(s), err: (s) => out.push(s) },
    );
    const text = out.join("");
    expect(text).toMatch(/30 cases \(seed 20261207\) in [\d.]+ s: 0 host failures, 0 hangs/);
    expect(status).toBe(0);
  });

  it("is deterministic: the same seed and case give the same program and the same run", async () => {
    const a = await runCase(9, 6, { budget: 30_000, arch: "aarch64" });
    const b = await runCase(9, 6, { budget: 30_000, arch: "aarch64" });
    expect(assembleA64(a.program)).toEqual(assembleA64(b.program));
    expect(a.summary).toBe(b.summary);
  });

  it("is not yet a target under the hypervisor", async () => {
    const err: string[] = [];
    const status = await runFuzzCli(["--arch", "aarch64", "--targets", "guest"], {
      out: () => {},
      err: (s) => err.push(s),
    });
    expect(status).toBe(2);
    expect(err.join("")).toMatch(/^pnpm fuzz: --arch aarch64 runs on the bare board only/);
  });
});
