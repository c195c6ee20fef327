import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InstructionClock } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { PcMachine } from "./machine.js";

const PROGRAMS = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "programs", "bin");
const program = (name: string) => new Uint8Array(readFileSync(join(PROGRAMS, name)));

async function runProgram(name: string, cpus: number) {
  let out = "";
  const m = new PcMachine({
    cpus,
    ramSize: 128 << 20,
    images: { kernel: { name: `bin/${name}`, data: program(name) } },
    bootargs: "board-test",
    debugExit: { iobase: 0xf4, iosize: 4 },
    clock: new InstructionClock(1),
    console: (b) => {
      out += new TextDecoder().decode(b);
    },
  });
  const exit = await m.run();
  return { out, exit, m };
}

describe("PcMachine with a multiboot test program", () => {
  it("starts the AP with INIT-SIPI-SIPI from the BSP's local APIC (smp.elf, 2 CPUs)", async () => {
    const { out, exit, m } = await runProgram("smp.elf", 2);
    expect(out).toContain("smp: PASS");
    expect(exit).toEqual({ kind: "poweroff", success: true, code: 1, source: "debug-exit" });
    expect(m.cpus[1]!.halted).toBe(true);
  });

  it("runs board.elf (multiboot state, fw_cfg, CMOS, PCI, PIT/8259 and LAPIC timer interrupts, IOAPIC, HPET, port 0x61) to PASS", async () => {
    let out = "";
    const m = new PcMachine({
      cpus: 2,
      ramSize: 128 << 20,
      images: { kernel: { name: "bin/board.elf", data: program("board.elf") } },
      bootargs: "board-test",
      debugExit: { iobase: 0xf4, iosize: 4 },
      clock: new InstructionClock(1),
      console: (b) => {
        out += new TextDecoder().decode(b);
      },
    });
    const exit = await m.run();
    expect(out).toContain("board: PASS");
    expect(exit).toEqual({ kind: "poweroff", success: true, code: 1, source: "debug-exit" });
  });
});
