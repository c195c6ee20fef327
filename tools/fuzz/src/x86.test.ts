/**
 * The x86_64 target: its multiboot prologue and IDT work (a program reaches its ACPI S5
 * power-off, stepping over instructions that fault or trap), a program that never ends is
 * stopped by the budget, and a fixed batch of random x86 cases runs clean on the bare board.
 */
import { describe, expect, it } from "vitest";
import { runCase } from "./campaign.js";
import { runFuzzCli } from "./cli.js";
import { assembleX86, runBareX86 } from "./x86.js";

// As `pnpm fuzz` does by default: interpreted, so every case replays exactly.
process.env.AXVISOR_JIT = "0";

function slots(list: number[][]) {
  const body = new Uint32Array(list.length * 4);
  const bytes = new Uint8Array(body.buffer);
  bytes.fill(0x90);
  list.forEach((insn, i) => {
    bytes.set(insn, i * 16);
  });
  return { kind: "random" as const, body, regs: Array.from({ length: 7 }, () => 0n) };
}

describe("pnpm fuzz --arch x86_64", () => {
  it("runs a program to its ACPI power-off", async () => {
    const r = await runBareX86(assembleX86(slots([[0x90], [0x90]])), 20_000);
    expect(r).toMatchObject({ findings: [], end: "poweroff" });
  });

  it("steps over faults and traps (UD2, INT3, INT 0x10, VMCALL, INT 0x80 past the IDT)", async () => {
    const r = await runBareX86(
      assembleX86(slots([[0x0f, 0x0b], [0xcc], [0xcd, 0x10], [0x0f, 0x01, 0xc1], [0xcd, 0x80]])),
      20_000,
    );
    expect(r).toMatchObject({ findings: [], end: "poweroff" });
  });

  it("stops a program that never ends at its budget", async () => {
    const r = await runBareX86(assembleX86(slots([[0xeb, 0xfe]])), 20_000);
    expect(r.end).toBe("stopped");
    expect(r.instructions).toBeGreaterThanOrEqual(20_000);
  });

  it("is deterministic: the same seed and case give the same program and the same run", async () => {
    const a = await runCase(9, 6, { budget: 30_000, arch: "x86_64" });
    const b = await runCase(9, 6, { budget: 30_000, arch: "x86_64" });
    expect(assembleX86(a.program)).toEqual(assembleX86(b.program));
    expect(a.summary).toBe(b.summary);
  });

  it("runs 12 random x86 cases on the bare board with no finding", async () => {
    const out: string[] = [];
    const status = await runFuzzCli(
      ["--arch", "x86_64", "--cases", "12", "--seed", "20261207", "--budget", "20000"],
      { out: (s) => out.push(s), err: (s) => out.push(s) },
    );
    const text = out.join("");
    expect(text).toMatch(/12 cases \(seed 20261207\) in [\d.]+ s: 0 host failures, 0 hangs/);
    expect(status).toBe(0);
  });
});
