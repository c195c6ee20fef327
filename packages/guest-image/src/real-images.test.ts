import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseElf64, symbolAddress } from "./elf.js";
import { ElfMachine } from "./elf-constants.js";
import { identifyImage } from "./identify.js";
import { parseArm64ImageHeader, parseRiscvImageHeader } from "./linux-image.js";
import { loadElf } from "./load.js";

// The shared guest images (see /work/shared/guests/README.md) are not part of the repository.
const GUESTS =
  process.env.AXVISOR_GUESTS ??
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/guests");
const riscvImage = `${GUESTS}/riscv64/linux-Image`;
const arm64Image = `${GUESTS}/aarch64/linux-Image`;
const benchElf = `${GUESTS}/riscv64/bench/bench.elf`;

for (const p of [riscvImage, arm64Image, benchElf]) {
  if (!existsSync(p)) console.log(`guest-image: skipping the test of ${p}: file not present`);
}

describe("real guest images", () => {
  it.skipIf(!existsSync(riscvImage))("reads the RISC-V Linux Image header", () => {
    const bytes = new Uint8Array(readFileSync(riscvImage));
    // Values from the image's README (built from Linux 6.1.192).
    expect(parseRiscvImageHeader(bytes)).toMatchObject({
      textOffset: 0x20_0000,
      imageSize: 0x42_4000,
      bigEndian: false,
      versionMajor: 0,
      versionMinor: 2,
    });
    expect(identifyImage(bytes).kind).toBe("linux-riscv64");
    expect(() => identifyImage(gzipSync(bytes.subarray(0, 4096)), { name: "Image.gz" })).toThrow(
      /compressed image \(gzip\)/,
    );
  });

  it.skipIf(!existsSync(arm64Image))("reads the arm64 Linux Image header", () => {
    const bytes = new Uint8Array(readFileSync(arm64Image));
    expect(parseArm64ImageHeader(bytes)).toMatchObject({
      textOffset: 0,
      imageSize: 0x201_0000,
      bigEndian: false,
      pageSize: 4096,
    });
    expect(identifyImage(bytes).kind).toBe("linux-arm64");
  });

  it.skipIf(!existsSync(benchElf))("parses and loads the bare-metal bench ELF", () => {
    const bytes = new Uint8Array(readFileSync(benchElf));
    const elf = parseElf64(bytes, { name: "bench.elf", machine: ElfMachine.RISCV });
    expect(elf.entry).toBe(0x8000_0000);
    expect(elf.segments.length).toBeGreaterThan(0);
    expect(symbolAddress(elf, "_start")).toBe(0x8000_0000);
    // readelf: one PT_LOAD at 0x7ffff000 (the ELF headers precede .text), filesz 0x1080.
    expect(elf.segments).toHaveLength(1);
    expect(elf.segments[0]).toMatchObject({ paddr: 0x7fff_f000, filesz: 0x1080, memsz: 0x1080 });
    const base = 0x7fff_f000;
    const ram = new Uint8Array(0x2000);
    const loaded = loadElf(elf, (pa, b) => ram.set(b, pa - base));
    expect(loaded).toEqual({ entry: 0x8000_0000, low: 0x7fff_f000, high: 0x8000_0080 });
    // The entry's bytes are the file's bytes at offset 0x1000.
    expect([...ram.subarray(0x1000, 0x1010)]).toEqual([...bytes.subarray(0x1000, 0x1010)]);
  });
});
