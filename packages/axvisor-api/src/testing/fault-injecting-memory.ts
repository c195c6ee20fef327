import type { HostPhysAddr } from "@axvisor/memory-addr";
import type { HostMemory } from "../host-services.js";

/**
 * Wraps a `HostMemory` and makes chosen allocations fail (return null), so tests can check
 * that a component survives running out of memory at any point. Every `allocFrame` and
 * `allocContiguousFrames` call counts as one allocation. Also counts calls and the frames
 * currently handed out through it.
 */
export class FaultInjectingMemory implements HostMemory {
  readonly inner: HostMemory;
  /** Allocation calls made (successful, failed by injection, or failed for real). */
  allocCalls = 0;
  /** Frames allocated through this wrapper and not yet freed. */
  outstandingFrames = 0;
  private failNext = 0;
  private successesLeft = Number.POSITIVE_INFINITY;

  constructor(inner: HostMemory) {
    this.inner = inner;
  }

  /** The next `n` allocations fail; later ones succeed again. */
  failNextAllocations(n: number): void {
    this.failNext = n;
  }

  /** The next `n` allocations succeed; every one after them fails until `clearFaults()`. */
  failAllocationsAfter(n: number): void {
    this.successesLeft = n;
  }

  clearFaults(): void {
    this.failNext = 0;
    this.successesLeft = Number.POSITIVE_INFINITY;
  }

  allocFrame(): HostPhysAddr | null {
    if (this.injectFailure()) return null;
    const pa = this.inner.allocFrame();
    if (pa !== null) this.outstandingFrames++;
    return pa;
  }

  allocContiguousFrames(count: number, align: number): HostPhysAddr | null {
    if (this.injectFailure()) return null;
    const pa = this.inner.allocContiguousFrames(count, align);
    if (pa !== null) this.outstandingFrames += count;
    return pa;
  }

  deallocFrame(pa: HostPhysAddr): void {
    this.inner.deallocFrame(pa);
    this.outstandingFrames--;
  }

  deallocContiguousFrames(pa: HostPhysAddr, count: number): void {
    this.inner.deallocContiguousFrames(pa, count);
    this.outstandingFrames -= count;
  }

  hostBuffer(pa: HostPhysAddr, len: number): Uint8Array {
    return this.inner.hostBuffer(pa, len);
  }

  private injectFailure(): boolean {
    this.allocCalls++;
    if (this.failNext > 0) {
      this.failNext--;
      return true;
    }
    if (this.successesLeft <= 0) return true;
    this.successesLeft--;
    return false;
  }
}
