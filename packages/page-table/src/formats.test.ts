/**
 * Exact entry encodings, worked out by hand from the specifications. Every test host hands
 * out frames from 0x8000_0000 upwards, so the table addresses below are predictable: the
 * root first, then one frame per new table in the order the walk creates them.
 *
 * RISC-V PTE (privileged spec, Sv39/Sv48 and the H extension's Sv39x4/Sv48x4):
 *   V=bit0 R=1 W=2 X=3 U=4 G=5 A=6 D=7, PPN (= PA >> 12) in bits 53:10, so the address
 *   part of an entry is PA >> 2. Table pointers: V only.
 * ARMv8 stage-2 (4 KiB granule): valid bit0; bit1 = table (levels 0-2) or page (level 3);
 *   MemAttr[5:2]; S2AP[7:6] (6 read, 7 write); SH[9:8]; AF bit10; XN bit54; OA bits 47:12.
 * Intel EPT: R0 W1 X2, memtype[5:3], IPAT6, PS7, A8 D9, PA bits 51:12.
 */
import { AxError } from "@axvisor/axerrno";
import { createTestHost, type TestHost } from "@axvisor/axvisor-api/testing";
import { MappingFlags as F } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { PageSize } from "./page-size.js";
import { PageTable64 } from "./page-table64.js";
import { entryAt, joinRaw } from "./test-support/raw.js";

const RWX = F.READ | F.WRITE | F.EXECUTE;

function expectAxError(fn: () => unknown, kind: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(AxError.is(caught), `expected an AxError, got ${String(caught)}`).toBe(true);
  expect((caught as AxError).kind).toBe(kind);
  if (pattern) expect((caught as AxError).message).toMatch(pattern);
}

let host: TestHost;
beforeEach(() => {
  host = createTestHost({ ramBase: 0x8000_0000, ramSize: 4 * 1024 * 1024 });
});

describe("Sv39x4 (RISC-V G-stage, hgatp MODE 8)", () => {
  it("maps GPA 0x8020_0000 -> HPA 0x8460_0000 RWX+U through a 16 KiB root", () => {
    const pt = PageTable64.create("sv39x4", host.memory);
    expect(pt.root).toBe(0x8000_0000);
    expect(pt.info.riscvMode).toBe(8);
    pt.map(0x8020_0000, 0x8460_0000, PageSize.Size4K, RWX | F.USER);
    // Root (16 KiB, frames 0x8000_0000..0x8000_3fff) index = GPA[40:30] = 0x8020_0000 >> 30 = 2.
    // Level-1 table = first new frame 0x8000_4000, index = GPA[29:21] = 0x401 & 0x1ff = 1.
    // Level-0 table = 0x8000_5000, index = GPA[20:12] = 0x80200 & 0x1ff = 0.
    // Root[2] -> 0x8000_4000: (0x8000_4000 >> 2) | V = 0x2000_1000 | 1.
    expect(entryAt(host, 0x8000_0000, 2)).toBe(0x0000_0000_2000_1001n);
    // L1[1] -> 0x8000_5000: (0x8000_5000 >> 2) | V = 0x2000_1400 | 1.
    expect(entryAt(host, 0x8000_4000, 1)).toBe(0x0000_0000_2000_1401n);
    // Leaf: (0x8460_0000 >> 2) = 0x2118_0000 | D A U X W R V = 0x80|0x40|0x10|8|4|2|1 = 0xdf.
    expect(entryAt(host, 0x8000_5000, 0)).toBe(0x0000_0000_2118_00dfn);
    expect(host.frameStats().used).toBe(6);
  });

  it("sets U on every G-stage leaf even without MappingFlags.USER, and D only when writable", () => {
    const pt = PageTable64.create("sv39x4", host.memory);
    pt.map(0x1000, 0x8123_4000, PageSize.Size4K, F.READ | F.EXECUTE);
    // Tables 0x8000_4000 (L1) and 0x8000_5000 (L0); GPA 0x1000 -> indices 0, 0, 1.
    // (0x8123_4000 >> 2) = 0x2048_d000 | A U X R V = 0x40|0x10|8|2|1 = 0x5b.
    expect(entryAt(host, 0x8000_5000, 1)).toBe(0x0000_0000_2048_d05bn);
    expect(pt.query(0x1abc)).toEqual({
      paddr: 0x8123_4abc,
      flags: F.READ | F.EXECUTE | F.USER,
      size: PageSize.Size4K,
    });
  });

  it("uses the two extra root index bits for GPAs at and above 2^39 (1 GiB leaf in the root)", () => {
    const pt = PageTable64.create("sv39x4", host.memory);
    pt.map(2 ** 40, 0xc000_0000, PageSize.Size1G, F.READ | F.WRITE);
    // Root index = 2^40 >> 30 = 1024, at byte 0x2000 of the root (its third frame).
    // (0xc000_0000 >> 2) = 0x3000_0000 | D A U W R V = 0xd7.
    expect(entryAt(host, 0x8000_0000, 1024)).toBe(0x0000_0000_3000_00d7n);
    expectAxError(
      () => pt.map(2 ** 40 + 2 ** 30, 0x9000_0000, PageSize.Size1G, F.READ),
      "InvalidInput",
      /not 1 GiB aligned/,
    );
    pt.map(2 ** 41 - 0x1000, 0x8000_0000, PageSize.Size4K, F.READ);
    expect(pt.query(2 ** 41 - 1)?.paddr).toBe(0x8000_0fff);
    expectAxError(
      () => pt.map(2 ** 41, 0x8000_0000, PageSize.Size4K, F.READ),
      "InvalidInput",
      /outside \[0, 0x200_0000_0000\)/,
    );
    expect(pt.query(2 ** 41)).toBeNull();
  });

  it("puts physical addresses above 4 GiB into both halves of the entry", () => {
    const pt = PageTable64.create("sv39x4", host.memory);
    pt.map(0x2000, 0x12_3456_7000, PageSize.Size4K, F.READ | F.EXECUTE);
    // 0x12_3456_7000 >> 2 = 0x4_8d15_9c00; | A U X R V (0x5b).
    expect(entryAt(host, 0x8000_5000, 2)).toBe(0x0000_0004_8d15_9c5bn);
    expect(pt.query(0x2008)?.paddr).toBe(0x12_3456_7008);
  });

  it("aligns the root to 16 KiB even when the next free frame is not", () => {
    const first = host.memory.allocFrame();
    expect(first).toBe(0x8000_0000);
    const pt = PageTable64.create("sv39x4", host.memory);
    expect(pt.root).toBe(0x8000_4000);
    // The three frames skipped for alignment stay free.
    expect(host.memory.allocFrame()).toBe(0x8000_1000);
  });

  it("refuses write-only mappings, which RISC-V reserves", () => {
    const pt = PageTable64.create("sv39x4", host.memory);
    expectAxError(
      () => pt.map(0, 0x8000_0000, PageSize.Size4K, F.WRITE),
      "InvalidInput",
      /write-only/,
    );
  });

  it("encodes DEVICE/UNCACHED as Svpbmt IO/NC only when asked to", () => {
    const plain = PageTable64.create("sv39x4", host.memory);
    plain.map(0x1000_0000, 0x1000_0000, PageSize.Size4K, F.READ | F.WRITE | F.DEVICE);
    expect(plain.query(0x1000_0000)?.flags).toBe(F.READ | F.WRITE | F.USER);
    const pbmt = PageTable64.create("sv39x4", host.memory, { svpbmt: true });
    pbmt.map(0x1000_0000, 0x1000_0000, PageSize.Size4K, F.READ | F.WRITE | F.DEVICE);
    pbmt.map(0x1000_1000, 0x1000_1000, PageSize.Size4K, F.READ | F.UNCACHED);
    const leaves: bigint[] = [];
    pbmt.walk((e) => leaves.push(joinRaw(e.raw)));
    // (0x1000_0000 >> 2) = 0x0400_0000 | D A U W R V (0xd7); PBMT=IO(2) in bits 62:61.
    // (0x1000_1000 >> 2) = 0x0400_0400 | A U R V (0x53); PBMT=NC(1).
    expect(leaves).toEqual([0x4000_0000_0400_00d7n, 0x2000_0000_0400_0453n]);
    expect(pbmt.query(0x1000_0000)?.flags).toBe(F.READ | F.WRITE | F.USER | F.DEVICE);
    expect(pbmt.query(0x1000_1000)?.flags).toBe(F.READ | F.USER | F.UNCACHED);
  });
});

describe("Sv48x4 (RISC-V G-stage, hgatp MODE 9)", () => {
  it("maps a 2 MiB page above 2^49 through the 2048-entry root", () => {
    const pt = PageTable64.create("sv48x4", host.memory);
    expect(pt.info.riscvMode).toBe(9);
    expect(pt.info.inputBits).toBe(50);
    const gpa = 2 ** 49 + 0x20_0000;
    pt.map(gpa, 0x8040_0000, PageSize.Size2M, RWX);
    // Root index = GPA[49:39] = 2^49 >> 39 = 1024; L2 index = GPA[38:30] = 0;
    // L1 index = GPA[29:21] = 1. Tables: L2 0x8000_4000, L1 0x8000_5000.
    expect(entryAt(host, 0x8000_0000, 1024)).toBe(0x2000_1001n);
    expect(entryAt(host, 0x8000_4000, 0)).toBe(0x2000_1401n);
    // (0x8040_0000 >> 2) = 0x2010_0000 | D A U X W R V = 0xdf.
    expect(entryAt(host, 0x8000_5000, 1)).toBe(0x2010_00dfn);
    expect(pt.query(gpa + 0x1_2345)).toEqual({
      paddr: 0x8041_2345,
      flags: RWX | F.USER,
      size: PageSize.Size2M,
    });
    expectAxError(() => pt.map(2 ** 50, 0, PageSize.Size4K, F.READ), "InvalidInput", /outside/);
  });
});

describe("Sv39 and Sv48 (satp-style, sign-extended virtual addresses)", () => {
  it("maps the upper half through the upper root entries and leaves U to MappingFlags.USER", () => {
    const pt = PageTable64.create("sv39", host.memory);
    // VA 0xffff_ffc0_0000_0000 = -2^38; as a 39-bit index-space address 2^38 -> root index 256.
    pt.map(-(2 ** 38), 0x8000_0000, PageSize.Size1G, RWX);
    // (0x8000_0000 >> 2) = 0x2000_0000 | D A X W R V = 0xcf (no U).
    expect(entryAt(host, 0x8000_0000, 256)).toBe(0x2000_00cfn);
    pt.map(0x1000, 0x8123_4000, PageSize.Size4K, F.READ | F.USER);
    // Tables 0x8000_1000 (L1), 0x8000_2000 (L0); 0x2048_d000 | A U R V = 0x53.
    expect(entryAt(host, 0x8000_2000, 1)).toBe(0x2048_d053n);
    // 2^38 itself is not canonical in Sv39.
    expectAxError(
      () => pt.map(2 ** 38, 0, PageSize.Size4K, F.READ),
      "InvalidInput",
      /sign-extended 39-bit/,
    );
  });

  it("walks Sv48 in table order: the lower half first, the negative upper half last", () => {
    const pt = PageTable64.create("sv48", host.memory);
    pt.map(-0x1000, 0x8765_4000, PageSize.Size4K, F.READ);
    pt.map(0x7fff_ffff_f000, 0x8765_5000, PageSize.Size4K, F.READ);
    pt.map(0x1000, 0x8765_6000, PageSize.Size4K, F.READ);
    const seen: [number, bigint][] = [];
    pt.walk((e) => seen.push([e.vaddr, joinRaw(e.raw)]));
    // Leaves: PA >> 2 | A R V (0x43). 0x8765_4000 >> 2 = 0x21d9_5000, etc.
    expect(seen).toEqual([
      [0x1000, 0x21d9_5843n],
      [0x7fff_ffff_f000, 0x21d9_5443n],
      [-0x1000, 0x21d9_5043n],
    ]);
    // VA -0x1000 = 0xffff_ffff_ffff_f000: every index 0x1ff. Root 0x8000_0000, then its
    // tables 0x8000_1000 (L2), 0x8000_2000 (L1), 0x8000_3000 (L0).
    expect(entryAt(host, 0x8000_0000, 0x1ff)).toBe(0x2000_0401n);
    expect(entryAt(host, 0x8000_3000, 0x1ff)).toBe(0x21d9_5043n);
  });

  it("maps regions that cross from the upper half through zero", () => {
    const pt = PageTable64.create("sv39", host.memory);
    pt.mapRegion(-0x2000, 0x8010_0000, 0x4000, F.READ, false);
    const vas: number[] = [];
    pt.walk((e) => vas.push(e.vaddr));
    expect(vas).toEqual([0, 0x1000, -0x2000, -0x1000]);
    expect(pt.query(0x1000)?.paddr).toBe(0x8010_3000);
    expect(pt.unmapRegion(-0x2000, 0x4000)).toBe(0x4000);
    expect(host.frameStats().used).toBe(1);
  });
});

describe("ARMv8 stage 2, 3 levels (40-bit IPA from level 1, two concatenated root tables)", () => {
  it("encodes table, page and block descriptors", () => {
    const pt = PageTable64.create("arm-s2-l3", host.memory);
    expect(pt.info.vtcr).toEqual({ t0sz: 24, sl0: 1 });
    expect(pt.root).toBe(0x8000_0000); // 8 KiB, 8 KiB aligned
    const ipa = 0xc0_0020_3000;
    pt.map(ipa, 0x1_2345_6000, PageSize.Size4K, F.READ | F.WRITE);
    // Level-1 index = IPA[39:30] = 0x300 (768: in the second concatenated table).
    // Level-2 table 0x8000_2000, index IPA[29:21] = 0x60001 & 0x1ff = 1.
    // Level-3 table 0x8000_3000, index IPA[20:12] = 0xc000203 & 0x1ff = 3.
    // Table descriptors: address | 0b11.
    expect(entryAt(host, 0x8000_0000, 768)).toBe(0x8000_2003n);
    expect(entryAt(host, 0x8000_2000, 1)).toBe(0x8000_3003n);
    // Page: valid 1 | page 2 | MemAttr 0b1111<<2 = 0x3c | S2AP RW 0xc0 | SH 0b11<<8 = 0x300 |
    // AF 0x400 = 0x7ff; XN (bit 54, not executable) = 0x0040_0000 in the high word; OA 0x1_2345_6000.
    expect(entryAt(host, 0x8000_3000, 3)).toBe(0x0040_0001_2345_67ffn);

    // Device-nGnRE page: valid|page 3 | MemAttr 0b0001<<2 = 4 | S2AP RW 0xc0 | SH 0 | AF 0x400.
    pt.map(0x0900_0000, 0x0900_0000, PageSize.Size4K, F.READ | F.WRITE | F.DEVICE);
    // 2 MiB block, Normal-NC, executable: valid 1 | MemAttr 0b0101<<2 = 0x14 | 0xc0 | 0x300 | 0x400.
    pt.map(0x4000_0000, 0x4000_0000, PageSize.Size2M, RWX | F.UNCACHED);
    // 1 GiB block in the level-1 table, read+execute: 1 | 0x3c | 0x40 | 0x300 | 0x400 = 0x77d.
    pt.map(0x80_0000_0000, 0x80_0000_0000, PageSize.Size1G, F.READ | F.EXECUTE);
    const leaves: [number, bigint, number][] = [];
    pt.walk((e) => leaves.push([e.vaddr, joinRaw(e.raw), e.flags]));
    expect(leaves).toEqual([
      [0x0900_0000, 0x0040_0000_0900_04c7n, F.READ | F.WRITE | F.DEVICE],
      [0x4000_0000, 0x0000_0000_4000_07d5n, RWX | F.UNCACHED],
      [0x80_0000_0000, 0x0000_0080_0000_077dn, F.READ | F.EXECUTE],
      [ipa, 0x0040_0001_2345_67ffn, F.READ | F.WRITE],
    ]);
    expectAxError(() => pt.map(2 ** 40, 0, PageSize.Size4K, F.READ), "InvalidInput", /outside/);
  });

  it("allows write-only and execute-only stage-2 permissions", () => {
    const pt = PageTable64.create("arm-s2-l3", host.memory);
    pt.map(0x1000, 0x2000, PageSize.Size4K, F.WRITE);
    pt.map(0x2000, 0x3000, PageSize.Size4K, F.EXECUTE);
    expect(pt.query(0x1000)?.flags).toBe(F.WRITE);
    expect(pt.query(0x2000)?.flags).toBe(F.EXECUTE);
  });
});

describe("ARMv8 stage 2, 4 levels (48-bit IPA from level 0)", () => {
  it("maps the top of the IPA space to the top of the 48-bit PA space", () => {
    const pt = PageTable64.create("arm-s2-l4", host.memory);
    expect(pt.info.vtcr).toEqual({ t0sz: 16, sl0: 2 });
    pt.map(0xffff_ffff_f000, 0xffff_ffff_f000, PageSize.Size4K, RWX);
    // Every index is 0x1ff. Tables 0x8000_1000 (L1), 0x8000_2000 (L2), 0x8000_3000 (L3).
    expect(entryAt(host, 0x8000_0000, 0x1ff)).toBe(0x8000_1003n);
    expect(entryAt(host, 0x8000_2000, 0x1ff)).toBe(0x8000_3003n);
    // 3 | 0x3c | 0xc0 | 0x300 | 0x400 = 0x7ff, no XN; OA bits 47:12 all ones.
    expect(entryAt(host, 0x8000_3000, 0x1ff)).toBe(0x0000_ffff_ffff_f7ffn);
    expectAxError(
      () => pt.map(0x1000, 2 ** 48, PageSize.Size4K, F.READ),
      "InvalidInput",
      /48-bit output range/,
    );
  });
});

describe("Intel EPT, 4 levels", () => {
  it("encodes table entries as RWX and leaves with memory type and PS", () => {
    const pt = PageTable64.create("ept-l4", host.memory);
    expect(pt.info.eptWalkLengthMinus1).toBe(3);
    pt.map(0xfee0_0000, 0xfee0_0000, PageSize.Size4K, F.READ | F.WRITE | F.DEVICE);
    // PML4 index 0, PDPT index GPA[38:30] = 3, PD index GPA[29:21] = 0x7f7 & 0x1ff = 0x1f7,
    // PT index GPA[20:12] = 0xfee00 & 0x1ff = 0. Tables 0x8000_1000, 0x8000_2000, 0x8000_3000.
    expect(entryAt(host, 0x8000_0000, 0)).toBe(0x8000_1007n);
    expect(entryAt(host, 0x8000_1000, 3)).toBe(0x8000_2007n);
    expect(entryAt(host, 0x8000_2000, 0x1f7)).toBe(0x8000_3007n);
    // R|W = 3, memtype UC (0), no PS on a 4 KiB leaf.
    expect(entryAt(host, 0x8000_3000, 0)).toBe(0xfee0_0003n);

    // 2 MiB WB RWX: 7 | 6<<3 = 0x30 | PS 0x80 = 0xb7. 1 GiB WB R+X: 5 | 0x30 | 0x80 = 0xb5.
    pt.map(0x20_0000, 0x1_0020_0000, PageSize.Size2M, RWX);
    pt.map(0x40_0000_0000, 0x4000_0000, PageSize.Size1G, F.READ | F.EXECUTE);
    // 4 KiB WB R with a PA in bits 51:12: 1 | 0x30 = 0x31.
    pt.map(0x1000, 0xf_ffff_ffff_f000, PageSize.Size4K, F.READ);
    const leaves: [number, bigint][] = [];
    pt.walk((e) => leaves.push([e.vaddr, joinRaw(e.raw)]));
    expect(leaves).toEqual([
      [0x1000, 0x000f_ffff_ffff_f031n],
      [0x20_0000, 0x0000_0001_0020_00b7n],
      [0xfee0_0000, 0x0000_0000_fee0_0003n],
      [0x40_0000_0000, 0x0000_0000_4000_00b5n],
    ]);
    expect(pt.query(0xfee0_0000)?.flags).toBe(F.READ | F.WRITE | F.DEVICE | F.UNCACHED);
    expectAxError(() => pt.map(2 ** 48, 0, PageSize.Size4K, F.READ), "InvalidInput", /outside/);
  });

  it("refuses writable-but-unreadable mappings (an EPT misconfiguration)", () => {
    const pt = PageTable64.create("ept-l4", host.memory);
    expectAxError(
      () => pt.map(0, 0, PageSize.Size4K, F.WRITE | F.EXECUTE),
      "InvalidInput",
      /misconfiguration/,
    );
  });
});
