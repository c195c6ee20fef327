import { AxError } from "@axvisor/axerrno";
import { type HostPhysAddr, hpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { FrameAllocator } from "./frame-allocator.js";

const KiB = 1024;
const MiB = 1024 * KiB;

function expectAxError(fn: () => unknown, kind: string, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(AxError.is(e)).toBe(true);
    expect((e as AxError).kind).toBe(kind);
    expect((e as AxError).message).toMatch(pattern);
    return;
  }
  throw new Error("expected an AxError");
}

describe("FrameAllocator", () => {
  it("hands out distinct aligned frames from the bottom of the pool and counts them", () => {
    const a = new FrameAllocator(hpa(0x8000_0000), 64 * KiB);
    expect(a.stats()).toEqual({ total: 16, free: 16, used: 0 });
    const f0 = a.alloc();
    const f1 = a.alloc();
    expect(f0).toBe(0x8000_0000);
    expect(f1).toBe(0x8000_1000);
    expect(a.stats()).toEqual({ total: 16, free: 14, used: 2 });
    expect(a.isAllocated(hpa(0x8000_1000))).toBe(true);
    expect(a.isAllocated(hpa(0x8000_2000))).toBe(false);
  });

  it("returns null when exhausted and reuses freed frames", () => {
    const a = new FrameAllocator(hpa(0x1000), 3 * 4 * KiB);
    const frames = [a.alloc(), a.alloc(), a.alloc()];
    expect(frames).toEqual([0x1000, 0x2000, 0x3000]);
    expect(a.alloc()).toBeNull();
    a.dealloc(hpa(0x2000));
    expect(a.alloc()).toBe(0x2000);
  });

  it("manages pools whose frame count is not a multiple of 32 without leaking past the end", () => {
    const a = new FrameAllocator(hpa(0), 37 * 4 * KiB);
    const got = new Set<number>();
    for (let f = a.alloc(); f !== null; f = a.alloc()) got.add(f);
    expect(got.size).toBe(37);
    expect(Math.max(...got)).toBe(36 * 0x1000);
  });

  it("allocates contiguous runs at the requested physical alignment, not pool-relative", () => {
    // The pool starts 4 KiB above a 16 KiB boundary: the first 16 KiB aligned address is 0x8000_4000.
    const a = new FrameAllocator(hpa(0x8000_1000), 1 * MiB);
    const run = a.allocContiguous(4, 16 * KiB);
    expect(run).toBe(0x8000_4000);
    expect(a.stats().used).toBe(4);
    // The frames below the run are still free; single allocation finds them first.
    expect(a.alloc()).toBe(0x8000_1000);
  });

  it("skips past used frames when searching for a run", () => {
    const a = new FrameAllocator(hpa(0), 32 * 4 * KiB);
    // Frames 1 and 5 stay used: an 8 KiB aligned 4-frame run cannot start at 0x0 (holds
    // frame 1) nor at 0x2000 (holds frame 5), so the first fit is 0x6000.
    for (let i = 0; i < 6; i++) a.alloc();
    for (const i of [0, 2, 3, 4]) a.dealloc(hpa(i * 0x1000));
    expect(a.allocContiguous(4, 8 * KiB)).toBe(0x6000);
    expect(a.allocContiguous(3, 4 * KiB)).toBe(0x2000);
    expect(a.allocContiguous(2, 4 * KiB)).toBe(0xa000);
  });

  it("finds runs spanning bitmap words and refuses runs larger than any free gap", () => {
    const a = new FrameAllocator(hpa(0), 100 * 4 * KiB);
    expect(a.allocContiguous(40, 4 * KiB)).toBe(0);
    expect(a.allocContiguous(40, 4 * KiB)).toBe(40 * 0x1000);
    expect(a.allocContiguous(21, 4 * KiB)).toBeNull();
    expect(a.allocContiguous(20, 4 * KiB)).toBe(80 * 0x1000);
    a.deallocContiguous(hpa(40 * 0x1000), 40);
    // 2 MiB alignment is beyond the pool (0..400 KiB) except at 0, which is taken.
    expect(a.allocContiguous(1, 2 * MiB)).toBeNull();
    // The free gap is frames 40..79; the only 64 KiB (16-frame) aligned start inside it is 48.
    expect(a.allocContiguous(40, 64 * KiB)).toBeNull();
    expect(a.allocContiguous(32, 64 * KiB)).toBe(48 * 0x1000);
  });

  it("reports double frees, foreign frees and misaligned frees as errors", () => {
    const a = new FrameAllocator(hpa(0x8000_0000), 64 * KiB);
    const f = a.alloc()!;
    a.dealloc(f);
    expectAxError(() => a.dealloc(f), "BadState", /double free.*0x8000_0000/);
    expectAxError(() => a.dealloc(hpa(0x9000_0000)), "InvalidInput", /outside the frame pool/);
    expectAxError(() => a.dealloc(hpa(0x8000_0800)), "InvalidInput", /not 4 KiB aligned/);
    expect(a.stats().free).toBe(16);
  });

  it("checks a whole contiguous free before changing anything", () => {
    const a = new FrameAllocator(hpa(0), 16 * 4 * KiB);
    const run = a.allocContiguous(3, 4 * KiB)!;
    expectAxError(() => a.deallocContiguous(run, 4), "BadState", /0x3000.*not allocated/);
    expect(a.stats().used).toBe(3);
    expectAxError(() => a.deallocContiguous(hpa(0xe000), 4), "InvalidInput", /past the pool end/);
    a.deallocContiguous(run, 3);
    expect(a.stats().used).toBe(0);
  });

  it("lets a contiguous run be returned frame by frame", () => {
    const a = new FrameAllocator(hpa(0), 8 * 4 * KiB);
    const run: HostPhysAddr = a.allocContiguous(2, 8 * KiB)!;
    a.dealloc(run);
    a.dealloc(hpa(run + 0x1000));
    expect(a.stats().used).toBe(0);
  });

  it("rejects bad pool geometry and bad requests", () => {
    expectAxError(() => new FrameAllocator(hpa(0x800), 0x1000), "InvalidInput", /base/);
    expectAxError(() => new FrameAllocator(hpa(0), 0x1800), "InvalidInput", /size/);
    const a = new FrameAllocator(hpa(0), 0x10000);
    expectAxError(() => a.allocContiguous(0, 0x1000), "InvalidInput", /count/);
    expectAxError(() => a.allocContiguous(1, 0x3000), "InvalidInput", /power of two/);
  });

  it("works above 4 GiB, where 32-bit bit tricks on addresses would break", () => {
    const a = new FrameAllocator(hpa(0x1_0000_0000), 64 * KiB);
    expect(a.allocContiguous(2, 8 * KiB)).toBe(0x1_0000_0000);
    expect(a.alloc()).toBe(0x1_0000_2000);
  });
});
