import { AxError } from "@axvisor/axerrno";
import { createTestHost, type TestHost } from "@axvisor/axvisor-api/testing";
import { MappingFlags as F } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { PAGE_TABLE_FORMATS } from "./format.js";
import { PageSize } from "./page-size.js";
import { PageTable64, type WalkEntry } from "./page-table64.js";

const RW = F.READ | F.WRITE;
const RWX = RW | F.EXECUTE;
const K4 = 0x1000;
const M2 = 0x20_0000;
const G1 = 0x4000_0000;

function axKind(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (AxError.is(e)) return e.kind;
    throw e;
  }
  return "no error";
}

const leaves = (pt: PageTable64): [number, number, number][] => {
  const out: [number, number, number][] = [];
  pt.walk((e) => out.push([e.vaddr, e.paddr, e.size]));
  return out;
};

const snapshot = (pt: PageTable64): WalkEntry[] => {
  const out: WalkEntry[] = [];
  pt.walk((e) => out.push(e), { tables: true });
  return out;
};

let host: TestHost;
beforeEach(() => {
  host = createTestHost({ ramBase: 0x8000_0000, ramSize: 8 * 1024 * 1024 });
});

describe.each(PAGE_TABLE_FORMATS)("PageTable64 %s", (format) => {
  const rootFrames = (pt: PageTable64) => pt.info.rootFrames;
  const flags = (f: number) => (format === "sv39x4" || format === "sv48x4" ? f | F.USER : f);

  it("maps, queries, protects and unmaps a page, freeing the tables it needed", () => {
    const pt = PageTable64.create(format, host.memory);
    const base = rootFrames(pt);
    expect(host.frameStats().used).toBe(base);
    pt.map(0x8020_0000, 0x8460_0000, PageSize.Size4K, RWX);
    expect(host.frameStats().used).toBe(base + pt.info.levels - 1);
    expect(pt.query(0x8020_0123)).toEqual({ paddr: 0x8460_0123, flags: flags(RWX), size: K4 });
    expect(pt.query(0x8020_1000)).toBeNull();

    expect(pt.protect(0x8020_0000, F.READ)).toBe(PageSize.Size4K);
    expect(pt.query(0x8020_0000)?.flags).toBe(flags(F.READ));

    expect(pt.unmap(0x8020_0000)).toEqual({ paddr: 0x8460_0000, flags: flags(F.READ), size: K4 });
    expect(pt.query(0x8020_0000)).toBeNull();
    expect(host.frameStats().used).toBe(base);
    expect(snapshot(pt)).toEqual([]);
    expect(axKind(() => pt.unmap(0x8020_0000))).toBe("NotFound");
    expect(axKind(() => pt.protect(0x8020_0000, F.READ))).toBe("NotFound");
  });

  it("keeps a table while other pages still use it", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(0x10_0000, 0x8000_0000, PageSize.Size4K, RW);
    pt.map(0x10_1000, 0x8000_1000, PageSize.Size4K, RW);
    const used = host.frameStats().used;
    pt.unmap(0x10_0000);
    expect(host.frameStats().used).toBe(used);
    expect(pt.query(0x10_1000)?.paddr).toBe(0x8000_1000);
  });

  it("tells whether a whole block is free of mappings, pages and blocks alike", () => {
    const pt = PageTable64.create(format, host.memory);
    expect(pt.isBlockUnmapped(0x4000_0000, PageSize.Size2M)).toBe(true);
    pt.map(0x401f_f000, 0x8000_0000, PageSize.Size4K, RW);
    // A page anywhere inside makes the 2 MiB (and 1 GiB) block taken, not its neighbours.
    expect(pt.isBlockUnmapped(0x4000_0000, PageSize.Size2M)).toBe(false);
    expect(pt.isBlockUnmapped(0x4012_3000, PageSize.Size2M)).toBe(false);
    expect(pt.isBlockUnmapped(0x4000_0000, PageSize.Size1G)).toBe(false);
    expect(pt.isBlockUnmapped(0x4020_0000, PageSize.Size2M)).toBe(true);
    expect(pt.isBlockUnmapped(0x401f_e000, PageSize.Size4K)).toBe(true);
    expect(pt.isBlockUnmapped(0x401f_f000, PageSize.Size4K)).toBe(false);
    pt.map(0x4020_0000, 0x8020_0000, PageSize.Size2M, RW);
    expect(pt.isBlockUnmapped(0x4020_0000, PageSize.Size2M)).toBe(false);
    expect(pt.isBlockUnmapped(0x4030_0000, PageSize.Size4K)).toBe(false); // inside the block
    // Unmapping frees the tables it emptied: the block is free again.
    pt.unmap(0x401f_f000);
    expect(pt.isBlockUnmapped(0x4000_0000, PageSize.Size2M)).toBe(true);
    expect(pt.isBlockUnmapped(2 ** pt.info.inputBits, PageSize.Size2M)).toBe(false);
  });

  it("refuses to map over existing mappings, whatever their size", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(0x20_0000, 0x4000_0000, PageSize.Size2M, RW);
    pt.map(0x40_0000, 0x5000_0000, PageSize.Size4K, RW);
    expect(axKind(() => pt.map(0x20_0000, 0x1000, PageSize.Size4K, RW))).toBe("AlreadyExists");
    expect(axKind(() => pt.map(0x2f_f000, 0x1000, PageSize.Size4K, RW))).toBe("AlreadyExists");
    expect(axKind(() => pt.map(0x40_0000, 0x20_0000, PageSize.Size2M, RW))).toBe("AlreadyExists");
    expect(axKind(() => pt.map(0, 0, PageSize.Size1G, RW))).toBe("AlreadyExists");
    expect(() => pt.map(0x2f_f000, 0x1000, PageSize.Size4K, RW)).toThrow(
      /inside the 2 MiB page at 0x20_0000 -> 0x4000_0000/,
    );
  });

  it("rejects misaligned addresses, bad sizes and mappings without access rights", () => {
    const pt = PageTable64.create(format, host.memory);
    expect(axKind(() => pt.map(0x1001, 0x2000, PageSize.Size4K, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0x1000, 0x2800, PageSize.Size4K, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0x1000, 0x20_0000, PageSize.Size2M, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0x20_0000, 0x1000, PageSize.Size2M, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0, 0, 0x3000 as PageSize, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0, 0, PageSize.Size4K, F.USER | F.DEVICE))).toBe("InvalidInput");
    expect(axKind(() => pt.mapRegion(0, 0, 0x1800, RW, false))).toBe("InvalidInput");
    expect(axKind(() => pt.map(-1, 0, PageSize.Size4K, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0x1000, -0x1000, PageSize.Size4K, RW))).toBe("InvalidInput");
    expect(axKind(() => pt.map(0.5, 0, PageSize.Size4K, RW))).toBe("InvalidInput");
    expect(host.frameStats().used).toBe(pt.info.rootFrames);
  });

  it("rejects input addresses just past its input range", () => {
    const pt = PageTable64.create(format, host.memory);
    const limit = pt.info.signExtended ? 2 ** (pt.info.inputBits - 1) : 2 ** pt.info.inputBits;
    pt.map(limit - K4, 0x1000, PageSize.Size4K, F.READ);
    expect(axKind(() => pt.map(limit, 0x1000, PageSize.Size4K, F.READ))).toBe("InvalidInput");
    expect(axKind(() => pt.mapRegion(limit - K4, 0, 2 * K4, F.READ, false))).toBe("InvalidInput");
    expect(pt.query(limit)).toBeNull();
  });

  it("chooses the largest page size that fits in mapRegion", () => {
    const pt = PageTable64.create(format, host.memory);
    // 2 MiB up to the 1 GiB boundary, one 1 GiB block, one 2 MiB block, then 4 KiB pages.
    pt.mapRegion(G1 - M2, 0x1_0000_0000 - M2, M2 + G1 + M2 + 2 * K4, RW, true);
    expect(leaves(pt)).toEqual([
      [G1 - M2, 0x1_0000_0000 - M2, M2],
      [G1, 0x1_0000_0000, G1],
      [2 * G1, 0x1_4000_0000, M2],
      [2 * G1 + M2, 0x1_4020_0000, K4],
      [2 * G1 + M2 + K4, 0x1_4020_1000, K4],
    ]);
  });

  it("uses only 4 KiB pages when huge pages are not allowed or the addresses disagree", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.mapRegion(0, 0x1000, 4 * M2, RW, true); // PA offset by 4 KiB: never 2 MiB aligned
    pt.mapRegion(G1, G1, 2 * K4, RW, false);
    const sizes = new Set<number>();
    let n = 0;
    pt.walk((e) => {
      sizes.add(e.size);
      n++;
    });
    expect([...sizes]).toEqual([K4]);
    expect(n).toBe((4 * M2) / K4 + 2);
  });

  it("maps through a physical-address function, one page at a time", () => {
    const pt = PageTable64.create(format, host.memory);
    const frames = [0x9000_3000, 0x9000_1000, 0x9000_7000];
    pt.mapRegion(0x5000, (va) => frames[(va - 0x5000) / K4]!, 3 * K4, F.READ, false);
    expect(leaves(pt).map(([, pa]) => pa)).toEqual(frames);
  });

  it("undoes a mapRegion that fails half-way on AlreadyExists, keeping prior mappings", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(0x40_3000, 0x7000, PageSize.Size4K, F.READ);
    const before = snapshot(pt);
    const used = host.frameStats().used;
    // Crosses into a fresh 2 MiB range first, then hits 0x40_3000.
    expect(axKind(() => pt.mapRegion(0x3f_e000, 0x1_0000, 0x8000, RW, false))).toBe(
      "AlreadyExists",
    );
    expect(snapshot(pt)).toEqual(before);
    expect(host.frameStats().used).toBe(used);
  });

  it("leaves the table exactly as it was when frames run out mid-map", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.mapRegion(0, 0x8000_0000, 4 * K4, RW, false);
    const before = snapshot(pt);
    const used = host.frameStats().used;
    // Far from the existing mappings, so that every table below the root is new: with 4
    // levels that means another 512 GiB slot of the root.
    const fresh = (pt.info.levels === 4 ? 2 ** 39 : 0) + G1 * 3;
    // A single page needing levels-1 new tables, with the last table allocation failing.
    host.failAllocationsAfter(pt.info.levels - 2);
    expect(axKind(() => pt.map(fresh + M2, 0x1000, PageSize.Size4K, RW))).toBe("NoMemory");
    expect(snapshot(pt)).toEqual(before);
    expect(host.frameStats().used).toBe(used);
    // A region crossing several 2 MiB ranges: the second leaf table cannot be allocated.
    host.clearAllocationFaults();
    host.failAllocationsAfter(pt.info.levels - 1);
    expect(axKind(() => pt.mapRegion(fresh, 0x1_0000_0000, 2 * M2, RW, false))).toBe("NoMemory");
    expect(snapshot(pt)).toEqual(before);
    expect(host.frameStats().used).toBe(used);
    host.clearAllocationFaults();
    pt.mapRegion(fresh, 0x1_0000_0000, 2 * M2, RW, false);
    expect(pt.query(fresh + M2 + K4)?.paddr).toBe(0x1_0020_1000);
  });

  it("splits a huge page when a region covers only part of it", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(M2, 0x4000_0000, PageSize.Size2M, RWX);
    const removed: [number, number, number][] = [];
    const bytes = pt.unmapRegion(M2 + K4, K4, (va, m) => removed.push([va, m.paddr, m.size]));
    expect(bytes).toBe(K4);
    expect(removed).toEqual([[M2 + K4, 0x4000_1000, K4]]);
    expect(pt.query(M2)).toEqual({ paddr: 0x4000_0000, flags: flags(RWX), size: K4 });
    expect(pt.query(M2 + K4)).toBeNull();
    expect(pt.query(M2 + 2 * K4)?.paddr).toBe(0x4000_2000);
    expect(pt.query(2 * M2 - 1)?.paddr).toBe(0x401f_ffff);
    let n = 0;
    pt.walk(() => n++);
    expect(n).toBe(511);
  });

  it("unmaps nothing when splitting a huge page finds no free frame", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(M2, 0x4000_0000, PageSize.Size2M, RW);
    host.failNextAllocations(1);
    expect(axKind(() => pt.unmapRegion(M2 + K4, K4))).toBe("NoMemory");
    expect(pt.query(M2 + K4)).toEqual({ paddr: 0x4000_1000, flags: flags(RW), size: M2 });
  });

  it("splits a 1 GiB block down to 4 KiB pages to protect a single page", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(G1, 0x1_0000_0000, PageSize.Size1G, RWX);
    expect(pt.protectRegion(G1 + M2 + K4, K4, F.READ)).toBe(K4);
    expect(pt.query(G1 + M2 + K4)).toEqual({
      paddr: 0x1_0020_1000,
      flags: flags(F.READ),
      size: K4,
    });
    expect(pt.query(G1 + M2)).toEqual({ paddr: 0x1_0020_0000, flags: flags(RWX), size: K4 });
    expect(pt.query(G1)?.size).toBe(M2);
    expect(pt.query(2 * G1 - 1)).toEqual({ paddr: 0x1_3fff_ffff, flags: flags(RWX), size: M2 });
  });

  it("refuses single-page unmap/protect in the middle of a huge page", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(M2, 0x4000_0000, PageSize.Size2M, RW);
    expect(() => pt.unmap(M2 + K4)).toThrow(/inside the 2 MiB page at 0x20_0000/);
    expect(axKind(() => pt.protect(M2 + K4, F.READ))).toBe("InvalidInput");
    expect(pt.unmap(M2).size).toBe(M2);
  });

  it("unmaps regions with holes and reclaims every table", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.mapRegion(0, 0x8000_0000, 3 * K4, RW, false);
    pt.mapRegion(G1, 0x9000_0000, 2 * M2, RW, true);
    pt.map(5 * M2, 0xa000_0000, PageSize.Size4K, RW);
    expect(pt.unmapRegion(0, 2 * G1)).toBe(3 * K4 + 2 * M2 + K4);
    expect(snapshot(pt)).toEqual([]);
    expect(host.frameStats().used).toBe(pt.info.rootFrames);
  });

  it("walks tables before their contents, in address order", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.map(M2 + K4, 0x3000, PageSize.Size4K, F.READ);
    pt.map(M2, 0x2000, PageSize.Size4K, F.READ);
    pt.map(0, 0x4000_0000, PageSize.Size2M, F.READ);
    const seen = snapshot(pt).map((e) => `${e.kind}@L${e.level}:${e.vaddr.toString(16)}`);
    const tables = Array.from(
      { length: pt.info.levels - 2 },
      (_, k) => `table@L${pt.info.levels - 1 - k}:0`,
    );
    expect(seen).toEqual([
      ...tables,
      "leaf@L1:0",
      "table@L1:200000",
      "leaf@L0:200000",
      "leaf@L0:201000",
    ]);
  });

  it("frees every table frame on destroy and refuses use afterwards", () => {
    const pt = PageTable64.create(format, host.memory);
    pt.mapRegion(0, 0x8000_0000, 64 * K4, RW, false);
    pt.mapRegion(G1 + M2, 0x1_0000_0000, 3 * M2, RW, true);
    pt.map(2 * G1 + 0x1234_5000, 0x1000, PageSize.Size4K, F.READ);
    expect(host.frameStats().used).toBeGreaterThan(pt.info.rootFrames + 3);
    pt.destroy();
    expect(host.frameStats().used).toBe(0);
    expect(host.memory.outstandingFrames).toBe(0);
    expect(axKind(() => pt.query(0))).toBe("BadState");
    pt.destroy();
  });
});

describe("PageTable64.create", () => {
  it("fails cleanly when no root frame is available", () => {
    host.failNextAllocations(1);
    expect(axKind(() => PageTable64.create("sv39x4", host.memory))).toBe("NoMemory");
    expect(host.frameStats().used).toBe(0);
  });

  it("zeroes the root even if the handler hands out dirty frames", () => {
    host.ram.fill(0xff);
    const pt = PageTable64.create("sv48x4", {
      ...host.ramMemory,
      allocFrame: () => host.ramMemory.allocator.alloc(),
      allocContiguousFrames: (n, a) => host.ramMemory.allocator.allocContiguous(n, a),
      deallocFrame: (pa) => host.ramMemory.deallocFrame(pa),
      deallocContiguousFrames: (pa, n) => host.ramMemory.deallocContiguousFrames(pa, n),
      hostBuffer: (pa, len) => host.ramMemory.hostBuffer(pa, len),
    });
    expect(snapshot(pt)).toEqual([]);
    pt.map(0x1000, 0x2000, PageSize.Size4K, F.READ);
    expect(leaves(pt)).toEqual([[0x1000, 0x2000, K4]]);
  });

  it("names the known formats when given an unknown one", () => {
    expect(() => PageTable64.create("sv57x4" as never, host.memory)).toThrow(/known: sv39, sv48/);
  });
});
