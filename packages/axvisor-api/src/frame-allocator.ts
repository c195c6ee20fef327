import { axErr } from "@axvisor/axerrno";
import {
  formatHpa,
  type HostPhysAddr,
  isAligned,
  isPowerOfTwo,
  PAGE_SIZE_4K,
} from "@axvisor/memory-addr";

export interface FrameStats {
  /** Frames the allocator manages. */
  readonly total: number;
  readonly free: number;
  readonly used: number;
}

const FULL = 0xffff_ffff;

/**
 * A bitmap allocator of 4 KiB frames over one host-physical range. One bit per frame (set =
 * allocated), so a frame's state is checked in O(1) and double or foreign frees are caught
 * instead of silently corrupting the pool. Frees are per frame: a contiguous run may be given
 * back piecewise, as ArceOS' bitmap allocator allows.
 *
 * Errors: AxError InvalidInput for addresses outside the pool or not 4 KiB aligned, and for
 * bad counts/alignments; AxError BadState for freeing a frame that is not allocated.
 */
export class FrameAllocator {
  readonly base: HostPhysAddr;
  readonly totalFrames: number;
  private readonly bits: Uint32Array;
  private freeCount: number;
  /** Lowest word that may contain a free bit; single-frame allocation starts scanning here. */
  private hint = 0;

  constructor(base: HostPhysAddr, size: number) {
    if (!Number.isSafeInteger(base) || base < 0 || !isAligned(base, PAGE_SIZE_4K)) {
      throw axErr("InvalidInput", `frame pool base ${formatHpa(base)} is not 4 KiB aligned`);
    }
    if (!Number.isSafeInteger(size) || size <= 0 || !isAligned(size, PAGE_SIZE_4K)) {
      throw axErr("InvalidInput", `frame pool size ${size} is not a positive multiple of 4 KiB`);
    }
    this.base = base;
    this.totalFrames = size / PAGE_SIZE_4K;
    this.bits = new Uint32Array(Math.ceil(this.totalFrames / 32));
    this.freeCount = this.totalFrames;
    // Bits past the last frame are permanently "allocated" so scans never return them.
    const tail = this.totalFrames % 32;
    if (tail !== 0) this.bits[this.bits.length - 1] = (FULL << tail) >>> 0;
  }

  /** One past the last byte of the pool. */
  get end(): HostPhysAddr {
    return (this.base + this.totalFrames * PAGE_SIZE_4K) as HostPhysAddr;
  }

  stats(): FrameStats {
    return {
      total: this.totalFrames,
      free: this.freeCount,
      used: this.totalFrames - this.freeCount,
    };
  }

  contains(pa: number): boolean {
    return pa >= this.base && pa < this.end;
  }

  isAllocated(pa: HostPhysAddr): boolean {
    return this.testBit(this.frameIndex(pa, "query"));
  }

  alloc(): HostPhysAddr | null {
    if (this.freeCount === 0) return null;
    for (let w = this.hint; w < this.bits.length; w++) {
      const word = this.bits[w]!;
      if (word === FULL) continue;
      // Lowest clear bit: isolate it from the inverted word and count trailing zeros.
      const inv = ~word >>> 0;
      const bit = 31 - Math.clz32(inv & -inv);
      const index = w * 32 + bit;
      this.setBit(index);
      this.freeCount--;
      this.hint = w;
      return this.addrOf(index);
    }
    return null;
  }

  /**
   * `count` contiguous frames starting at a multiple of `align` bytes (a power of two; values
   * below 4 KiB mean page alignment). First fit from the bottom of the pool.
   */
  allocContiguous(count: number, align: number): HostPhysAddr | null {
    if (!Number.isSafeInteger(count) || count <= 0) {
      throw axErr("InvalidInput", `frame count must be a positive integer, got ${count}`);
    }
    if (!isPowerOfTwo(align)) {
      throw axErr("InvalidInput", `frame alignment must be a power of two, got ${align}`);
    }
    if (count > this.freeCount) return null;
    const step = Math.max(align, PAGE_SIZE_4K);
    // First index whose address is a multiple of `step`.
    const rem = this.base % step;
    let start = rem === 0 ? 0 : (step - rem) / PAGE_SIZE_4K;
    const stepFrames = step / PAGE_SIZE_4K;
    while (start + count <= this.totalFrames) {
      const used = this.lastUsedIn(start, count);
      if (used < 0) {
        for (let i = start; i < start + count; i++) this.setBit(i);
        this.freeCount -= count;
        return this.addrOf(start);
      }
      // Skip every candidate that would still contain the used frame.
      start += (Math.floor((used - start) / stepFrames) + 1) * stepFrames;
    }
    return null;
  }

  dealloc(pa: HostPhysAddr): void {
    const index = this.frameIndex(pa, "free");
    if (!this.testBit(index)) {
      throw axErr("BadState", `double free: frame ${formatHpa(pa)} is not allocated`);
    }
    this.clearBit(index);
    this.freeCount++;
  }

  deallocContiguous(pa: HostPhysAddr, count: number): void {
    if (!Number.isSafeInteger(count) || count <= 0) {
      throw axErr("InvalidInput", `frame count must be a positive integer, got ${count}`);
    }
    const first = this.frameIndex(pa, "free");
    if (first + count > this.totalFrames) {
      throw axErr(
        "InvalidInput",
        `freeing ${count} frames at ${formatHpa(pa)} runs past the pool end ${formatHpa(this.end)}`,
      );
    }
    // Check the whole run before changing anything, so a bad free leaves the pool intact.
    for (let i = first; i < first + count; i++) {
      if (!this.testBit(i)) {
        throw axErr(
          "BadState",
          `double free: frame ${formatHpa(this.addrOf(i))} in the run at ${formatHpa(pa)} is not allocated`,
        );
      }
    }
    for (let i = first; i < first + count; i++) this.clearBit(i);
    this.freeCount += count;
  }

  private frameIndex(pa: number, what: string): number {
    if (!Number.isSafeInteger(pa) || !this.contains(pa)) {
      throw axErr(
        "InvalidInput",
        `cannot ${what} ${formatHpa(pa as HostPhysAddr)}: outside the frame pool ` +
          `[${formatHpa(this.base)}, ${formatHpa(this.end)})`,
      );
    }
    if (!isAligned(pa, PAGE_SIZE_4K)) {
      throw axErr(
        "InvalidInput",
        `cannot ${what} ${formatHpa(pa as HostPhysAddr)}: not 4 KiB aligned`,
      );
    }
    return (pa - this.base) / PAGE_SIZE_4K;
  }

  private addrOf(index: number): HostPhysAddr {
    return (this.base + index * PAGE_SIZE_4K) as HostPhysAddr;
  }

  /** Index of the highest allocated frame in [start, start+count), or -1 if all are free. */
  private lastUsedIn(start: number, count: number): number {
    for (let i = start + count - 1; i >= start; i--) {
      // Whole-word fast path when aligned to a word boundary from above.
      if ((i & 31) === 31 && i - 31 >= start && this.bits[i >>> 5] === 0) {
        i -= 31;
        continue;
      }
      if (this.testBit(i)) return i;
    }
    return -1;
  }

  private testBit(i: number): boolean {
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  private setBit(i: number): void {
    this.bits[i >>> 5] = this.bits[i >>> 5]! | (1 << (i & 31));
  }

  private clearBit(i: number): void {
    this.bits[i >>> 5] = this.bits[i >>> 5]! & ~(1 << (i & 31));
    if (i >>> 5 < this.hint) this.hint = i >>> 5;
  }
}
