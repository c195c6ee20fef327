/**
 * Runs every self-checking program in test/programs/bin on the CPU, in the minimal PC of
 * src/testing (RAM at 0, COM1, isa-debug-exit, a multiboot v1 loader). Each program passes on
 * `qemu-system-x86_64 -cpu max` first (test/programs/validate-qemu.sh).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { X86Jit } from "../src/jit/jit.js";
import { TestPc } from "../src/testing/index.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "programs", "bin");
const programs = readdirSync(BIN).filter((f) => f.endsWith(".elf"));

describe("self-checking programs", () => {
  // Compile after a few entries, so the programs' loops run compiled in the "JIT on" runs.
  // Synchronous compiles: they run compiled from the hot entry on, whatever the host's load.
  const hot = X86Jit.hotThreshold;
  const offThread = X86Jit.offThread;
  beforeAll(() => {
    X86Jit.hotThreshold = 4;
    X86Jit.offThread = false;
  });
  afterAll(() => {
    X86Jit.hotThreshold = hot;
    X86Jit.offThread = offThread;
  });
  it("are present", () => {
    expect(programs.length).toBeGreaterThan(0);
  });
  for (const name of programs) {
    it.each([
      ["JIT on", true],
      ["JIT off", false],
    ])(`${name} (%s)`, (_label, jit) => {
      const pc = new TestPc(32 << 20, { jit });
      expect(pc.cpu.jit !== undefined).toBe(jit);
      pc.loadMultiboot(new Uint8Array(readFileSync(join(BIN, name))));
      const r = pc.runUntilExit(50_000_000);
      const where = `rip=${pc.cpu.rip.toString(16)} after ${r.executed} instructions`;
      expect(pc.serial, where).toContain("PASS");
      expect(r.exit, pc.serial + where).toBe("exit");
      expect(pc.exitCode, pc.serial).toBe(0);
    });
  }
});
