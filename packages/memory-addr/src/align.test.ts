import { describe, expect, it } from "vitest";
import { alignDown, alignUp, isAligned, isPowerOfTwo, pageOffset4K } from "./align.js";

describe("alignment above 32 bits", () => {
  it("aligns addresses that bitwise operators would truncate", () => {
    expect(alignDown(0x1_2345_6789, 0x1000)).toBe(0x1_2345_6000);
    expect(alignUp(0x1_2345_6789, 0x1000)).toBe(0x1_2345_7000);
    expect(alignUp(0x8000_0000_0000, 0x4000_0000)).toBe(0x8000_0000_0000);
    expect(isAligned(0x20_0000_0000, 0x20_0000)).toBe(true);
  });

  it("aligns sign-extended virtual addresses downwards, towards minus infinity", () => {
    expect(alignDown(-0x7fff_f001, 0x1000)).toBe(-0x8000_0000);
    expect(pageOffset4K(-1)).toBe(0xfff);
  });

  it("rejects alignments that are not powers of two", () => {
    expect(isPowerOfTwo(0x3000)).toBe(false);
    expect(() => alignUp(5, 3)).toThrow(/power of two/);
  });
});
