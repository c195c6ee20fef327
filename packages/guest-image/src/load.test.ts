import { describe, expect, it } from "vitest";
import { parseElf64 } from "./elf.js";
import { buildElf } from "./elf-builder.fixture.js";
import { loadElf, loadRaw, zeroFill } from "./load.js";

/** A fake 1 MiB memory at 0x8000_0000, pre-filled with 0xee so zero-fill is visible. */
function memory() {
  const base = 0x8000_0000;
  const ram = new Uint8Array(0x10_0000).fill(0xee);
  const writes: [number, number][] = [];
  const write = (paddr: number, bytes: Uint8Array) => {
    writes.push([paddr, bytes.length]);
    ram.set(bytes, paddr - base);
  };
  const at = (paddr: number, n: number) => [...ram.subarray(paddr - base, paddr - base + n)];
  return { write, at, writes };
}

describe("loadElf", () => {
  it("copies file bytes to p_paddr and zeroes bss up to memsz", () => {
    const elf = parseElf64(
      buildElf({
        entry: 0x8000_0000n,
        segments: [
          { vaddr: 0x8000_0000, flags: 5, data: new Uint8Array([0xaa, 0xbb]) },
          {
            vaddr: 0xffff_0000,
            paddr: 0x8000_2000,
            flags: 6,
            data: new Uint8Array([7, 8, 9]),
            memsz: 8,
          },
        ],
      }),
    );
    const m = memory();
    const loaded = loadElf(elf, m.write);
    expect(loaded).toEqual({ entry: 0x8000_0000, low: 0x8000_0000, high: 0x8000_2008 });
    expect(m.at(0x8000_0000, 3)).toEqual([0xaa, 0xbb, 0xee]);
    expect(m.at(0x8000_2000, 9)).toEqual([7, 8, 9, 0, 0, 0, 0, 0, 0xee]);
  });

  it("can load at p_vaddr and with a bias", () => {
    const elf = parseElf64(
      buildElf({
        entry: 0x4n,
        segments: [
          { vaddr: 0x0, paddr: 0x9000, flags: 5, data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
        ],
      }),
    );
    const m = memory();
    const loaded = loadElf(elf, m.write, { useVaddr: true, bias: 0x8000_0100 });
    expect(loaded.entry).toBe(0x8000_0104);
    expect(m.at(0x8000_0100, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("zero-fills large bss in bounded chunks", () => {
    const m = memory();
    zeroFill(m.write, 0x8000_0000, 0x2_0001);
    expect(m.writes).toEqual([
      [0x8000_0000, 0x1_0000],
      [0x8001_0000, 0x1_0000],
      [0x8002_0000, 1],
    ]);
    expect(m.at(0x8002_0000, 2)).toEqual([0, 0xee]);
  });
});

describe("loadRaw", () => {
  it("places the bytes at the load address and enters at their start", () => {
    const m = memory();
    expect(loadRaw(new Uint8Array([5, 6, 7]), 0x8002_0000, m.write)).toEqual({
      entry: 0x8002_0000,
      low: 0x8002_0000,
      high: 0x8002_0003,
    });
    expect(m.at(0x8002_0000, 4)).toEqual([5, 6, 7, 0xee]);
  });
});
