import { type AxResult, err, OK_VOID, ok } from "@axvisor/axerrno";
import { alignUp4K, formatGpa, type GuestPhysAddr, isAligned4K } from "@axvisor/memory-addr";
import { RangeMap } from "./range-map.js";

/**
 * Hands out 4 KiB-granular guest-physical windows for inter-VM communication channels from
 * the ranges of the VM's IVCChannel devices. First fit, lowest address first; a release
 * returns the window to the pool (AxVisor never released them: §11.25).
 */
export class IvcChannelAllocator {
  readonly #pools = new RangeMap<string>();
  /** Values are fresh objects so a release removes exactly its own window. */
  readonly #allocated = new RangeMap<{ readonly bytes: number }>();

  /** Adds a window `[base, base + size)` the allocator may hand out. */
  addPool(base: GuestPhysAddr, size: number, name: string): void {
    if (!isAligned4K(base) || !isAligned4K(size) || size <= 0) {
      throw new RangeError(
        `IVC channel range "${name}" at ${formatGpa(base)} size 0x${size.toString(16)} must be 4 KiB aligned and non-empty`,
      );
    }
    const conflict = this.#pools.insert(base, base + size, name);
    if (conflict !== undefined) {
      throw new RangeError(`IVC channel range "${name}" overlaps "${conflict.value}"`);
    }
  }

  get hasPools(): boolean {
    return this.#pools.size > 0;
  }

  /** Bytes currently handed out. */
  get allocatedBytes(): number {
    return this.#allocated.entries().reduce((n, e) => n + e.value.bytes, 0);
  }

  /** A window of `size` bytes (rounded up to 4 KiB), or a failed result when none fits. */
  alloc(size: number): AxResult<GuestPhysAddr> {
    if (!Number.isSafeInteger(size) || size <= 0) {
      return err("InvalidInput", `IVC channel size must be a positive integer, got ${size}`);
    }
    if (!this.hasPools) return err("NotFound", "this VM has no IVC channel range");
    const need = alignUp4K(size);
    for (const pool of this.#pools.entries()) {
      let cursor = pool.start;
      for (const used of this.#allocated.entries()) {
        if (used.end <= pool.start) continue;
        if (used.start >= pool.end) break;
        if (used.start - cursor >= need) break;
        cursor = used.end;
      }
      if (pool.end - cursor >= need) {
        this.#allocated.insert(cursor, cursor + need, { bytes: need });
        return ok(cursor as GuestPhysAddr);
      }
    }
    return err("NoMemory", `no free IVC channel window of 0x${need.toString(16)} bytes`);
  }

  /** Returns a window obtained from `alloc`; `size` is what was asked for (rounded up alike). */
  release(base: GuestPhysAddr, size: number): AxResult<void> {
    const block = this.#allocated.find(base);
    const need = Number.isSafeInteger(size) && size > 0 ? alignUp4K(size) : Number.NaN;
    if (block === undefined || block.start !== base || block.value.bytes !== need) {
      return err(
        "InvalidInput",
        `no IVC channel of 0x${size.toString(16)} bytes was allocated at ${formatGpa(base)}`,
      );
    }
    this.#allocated.removeWhere((v) => v === block.value);
    return OK_VOID;
  }

  /** Forgets every allocation (VM restart). */
  reset(): void {
    this.#allocated.removeWhere(() => true);
  }
}
