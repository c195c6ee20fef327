import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parseAxVMConfig } from "./parse.js";
import { ARCHES, vmConfigTemplate } from "./templates.js";
import { tomlString, toToml } from "./to-toml.js";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "./types.js";

const VMS = fileURLToPath(new URL("../../../configs/vms/", import.meta.url));

/** A config exercising every optional field and awkward value. */
const EVERYTHING: AxVMCrateConfig = {
  base: {
    id: 7,
    name: 'quote " backslash \\ tab \t del \x7f é',
    vmType: VmType.HostVM,
    cpuNum: 3,
    physCpuIds: [0, 0x100, 0x201],
    physCpuSets: [1, 6, 0xffff],
  },
  kernel: {
    entryPoint: 0x8000,
    kernelPath: "k.bin",
    kernelLoadAddr: 0x20_0000,
    biosPath: "bios.bin",
    biosLoadAddr: 0x8000,
    dtbPath: "x.dtb",
    dtbLoadAddr: 0xf0_0000,
    ramdiskPath: "r",
    ramdiskLoadAddr: 0x80_0000,
    imageLocation: "fs",
    cmdline: "",
    diskPath: "d.img",
    memoryRegions: [
      { gpa: 0, size: 0x100_0000, flags: 0x7, mapType: VmMemMappingType.MapAlloc },
      { gpa: 2 ** 52, size: 0x1000, flags: 0x3f, mapType: VmMemMappingType.MapReserved },
    ],
  },
  devices: {
    emuDevices: [
      {
        name: "gicr",
        baseGpa: 0x80a_0000,
        length: 0x2_0000,
        irqId: 0,
        emuType: EmulatedDeviceType.GPPTRedistributor,
        cfgList: [1, 0x2_0000, 0],
      },
    ],
    passthroughDevices: [
      { name: "/", baseGpa: 0, baseHpa: 0, length: 0, irqId: 0 },
      { name: "uart", baseGpa: 0x2000_0000, baseHpa: 0x3000_0000, length: 0x1000, irqId: 33 },
    ],
    passthroughAddresses: [{ baseGpa: 0x4000_0000, length: 0x1000 }],
    excludedDevices: [["/a", "/b"], ["/c"]],
    interruptMode: "emu",
  },
};

describe("toToml", () => {
  it("round-trips a config using every field, with comments and without", () => {
    expect(parseAxVMConfig(toToml(EVERYTHING))).toEqual(EVERYTHING);
    expect(parseAxVMConfig(toToml(EVERYTHING, { comments: false }))).toEqual(EVERYTHING);
  });

  it("writes AxVisor's layout: hex addresses with _ groups, positional rows", () => {
    const text = toToml(EVERYTHING, { comments: false });
    expect(text).toContain("[kernel]\nentry_point = 0x8000\n");
    expect(text).toContain("  [0x10_0000_0000_0000, 0x1000, 0x3f, 2],\n");
    expect(text).toContain('  ["gicr", 0x80a_0000, 0x2_0000, 0, 0x20, [1, 0x2_0000, 0]],\n');
    // A name-only passthrough row stays name-only.
    expect(text).toContain('  ["/"],\n');
    expect(text).toContain("phys_cpu_sets = [0b1, 0b110, 0b1111111111111111]\n");
    expect(text).not.toContain("#");
  });

  it("explains every field it writes when comments are on", () => {
    const lines = toToml(EVERYTHING).split("\n");
    lines.forEach((line, i) => {
      if (/^[a-z_]+ = /.test(line)) expect(lines[i - 1]?.startsWith("#")).toBe(true);
    });
  });

  it("puts a header at the top", () => {
    expect(toToml(EVERYTHING, { header: ["made by a test", ""] })).toMatch(
      /^# made by a test\n#\n\n\[base\]\n/,
    );
  });

  it("escapes strings the way TOML reads them back", () => {
    for (const s of ['a"b', "a\\b", "line\nbreak", "\x00\x1f\x7f", "ünï 🙂"]) {
      expect(parse(`v = ${tomlString(s)}`).v).toBe(s);
    }
  });

  it("round-trips every template", () => {
    for (const arch of ARCHES) {
      for (const cpuNum of [1, 4]) {
        const c = vmConfigTemplate(arch, { cpuNum });
        expect(parseAxVMConfig(toToml(c))).toEqual(c);
      }
    }
  });

  it("round-trips every file in configs/vms (as values)", () => {
    const files = readdirSync(VMS).filter((f) => f.endsWith(".toml"));
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const f of files) {
      const c = parseAxVMConfig(readFileSync(VMS + f, "utf8"), { file: f });
      expect(parseAxVMConfig(toToml(c), { file: `${f} (rewritten)` })).toEqual(c);
    }
  });
});
