import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatProblem } from "./config-problem.js";
import { checkAxVMConfig } from "./parse.js";

/**
 * Each file in test/broken/ breaks one rule (its first line says which). The expected lines
 * were written from the files and the schema: line numbers counted in the files, ranges and
 * limits worked out by hand.
 */
const DIR = fileURLToPath(new URL("../test/broken/", import.meta.url));

const KNOWN_TYPES =
  "0x0 Dummy, 0x1 InterruptController, 0x2 Console, 0xa IVCChannel, 0x20 GPPTRedistributor, " +
  "0x21 GPPTDistributor, 0x22 GPPTITS, 0x30 PPPTGlobal, 0xe1 VirtioBlk, 0xe2 VirtioNet, " +
  "0xe3 VirtioConsole";

const EXPECTED: Record<string, string[]> = {
  "stale-3-column.toml": [
    "stale-3-column.toml:12: [kernel].memory_regions[0]: expected 4 values [gpa, size, flags, map_type], got 3 (old 3-column templates lack map_type: append 0 for MapAlloc)",
  ],
  "typo-field.toml": [
    "typo-field.toml:2: [base].cpu_num: missing required field",
    'typo-field.toml:5: [base].cpu_nm: unknown field; did you mean "cpu_num"?',
  ],
  "field-in-wrong-table.toml": [
    "field-in-wrong-table.toml:6: [base].entry_point: unknown field; it belongs in [kernel]",
  ],
  "wrong-type.toml": [
    'wrong-type.toml:5: [base].cpu_num: expected an unsigned integer, got a string ("2")',
  ],
  "zero-cpus.toml": ["zero-cpus.toml:5: [base].cpu_num: must be at least 1 (a VM needs a vCPU)"],
  "phys-cpu-ids-length.toml": [
    "phys-cpu-ids-length.toml:6: [base].phys_cpu_ids: has 1 entry but cpu_num is 2 (one per vCPU)",
    "phys-cpu-ids-length.toml:7: [base].phys_cpu_sets[1]: empty mask: no physical CPU may run vCPU 1",
  ],
  "unaligned-region.toml": [
    "unaligned-region.toml:12: [kernel].memory_regions[0].gpa: 0x8000_0800 is not 4 KiB aligned",
    "unaligned-region.toml:13: [kernel].memory_regions[1].size: must not be zero",
  ],
  "overlapping-regions.toml": [
    "overlapping-regions.toml:13: [kernel].memory_regions[1]: region 0x9000_0000..0xa000_0000 overlaps region 0 (0x8000_0000..0x9800_0000)",
  ],
  "bad-flags-and-map-type.toml": [
    "bad-flags-and-map-type.toml:12: [kernel].memory_regions[0].flags: 0x4f has bits outside MappingFlags 0x3f (R=1 W=2 X=4 U=8 DEVICE=0x10 UNCACHED=0x20)",
    "bad-flags-and-map-type.toml:12: [kernel].memory_regions[0].map_type: unknown mapping type 3; expected 0 (MapAlloc), 1 (MapIdentical) or 2 (MapReserved)",
  ],
  "unknown-emu-type.toml": [
    `unknown-emu-type.toml:17: [devices].emu_devices[0].emu_type: unknown emulated device type 0x99; known: ${KNOWN_TYPES}`,
  ],
  "overlapping-devices.toml": [
    'overlapping-devices.toml:18: [devices].emu_devices[1]: device "uart2" 0x1000_0080..0x1000_0180 overlaps emulated device 0 ("uart") (0x1000_0000..0x1000_0100)',
    'overlapping-devices.toml:21: [devices].passthrough_devices[0]: passthrough device "ram-grab" 0x8fff_f000..0x9000_1000 overlaps memory region 0 (0x8000_0000..0x9000_0000)',
  ],
  "kernel-outside-memory.toml": [
    "kernel-outside-memory.toml:8: [kernel].entry_point: entry point 0x7020_0000 is outside every memory region (0x8000_0000..0x9000_0000)",
    "kernel-outside-memory.toml:10: [kernel].kernel_load_addr: load address 0x7020_0000 is outside every memory region (0x8000_0000..0x9000_0000)",
  ],
  "bad-image-location.toml": [
    'bad-image-location.toml:10: [kernel].image_location: unknown image location "disk"; expected "memory" or "fs"',
  ],
  "missing-required.toml": [
    "missing-required.toml:7: [kernel].kernel_path: missing required field",
    "missing-required.toml:7: [kernel].memory_regions: missing required field",
  ],
  "too-large.toml": [
    "too-large.toml:12: [kernel].memory_regions[0].size: 0x40_0000_0000_0000 is too large (the limit is 2^53 - 1 = 0x1f_ffff_ffff_ffff)",
  ],
  "bad-interrupt-mode.toml": [
    'bad-interrupt-mode.toml:20: [devices].interrupt_mode: unknown interrupt mode "irq"; expected "no_irq" (or "no", "none"), "emu" (or "emulated") or "passthrough" (or "pt")',
  ],
  "plic-without-contexts.toml": [
    "plic-without-contexts.toml:18: [devices].emu_devices[1].cfg_list: a PPPTGlobal device takes [context_num], got 0 values",
  ],
  "ramdisk-without-address.toml": [
    "ramdisk-without-address.toml:10: [kernel].ramdisk_path: is set but ramdisk_load_addr is missing (where should it be loaded?)",
  ],
  "misspelt-table.toml": [
    "misspelt-table.toml:1: [kernel]: missing required table",
    "misspelt-table.toml:7: [kernal]: unknown table; did you mean [kernel]?",
  ],
  "passthrough-name-only.toml": [
    'passthrough-name-only.toml:19: [devices].passthrough_devices[0].name: a row without a length names a device-tree node, so it must be a path like "/soc/serial@10000000", got "uart"',
    'passthrough-name-only.toml:20: [devices].excluded_devices[0][0]: device-tree paths start with "/", got "pcie"',
  ],
};

const check = (name: string) => checkAxVMConfig(readFileSync(DIR + name, "utf8"), { file: name });

describe("broken configs", () => {
  it("has an expectation for every file in test/broken (and a file for every expectation)", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".toml"));
    expect(files.sort()).toEqual([...Object.keys(EXPECTED), "syntax-error.toml"].sort());
  });

  for (const [name, lines] of Object.entries(EXPECTED)) {
    it(`${name}: ${lines.length} exact error line(s)`, () => {
      const r = check(name);
      expect(r.ok).toBe(false);
      expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual(lines);
    });
  }

  it("syntax-error.toml: one line with smol-toml's position, no code excerpt", () => {
    const r = check("syntax-error.toml");
    // The array opened on line 11 never closes; "[devices]" on line 15 is read as a nested
    // array holding the bare word `devices` (column 2), which is not a TOML value.
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
      "syntax-error.toml:15:2: TOML syntax error: invalid value",
    ]);
  });
});
