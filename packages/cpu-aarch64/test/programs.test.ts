/**
 * Runs every self-checking program in test/programs/bin on the CPU in the minimal test
 * machine (src/testing): RAM at 0x4000_0000, a PL011 data register, PSCI SYSTEM_OFF through
 * SMC. Each program passes on QEMU 7.2 first (test/programs/validate-qemu.sh) and prints
 * "PASS" or "FAIL n".
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ElfMachine, loadElf, parseElf64 } from "@axvisor/guest-image";
import { describe, expect, it } from "vitest";
import { TestMachine } from "../src/testing/index.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "programs", "bin");
const BUDGET = 50_000_000;

function runProgram(file: string): { uart: string; off: boolean; machine: TestMachine } {
  // Programs named *-max use the instructions of QEMU's "max" CPU (LSE, PAN).
  const model = file.endsWith("-max.elf") ? "max" : "cortex-a57";
  const machine = new TestMachine({ ramSize: 64 << 20, ticksPerInstruction: 1, model });
  const elf = parseElf64(new Uint8Array(readFileSync(file)), {
    name: file,
    machine: ElfMachine.AARCH64,
  });
  const { entry } = loadElf(elf, (paddr, bytes) => machine.writePhys(paddr, bytes));
  machine.cpu.powerOn(entry, 0n, 2);
  // Short slices: the counter advances between them, as a free-running counter would.
  machine.runUntilOff(BUDGET, 256);
  return { uart: machine.uart, off: machine.off, machine };
}

const programs = readdirSync(BIN).filter((f) => f.endsWith(".elf"));

describe("self-checking A64 programs (validated on QEMU 7.2)", () => {
  for (const p of programs) {
    it(p.replace(/\.elf$/, ""), () => {
      const { uart, off, machine } = runProgram(join(BIN, p));
      const where = `pc=0x${machine.cpu.getPc().toString(16)} EL${machine.cpu.el}`;
      expect(uart, where).toBe("PASS\n");
      expect(off).toBe(true);
    });
  }
});
