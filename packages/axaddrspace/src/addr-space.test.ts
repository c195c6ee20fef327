import { AxError, type AxResult } from "@axvisor/axerrno";
import { createTestHost, type TestHost } from "@axvisor/axvisor-api/testing";
import { MappingFlags as F } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { AddrSpace } from "./addr-space.js";
import { walkSv39x4 } from "./test-support/sv39x4-walker.js";

const RW = F.READ | F.WRITE;
const RWX = RW | F.EXECUTE;
const K4 = 0x1000;
const M2 = 0x20_0000;
const RAM_BASE = 0x8000_0000;

function axKind(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (AxError.is(e)) return e.kind;
    throw e;
  }
  return "no error";
}

function unwrapOk<T>(r: AxResult<T>): T {
  if (!r.ok) throw r.error;
  return r.value;
}

let host: TestHost;
/** Frames in use before the address space was created. */
const used = () => host.frameStats().used;

beforeEach(() => {
  host = createTestHost({ ramBase: RAM_BASE, ramSize: 32 * 1024 * 1024 });
});

/** A RISC-V guest space [0, 2^41) with its host frames drawn from the test host. */
const sv39x4Space = () =>
  AddrSpace.create({ base: 0, size: 2 ** 41, format: "sv39x4", memory: host.memory });

describe("AddrSpace.create", () => {
  it("allocates a root of the format's shape and refuses spaces the format cannot address", () => {
    const as = sv39x4Space();
    expect(as.pageTableRoot()).toBe(RAM_BASE);
    expect(as.pageTableRoot() % 0x4000).toBe(0);
    expect(used()).toBe(4);
    expect(as.formatInfo.riscvMode).toBe(8);
    expect(() =>
      AddrSpace.create({ base: 0, size: 2 ** 41 + K4, format: "sv39x4", memory: host.memory }),
    ).toThrow(/exceeds the 41-bit guest-physical range of sv39x4/);
    expect(
      axKind(() =>
        AddrSpace.create({ base: 0x800, size: K4, format: "ept-l4", memory: host.memory }),
      ),
    ).toBe("InvalidInput");
    // AxVisor's default window (47 bits) fits a 4-level table.
    const big = AddrSpace.create({
      base: 0,
      size: 0x7fff_ffff_f000,
      format: "sv48x4",
      memory: host.memory,
    });
    expect(big.contains(0x7fff_ffff_efff)).toBe(true);
  });
});

describe("linear areas", () => {
  it("translate agrees with an independent walk of the Sv39x4 tables in host RAM", () => {
    const as = sv39x4Space();
    // Guest RAM at GPA 0x8000_0000 backed by HPA 0x8100_0000 (2 MiB aligned): huge pages.
    as.mapLinear(0x8000_0000, 0x8100_0000, 4 * M2 + 3 * K4, RWX);
    // A device window above 2^39, only reachable with the x4 root.
    as.mapLinear(2 ** 40, 0x1000_0000, 2 * K4, RW | F.DEVICE);
    for (const gpa of [
      0x8000_0000,
      0x8000_0abc,
      0x801f_ffff,
      0x8060_1234,
      0x8080_2fff,
      2 ** 40 + 0x1004,
    ]) {
      const ref = walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), gpa);
      expect(ref, `walk of 0x${gpa.toString(16)}`).not.toBeNull();
      expect(as.translate(gpa)).toBe(ref!.hpa);
    }
    // The first 8 MiB use 2 MiB leaves, the 3 trailing pages 4 KiB ones.
    expect(walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x8060_0000)!.pageSize).toBe(M2);
    expect(walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x8080_1000)!.pageSize).toBe(K4);
    expect(as.translate(0x8080_3000)).toBeNull();
    expect(walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x8080_3000)).toBeNull();
    expect(as.translateAndGetLimit(0x8000_0010)).toEqual({ hpa: 0x8100_0010, limit: M2 - 0x10 });
    expect(as.translateAndGetLimit(0x8080_1ff0)).toEqual({ hpa: 0x8180_1ff0, limit: 0x10 });
  });

  it("puts the area flags into the leaves (no blanket RWX)", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, K4, F.READ | F.EXECUTE);
    as.mapLinear(0x8000_1000, 0x8100_1000, K4, F.READ);
    const rx = walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x8000_0000)!.pte;
    const r = walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x8000_1000)!.pte;
    // Low byte: D A G U X W R V. R+X with U (G-stage) and A: 0b0101_1011; R only: 0b0101_0011.
    expect(rx & 0xffn).toBe(0x5bn);
    expect(r & 0xffn).toBe(0x53n);
    expect(axKind(() => as.mapLinear(0x8000_2000, 0x8100_2000, K4, F.WRITE))).toBe("InvalidInput");
    expect(axKind(() => as.mapAlloc(0x8000_2000, K4, F.WRITE, false))).toBe("InvalidInput");
    expect(as.areas().length).toBe(2);
  });

  it("rejects overlapping areas, naming both ranges, and ranges outside the space", () => {
    const as = AddrSpace.create({
      base: 0x8000_0000,
      size: 0x1000_0000,
      format: "sv39x4",
      memory: host.memory,
    });
    as.mapLinear(0x8000_0000, 0x8100_0000, 0x10_0000, RW);
    expect(() => as.mapAlloc(0x800f_f000, 0x2000, RW, true)).toThrow(
      "cannot add alloc area [0x800f_f000, 0x8010_1000): it overlaps the linear area [0x8000_0000, 0x8010_0000)",
    );
    expect(axKind(() => as.mapAlloc(0x800f_f000, 0x2000, RW, true))).toBe("AlreadyExists");
    expect(() => as.mapLinear(0x7fff_f000, 0x1000, K4, RW)).toThrow(/outside the address space/);
    expect(() => as.mapLinear(0x8fff_f000, 0x1000, 2 * K4, RW)).toThrow(
      /outside the address space/,
    );
    expect(axKind(() => as.mapLinear(0x8010_0800, 0x1000, K4, RW))).toBe("InvalidInput");
    expect(axKind(() => as.mapLinear(0x8010_0000, 0x1800, K4, RW))).toBe("InvalidInput");
    expect(as.handlePageFault(0x7000_0000, F.READ)).toBe(false);
    expect(as.translate(0x7000_0000)).toBeNull();
    expect(as.areas()).toEqual([
      { start: 0x8000_0000, end: 0x8010_0000, flags: RW, backend: "linear", hpa: 0x8100_0000 },
    ]);
  });

  it("unmaps part of a huge-page mapping, keeping the rest and splitting the area", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, 2 * M2, RW);
    const before = used();
    as.unmap(0x8000_1000, K4);
    expect(as.translate(0x8000_1000)).toBeNull();
    expect(as.translate(0x8000_0fff)).toBe(0x8100_0fff);
    expect(as.translate(0x8000_2000)).toBe(0x8100_2000);
    expect(as.translate(0x803f_ffff)).toBe(0x813f_ffff);
    expect(used()).toBe(before + 1); // one new table for the split 2 MiB page
    expect(as.areas().map((a) => [a.start, a.end, a.backend === "linear" ? a.hpa : -1])).toEqual([
      [0x8000_0000, 0x8000_1000, 0x8100_0000],
      [0x8000_2000, 0x8040_0000, 0x8100_2000],
    ]);
    expect(as.handlePageFault(0x8000_1000, F.READ)).toBe(false);
  });
});

describe("alloc areas", () => {
  it("populates eagerly with zeroed frames and frees them on unmap", () => {
    const as = sv39x4Space();
    host.ram.fill(0xee); // frames must come back zeroed anyway
    const base = used();
    as.mapAlloc(0x8000_0000, 8 * K4, RW, true);
    // 8 frames + the level-1 and level-0 tables.
    expect(used()).toBe(base + 8 + 2);
    const hpas = new Set<number>();
    for (let i = 0; i < 8; i++) hpas.add(as.translate(0x8000_0000 + i * K4)!);
    expect(hpas.size).toBe(8);
    expect(unwrapOk(as.read(0x8000_0000, 8 * K4)).every((b) => b === 0)).toBe(true);
    as.unmap(0x8000_2000, 2 * K4);
    expect(used()).toBe(base + 6 + 2);
    as.unmap(0x8000_0000, 8 * K4);
    expect(used()).toBe(base);
    expect(as.areas()).toEqual([]);
  });

  it("populates lazily on a nested page fault the area's flags allow, and only then", () => {
    const as = sv39x4Space();
    as.mapAlloc(0x8000_0000, 4 * K4, F.READ, false);
    as.mapAlloc(0x9000_0000, 4 * K4, RW, false);
    const base = used();
    expect(as.translate(0x8000_0000)).toBeNull();
    // A store into a read-only lazy area is not the address space's to fix.
    expect(as.handlePageFault(0x8000_0010, F.WRITE)).toBe(false);
    expect(used()).toBe(base);
    expect(as.handlePageFault(0x8000_0010, F.READ)).toBe(true);
    // The area's four pages (its whole 64 KiB group) and two tables.
    expect(used()).toBe(base + 4 + 2);
    const hpa = as.translate(0x8000_0010);
    expect(hpa).not.toBeNull();
    expect(walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x8000_0010)!.hpa).toBe(hpa);
    // Faulting again (a stale TLB entry on another vCPU) is handled without a new frame.
    expect(as.handlePageFault(0x8000_0020, F.READ)).toBe(true);
    expect(as.handlePageFault(0x8000_3000, F.READ)).toBe(true);
    expect(used()).toBe(base + 6);
    expect(as.handlePageFault(0x9000_3ff8, F.WRITE)).toBe(true);
    expect(as.translate(0x9000_3ff8)).not.toBeNull();
    expect(as.translate(0x9000_0ff8)).not.toBeNull();
    expect(as.handlePageFault(0x9000_4000, F.READ)).toBe(false); // past the area
    expect(as.translate(0x9000_4000)).toBeNull();
    as.clear();
    expect(used()).toBe(base);
  });

  it("never treats faults in linear or populated areas as its own", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, K4, F.READ);
    as.mapAlloc(0x9000_0000, K4, RW, true);
    expect(as.handlePageFault(0x8000_0000, F.READ)).toBe(false);
    expect(as.handlePageFault(0x9000_0000, F.WRITE)).toBe(false);
  });

  it("reports NoMemory cleanly when populating runs out of frames", () => {
    const as = sv39x4Space();
    const base = used();
    // 2 tables + 5 frames succeed, then the 6th frame fails.
    host.failAllocationsAfter(7);
    expect(() => as.mapAlloc(0x8000_0000, 16 * K4, RW, true)).toThrow(
      /no host frame for GPA:0x8000_5000/,
    );
    expect(used()).toBe(base);
    expect(as.areas()).toEqual([]);
    expect(as.translate(0x8000_0000)).toBeNull();
    host.clearAllocationFaults();
    as.mapAlloc(0x8000_0000, 16 * K4, RW, true);
    expect(used()).toBe(base + 16 + 2);
  });

  it("frees the frame when the page table cannot grow during a lazy fault", () => {
    const as = sv39x4Space();
    as.mapAlloc(0x8000_0000, 4 * K4, RW, false);
    const base = used();
    host.failAllocationsAfter(1); // the data frame succeeds, the first table fails
    expect(axKind(() => as.handlePageFault(0x8000_0000, F.WRITE))).toBe("NoMemory");
    expect(used()).toBe(base);
    host.clearAllocationFaults();
    host.failNextAllocations(1); // now the data frame itself fails
    expect(axKind(() => as.handlePageFault(0x8000_0000, F.WRITE))).toBe("NoMemory");
    expect(used()).toBe(base);
    expect(as.handlePageFault(0x8000_0000, F.WRITE)).toBe(true);
  });
});

describe("lazy population in groups and blocks", () => {
  it("maps a whole 2 MiB block on the first fault when the area covers it", () => {
    const as = sv39x4Space();
    as.mapAlloc(0x8000_0000, 2 * M2, RW, false);
    const base = used();
    expect(as.handlePageFault(0x8012_3456, F.WRITE)).toBe(true);
    const t = as.translateAndGetLimit(0x8000_0000)!;
    expect(t.limit).toBe(M2);
    expect(t.hpa % M2).toBe(0);
    expect(used()).toBe(base + 512 + 1); // one 2 MiB run and the table holding its entry
    expect(as.translate(0x8020_0000)).toBeNull(); // the next block waits for its own fault
    expect(walkSv39x4(host.ram, RAM_BASE, as.pageTableRoot(), 0x801f_f008)!.hpa).toBe(
      t.hpa + 0x1f_f008,
    );
    // Unmapping part of the block splits it and frees exactly the frames it covered.
    as.unmap(0x8010_0000, 0x1_0000);
    expect(as.translate(0x8010_8000)).toBeNull();
    expect(as.translate(0x8011_0000)).toBe(t.hpa + 0x11_0000);
    expect(used()).toBe(base + 512 - 16 + 2); // plus the leaf table of the split
    as.destroy();
    expect(used()).toBe(0);
  });

  it("falls back to the 64 KiB group when the block is partly mapped or not in the area", () => {
    const as = sv39x4Space();
    // Starts 4 KiB into a block: no 2 MiB block fits the area there.
    as.mapAlloc(0x8000_1000, M2, RW, false);
    const base = used();
    expect(as.handlePageFault(0x8000_5000, F.READ)).toBe(true);
    // GPAs 0x8000_1000..0x8001_0000: 15 pages, two tables.
    expect(used()).toBe(base + 15 + 2);
    expect(as.translateAndGetLimit(0x8000_1000)!.limit).toBe(K4);
    expect(as.translate(0x8001_0000)).toBeNull();
    expect(as.translate(0x8000_0000)).toBeNull();
    // The second block (0x8020_0000..) is only partly in the area: groups again.
    expect(as.handlePageFault(0x8020_0000, F.READ)).toBe(true);
    expect(as.translate(0x8020_0000)).not.toBeNull();
    expect(as.translate(0x8020_1000)).toBeNull(); // the area's end
    as.destroy();
    expect(used()).toBe(0);
  });

  it("uses 4 KiB groups when the host has no free 2 MiB run, and serves the fault", () => {
    const as = sv39x4Space();
    as.mapAlloc(0x8000_0000, 4 * M2, RW, false);
    // Take every 2 MiB-aligned run away by holding one frame in each.
    const held: number[] = [];
    for (let at = RAM_BASE; at < RAM_BASE + 32 * 1024 * 1024; at += M2) {
      const f = host.memory.allocContiguousFrames(1, M2);
      if (f !== null) held.push(f);
    }
    const base = used();
    expect(as.handlePageFault(0x8040_0000, F.WRITE)).toBe(true);
    expect(as.translateAndGetLimit(0x8040_0000)!.limit).toBe(K4);
    expect(used()).toBe(base + 16 + 2);
    // Neighbours are best effort: with two frames left (its page and a leaf table) only the
    // faulting page is mapped.
    host.failAllocationsAfter(2);
    expect(as.handlePageFault(0x8060_0000, F.WRITE)).toBe(true);
    expect(as.translate(0x8060_0000)).not.toBeNull();
    expect(as.translate(0x8060_1000)).toBeNull();
    host.clearAllocationFaults();
    for (const f of held) host.memory.deallocFrame(f as never);
    as.destroy();
    expect(used()).toBe(0);
  });

  it("never shows a guest the data another space left in the frames it gets", () => {
    const first = sv39x4Space();
    first.mapAlloc(0x8000_0000, 4 * M2, RW, false);
    first.mapAlloc(0x9000_0000, 0x3_0000, RW, false);
    const secret = new Uint8Array(4 * M2).fill(0xa5);
    expect(first.write(0x8000_0000, secret).ok).toBe(true);
    expect(first.write(0x9000_0000, secret.subarray(0, 0x3_0000)).ok).toBe(true);
    first.destroy();
    // Blocks, groups and single pages of a second space reuse those frames: all read zero.
    const second = sv39x4Space();
    second.mapAlloc(0x8000_0000, 4 * M2, RW, false);
    second.mapAlloc(0xa000_1000, M2, RW, false);
    for (const at of [0x8000_0000, 0x8030_0000, 0xa000_1000, 0xa010_0000]) {
      expect(second.handlePageFault(at, F.READ)).toBe(true);
    }
    const seen = [...second.areas()].flatMap((a) => {
      const spans: Uint8Array[] = [];
      for (let at: number = a.start; at < a.end; at += K4) {
        const hpa = second.translate(at);
        if (hpa !== null) spans.push(host.memory.hostBuffer(hpa as never, K4));
      }
      return spans;
    });
    expect(seen.length).toBeGreaterThan(1024);
    expect(seen.every((page) => page.every((b) => b === 0))).toBe(true);
    second.destroy();
  });
});

describe("guest memory access", () => {
  it("reads and writes across page and area boundaries through host memory", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, M2, RWX);
    as.mapAlloc(0x8020_0000, 4 * K4, RW, false);
    const data = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    // 16 bytes at the end of the linear area, 16 in the first (lazy) page of the alloc area.
    expect(as.write(0x801f_fff0, data).ok).toBe(true);
    expect([...host.ram.subarray(0x0120_0000 - 16, 0x0120_0000)]).toEqual([
      ...data.subarray(0, 16),
    ]);
    const lazy = as.translate(0x8020_0000)!;
    expect(lazy).not.toBeNull();
    expect([...host.ram.subarray(lazy - RAM_BASE, lazy - RAM_BASE + 16)]).toEqual([
      ...data.subarray(16),
    ]);
    expect([...unwrapOk(as.read(0x801f_fff0, 32))]).toEqual([...data]);
    // Across a 4 KiB boundary inside the alloc area: two different frames.
    expect(as.write(0x8020_0ffe, Uint8Array.of(0xaa, 0xbb, 0xcc)).ok).toBe(true);
    const second = as.translate(0x8020_1000)!;
    expect(host.ram[lazy - RAM_BASE + 0xffe]).toBe(0xaa);
    expect(host.ram[lazy - RAM_BASE + 0xfff]).toBe(0xbb);
    expect(host.ram[second - RAM_BASE]).toBe(0xcc);
  });

  it("populates lazy pages on read and returns zeros", () => {
    const as = sv39x4Space();
    as.mapAlloc(0x8000_0000, 2 * K4, F.READ, false);
    const base = used();
    expect([...unwrapOk(as.read(0x8000_0ffc, 8))]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(used()).toBe(base + 2 + 2);
  });

  it("writes nothing when any byte of the span is unmapped", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, K4, RW);
    const r = as.write(0x8000_0ffe, Uint8Array.of(1, 2, 3, 4));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe("BadAddress");
      expect(r.error.message).toMatch(/GPA:0x8000_1000: no memory area/);
    }
    expect(host.ram[0x0100_0ffe]).toBe(0);
    const outside = as.read(2 ** 41 - 2, 4);
    expect(outside.ok || outside.error.kind).toBe("BadAddress");
  });

  it("returns BadAddress, not an exception, for linear areas outside host RAM", () => {
    const as = sv39x4Space();
    as.mapLinear(0x1000_0000, 0x1000_0000, K4, RW | F.DEVICE); // an MMIO passthrough window
    const r = as.readU32(0x1000_0000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("BadAddress");
  });

  it("has little-endian scalar accessors", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, 2 * K4, RW);
    expect(as.writeU32(0x8000_0ffe, 0x1122_3344).ok).toBe(true);
    expect([...host.ram.subarray(0x0100_0ffe, 0x0100_1002)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(unwrapOk(as.readU16(0x8000_0ffe))).toBe(0x3344);
    expect(as.writeU64(0x8000_0010, 0xfedc_ba98_7654_3210n).ok).toBe(true);
    expect(host.ram[0x0100_0010]).toBe(0x10);
    expect(host.ram[0x0100_0017]).toBe(0xfe);
    expect(unwrapOk(as.readU64(0x8000_0010))).toBe(0xfedc_ba98_7654_3210n);
    expect(unwrapOk(as.readU32(0x8000_0014))).toBe(0xfedc_ba98);
    expect(as.writeU8(0x8000_0020, 0x7f).ok).toBe(true);
    expect(unwrapOk(as.readU8(0x8000_0020))).toBe(0x7f);
    expect(as.writeU64(0x8000_0018, -1n).ok).toBe(true);
    expect(unwrapOk(as.readU64(0x8000_0018))).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe("teardown", () => {
  it("destroy frees every frame: tables, root and allocated memory", () => {
    const as = sv39x4Space();
    as.mapLinear(0x8000_0000, 0x8100_0000, 3 * M2, RWX);
    as.mapAlloc(0x9000_0000, 16 * K4, RW, true);
    as.mapAlloc(0xa000_0000, 16 * K4, RW, false);
    expect(as.handlePageFault(0xa000_5000, F.READ)).toBe(true);
    as.unmap(0x8000_1000, K4); // forces a huge-page split: one more table
    expect(used()).toBeGreaterThan(4 + 16 + 1);
    as.destroy();
    expect(used()).toBe(0);
    expect(host.memory.outstandingFrames).toBe(0);
    expect(axKind(() => as.mapLinear(0, 0, K4, F.READ))).toBe("BadState");
    expect(as.read(0x8000_0000, 4).ok).toBe(false);
  });

  it("works the same over ARM stage-2 and EPT tables", () => {
    for (const format of ["arm-s2-l3", "arm-s2-l4", "ept-l4", "sv48x4"] as const) {
      const as = AddrSpace.create({ base: 0, size: 2 ** 39, format, memory: host.memory });
      as.mapLinear(0x4000_0000, 0x8100_0000, M2 + K4, RWX);
      as.mapAlloc(0x5000_0000, 2 * K4, RW, false);
      expect(as.write(0x5000_0ffe, Uint8Array.of(9, 8, 7)).ok).toBe(true);
      expect([...unwrapOk(as.read(0x5000_0ffe, 3))]).toEqual([9, 8, 7]);
      expect(as.translate(0x4020_0004)).toBe(0x8120_0004);
      as.destroy();
      expect(used()).toBe(0);
    }
  });
});
