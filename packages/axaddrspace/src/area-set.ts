import { axErr } from "@axvisor/axerrno";
import { formatHex } from "@axvisor/memory-addr";
import { type MemoryArea, sliceArea } from "./memory-area.js";

export const formatArea = (a: { start: number; end: number; backend: string }): string =>
  `${a.backend} area [${formatHex(a.start)}, ${formatHex(a.end)})`;

/**
 * Non-overlapping areas sorted by start address; lookups are binary searches, so a large
 * number of areas (one per device passthrough window, say) costs nothing per access.
 */
export class AreaSet {
  private list: MemoryArea[] = [];

  all(): readonly MemoryArea[] {
    return this.list;
  }

  /** The area containing `addr`, or null. */
  find(addr: number): MemoryArea | null {
    const i = this.lastStartingAtOrBefore(addr);
    const a = i >= 0 ? this.list[i] : undefined;
    return a !== undefined && addr < a.end ? a : null;
  }

  /** Areas sharing at least one byte with [start, end), in address order. */
  overlapping(start: number, end: number): MemoryArea[] {
    const out: MemoryArea[] = [];
    for (let i = Math.max(0, this.lastStartingAtOrBefore(start)); i < this.list.length; i++) {
      const a = this.list[i]!;
      if (a.start >= end) break;
      if (a.end > start) out.push(a);
    }
    return out;
  }

  /** Adds an area; AxError AlreadyExists naming both ranges if it overlaps one. */
  insert(area: MemoryArea): void {
    const clash = this.overlapping(area.start, area.end)[0];
    if (clash !== undefined) {
      throw axErr(
        "AlreadyExists",
        `cannot add ${formatArea(area)}: it overlaps the ${formatArea(clash)}`,
      );
    }
    this.list.splice(this.lastStartingAtOrBefore(area.start) + 1, 0, area);
  }

  /** Cuts [start, end) out of every area, splitting an area that contains it in its middle. */
  removeRange(start: number, end: number): void {
    const next: MemoryArea[] = [];
    for (const a of this.list) {
      if (a.end <= start || a.start >= end) {
        next.push(a);
        continue;
      }
      if (a.start < start) next.push(sliceArea(a, a.start, start));
      if (a.end > end) next.push(sliceArea(a, end, a.end));
    }
    this.list = next;
  }

  clear(): void {
    this.list = [];
  }

  /** Index of the last area whose start is <= addr, or -1. */
  private lastStartingAtOrBefore(addr: number): number {
    let lo = 0;
    let hi = this.list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.list[mid]!.start <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
