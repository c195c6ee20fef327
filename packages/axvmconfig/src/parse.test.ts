import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import { AxVMConfigError, formatProblem } from "./config-problem.js";
import { checkAxVMConfig, parseAxVMConfig } from "./parse.js";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "./types.js";

const FULL = `
[base]
id = 3
name = "full"
vm_type = 2
cpu_num = 2
phys_cpu_ids = [0x100, 0x200]
phys_cpu_sets = [0b0101, 0b0010]

[kernel]
entry_point = 0x8020_0000
image_location = "fs"
kernel_path = "linux.bin"
kernel_load_addr = 0x8020_0000
bios_path = "bios.bin"
bios_load_addr = 0x8000_0000
dtb_path = "guest.dtb"
dtb_load_addr = 0x8fe0_0000
ramdisk_path = "initrd"
ramdisk_load_addr = 0x8820_0000
cmdline = "console=ttyS0"
disk_path = "disk.img"
memory_regions = [
  [0x8000_0000, 0x1000_0000, 0xf, 0],
  [0x1_0000_0000, 0x20_0000, 0x7, 2],
]

[devices]
interrupt_mode = "pt"
emu_devices = [
  ["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [4]],
  ["con", 0x1000_0000, 0x100, 10, 2, []],
]
passthrough_devices = [
  ["uart", 0x2000_0000, 0x3000_0000, 0x1000, 33],
  ["/soc/rtc"],
  ["/half", 0x4000_0000],
]
passthrough_addresses = [[0x5000_0000, 0x2000]]
excluded_devices = [["/pcie@10000000", "/gpu"]]
`;

describe("parseAxVMConfig on a config using every field", () => {
  const config = parseAxVMConfig(FULL, { file: "full.toml", source: "/cfg/full.toml" });

  it("reads [base]", () => {
    expect(config.base).toEqual({
      id: 3,
      name: "full",
      vmType: VmType.Linux,
      cpuNum: 2,
      physCpuIds: [256, 512],
      physCpuSets: [5, 2],
    });
  });

  it("reads [kernel], with hex and underscores", () => {
    expect(config.kernel).toEqual({
      entryPoint: 2149580800,
      imageLocation: "fs",
      kernelPath: "linux.bin",
      kernelLoadAddr: 2149580800,
      biosPath: "bios.bin",
      biosLoadAddr: 2147483648,
      dtbPath: "guest.dtb",
      dtbLoadAddr: 2413821952,
      ramdiskPath: "initrd",
      ramdiskLoadAddr: 2283798528,
      cmdline: "console=ttyS0",
      diskPath: "disk.img",
      memoryRegions: [
        { gpa: 2147483648, size: 268435456, flags: 15, mapType: VmMemMappingType.MapAlloc },
        { gpa: 4294967296, size: 2097152, flags: 7, mapType: VmMemMappingType.MapReserved },
      ],
    });
  });

  it("reads [devices]: aliases, row defaults, name-only rows", () => {
    expect(config.devices).toEqual({
      interruptMode: "passthrough",
      emuDevices: [
        {
          name: "plic",
          baseGpa: 0xc000000,
          length: 0x600000,
          irqId: 0,
          emuType: EmulatedDeviceType.PPPTGlobal,
          cfgList: [4],
        },
        {
          name: "con",
          baseGpa: 0x10000000,
          length: 0x100,
          irqId: 10,
          emuType: EmulatedDeviceType.Console,
          cfgList: [],
        },
      ],
      passthroughDevices: [
        { name: "uart", baseGpa: 0x20000000, baseHpa: 0x30000000, length: 0x1000, irqId: 33 },
        { name: "/soc/rtc", baseGpa: 0, baseHpa: 0, length: 0, irqId: 0 },
        { name: "/half", baseGpa: 0x40000000, baseHpa: 0, length: 0, irqId: 0 },
      ],
      passthroughAddresses: [{ baseGpa: 0x50000000, length: 0x2000 }],
      excludedDevices: [["/pcie@10000000", "/gpu"]],
    });
  });

  it("keeps the source path", () => {
    expect(config.source).toBe("/cfg/full.toml");
  });
});

const MINIMAL = `
[base]
id = 1
name = "m"
cpu_num = 1
[kernel]
entry_point = 0x8000_0000
kernel_path = "k"
kernel_load_addr = 0x8000_0000
memory_regions = [[0x8000_0000, 0x1000, 0x7, 0]]
[devices]
emu_devices = []
passthrough_devices = []
`;

describe("defaults", () => {
  const c: AxVMCrateConfig = parseAxVMConfig(MINIMAL);
  it("vm_type defaults to RTOS, image_location to memory, interrupt_mode to no_irq", () => {
    expect(c.base.vmType).toBe(VmType.RTOS);
    expect(c.kernel.imageLocation).toBe("memory");
    expect(c.devices.interruptMode).toBe("no_irq");
  });
  it("optional lists default to empty and optional fields stay absent", () => {
    expect(c.devices.passthroughAddresses).toEqual([]);
    expect(c.devices.excludedDevices).toEqual([]);
    expect("physCpuIds" in c.base).toBe(false);
    expect("dtbLoadAddr" in c.kernel).toBe(false);
    expect("source" in c).toBe(false);
  });
  it('accepts every interrupt_mode alias: "no", "none", "emulated"', () => {
    for (const [alias, mode] of [
      ["no", "no_irq"],
      ["none", "no_irq"],
      ["emulated", "emu"],
      ["emu", "emu"],
      ["passthrough", "passthrough"],
    ]) {
      const text = MINIMAL.replace("[devices]", `[devices]\ninterrupt_mode = "${alias}"`);
      expect(parseAxVMConfig(text).devices.interruptMode).toBe(mode);
    }
  });
});

describe("integers", () => {
  const withRegion = (row: string) =>
    MINIMAL.replace("[[0x8000_0000, 0x1000, 0x7, 0]]", `[[0x8000_0000, 0x1000, 0x7, 0], ${row}]`);

  it("holds 2^53 - 1 exactly", () => {
    // 0x1f_ffff_ffff_e000 = 2^53 - 0x2000; the region ends at 2^53 - 0x1000.
    const c = parseAxVMConfig(withRegion("[0x1f_ffff_ffff_e000, 0x1000, 0x7, 0]"));
    expect(c.kernel.memoryRegions[1]?.gpa).toBe(2 ** 53 - 0x2000);
  });

  it("rejects a value above 2^53 - 1 instead of rounding it", () => {
    const r = checkAxVMConfig(withRegion("[0x20_0000_0000_0000, 0x1000, 0x7, 0]"), {
      file: "big.toml",
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.map(formatProblem)).toEqual([
        "big.toml:10: [kernel].memory_regions[1].gpa: 0x20_0000_0000_0000 is too large (the limit is 2^53 - 1 = 0x1f_ffff_ffff_ffff)",
      ]);
    }
  });

  it("rejects negative numbers", () => {
    const r = checkAxVMConfig(MINIMAL.replace("id = 1", "id = -1"), { file: "neg.toml" });
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
      "neg.toml:3: [base].id: must not be negative, got -1",
    ]);
  });
});

describe("errors", () => {
  it("parseAxVMConfig throws an AxVMConfigError (an InvalidInput AxError) listing every problem", () => {
    let caught: unknown;
    try {
      parseAxVMConfig(MINIMAL.replace('name = "m"', "name = 5").replace("cpu_num = 1", ""), {
        file: "x.toml",
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AxVMConfigError);
    expect(AxError.is(caught, "InvalidInput")).toBe(true);
    const err = caught as AxVMConfigError;
    expect(err.problems).toHaveLength(2);
    expect(err.message).toBe(
      [
        "x.toml:2: [base].cpu_num: missing required field",
        "x.toml:4: [base].name: expected a string, got an integer (5)",
      ].join("\n"),
    );
  });

  it("reports a syntax error with smol-toml's line and column and no code excerpt", () => {
    const r = checkAxVMConfig('[base]\nid = 1\nname = "unterminated\n', { file: "s.toml" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(1);
      const line = formatProblem(r.problems[0] as never);
      expect(line).toMatch(/^s\.toml:3:\d+: TOML syntax error: /);
      expect(line).not.toContain("\n");
    }
  });

  it("does not throw on an empty document", () => {
    const r = checkAxVMConfig("", { file: "e.toml" });
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
      "e.toml:1: [base]: missing required table",
      "e.toml:1: [kernel]: missing required table",
      "e.toml:1: [devices]: missing required table",
    ]);
  });
});
