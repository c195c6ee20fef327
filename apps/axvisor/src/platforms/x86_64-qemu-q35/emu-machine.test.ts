import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { parseX86Devices } from "./emu-machine.js";

const PROGRAMS = fileURLToPath(
  new URL("../../../../../packages/platforms/x86_64-qemu-q35/test/programs/bin/", import.meta.url),
);
const DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x4"];

describe("axvisor emu -M x86_64-qemu-q35", () => {
  it("boots a multiboot test program and ends with QEMU's isa-debug-exit status (0 << 1) | 1", async () => {
    const c = captureIo();
    const args = ["emu", "-M", "pc", "-smp", "2", "-m", "128M", "-kernel", `${PROGRAMS}board.elf`];
    expect(await runCli([...args, ...DEBUG_EXIT], c.io)).toBe(1);
    expect(c.out()).toContain("board: PASS");
    const smp = captureIo();
    const smpArgs = ["emu", "-M", "q35", "-smp", "2", "-kernel", `${PROGRAMS}smp.elf`];
    expect(await runCli([...smpArgs, ...DEBUG_EXIT], smp.io)).toBe(1);
    expect(smp.out()).toContain("smp: PASS");
  });

  it("refuses what a PC does not have, in one line", async () => {
    const c = captureIo();
    const args = ["emu", "-M", "pc", "-device", "e1000", "-kernel", `${PROGRAMS}smp.elf`];
    expect(await runCli(args, c.io)).toBe(2);
    expect(c.err()).toBe(
      "axvisor emu: -device e1000: x86_64-qemu-q35 has no such device (it offers isa-debug-exit; disks: -drive)\n",
    );
    expect(() => parseX86Devices(["isa-debug-exit,iobase=0x1ffff"])).toThrow(
      "-device isa-debug-exit: bad property 'iobase=0x1ffff' (iobase, iosize: port numbers)",
    );
    expect(parseX86Devices(["isa-debug-exit,iobase=0x501"])).toEqual({
      debugExit: { iobase: 0x501 },
    });
  });
});
