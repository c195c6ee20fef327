/**
 * Corrupt FAT32 images, as a user's disk file or a guest's writes can leave them: bad boot
 * sectors, cross-linked and looping cluster chains, truncated files and images, absurd sizes,
 * and thousands of random mutations of the metadata. Reading one gives the file or an AxError
 * naming the problem: never another exception, never a hang, never a huge allocation.
 */
import { AxError } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import { MemoryImage } from "./image-io.js";
import { Fat32Volume } from "./reader.js";
import { createFat32 } from "./writer.js";

const MiB = 1024 * 1024;

function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

function volume(): MemoryImage {
  const img = new MemoryImage(34 * MiB);
  createFat32(img, {
    sizeBytes: img.size,
    files: [
      { path: "a.bin", data: bytes(9000, 1) },
      { path: "b.bin", data: bytes(5000, 2) },
      { path: "dir/c.txt", data: bytes(100, 3) },
    ],
  });
  return img;
}

/** Runs `read` and returns the AxError message, or "ok"; any other exception fails the test. */
function outcome(read: () => unknown): string {
  try {
    read();
    return "ok";
  } catch (e) {
    if (!(e instanceof AxError)) throw e;
    expect(e.message).not.toMatch(/\n/);
    return e.message;
  }
}

function readAll(img: MemoryImage): void {
  const vol = Fat32Volume.open(img);
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const e of vol.list(dir)) {
      const path = `${dir === "/" ? "" : dir}/${e.name}`;
      if (e.isDirectory) walk(path, depth + 1);
      else outcome(() => vol.readFile(path));
    }
  };
  walk("/", 0);
}

describe("corrupt FAT32 images", () => {
  it("refuses bad boot sectors by name", () => {
    const cases: [number, number, number, RegExp][] = [
      [11, 2, 0, /bytes per sector 0/],
      [11, 2, 300, /bytes per sector 300/],
      [13, 1, 0, /sectors per cluster 0/],
      [13, 1, 3, /sectors per cluster 3/],
      [16, 1, 0, /no FAT or no reserved sectors/],
      [14, 2, 0, /no FAT or no reserved sectors/],
      [36, 4, 0, /FAT12\/16/],
      [32, 4, 0xffff_ffff, /claims .* bytes but the image is smaller/],
    ];
    for (const [off, width, value, message] of cases) {
      const img = volume();
      const v = new DataView(img.bytes.buffer);
      if (width === 1) img.bytes[off] = value;
      else if (width === 2) v.setUint16(off, value, true);
      else v.setUint32(off, value, true);
      expect(outcome(() => Fat32Volume.open(img))).toMatch(message);
    }
  });

  it("reads cross-linked files as their chains say, and refuses a chain that loops", () => {
    const img = volume();
    const vol = Fat32Volume.open(img);
    const a = vol.stat("a.bin").firstCluster;
    const b = vol.stat("b.bin").firstCluster;
    const fat = new DataView(img.bytes.buffer, vol.bpb.reservedSectors * 512);
    // a.bin's second cluster now links into b.bin's chain, which is too short for a's size:
    // a names the problem, b (whose chain did not change) still reads back whole.
    fat.setUint32((a + 1) * 4, b, true);
    const again = Fat32Volume.open(img);
    expect(outcome(() => again.readFile("a.bin"))).toMatch(
      /^"a.bin" is 9000 bytes but its cluster chain holds only \d+$/,
    );
    expect(again.readFile("b.bin")).toEqual(bytes(5000, 2));
    // b.bin's first cluster points back into a.bin: a -> a+1 -> b -> a: a loop.
    fat.setUint32(b * 4, a, true);
    expect(outcome(() => Fat32Volume.open(img).readFile("a.bin"))).toMatch(/loops at cluster/);
  });

  it("refuses truncated files and images, and absurd file sizes without allocating them", () => {
    const img = volume();
    const vol = Fat32Volume.open(img);
    const a = vol.stat("a.bin").firstCluster;
    const fat = new DataView(img.bytes.buffer, vol.bpb.reservedSectors * 512);
    fat.setUint32(a * 4, 0x0fff_ffff, true); // the chain ends after one cluster
    expect(outcome(() => Fat32Volume.open(img).readFile("a.bin"))).toBe(
      `"a.bin" is 9000 bytes but its cluster chain holds only ${vol.bpb.sectorsPerCluster * 512}`,
    );
    // A directory entry claiming 4 GiB: refused before any buffer is made for it.
    const root = Fat32Volume.open(img);
    const rootBytes = img.bytes;
    const at = findEntry(rootBytes, "B       BIN");
    new DataView(rootBytes.buffer).setUint32(at + 28, 0xffff_ffff, true);
    expect(outcome(() => root.readFile("b.bin"))).toMatch(
      /^"b.bin" claims 4294967295 bytes but the volume holds at most \d+$/,
    );
    // The image cut short: the volume no longer fits.
    const cut = new MemoryImage(20 * MiB);
    cut.bytes.set(img.bytes.subarray(0, cut.size));
    expect(outcome(() => Fat32Volume.open(cut))).toMatch(/image is smaller/);
  });

  it("survives 3000 random mutations of the boot sector, FAT and directories", () => {
    const img = volume();
    const vol = Fat32Volume.open(img);
    const fat = vol.bpb.reservedSectors * 512;
    const dataStart = fat + 2 * vol.bpb.fatSectors * 512;
    const regions = [
      [0, 512],
      [fat, fat + 64],
      [fat + vol.bpb.fatSectors * 512, fat + vol.bpb.fatSectors * 512 + 64],
      [dataStart, dataStart + 4096 * 4],
    ] as const;
    let state = 12345;
    const rand = (n: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state % n;
    };
    const kinds = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < 3000; i++) {
      const saved: [number, number][] = [];
      for (let k = 0; k <= rand(6); k++) {
        const [lo, hi] = regions[rand(regions.length)]!;
        const at = lo + rand(hi - lo);
        saved.push([at, img.bytes[at]!]);
        img.bytes[at] = rand(4) === 0 ? 0xff : rand(256);
      }
      const r = outcome(() => readAll(img));
      const key = r === "ok" ? "ok" : r.replace(/\d+/g, "N").slice(0, 40);
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
      for (const [at, v] of saved.reverse()) img.bytes[at] = v;
    }
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(kinds.get("ok")).toBeGreaterThan(0);
    expect(kinds.size).toBeGreaterThan(2); // different problems were named
  });
});

/** Offset of the 8.3 directory entry `name` (11 bytes, padded) in the image. */
function findEntry(img: Uint8Array, name: string): number {
  const want = Uint8Array.from(name, (c) => c.charCodeAt(0));
  for (let at = 0; at + 32 <= img.length; at += 32) {
    if (want.every((b, i) => img[at + i] === b)) return at;
  }
  throw new Error(`no entry ${name}`);
}
