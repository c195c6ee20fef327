/** A device's configuration space: little-endian fields in a byte array (virtio 1.2 §2.5). */
export class ConfigSpace {
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** `width` bytes at `offset` as an unsigned little-endian value; 0 outside the space. */
  read(offset: number, width: number): bigint {
    if (offset < 0 || offset + width > this.bytes.length) return 0n;
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[offset + i]!);
    return v;
  }

  setU8(offset: number, v: number): void {
    this.#view.setUint8(offset, v);
  }

  setU16(offset: number, v: number): void {
    this.#view.setUint16(offset, v, true);
  }

  setU32(offset: number, v: number): void {
    this.#view.setUint32(offset, v, true);
  }

  setU64(offset: number, v: bigint): void {
    this.#view.setBigUint64(offset, BigInt.asUintN(64, v), true);
  }
}
