/**
 * The isolation walks on a hand-built Sv39x4 G-stage table: every leaf is found at its
 * guest-physical address, and the secret scan searches exactly the memory the table maps,
 * including across two guest-adjacent pages that are far apart in host memory.
 */
import { type HostPhysAddr, hpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { findInGstage, gstageMap, type HostMemoryView, reachOf } from "./isolation.js";

const BASE = 0x8000_0000;

function hostRam(size: number): HostMemoryView & { ram: Uint8Array } {
  const ram = new Uint8Array(size);
  return {
    ram,
    hostBuffer(pa: HostPhysAddr, len: number): Uint8Array {
      const off = pa - BASE;
      if (off < 0 || off + len > size) throw new RangeError(`0x${pa.toString(16)} is not RAM`);
      return ram.subarray(off, off + len);
    },
  };
}

const V = 1;
const LEAF = 0xdf; // V R W X U A D

function setPte(ram: Uint8Array, table: number, index: number, target: number, flags: number) {
  const view = new DataView(ram.buffer);
  const ppn = target / 4096;
  view.setUint32(table - BASE + index * 8, ((ppn % 2 ** 22) * 1024 + flags) >>> 0, true);
  view.setUint32(table - BASE + index * 8 + 4, Math.floor(ppn / 2 ** 22), true);
}

/** Root at BASE (16 KiB), L1 at +0x4000, L0 at +0x5000; GPA 0x8000_0000 -> host +0x8000 and
 * GPA 0x8000_1000 -> host +0x6000 (guest-adjacent, host order reversed); host +0x9000 unmapped. */
function table() {
  const mem = hostRam(0x10000);
  setPte(mem.ram, BASE, 2, BASE + 0x4000, V);
  setPte(mem.ram, BASE + 0x4000, 0, BASE + 0x5000, V);
  setPte(mem.ram, BASE + 0x5000, 0, BASE + 0x8000, LEAF);
  setPte(mem.ram, BASE + 0x5000, 1, BASE + 0x6000, LEAF);
  return mem;
}

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);

describe("G-stage isolation walks", () => {
  it("find every leaf at its guest-physical address, and the table pages", () => {
    const map = gstageMap(table(), BASE);
    expect(map.leaves).toEqual([
      { gpa: 0x8000_0000, hpa: BASE + 0x8000, size: 4096 },
      { gpa: 0x8000_1000, hpa: BASE + 0x6000, size: 4096 },
    ]);
    expect(map.tables.map((t) => t.start)).toEqual([BASE, BASE + 0x4000, BASE + 0x5000]);
    expect(reachOf(map)).toHaveLength(5);
  });

  it("find a secret inside one mapped page at its guest-physical address", () => {
    const mem = table();
    mem.ram.set(SECRET, 0x6000 + 0x123);
    expect(findInGstage(mem, gstageMap(mem, BASE), SECRET)).toBe(0x8000_1123);
  });

  it("find a secret that straddles two guest-adjacent pages kept apart in host memory", () => {
    const mem = table();
    mem.ram.set(SECRET.subarray(0, 12), 0x8000 + 4096 - 12);
    mem.ram.set(SECRET.subarray(12), 0x6000);
    expect(findInGstage(mem, gstageMap(mem, BASE), SECRET)).toBe(0x8000_1000 - 12);
  });

  it("do not report a secret in host memory the table does not map", () => {
    const mem = table();
    mem.ram.set(SECRET, 0x9000);
    mem.ram.set(SECRET.subarray(0, 12), 0x6000 + 4096 - 12); // a seam that is not guest-adjacent
    mem.ram.set(SECRET.subarray(12), 0x8000);
    expect(findInGstage(mem, gstageMap(mem, BASE), SECRET)).toBeNull();
  });

  it("skip a leaf outside host RAM instead of failing", () => {
    const mem = table();
    setPte(mem.ram, BASE + 0x5000, 2, 0x1000_0000, LEAF);
    mem.ram.set(SECRET, 0x6000);
    const map = gstageMap(mem, BASE);
    expect(map.leaves).toHaveLength(3);
    expect(findInGstage(mem, map, SECRET)).toBe(0x8000_1000);
    expect(hpa(map.leaves[2]!.hpa)).toBe(0x1000_0000);
  });
});
