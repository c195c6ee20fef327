import { describe, expect, it } from "vitest";
import { MmioDecodeCache } from "./mmio-decode-cache.js";

const PM32 = { long: false, default32: true };
const LONG = { long: true, default32: true };
const REAL = { long: false, default32: false };

/** `mov [disp32], ecx` (89 0D) and the same with EBX (89 1D), as a guest's code page holds them. */
const STORE_ECX = [0x89, 0x0d, 0x00, 0x00, 0xc0, 0xfe];
const STORE_EBX = [0x89, 0x1d, 0x00, 0x00, 0xc0, 0xfe];

/** A page of code with `bytes` at `at`, the rest NOPs. */
function page(bytes: number[], at: number): Uint8Array {
  const p = new Uint8Array(4096).fill(0x90);
  p.set(bytes, at);
  return p;
}

describe("MmioDecodeCache", () => {
  it("answers the same instruction at the same RIP from the cache", () => {
    const c = new MmioDecodeCache();
    const code = page(STORE_ECX, 0x100);
    const first = c.decode(code, 0x100, 15, 0x8100, PM32);
    expect(first).toMatchObject({ kind: "store", width: 4, reg: 1, length: 6 });
    expect(c.decode(code, 0x100, 15, 0x8100, PM32)).toBe(first);
    expect(c.hits).toBe(1);
    expect(c.misses).toBe(1);
  });

  it("decodes afresh when the guest rewrote the instruction in place", () => {
    const c = new MmioDecodeCache();
    const code = page(STORE_ECX, 0x100);
    c.decode(code, 0x100, 15, 0x8100, PM32);
    code[0x101] = 0x1d;
    expect(c.decode(code, 0x100, 15, 0x8100, PM32)).toMatchObject({ reg: 3 });
    // Only the instruction's own bytes count: what follows it may change freely.
    code[0x106] = 0xcc;
    expect(c.decode(code, 0x100, 15, 0x8100, PM32)).toMatchObject({ reg: 3 });
    expect(c.hits).toBe(1);
    expect(c.misses).toBe(2);
  });

  it("decodes afresh when the same linear RIP now maps other code (new CR3 or PTE)", () => {
    const c = new MmioDecodeCache();
    // The fetch found the instruction in one physical page, then, after the guest changed its
    // page tables, the same linear address in another.
    const before = page(STORE_ECX, 0x200);
    const after = page(STORE_EBX, 0x200);
    expect(c.decode(before, 0x200, 15, 0x40_0200, LONG)).toMatchObject({ reg: 1 });
    expect(c.decode(after, 0x200, 15, 0x40_0200, LONG)).toMatchObject({ reg: 3 });
    expect(c.hits).toBe(0);
  });

  it("decodes afresh when the mode changed (the same bytes mean another width)", () => {
    const c = new MmioDecodeCache();
    const code = page(STORE_ECX, 0);
    expect(c.decode(code, 0, 15, 0x8000, PM32)).toMatchObject({ width: 4 });
    // In 16-bit code 89 0D is `mov [di], cx`: two bytes, a 16-bit store.
    expect(c.decode(code, 0, 15, 0x8000, REAL)).toMatchObject({ width: 2, length: 2 });
    expect(c.hits).toBe(0);
  });

  it("does not answer from bytes that end before the cached instruction does", () => {
    const c = new MmioDecodeCache();
    const code = page(STORE_ECX, 0);
    c.decode(code, 0, 15, 0x9000, PM32);
    // Only 3 bytes were fetchable this time: the instruction cannot be taken as the same one,
    // so the decoder sees what there is.
    c.decode(code, 0, 3, 0x9000, PM32);
    expect(c.hits).toBe(0);
    expect(c.misses).toBe(2);
  });
});
