import { axErr } from "@axvisor/axerrno";
import { formatHpa, type HostPhysAddr, PAGE_SIZE_4K } from "@axvisor/memory-addr";
import { FrameAllocator, type FrameStats } from "./frame-allocator.js";
import type { HostMemory } from "./host-services.js";

export interface RamHostMemoryOptions {
  /** The bytes of host RAM; `ram[0]` is host-physical address `ramBase`. */
  readonly ram: Uint8Array;
  readonly ramBase: HostPhysAddr;
  /**
   * The part of RAM the frame allocator hands out (default: all of it). The rest stays
   * reachable through `hostBuffer` — e.g. where the host keeps its own images.
   */
  readonly pool?: { readonly start: HostPhysAddr; readonly size: number };
  /**
   * The pool holds only zeros now (freshly created RAM that nothing has written yet): a frame
   * is then zeroed only once it has been handed out before, which saves filling guest memory
   * populated in 2 MiB blocks. Default false: every allocation zeroes.
   */
  readonly poolIsZero?: boolean;
}

/**
 * `HostMemory` over one Uint8Array that backs host-physical [ramBase, ramBase + ram.length):
 * the emulated machine's RAM. Frames come from a `FrameAllocator` and are zeroed on
 * allocation, as `axvisor_api::memory::alloc_frame` callers expect.
 */
export class RamHostMemory implements HostMemory {
  readonly ram: Uint8Array;
  readonly ramBase: HostPhysAddr;
  readonly allocator: FrameAllocator;
  /** Per pool frame: 1 while it has never been handed out (still zero); null: not tracked. */
  readonly #pristine: Uint8Array | null;

  constructor(opts: RamHostMemoryOptions) {
    this.ram = opts.ram;
    this.ramBase = opts.ramBase;
    const pool = opts.pool ?? { start: opts.ramBase, size: opts.ram.length };
    if (pool.start < this.ramBase || pool.start + pool.size > this.ramEnd) {
      throw axErr(
        "InvalidInput",
        `frame pool [${formatHpa(pool.start)}, +0x${pool.size.toString(16)}) lies outside RAM ` +
          `[${formatHpa(this.ramBase)}, ${formatHpa(this.ramEnd)})`,
      );
    }
    this.allocator = new FrameAllocator(pool.start, pool.size);
    this.#pristine = opts.poolIsZero ? new Uint8Array(this.allocator.totalFrames).fill(1) : null;
  }

  get ramEnd(): HostPhysAddr {
    return (this.ramBase + this.ram.length) as HostPhysAddr;
  }

  stats(): FrameStats {
    return this.allocator.stats();
  }

  allocFrame(): HostPhysAddr | null {
    const pa = this.allocator.alloc();
    if (pa !== null) this.zero(pa, PAGE_SIZE_4K);
    return pa;
  }

  allocContiguousFrames(count: number, align: number): HostPhysAddr | null {
    const pa = this.allocator.allocContiguous(count, align);
    if (pa !== null) this.zero(pa, count * PAGE_SIZE_4K);
    return pa;
  }

  deallocFrame(pa: HostPhysAddr): void {
    this.allocator.dealloc(pa);
  }

  deallocContiguousFrames(pa: HostPhysAddr, count: number): void {
    this.allocator.deallocContiguous(pa, count);
  }

  hostBuffer(pa: HostPhysAddr, len: number): Uint8Array {
    const offset = pa - this.ramBase;
    if (
      !Number.isSafeInteger(pa) ||
      !Number.isSafeInteger(len) ||
      len < 0 ||
      offset < 0 ||
      offset + len > this.ram.length
    ) {
      throw axErr(
        "BadAddress",
        `host-physical span ${formatHpa(pa)}+0x${len.toString(16)} is outside RAM ` +
          `[${formatHpa(this.ramBase)}, ${formatHpa(this.ramEnd)})`,
      );
    }
    return this.ram.subarray(offset, offset + len);
  }

  /** Zeroes the frames of [pa, pa + len) that may hold data, in runs; marks them used. */
  private zero(pa: HostPhysAddr, len: number): void {
    const offset = pa - this.ramBase;
    const pristine = this.#pristine;
    if (pristine === null) {
      this.ram.fill(0, offset, offset + len);
      return;
    }
    const first = (pa - this.allocator.base) / PAGE_SIZE_4K;
    const count = len / PAGE_SIZE_4K;
    let dirtyFrom = -1;
    for (let i = 0; i <= count; i++) {
      const dirty = i < count && pristine[first + i] === 0;
      if (dirty && dirtyFrom < 0) dirtyFrom = i;
      if (!dirty && dirtyFrom >= 0) {
        this.ram.fill(0, offset + dirtyFrom * PAGE_SIZE_4K, offset + i * PAGE_SIZE_4K);
        dirtyFrom = -1;
      }
    }
    pristine.fill(0, first, first + count);
  }
}
