import { DmaFault, type DmaMemory, dmaRead, dmaWrite } from "./dma.js";

/** Descriptor flags (virtio 1.2 §2.7.5). */
export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** avail.flags: the driver asks for no used-buffer interrupts (without EVENT_IDX). */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

const DESC_SIZE = 16;

/**
 * The driver broke the queue's rules (a descriptor index out of range, a loop, a ring outside
 * memory...). The device cannot make sense of the queue any more and needs a reset.
 */
export class VirtqueueError extends Error {
  override readonly name = "VirtqueueError";
}

/** One guest buffer of a descriptor chain. */
export interface GuestBuffer {
  readonly addr: number;
  readonly len: number;
}

export interface VirtqueueLayout {
  /** Number of descriptors (a power of two). */
  readonly size: number;
  readonly descAddr: number;
  readonly driverAddr: number;
  readonly deviceAddr: number;
}

export interface VirtqueueFeatures {
  readonly indirect: boolean;
  readonly eventIdx: boolean;
}

/**
 * A descriptor chain popped from the available ring: the device-readable buffers followed by
 * the device-writable ones. `read`/`write` address the concatenation of each group, so a
 * device handles scattered guest buffers as one byte range. They throw DmaFault when a buffer
 * lies outside guest memory.
 */
export class DescriptorChain {
  readonly head: number;
  readonly readable: readonly GuestBuffer[];
  readonly writable: readonly GuestBuffer[];
  readonly readableLength: number;
  readonly writableLength: number;
  readonly #memory: DmaMemory;

  constructor(
    head: number,
    readable: readonly GuestBuffer[],
    writable: readonly GuestBuffer[],
    memory: DmaMemory,
  ) {
    this.head = head;
    this.readable = readable;
    this.writable = writable;
    this.#memory = memory;
    this.readableLength = readable.reduce((n, b) => n + b.len, 0);
    this.writableLength = writable.reduce((n, b) => n + b.len, 0);
  }

  /** `len` bytes of the readable part starting at `offset` (clipped to its end). */
  read(offset: number, len: number): Uint8Array {
    const total = Math.max(0, Math.min(len, this.readableLength - offset));
    const out = new Uint8Array(total);
    let done = 0;
    this.#walk(this.readable, offset, total, (addr, n) => {
      out.set(dmaRead(this.#memory, addr, n), done);
      done += n;
    });
    return out;
  }

  /** Writes `data` into the writable part at `offset`; returns the bytes that fitted. */
  write(offset: number, data: Uint8Array): number {
    const total = Math.max(0, Math.min(data.length, this.writableLength - offset));
    let done = 0;
    this.#walk(this.writable, offset, total, (addr, n) => {
      dmaWrite(this.#memory, addr, data.subarray(done, done + n));
      done += n;
    });
    return total;
  }

  #walk(
    buffers: readonly GuestBuffer[],
    offset: number,
    total: number,
    visit: (addr: number, n: number) => void,
  ): void {
    let skip = offset;
    let left = total;
    for (const b of buffers) {
      if (left === 0) return;
      if (skip >= b.len) {
        skip -= b.len;
        continue;
      }
      const n = Math.min(b.len - skip, left);
      visit(b.addr + skip, n);
      skip = 0;
      left -= n;
    }
  }
}

/**
 * A split virtqueue (virtio 1.2 §2.7) living in guest memory: the descriptor table, the
 * driver-owned available ring and the device-owned used ring, all little-endian.
 */
export class Virtqueue {
  readonly size: number;
  readonly #layout: VirtqueueLayout;
  readonly #features: VirtqueueFeatures;
  readonly #memory: DmaMemory;
  #lastAvail = 0;
  #usedIdx = 0;

  constructor(memory: DmaMemory, layout: VirtqueueLayout, features: VirtqueueFeatures) {
    this.#memory = memory;
    this.#layout = layout;
    this.#features = features;
    this.size = layout.size;
  }

  /** The used index as the device last published it. */
  get usedIndex(): number {
    return this.#usedIdx;
  }

  /** The next available-ring entry the device will take (its shadow of avail.idx). */
  get lastAvailIndex(): number {
    return this.#lastAvail;
  }

  /**
   * Puts the device's ring positions back (a VM restore): the rings themselves are in guest
   * memory, restored with it.
   */
  restoreIndices(lastAvail: number, usedIdx: number): void {
    this.#lastAvail = lastAvail & 0xffff;
    this.#usedIdx = usedIdx & 0xffff;
  }

  /** Whether the driver has made buffers available that the device has not taken yet. */
  hasAvailable(): boolean {
    return this.#availIdx() !== this.#lastAvail;
  }

  /** Takes the next available descriptor chain, or null when there is none. */
  pop(): DescriptorChain | null {
    const availIdx = this.#availIdx();
    if (availIdx === this.#lastAvail) return null;
    if (((availIdx - this.#lastAvail) & 0xffff) > this.size) {
      throw new VirtqueueError(
        `avail.idx ${availIdx} is more than ${this.size} entries ahead of the device (${this.#lastAvail})`,
      );
    }
    const slot = this.#lastAvail % this.size;
    const head = this.#u16(this.#layout.driverAddr + 4 + 2 * slot);
    this.#lastAvail = (this.#lastAvail + 1) & 0xffff;
    return this.#walkChain(head);
  }

  /** Returns a chain to the driver through the used ring, with the bytes written into it. */
  pushUsed(head: number, writtenLen: number): void {
    const slot = this.#usedIdx % this.size;
    const elem = new Uint8Array(8);
    const view = new DataView(elem.buffer);
    view.setUint32(0, head, true);
    view.setUint32(4, writtenLen, true);
    this.#ringWrite(this.#layout.deviceAddr + 4 + 8 * slot, elem);
    this.#usedIdx = (this.#usedIdx + 1) & 0xffff;
    this.#writeU16(this.#layout.deviceAddr + 2, this.#usedIdx);
  }

  /**
   * Whether the driver wants an interrupt for the used entries published since `oldUsedIdx`:
   * its used_event index (EVENT_IDX) or the NO_INTERRUPT flag decides.
   */
  needsInterrupt(oldUsedIdx: number): boolean {
    const newIdx = this.#usedIdx;
    if (newIdx === oldUsedIdx) return false;
    if (this.#features.eventIdx) {
      const usedEvent = this.#u16(this.#layout.driverAddr + 4 + 2 * this.size);
      // vring_need_event: did the new entries cross used_event?
      return ((newIdx - usedEvent - 1) & 0xffff) < ((newIdx - oldUsedIdx) & 0xffff);
    }
    return (this.#u16(this.#layout.driverAddr) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }

  /**
   * With EVENT_IDX, tells the driver which avail index should trigger its next notification
   * (the one after everything consumed so far). Without it, nothing to do.
   */
  publishAvailEvent(): void {
    if (!this.#features.eventIdx) return;
    this.#writeU16(this.#layout.deviceAddr + 4 + 8 * this.size, this.#lastAvail);
  }

  #walkChain(head: number): DescriptorChain {
    const readable: GuestBuffer[] = [];
    const writable: GuestBuffer[] = [];
    let tableAddr = this.#layout.descAddr;
    let tableSize = this.size;
    let indirect = false;
    let index = head;
    let visited = 0;
    for (;;) {
      if (index >= tableSize) {
        throw new VirtqueueError(`descriptor index ${index} is outside a table of ${tableSize}`);
      }
      if (++visited > tableSize) {
        throw new VirtqueueError(`descriptor chain from head ${head} loops`);
      }
      const d = this.#ringRead(tableAddr + DESC_SIZE * index, DESC_SIZE);
      const view = new DataView(d.buffer, d.byteOffset, DESC_SIZE);
      const lo = view.getUint32(0, true);
      const hi = view.getUint32(4, true);
      const addr = hi * 0x1_0000_0000 + lo;
      const len = view.getUint32(8, true);
      const flags = view.getUint16(12, true);
      const next = view.getUint16(14, true);

      if (flags & VIRTQ_DESC_F_INDIRECT) {
        if (!this.#features.indirect) {
          throw new VirtqueueError("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
        }
        if (indirect) throw new VirtqueueError("indirect descriptor inside an indirect table");
        if (flags & VIRTQ_DESC_F_NEXT) {
          throw new VirtqueueError("indirect descriptor with VIRTQ_DESC_F_NEXT set");
        }
        if (len === 0 || len % DESC_SIZE !== 0) {
          throw new VirtqueueError(
            `indirect table of ${len} bytes is not a whole number of descriptors`,
          );
        }
        indirect = true;
        tableAddr = addr;
        tableSize = len / DESC_SIZE;
        index = 0;
        visited = 0;
        continue;
      }

      if (flags & VIRTQ_DESC_F_WRITE) {
        writable.push({ addr, len });
      } else {
        if (writable.length > 0) {
          throw new VirtqueueError("device-readable descriptor after a device-writable one");
        }
        readable.push({ addr, len });
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      index = next;
    }
    return new DescriptorChain(head, readable, writable, this.#memory);
  }

  #availIdx(): number {
    return this.#u16(this.#layout.driverAddr + 2);
  }

  #u16(addr: number): number {
    const b = this.#ringRead(addr, 2);
    return b[0]! | (b[1]! << 8);
  }

  #writeU16(addr: number, value: number): void {
    this.#ringWrite(addr, Uint8Array.of(value & 0xff, (value >> 8) & 0xff));
  }

  // Ring and table accesses that fail make the queue unusable, unlike buffer accesses, which
  // the device reports per request.
  #ringRead(addr: number, len: number): Uint8Array {
    try {
      return dmaRead(this.#memory, addr, len);
    } catch (e) {
      if (e instanceof DmaFault) throw new VirtqueueError(`virtqueue ring: ${e.message}`);
      throw e;
    }
  }

  #ringWrite(addr: number, data: Uint8Array): void {
    try {
      dmaWrite(this.#memory, addr, data);
    } catch (e) {
      if (e instanceof DmaFault) throw new VirtqueueError(`virtqueue ring: ${e.message}`);
      throw e;
    }
  }
}
