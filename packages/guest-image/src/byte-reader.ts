import { hex, ImageFormatError } from "./image-error.js";

/**
 * Bounds-checked little-endian reads over an image. Every read names the structure being
 * read, so a short or corrupt file reports *what* was cut off rather than a RangeError.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly name: string;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, name: string) {
    this.bytes = bytes;
    this.name = name;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws "truncated" unless [offset, offset+len) lies inside the file. */
  need(offset: number, len: number, what: string): void {
    if (offset < 0 || len < 0 || offset + len > this.bytes.length) {
      throw new ImageFormatError(
        "truncated",
        `${this.name}: truncated: ${what} needs bytes ${hex(offset)}..${hex(offset + len)} ` +
          `but the file is ${this.bytes.length} bytes long`,
      );
    }
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, what: string): bigint {
    this.need(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }

  /**
   * A 64-bit field that must fit a JS number (addresses and sizes are numbers below 2^53
   * throughout AxVisor.ts). Larger values are refused rather than silently rounded.
   */
  u64Number(offset: number, what: string): number {
    const v = this.u64(offset, what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ImageFormatError(
        "address-too-large",
        `${this.name}: ${what} is ${hex(v)}, beyond 2^53 (AxVisor.ts addresses are below 2^53; ` +
          "a high-half kernel ELF such as vmlinux cannot be loaded this way, use its Image)",
      );
    }
    return Number(v);
  }

  ascii(offset: number, len: number, what: string): string {
    this.need(offset, len, what);
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode(this.bytes[offset + i]!);
    return s;
  }

  /** A NUL-terminated string starting at `offset` and not running past `end`. */
  cString(offset: number, end: number, what: string): string {
    const stop = Math.min(end, this.bytes.length);
    if (offset < 0 || offset >= stop) {
      throw new ImageFormatError(
        "section-out-of-range",
        `${this.name}: ${what} at ${hex(offset)} lies outside its string table`,
      );
    }
    let i = offset;
    while (i < stop && this.bytes[i] !== 0) i++;
    if (i === stop) {
      throw new ImageFormatError(
        "section-out-of-range",
        `${this.name}: ${what} at ${hex(offset)} is not NUL-terminated inside its string table`,
      );
    }
    return new TextDecoder().decode(this.bytes.subarray(offset, i));
  }
}
