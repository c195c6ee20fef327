import { describe, expect, it } from "vitest";
import { Htif } from "./htif.js";

function setup(input: number[] = []) {
  const mem = new Map<number, bigint>();
  const bytes = new Map<number, number>();
  const out: number[] = [];
  const exits: number[] = [];
  const htif = new Htif(
    {
      load: (a) => mem.get(a) ?? 0n,
      store: (a, _w, v) => {
        mem.set(a, v);
        return true;
      },
      readRam: (a, n) => Uint8Array.from({ length: n }, (_, k) => bytes.get(a + k) ?? 0),
    },
    0x8000_1000,
    0x8000_1040,
    { putBytes: (b) => out.push(...b), exit: (c) => exits.push(c), getchar: () => input.shift() },
  );
  return { htif, mem, bytes, out, exits };
}

describe("Htif", () => {
  it("exits with payload >> 1 when the low bit is set (riscv-tests convention)", () => {
    const t = setup();
    t.mem.set(0x8000_1000, 1n);
    expect(t.htif.poll()).toBe(true);
    t.mem.set(0x8000_1000, (5n << 1n) | 1n);
    t.htif.poll();
    expect(t.exits).toEqual([0, 5]);
  });

  it("prints device 1 command 1 bytes and acknowledges in fromhost", () => {
    const t = setup();
    t.mem.set(0x8000_1000, (1n << 56n) | (1n << 48n) | 0x41n);
    t.htif.poll();
    expect(t.out).toEqual([0x41]);
    expect(t.mem.get(0x8000_1000)).toBe(0n);
    expect(t.mem.get(0x8000_1040)).toBe((1n << 56n) | (1n << 48n));
    expect(t.htif.poll()).toBe(false);
  });

  it("serves the write syscall from a magic_mem block", () => {
    const t = setup();
    const block = 0x8000_2000;
    [64n, 1n, 0x8000_3000n, 3n].forEach((v, k) => {
      t.mem.set(block + 8 * k, v);
    });
    [0x61, 0x62, 0x63].forEach((c, k) => {
      t.bytes.set(0x8000_3000 + k, c);
    });
    t.mem.set(0x8000_1000, BigInt(block));
    t.htif.poll();
    expect(t.out).toEqual([0x61, 0x62, 0x63]);
    expect(t.mem.get(block)).toBe(3n);
    expect(t.mem.get(0x8000_1040)).toBe(1n);
  });

  it("answers getchar when input arrives", () => {
    const input: number[] = [];
    const t = setup(input);
    t.mem.set(0x8000_1000, 1n << 56n);
    t.htif.poll();
    expect(t.mem.get(0x8000_1040) ?? 0n).toBe(0n);
    input.push(0x7a);
    t.htif.poll();
    expect(t.mem.get(0x8000_1040)).toBe((1n << 56n) | 0x7an);
  });
});
