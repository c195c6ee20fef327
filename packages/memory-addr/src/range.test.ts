import { describe, expect, it } from "vitest";
import {
  addrRange,
  rangeContains,
  rangeContainsSpan,
  rangeFromSize,
  rangesOverlap,
} from "./range.js";

describe("half-open ranges", () => {
  const r = rangeFromSize(0x1000_0000, 0x100);

  it("contains its start but not its end", () => {
    expect(rangeContains(r, 0x1000_0000)).toBe(true);
    expect(rangeContains(r, 0x1000_00ff)).toBe(true);
    expect(rangeContains(r, 0x1000_0100)).toBe(false);
  });

  it("checks that a whole access fits", () => {
    expect(rangeContainsSpan(r, 0x1000_00fc, 4)).toBe(true);
    expect(rangeContainsSpan(r, 0x1000_00fe, 4)).toBe(false);
  });

  it("treats touching ranges as disjoint", () => {
    expect(rangesOverlap(r, rangeFromSize(0x1000_0100, 0x10))).toBe(false);
    expect(rangesOverlap(r, rangeFromSize(0x1000_00ff, 0x10))).toBe(true);
    expect(rangesOverlap(r, addrRange(0x1000_0050, 0x1000_0050))).toBe(false);
  });

  it("refuses an end below the start", () => {
    expect(() => addrRange(10, 5)).toThrow(/below its start/);
  });
});
