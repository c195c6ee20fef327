import { describe, expect, it } from "vitest";
import { detectCompression } from "./compression.js";
import { buildElf } from "./elf-builder.fixture.js";
import { identifyImage } from "./identify.js";
import { ImageFormatError } from "./image-error.js";
import {
  linuxImageLoadAddress,
  parseArm64ImageHeader,
  parseRiscvImageHeader,
} from "./linux-image.js";

/** A 64-byte header laid out per the kernel's boot documentation. */
function header(fields: {
  u32?: [number, number][];
  u64?: [number, bigint][];
  ascii?: [number, string][];
}) {
  const b = new Uint8Array(4096);
  const v = new DataView(b.buffer);
  for (const [o, x] of fields.u32 ?? []) v.setUint32(o, x, true);
  for (const [o, x] of fields.u64 ?? []) v.setBigUint64(o, x, true);
  for (const [o, s] of fields.ascii ?? []) b.set(new TextEncoder().encode(s), o);
  return b;
}

const riscv = () =>
  header({
    u64: [
      [8, 0x20_0000n],
      [16, 0x42_4000n],
    ],
    u32: [
      [32, 2],
      [60, 0x40],
    ],
    ascii: [
      [0, "MZ"],
      [48, "RISCV\0\0\0"],
      [56, "RSC\x05"],
    ],
  });

const arm64 = () =>
  header({
    u64: [
      [8, 0n],
      [16, 0x201_0000n],
      [24, 0xan],
    ],
    ascii: [[56, "ARM\x64"]],
  });

describe("RISC-V Image header", () => {
  it("reads text_offset, image_size and the version", () => {
    const h = parseRiscvImageHeader(riscv());
    expect(h).toMatchObject({
      textOffset: 0x20_0000,
      imageSize: 0x42_4000,
      flags: 0n,
      bigEndian: false,
      versionMajor: 0,
      versionMinor: 2,
      peOffset: 0x40,
    });
    expect(linuxImageLoadAddress(h, 0x8000_0000)).toBe(0x8020_0000);
    expect(() => linuxImageLoadAddress(h, 0x8010_0000)).toThrow(/not 2 MiB aligned/);
  });

  it("names a missing magic", () => {
    expect(() => parseRiscvImageHeader(arm64(), "Image")).toThrow(
      /Image: not a Linux RISC-V Image: no "RSC\\x05" magic at offset 56/,
    );
    expect(() => parseRiscvImageHeader(riscv().subarray(0, 60))).toThrow(ImageFormatError);
  });
});

describe("arm64 Image header", () => {
  it("reads text_offset, image_size and flags", () => {
    expect(parseArm64ImageHeader(arm64())).toEqual({
      textOffset: 0,
      imageSize: 0x201_0000,
      flags: 0xan,
      bigEndian: false,
      pageSize: 4096,
      physPlacementAnywhere: true,
      peOffset: 0,
    });
  });

  it("decodes big-endian, 64K pages", () => {
    const b = arm64();
    new DataView(b.buffer).setBigUint64(24, 0b0111n, true);
    expect(parseArm64ImageHeader(b)).toMatchObject({
      bigEndian: true,
      pageSize: 65536,
      physPlacementAnywhere: false,
    });
  });

  it("names a missing magic", () => {
    expect(() => parseArm64ImageHeader(riscv())).toThrow(
      /not a Linux arm64 Image: no "ARM\\x64" magic at offset 56/,
    );
  });
});

describe("identifyImage", () => {
  it("tells the formats apart", () => {
    expect(identifyImage(riscv()).kind).toBe("linux-riscv64");
    expect(identifyImage(arm64()).kind).toBe("linux-arm64");
    expect(
      identifyImage(
        buildElf({ segments: [{ vaddr: 0x8000_0000, flags: 5, data: new Uint8Array(4) }] }),
      ).kind,
    ).toBe("elf");
    expect(
      identifyImage(new Uint8Array([0x97, 0x02, 0x00, 0x00, 0x73, 0x00, 0x50, 0x10])).kind,
    ).toBe("raw");
  });

  it("passes the machine check on to ELF parsing", () => {
    expect(() => identifyImage(buildElf({ machine: 62 }), { machine: 243 })).toThrow(
      /wrong machine/,
    );
  });

  it("refuses a kernel of another architecture, naming both", () => {
    expect(() => identifyImage(arm64(), { name: "Image", arch: "riscv64" })).toThrow(
      "Image: wrong architecture: it is a Linux arm64 Image, but the VM is riscv64",
    );
    expect(() => identifyImage(riscv(), { name: "Image", arch: "x86_64" })).toThrow(
      "Image: wrong architecture: it is a Linux riscv64 Image, but the VM is x86_64",
    );
    const bz = header({ u32: [], ascii: [[0x202, "HdrS"]] });
    bz[0x1fe] = 0x55;
    bz[0x1ff] = 0xaa;
    expect(() => identifyImage(bz, { name: "bzImage", arch: "aarch64" })).toThrow(
      "bzImage: wrong architecture: it is a Linux x86 bzImage, but the VM is aarch64",
    );
    expect(() =>
      identifyImage(buildElf({ machine: 183 }), { name: "k.elf", arch: "riscv64" }),
    ).toThrow(
      "k.elf: wrong machine: the ELF file is for EM_AARCH64 (183), expected EM_RISCV (243)",
    );
    try {
      identifyImage(arm64(), { arch: "riscv64" });
    } catch (e) {
      expect(ImageFormatError.hasProblem(e, "wrong-machine")).toBe(true);
    }
    expect(identifyImage(arm64(), { arch: "aarch64" }).kind).toBe("linux-arm64");
  });

  it("refuses compressed images with a clear message", () => {
    const gz = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3]);
    expect(detectCompression(gz)).toBe("gzip");
    expect(() => identifyImage(gz, { name: "Image.gz" })).toThrow(
      /^Image\.gz: compressed image \(gzip\); decompress it first/,
    );
    try {
      identifyImage(gz);
    } catch (e) {
      expect(ImageFormatError.hasProblem(e, "compressed")).toBe(true);
    }
    expect(detectCompression(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe("xz");
    expect(detectCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]))).toBe("zstd");
    expect(detectCompression(new TextEncoder().encode("BZh9"))).toBe("bzip2");
    expect(detectCompression(new TextEncoder().encode("MZ\0\0zimg"))).toBe("efi-zboot");
    expect(detectCompression(new TextEncoder().encode("BZhx"))).toBeUndefined();
  });
});
