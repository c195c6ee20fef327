import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BaseMmioDeviceOps, EmulatedDeviceType, type IrqLine } from "@axvisor/axdevice-base";
import { InstructionClock } from "@axvisor/machine";
import { type AccessWidth, type GuestPhysAddr, rangeFromSize } from "@axvisor/memory-addr";
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
    expect(exit).toEqual({
      kind: "poweroff",
      success: true,
      code: 1,
      source: "isa-debug-exit",
      processStatus: 1,
    });
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
    expect(exit).toEqual({
      kind: "poweroff",
      success: true,
      code: 1,
      source: "isa-debug-exit",
      processStatus: 1,
    });
  });
});

describe("PcMachine virtio-mmio slots", () => {
  it("maps each factory's device at 0xFEB00000 + n * 0x200 on IOAPIC pin 16 + n and announces it to Linux", () => {
    const lines: IrqLine[] = [];
    const made: Array<{ base: number; size: number }> = [];
    const device = (base: number, size: number): BaseMmioDeviceOps => ({
      emuType: () => EmulatedDeviceType.VirtioBlk,
      addressRange: () => rangeFromSize(base as GuestPhysAddr, size),
      handleRead: (_a: GuestPhysAddr, _w: AccessWidth) => 0x74726976n,
      handleWrite: () => {},
    });
    const m = new PcMachine({
      ramSize: 16 << 20,
      images: { kernel: { name: "board.elf", data: program("board.elf") } },
      bootargs: "console=ttyS0",
      virtio: [0, 1].map(() => (slot) => {
        lines.push(slot.irq);
        made.push({ base: slot.base, size: slot.size });
        return device(slot.base, slot.size);
      }),
    });
    expect(made).toEqual([
      { base: 0xfeb0_0000, size: 0x200 },
      { base: 0xfeb0_0200, size: 0x200 },
    ]);
    expect(m.commandLine).toBe(
      "console=ttyS0 virtio_mmio.device=512@0xfeb00000:16 virtio_mmio.device=512@0xfeb00200:17",
    );
    expect(m.bus.load(0xfeb0_0200, 4)).toBe(0x74726976n);
    // Slot 1's line reaches IOAPIC pin 17: unmask it and watch the LAPIC receive the vector.
    m.ioapic.handleWrite(0xfec0_0000 as GuestPhysAddr, 4 as AccessWidth, BigInt(0x10 + 2 * 17));
    m.ioapic.handleWrite(0xfec0_0010 as GuestPhysAddr, 4 as AccessWidth, 0x8000n | 0x51n);
    m.lapics[0]!.writeRegister(0xf0, 0x1ff);
    lines[1]!.setLevel(true);
    expect(m.lapics[0]!.hasInterrupt()).toBe(true);
    expect(m.lapics[0]!.acknowledge()).toBe(0x51);
  });
});
