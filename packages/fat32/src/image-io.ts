/** Where an image is written to and read from: a file, or memory in tests. */
export interface ImageTarget {
  write(offset: number, data: Uint8Array): void;
}

export interface ImageSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** An in-memory image, both source and target. */
export class MemoryImage implements ImageTarget, ImageSource {
  readonly bytes: Uint8Array;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  get size(): number {
    return this.bytes.length;
  }
  write(offset: number, data: Uint8Array): void {
    this.bytes.set(data, offset);
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }
}
