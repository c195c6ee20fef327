import { gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { IvcChannelAllocator } from "./ivc-channel-allocator.js";

const BASE = 0xd000_0000;

function allocator(size = 0x4000): IvcChannelAllocator {
  const a = new IvcChannelAllocator();
  a.addPool(gpa(BASE), size, "ivc");
  return a;
}

const value = <T>(r: { ok: boolean; value?: T }) => {
  expect(r.ok).toBe(true);
  return (r as { value: T }).value;
};

describe("IvcChannelAllocator", () => {
  it("hands out 4 KiB-granular windows, lowest address first", () => {
    const a = allocator();
    expect(value(a.alloc(100))).toBe(BASE);
    expect(value(a.alloc(0x1001))).toBe(BASE + 0x1000);
    expect(value(a.alloc(0x1000))).toBe(BASE + 0x3000);
    expect(a.allocatedBytes).toBe(0x4000);
    const full = a.alloc(1);
    expect(full.ok).toBe(false);
    if (!full.ok) {
      expect(full.error.kind).toBe("NoMemory");
      expect(full.error.message).toBe("no free IVC channel window of 0x1000 bytes");
    }
  });

  it("really frees a released window, which the next allocation reuses", () => {
    const a = allocator();
    const first = value(a.alloc(0x1000));
    const second = value(a.alloc(0x2000));
    expect(a.release(first, 0x1000).ok).toBe(true);
    expect(a.allocatedBytes).toBe(0x2000);
    expect(value(a.alloc(0x800))).toBe(first);
    // A window larger than any gap goes after the used ones.
    expect(a.release(second, 0x2000).ok).toBe(true);
    expect(value(a.alloc(0x3000))).toBe(BASE + 0x1000);
  });

  it("refuses releasing what was not allocated, or with a different size", () => {
    const a = allocator();
    const w = value(a.alloc(0x2000));
    for (const [at, size] of [
      [w, 0x1000],
      [w + 0x1000, 0x1000],
      [BASE + 0x3000, 0x1000],
      [w, 0],
    ] as const) {
      const r = a.release(gpa(at), size);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe("InvalidInput");
    }
    expect(a.release(w, 0x1800).ok).toBe(true);
    expect(a.release(w, 0x1800).ok).toBe(false);
  });

  it("spills into the next IVC range when the first is full", () => {
    const a = allocator(0x1000);
    a.addPool(gpa(0xe000_0000), 0x2000, "ivc2");
    expect(value(a.alloc(0x1000))).toBe(BASE);
    expect(value(a.alloc(0x2000))).toBe(0xe000_0000);
  });

  it("validates sizes and its ranges", () => {
    const a = allocator();
    expect(a.alloc(0).ok).toBe(false);
    expect(a.alloc(-5).ok).toBe(false);
    const none = new IvcChannelAllocator().alloc(0x1000);
    expect(none.ok === false && none.error.kind).toBe("NotFound");
    expect(() => a.addPool(gpa(BASE + 0x2000), 0x4000, "clash")).toThrow(/overlaps "ivc"/);
    expect(() => a.addPool(gpa(0xf000_0000), 0x10, "tiny")).toThrow(/4 KiB aligned/);
  });

  it("reset forgets every allocation", () => {
    const a = allocator();
    a.alloc(0x4000);
    a.reset();
    expect(a.allocatedBytes).toBe(0);
    expect(value(a.alloc(0x4000))).toBe(BASE);
  });
});
