import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { parseX86Devices } from "./emu-machine.js";

const PROGRAMS = fileURLToPath(
  new URL("../../../../../packages/platforms/x86_64-qemu-q35/test/programs/bin/", import.meta.url),
);
const DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x4"];
const X86_GUESTS = fileURLToPath(new URL("../../../../../guests/x86_64/", import.meta.url));

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
      "axvisor emu: -device e1000: x86_64-qemu-q35 has no such device (it offers isa-debug-exit and loader; disks: -drive)\n",
    );
    expect(() => parseX86Devices(["isa-debug-exit,iobase=0x1ffff"])).toThrow(
      "-device isa-debug-exit: bad property 'iobase=0x1ffff' (iobase, iosize: port numbers)",
    );
    expect(parseX86Devices(["isa-debug-exit,iobase=0x501"])).toEqual({
      debugExit: { iobase: 0x501 },
    });
  });

  it("starts axvm-bios and NimbOS-x86 placed by -device loader from a reset-vector ROM, as QEMU does", async () => {
    const c = captureIo();
    const args = [
      "emu",
      "-M",
      "q35",
      "-m",
      "32M",
      "-bios",
      `${X86_GUESTS}bios/reset-rom.bin`,
      "-device",
      `loader,file=${X86_GUESTS}bios/axvm-bios.bin,addr=0x8000,force-raw=on`,
      "-device",
      `loader,file=${X86_GUESTS}nimbos/nimbos.bin,addr=0x200000,force-raw=on`,
      "-send-after",
      "nimbos> ",
      "poweroff\r",
    ];
    expect(await runCli(args, c.io), c.err()).toBe(0);
    expect(c.out()).toContain("axvm-bios (AxVisor.ts): RAM 32 MiB (fw_cfg), kernel at 0x200000");
    expect(c.out()).toContain("booted by 'AxVisor.ts axvm-bios'");
    expect(c.out()).toContain("NimbOS: powering off");
  });

  it("refuses a loader it cannot honour, in one line", async () => {
    expect(() => parseX86Devices(["loader,file=x.bin"])).toThrow(
      "-device loader,file=x.bin: loader needs file=FILE and addr=ADDR",
    );
    expect(() => parseX86Devices(["loader,data=1,addr=0x8000"])).toThrow(
      "-device loader,data=1,addr=0x8000: bad property 'data=1' (loader takes file=FILE,addr=ADDR[,force-raw=on])",
    );
    expect(() => parseX86Devices(["loader,file=/nonexistent/x.bin,addr=0x8000"])).toThrow(
      "-device loader: cannot read '/nonexistent/x.bin'",
    );
    const elf = `${X86_GUESTS}nimbos/nimbos.elf`;
    expect(() => parseX86Devices([`loader,file=${elf},addr=0x200000`])).toThrow(
      "is an ELF file; only raw images are loaded (add force-raw=on to copy it as it is)",
    );
    const c = captureIo();
    const args = [
      "emu",
      "-M",
      "q35",
      "-m",
      "16M",
      "-bios",
      `${X86_GUESTS}bios/reset-rom.bin`,
      "-device",
    ];
    args.push(`loader,file=${X86_GUESTS}nimbos/nimbos.bin,addr=0xfff000,force-raw=on`);
    expect(await runCli(args, c.io)).toBe(2);
    expect(c.err()).toMatch(
      /^axvisor emu: loader .*nimbos\.bin: 0xfff000 \+ \d+ bytes is not inside RAM \(0-0x1000000\)\n$/,
    );
  });
});
