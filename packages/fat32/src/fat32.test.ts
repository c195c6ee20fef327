import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileImage } from "./file-image.js";
import { computeGeometry } from "./geometry.js";
import { MemoryImage } from "./image-io.js";
import { Fat32Volume } from "./reader.js";
import { createFat32 } from "./writer.js";

const MiB = 1024 * 1024;
const bytes = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const text = (s: string) => new TextEncoder().encode(s);

const FILES = [
  { path: "README.TXT", data: text("upper-case 8.3 name\n") },
  { path: "notes.md", data: text("lower-case 8.3 name\n") },
  { path: "linux-Image", data: bytes(3000, 7) },
  { path: "initramfs.cpio.gz", data: bytes(70_000, 3) },
  { path: "extlinux/extlinux.conf", data: text("label linux\n  kernel /Image\n") },
  { path: "deep/er/and deeper/A file with spaces.bin", data: bytes(513, 9) },
  { path: "empty", data: new Uint8Array(0) },
];

function hasTool(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), "fat32-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("geometry", () => {
  it("follows Microsoft's FAT size formula", () => {
    // 64 MiB, 512-byte clusters: TmpVal1 = 131072 - 32 = 131040, TmpVal2 = (256 + 2) / 2 = 129,
    // FATSz = ceil(131040 / 129) = 1016; data starts at 32 + 2 * 1016 = 2064; 129008 clusters.
    expect(computeGeometry(131_072)).toEqual({
      totalSectors: 131_072,
      sectorsPerCluster: 1,
      fatSectors: 1016,
      dataStart: 2064,
      clusterCount: 129_008,
    });
  });

  it("refuses volumes too small to be FAT32", () => {
    expect(() => computeGeometry((16 * MiB) / 512)).toThrow(
      /at least 65525 clusters.*use at least 33 MiB/,
    );
  });
});

describe("create and read back", () => {
  it("round-trips files with short, lower-case, long and nested names", () => {
    const img = new MemoryImage(40 * MiB);
    createFat32(img, { sizeBytes: img.size, files: FILES, label: "GUESTS" });
    const vol = Fat32Volume.open(img);
    expect(vol.label).toBe("GUESTS");
    for (const f of FILES) expect(vol.readFile(f.path)).toEqual(f.data);
    expect(
      vol
        .list("/")
        .map((e) => e.name)
        .sort(),
    ).toEqual(
      [
        "README.TXT",
        "deep",
        "empty",
        "extlinux",
        "initramfs.cpio.gz",
        "linux-Image",
        "notes.md",
      ].sort(),
    );
    expect(vol.stat("/DEEP/ER").isDirectory).toBe(true);
    expect(vol.readFile("/EXTLINUX/EXTLINUX.CONF")).toEqual(FILES[4]?.data);
  });

  it("looks through an MBR partition table", () => {
    const img = new MemoryImage(40 * MiB);
    const layout = createFat32(img, { sizeBytes: img.size, files: FILES, partition: "mbr" });
    expect(layout.volumeOffset).toBe(MiB);
    expect([img.bytes[510], img.bytes[511], img.bytes[446 + 4]]).toEqual([0x55, 0xaa, 0x0c]);
    expect(Fat32Volume.open(img).readFile("initramfs.cpio.gz")).toEqual(FILES[3]?.data);
  });

  it("refuses duplicate names, names FAT cannot hold, and files that do not fit", () => {
    const img = new MemoryImage(34 * MiB);
    const size = img.size;
    expect(() =>
      createFat32(img, {
        sizeBytes: size,
        files: [FILES[0]!, { path: "readme.txt", data: text("x") }],
      }),
    ).toThrow(/added twice/);
    expect(() =>
      createFat32(img, { sizeBytes: size, files: [{ path: "a:b", data: text("x") }] }),
    ).toThrow(/not a valid FAT/);
    expect(() =>
      createFat32(img, {
        sizeBytes: size,
        files: [{ path: "big", data: new Uint8Array(40 * MiB) }],
      }),
    ).toThrow(/do not fit/);
  });
});

describe("corrupt images", () => {
  it("names the problem instead of crashing or looping", () => {
    const img = new MemoryImage(34 * MiB);
    createFat32(img, { sizeBytes: img.size, files: [{ path: "f.bin", data: bytes(4096) }] });
    const vol = Fat32Volume.open(img);
    const first = vol.stat("f.bin").firstCluster;
    const fat = 32 * 512;
    // Make the file's second cluster point back at its first.
    new DataView(img.bytes.buffer).setUint32(fat + (first + 1) * 4, first, true);
    expect(() => Fat32Volume.open(img).readFile("f.bin")).toThrow(/loops at cluster/);
    new DataView(img.bytes.buffer).setUint32(fat + (first + 1) * 4, 0x0ff0_0000, true);
    expect(() => Fat32Volume.open(img).readFile("f.bin")).toThrow(/outside the volume/);
    expect(() => Fat32Volume.open(img).readFile("nope.txt")).toThrow(/does not exist/);
    expect(() => Fat32Volume.open(new MemoryImage(4096))).toThrow(/no FAT32 file system/);
  });
});

describe.runIf(hasTool("fsck.fat"))("dosfstools accepts our images", () => {
  it("fsck.fat -n finds no errors", () => {
    const path = join(work, "plain.img");
    const f = FileImage.create(path, 64 * MiB);
    createFat32(f, { sizeBytes: f.size, files: FILES, date: new Date(2026, 10, 21, 12, 0, 0) });
    f.close();
    // fsck.fat exits non-zero (and execFileSync throws) when it finds errors.
    const out = execFileSync("fsck.fat", ["-n", "-v", path], { encoding: "utf8" });
    expect(out).toMatch(/plain\.img: \d+ files, \d+\/\d+ clusters/);
    expect(out).not.toMatch(/differ|wrong|corrected|Reclaimed/i);
  });
});

describe.runIf(hasTool("mcopy") && hasTool("mkfs.fat"))("mtools interoperability", () => {
  it("mtools reads files we wrote, long names included", () => {
    const path = join(work, "ours.img");
    const f = FileImage.create(path, 40 * MiB);
    createFat32(f, { sizeBytes: f.size, files: FILES });
    f.close();
    const listing = execFileSync("mdir", ["-i", path, "-b", "::/"], { encoding: "utf8" });
    expect(listing).toContain("::/initramfs.cpio.gz");
    const out = join(work, "copied");
    execFileSync("mcopy", ["-i", path, "::/deep/er/and deeper/A file with spaces.bin", out]);
    expect(new Uint8Array(readFileSync(out))).toEqual(FILES[5]?.data);
  });

  it("we read files that mkfs.fat and mcopy put into an image", () => {
    const path = join(work, "theirs.img");
    execFileSync("mkfs.fat", ["-F", "32", "-C", path, String(40 * 1024)], { stdio: "ignore" });
    const host = join(work, "kernel-image.bin");
    writeFileSync(host, bytes(100_000, 5));
    execFileSync("mmd", ["-i", path, "::/boot"]);
    execFileSync("mcopy", ["-i", path, host, "::/boot/Kernel-Image.bin"]);
    const img = FileImage.openRead(path);
    expect(Fat32Volume.open(img).readFile("/boot/Kernel-Image.bin")).toEqual(bytes(100_000, 5));
    img.close();
  });
});

const SHARED_DISK = join(__dirname, "../../../../shared/guests/disk-riscv64.img");
const haveSharedDisk = (() => {
  try {
    readFileSync(SHARED_DISK, { flag: "r" }).subarray(0, 0);
    return true;
  } catch {
    console.log(`skipping the shared-disk test: ${SHARED_DISK} is absent`);
    return false;
  }
})();

describe.runIf(haveSharedDisk)("the shared guest disk (sfdisk + mkfs.fat + mcopy)", () => {
  it("finds the FAT32 partition and reads the kernel, the initramfs and extlinux.conf", () => {
    const img = FileImage.openRead(SHARED_DISK);
    const vol = Fat32Volume.open(img);
    expect(vol.volumeOffset).toBe(2048 * 512);
    expect(vol.label).toBe("AXVGUEST");
    const kernel = vol.readFile("/Image");
    expect(kernel.length).toBe(4_068_352);
    expect(new TextDecoder().decode(kernel.subarray(48, 53))).toBe("RISCV");
    expect(vol.readFile("/extlinux/extlinux.conf").length).toBeGreaterThan(10);
    expect(vol.list("/bench").map((e) => e.name)).toContain("bench.bin");
    img.close();
  });
});
