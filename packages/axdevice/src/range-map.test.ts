import { describe, expect, it } from "vitest";
import { RangeMap } from "./range-map.js";

describe("RangeMap", () => {
  it("keeps entries sorted whatever the insertion order", () => {
    const m = new RangeMap<string>();
    expect(m.insert(0x3000, 0x4000, "c")).toBeUndefined();
    expect(m.insert(0x1000, 0x2000, "a")).toBeUndefined();
    expect(m.insert(0x2000, 0x3000, "b")).toBeUndefined();
    expect(m.entries().map((e) => e.value)).toEqual(["a", "b", "c"]);
  });

  it("finds the entry containing an address, honouring half-open ends", () => {
    const m = new RangeMap<string>();
    m.insert(0x1000, 0x2000, "a");
    m.insert(0x3000, 0x3008, "b");
    expect(m.find(0xfff)).toBeUndefined();
    expect(m.find(0x1000)?.value).toBe("a");
    expect(m.find(0x1fff)?.value).toBe("a");
    expect(m.find(0x2000)).toBeUndefined();
    expect(m.find(0x3007)?.value).toBe("b");
    expect(m.find(0x3008)).toBeUndefined();
    expect(m.after(0x2000)?.value).toBe("b");
    expect(m.after(0x0)?.value).toBe("a");
    expect(m.after(0x3000)).toBeUndefined();
  });

  it("refuses overlaps on either side and containment, but allows touching ranges", () => {
    const m = new RangeMap<string>();
    m.insert(0x1000, 0x2000, "a");
    expect(m.insert(0x0800, 0x1001, "left")?.value).toBe("a");
    expect(m.insert(0x1fff, 0x3000, "right")?.value).toBe("a");
    expect(m.insert(0x1800, 0x1900, "inside")?.value).toBe("a");
    expect(m.insert(0x0000, 0x8000, "around")?.value).toBe("a");
    expect(m.insert(0x0000, 0x1000, "below")).toBeUndefined();
    expect(m.insert(0x2000, 0x2001, "above")).toBeUndefined();
    expect(m.size).toBe(3);
  });

  it("refuses empty or non-integer ranges", () => {
    const m = new RangeMap<string>();
    expect(() => m.insert(5, 5, "empty")).toThrow(RangeError);
    expect(() => m.insert(5, 4, "backwards")).toThrow(RangeError);
    expect(() => m.insert(0.5, 4, "fraction")).toThrow(RangeError);
  });

  it("removes by value", () => {
    const m = new RangeMap<{ n: number }>();
    const a = { n: 1 };
    const b = { n: 2 };
    m.insert(0, 10, a);
    m.insert(10, 20, b);
    expect(m.removeWhere((v) => v === a)).toBe(1);
    expect(m.find(5)).toBeUndefined();
    expect(m.find(15)?.value).toBe(b);
    expect(m.removeWhere((v) => v === a)).toBe(0);
  });

  it("agrees with a linear scan over many random ranges", () => {
    // Deterministic LCG so a failure reproduces.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const m = new RangeMap<number>();
    const kept: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const start = rand(1_000_000);
      const end = start + 1 + rand(500);
      const clash = kept.some(([s, e]) => start < e && s < end);
      const conflict = m.insert(start, end, i);
      expect(conflict !== undefined).toBe(clash);
      if (!clash) kept.push([start, end]);
    }
    for (let q = 0; q < 5000; q++) {
      const addr = rand(1_001_000);
      const linear = kept.find(([s, e]) => addr >= s && addr < e);
      const hit = m.find(addr);
      expect(hit === undefined ? undefined : [hit.start, hit.end]).toEqual(linear);
    }
  });
});
