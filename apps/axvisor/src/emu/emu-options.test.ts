import { describe, expect, it } from "vitest";
import { parseDriveSpec } from "./drive-spec.js";
import { emuHelp, parseEmuArgs } from "./emu-options.js";
import { parseMemorySize } from "./size.js";

describe("parseEmuArgs", () => {
  it("takes QEMU's gdb options: -s, -gdb tcp::PORT, -S", () => {
    expect(parseEmuArgs(["-kernel", "k"]).gdbPort).toBeUndefined();
    expect(parseEmuArgs(["-kernel", "k", "-s"])).toMatchObject({ gdbPort: 1234, freeze: false });
    expect(parseEmuArgs(["-kernel", "k", "-gdb", "tcp::4321", "-S"])).toMatchObject({
      gdbPort: 4321,
      freeze: true,
    });
    expect(parseEmuArgs(["-kernel", "k", "-gdb", "tcp:127.0.0.1:9"]).gdbPort).toBe(9);
    expect(() => parseEmuArgs(["-kernel", "k", "-S"])).toThrow(/-S waits for gdb/);
    expect(() => parseEmuArgs(["-kernel", "k", "-gdb", "tcp:10.0.0.1:1"])).toThrow(
      /-gdb: expected tcp::PORT/,
    );
    expect(() => parseEmuArgs(["-kernel", "k", "-gdb", "tcp::70000"])).toThrow(/-gdb/);
  });

  it("reads QEMU's single-dash options", () => {
    const o = parseEmuArgs([
      "-M",
      "riscv64-qemu-virt",
      "-smp",
      "2",
      "-m",
      "512M",
      "-bios",
      "fw.bin",
      "-kernel",
      "Image",
      "-initrd",
      "rd.gz",
      "-append",
      "console=ttyS0 earlycon=sbi",
      "-drive",
      "file=disk.img,format=raw,if=virtio",
      "-nographic",
      "-dtb",
      "board.dtb",
    ]);
    expect(o).toMatchObject({
      machine: "riscv64-qemu-virt",
      smp: 2,
      memory: 512 * 1024 * 1024,
      bios: "fw.bin",
      kernel: "Image",
      initrd: "rd.gz",
      append: "console=ttyS0 earlycon=sbi",
      nographic: true,
      dtb: "board.dtb",
      drives: [{ file: "disk.img", format: "raw", interface: "virtio", readonly: false }],
    });
  });

  it("accepts --long and --long=value forms and the virt alias", () => {
    const o = parseEmuArgs(["--machine=virt", "--smp", "cpus=3", "--memory=1G", "--kernel=k"]);
    expect(o.machine).toBe("riscv64-qemu-virt");
    expect(o.smp).toBe(3);
    expect(o.memory).toBe(1024 ** 3);
    expect(o.kernel).toBe("k");
  });

  it("passes -cpu on to the platform and reads -M properties", () => {
    expect(parseEmuArgs(["-cpu", "rv64,h=false,sstc=off"]).cpu).toBe("rv64,h=false,sstc=off");
    expect(parseEmuArgs([]).cpu).toBeUndefined();
    const o = parseEmuArgs(["-M", "virt,aia=none,dumpdtb=x.dtb"]);
    expect(o.machine).toBe("riscv64-qemu-virt");
    expect([...o.machineProps]).toEqual([
      ["aia", "none"],
      ["dumpdtb", "x.dtb"],
    ]);
    expect(() => parseEmuArgs(["-M", "virt,a=1,a=2"])).toThrow("-M: property 'a' given twice");
  });

  it("has QEMU's defaults", () => {
    const o = parseEmuArgs(["-kernel", "k"]);
    expect(o).toMatchObject({
      machine: "riscv64-qemu-virt",
      smp: 1,
      memory: 256 << 20,
      bios: "default",
    });
    expect(o.drives).toEqual([]);
    expect(o.sendAfter).toEqual([]);
    expect(o.expect).toBeUndefined();
  });

  it("reads the expect script: ordered send-after pairs with escapes, expect, timeout", () => {
    const o = parseEmuArgs([
      "-kernel",
      "k",
      "--send-after",
      "login:",
      "root\\n",
      "--send-after",
      "# ",
      "ls\\t\\x41\\\\",
      "--expect",
      "^SHELL-\\d+$",
      "--timeout",
      "2.5",
    ]);
    expect(o.sendAfter.map((s) => [s.pattern.source, s.text])).toEqual([
      ["login:", "root\n"],
      ["# ", "ls\tA\\"],
    ]);
    expect(o.expect?.test("x\nSHELL-42\ny")).toBe(true); // multiline ^ $
    expect(o.timeoutSeconds).toBe(2.5);
  });

  it("accepts several drives and readonly", () => {
    const o = parseEmuArgs([
      "-kernel",
      "k",
      "-drive",
      "file=a.img",
      "-drive",
      "file=b,,c.img,readonly=on",
    ]);
    expect(o.drives.map((d) => [d.file, d.readonly])).toEqual([
      ["a.img", false],
      ["b,c.img", true],
    ]);
  });

  it.each([
    [["-M", "sparc"], /unknown machine 'sparc'; known machines: riscv64-qemu-virt/],
    [["-smp", "99"], /-smp: '99' is not a CPU count in 1\.\.\d+/],
    [["-smp", "0"], /CPU count/],
    [["-m", "lots"], /-m: bad size 'lots'/],
    [["-m", "8M"], /between 16M and 4G/],
    [["-kernel"], /option '-kernel' needs FILE/],
    [["--send-after", "x"], /needs REGEX TEXT/],
    [["-frobnicate"], /unknown option '-frobnicate'/],
    [["image.bin"], /unexpected argument 'image\.bin'/],
    [["--expect", "("], /--expect: bad regular expression/],
    [["--timeout", "soon"], /--timeout: 'soon' is not a number/],
    [["-kernel", "a", "-kernel", "b"], /given twice/],
    [["-initrd", "x"], /-initrd needs -kernel/],
    [["-drive", "file=x,format=qcow2"], /format 'qcow2' is not supported/],
    [["-drive", "format=raw"], /missing file=PATH/],
    [["-drive", "file=x,cache=none"], /unknown parameter 'cache'/],
    [["-nographic=yes"], /does not take '=value'/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseEmuArgs(argv)).toThrow(message);
  });

  it("documents every option and the exit statuses in --help", () => {
    const help = emuHelp();
    for (const opt of [
      "-M",
      "-smp",
      "-m",
      "-bios",
      "-kernel",
      "-initrd",
      "-append",
      "-drive",
      "-dtb",
      "-nographic",
      "-expect",
      "-send-after",
      "-timeout",
    ]) {
      expect(help).toContain(opt);
    }
    expect(help).toMatch(/4 {2}the guest powered off before --expect matched/);
    expect(parseEmuArgs(["-help"]).help).toBe(true);
    expect(parseEmuArgs(["-h"]).help).toBe(true);
  });
});

describe("sizes and drives", () => {
  it("parses QEMU memory sizes", () => {
    expect(parseMemorySize("256M")).toBe(268_435_456);
    expect(parseMemorySize("256")).toBe(268_435_456);
    expect(parseMemorySize("1G")).toBe(1_073_741_824);
    expect(parseMemorySize("1.5G")).toBe(1_610_612_736);
    expect(parseMemorySize("64MiB")).toBe(67_108_864);
    expect(parseMemorySize("size=2g")).toBe(2_147_483_648);
    expect(() => parseMemorySize("1.0000001K")).toThrow(/whole number/);
  });

  it("parses -drive like QEMU, with doubled commas in paths", () => {
    expect(parseDriveSpec("file=/x/d.img,if=virtio,readonly=off,format=raw")).toEqual({
      file: "/x/d.img",
      format: "raw",
      interface: "virtio",
      readonly: false,
    });
    expect(parseDriveSpec("readonly=on,file=a,,b").file).toBe("a,b");
    expect(() => parseDriveSpec("file=a,if=ide")).toThrow(/virtio, or none with -device/);
    expect(() => parseDriveSpec("file=a,readonly=maybe")).toThrow(/not on\/off/);
  });
});

describe("-drive if=none with -device virtio-blk-device (QEMU's long form)", () => {
  const base = ["-M", "virt", "-kernel", "k.bin"];
  it("attaches the named drive; explicit devices take the first slots, as in QEMU", () => {
    const o = parseEmuArgs([
      ...base,
      "-drive",
      "file=b.img,format=raw,if=virtio",
      "-drive",
      "file=a.img,format=raw,if=none,id=hd0,readonly=on",
      "-device",
      "virtio-blk-device,drive=hd0",
    ]);
    expect(o.drives.map((d) => [d.file, d.readonly])).toEqual([
      ["a.img", true],
      ["b.img", false],
    ]);
    expect(o.devices).toEqual([]);
  });

  it("leaves other -device texts for the platform and an unattached if=none drive unused", () => {
    const o = parseEmuArgs([
      ...base,
      "-drive",
      "file=a.img,if=none,id=spare",
      "-device",
      "isa-debug-exit,iobase=0xf4,iosize=0x4",
    ]);
    expect(o.drives).toEqual([]);
    expect(o.devices).toEqual(["isa-debug-exit,iobase=0xf4,iosize=0x4"]);
  });

  it.each([
    [["-drive", "file=a.img,if=none"], /if=none needs id=ID/],
    [["-device", "virtio-blk-device,drive=nope"], /no -drive has id=nope/],
    [["-device", "virtio-blk-device"], /missing drive=ID/],
    [
      ["-drive", "file=a.img,if=none,id=d", "-device", "virtio-blk-device,drive=d,serial=x"],
      /unknown property 'serial'/,
    ],
    [
      [
        "-drive",
        "file=a.img,if=none,id=d",
        "-device",
        "virtio-blk-device,drive=d",
        "-device",
        "virtio-blk-device,drive=d",
      ],
      /already attached/,
    ],
    [["-drive", "file=a.img,id=d", "-device", "virtio-blk-device,drive=d"], /already attached/],
    [
      ["-drive", "file=a.img,if=none,id=d", "-drive", "file=b.img,if=none,id=d"],
      /duplicate id 'd'/,
    ],
    [["-drive", "file=a.img,if=ide"], /if='ide' is not supported/],
  ])("refuses %j in one line", (args, msg) => {
    expect(() => parseEmuArgs([...base, ...args])).toThrow(msg);
  });
});
