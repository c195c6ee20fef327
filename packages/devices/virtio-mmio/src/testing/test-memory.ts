import type { DmaMemory } from "../dma.js";

/** Guest RAM for tests: `size` bytes at `base`; anything else throws, like a board would. */
export class TestMemory implements DmaMemory {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly writes: { addr: number; len: number }[] = [];

  constructor(
    readonly base: number,
    size: number,
  ) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  #offset(addr: number, len: number): number {
    const off = addr - this.base;
    if (off < 0 || off + len > this.bytes.length) {
      throw new RangeError(`test memory: 0x${addr.toString(16)}+${len} is not RAM`);
    }
    return off;
  }

  read(addr: number, len: number): Uint8Array {
    const off = this.#offset(addr, len);
    return this.bytes.slice(off, off + len);
  }

  write(addr: number, data: Uint8Array): void {
    this.bytes.set(data, this.#offset(addr, data.length));
    this.writes.push({ addr, len: data.length });
  }

  u8(addr: number): number {
    return this.view.getUint8(this.#offset(addr, 1));
  }
  u16(addr: number): number {
    return this.view.getUint16(this.#offset(addr, 2), true);
  }
  u32(addr: number): number {
    return this.view.getUint32(this.#offset(addr, 4), true);
  }
  setU16(addr: number, v: number): void {
    this.view.setUint16(this.#offset(addr, 2), v, true);
  }
  setU32(addr: number, v: number): void {
    this.view.setUint32(this.#offset(addr, 4), v, true);
  }
  setU64(addr: number, v: number): void {
    const off = this.#offset(addr, 8);
    this.view.setUint32(off, v % 0x1_0000_0000, true);
    this.view.setUint32(off + 4, Math.floor(v / 0x1_0000_0000), true);
  }
  fill(addr: number, data: ArrayLike<number>): void {
    this.bytes.set(data, this.#offset(addr, data.length));
  }
  slice(addr: number, len: number): Uint8Array {
    const off = this.#offset(addr, len);
    return this.bytes.slice(off, off + len);
  }
}
