/**
 * Storage behind a virtio-blk device. Offsets and lengths are in bytes; the device only asks
 * for ranges inside `size`. Methods may throw: the device turns that into VIRTIO_BLK_S_IOERR.
 */
export interface BlockBacking {
  readonly size: number;
  readonly readOnly: boolean;
  read(offset: number, into: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  /** Makes completed writes durable. */
  flush(): void;
  close?(): void;
}

/** A disk held in memory, for tests and scratch disks. Writes change the array in place. */
export class MemoryBlockBacking implements BlockBacking {
  readonly bytes: Uint8Array;
  readonly readOnly: boolean;
  flushes = 0;

  constructor(bytes: Uint8Array, options: { readOnly?: boolean } = {}) {
    this.bytes = bytes;
    this.readOnly = options.readOnly ?? false;
  }

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number, into: Uint8Array): void {
    into.set(this.bytes.subarray(offset, offset + into.length));
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error("memory disk is read-only");
    this.bytes.set(data, offset);
  }

  flush(): void {
    this.flushes++;
  }
}
