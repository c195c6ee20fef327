import type { AccessWidth } from "@axvisor/memory-addr";
import type { VirtioDeviceBackend, VirtioDeviceHost } from "../backend.js";
import { ConfigSpace } from "../config-space.js";
import { VirtioDeviceId } from "../constants.js";
import { DmaFault } from "../dma.js";
import type { DescriptorChain, Virtqueue } from "../virtqueue.js";
import type { BlockBacking } from "./block-backing.js";

/** virtio-blk constants (virtio 1.2 §5.2). */
export const VIRTIO_BLK_F_SEG_MAX = 2n;
export const VIRTIO_BLK_F_RO = 5n;
export const VIRTIO_BLK_F_BLK_SIZE = 6n;
export const VIRTIO_BLK_F_FLUSH = 9n;

export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;

export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

export const SECTOR_SIZE = 512;
export const VIRTIO_BLK_ID_BYTES = 20;

/** Config space offsets (struct virtio_blk_config). */
export const BlkConfig = {
  Capacity: 0x00,
  SizeMax: 0x08,
  SegMax: 0x0c,
  Geometry: 0x10,
  BlkSize: 0x14,
  /** End of the fields up to write_zeroes_may_unmap and its padding. */
  Size: 0x3c,
} as const;

const REQUEST_HEADER_BYTES = 16;
/** Transfers are staged through host buffers of at most this size. */
const CHUNK = 1 << 20;

export interface VirtioBlkOptions {
  readonly backing: BlockBacking;
  /** The id string GET_ID returns (up to 20 bytes of ASCII). */
  readonly serial?: string;
  /** QueueNumMax of the request queue (default 256). */
  readonly queueSize?: number;
}

/**
 * A virtio block device with one request queue: IN, OUT, FLUSH and GET_ID. Every request the
 * device cannot carry out (out-of-range sectors, a read-only disk, a buffer outside guest
 * memory, a failing host file) completes with VIRTIO_BLK_S_IOERR; the host never throws.
 */
export class VirtioBlk implements VirtioDeviceBackend {
  readonly deviceId = VirtioDeviceId.Block;
  readonly features: bigint;
  readonly queueMaxSizes: readonly number[];
  readonly configSize = BlkConfig.Size;
  readonly #backing: BlockBacking;
  readonly #capacity: number;
  readonly #id: Uint8Array;
  readonly #config: ConfigSpace;

  constructor(options: VirtioBlkOptions) {
    this.#backing = options.backing;
    this.#capacity = Math.floor(options.backing.size / SECTOR_SIZE);
    const queueSize = options.queueSize ?? 256;
    this.queueMaxSizes = [queueSize];
    this.features =
      (1n << VIRTIO_BLK_F_SEG_MAX) |
      (1n << VIRTIO_BLK_F_BLK_SIZE) |
      (1n << VIRTIO_BLK_F_FLUSH) |
      (options.backing.readOnly ? 1n << VIRTIO_BLK_F_RO : 0n);
    this.#id = new Uint8Array(VIRTIO_BLK_ID_BYTES);
    const serial = options.serial ?? "axvisor-virtio-blk";
    for (let i = 0; i < Math.min(serial.length, VIRTIO_BLK_ID_BYTES); i++) {
      this.#id[i] = serial.charCodeAt(i) & 0x7f;
    }
    this.#config = new ConfigSpace(BlkConfig.Size);
    this.#config.setU64(BlkConfig.Capacity, BigInt(this.#capacity));
    // Two descriptors of every chain carry the header and the status byte.
    this.#config.setU32(BlkConfig.SegMax, Math.max(1, queueSize - 2));
    this.#config.setU32(BlkConfig.BlkSize, SECTOR_SIZE);
  }

  /** Disk size in 512-byte sectors (a partial last sector of the backing is not exposed). */
  get capacity(): number {
    return this.#capacity;
  }

  attach(_host: VirtioDeviceHost): void {}

  readConfig(offset: number, width: AccessWidth): bigint {
    return this.#config.read(offset, width);
  }

  // Nothing in the offered config space is writable (no CONFIG_WCE).
  writeConfig(_offset: number, _width: AccessWidth, _value: bigint): void {}

  reset(): void {}

  processQueue(_queueIndex: number, queue: Virtqueue): void {
    for (let chain = queue.pop(); chain !== null; chain = queue.pop()) {
      queue.pushUsed(chain.head, this.#handle(chain));
    }
  }

  /** Carries out one request; returns the bytes written into the chain (data + status). */
  #handle(chain: DescriptorChain): number {
    // The status byte is the last writable byte; without one nothing can be reported.
    if (chain.writableLength < 1) return 0;
    const statusAt = chain.writableLength - 1;
    let status: number;
    let dataWritten = 0;
    try {
      const result = this.#execute(chain, statusAt);
      status = result.status;
      dataWritten = result.dataWritten;
    } catch (e) {
      if (!(e instanceof DmaFault)) throw e;
      status = VIRTIO_BLK_S_IOERR;
      dataWritten = 0;
    }
    try {
      chain.write(statusAt, Uint8Array.of(status));
    } catch (e) {
      if (!(e instanceof DmaFault)) throw e;
      return 0;
    }
    return dataWritten + 1;
  }

  #execute(chain: DescriptorChain, dataCapacity: number): { status: number; dataWritten: number } {
    const fail = { status: VIRTIO_BLK_S_IOERR, dataWritten: 0 };
    if (chain.readableLength < REQUEST_HEADER_BYTES) return fail;
    const header = chain.read(0, REQUEST_HEADER_BYTES);
    const view = new DataView(header.buffer, header.byteOffset, REQUEST_HEADER_BYTES);
    const type = view.getUint32(0, true);
    const sector = view.getUint32(12, true) * 0x1_0000_0000 + view.getUint32(8, true);

    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const len = dataCapacity;
        if (!this.#inRange(sector, len)) return fail;
        for (let done = 0; done < len; ) {
          const n = Math.min(CHUNK, len - done);
          const buf = new Uint8Array(n);
          if (!this.#io(() => this.#backing.read(sector * SECTOR_SIZE + done, buf))) {
            return { status: VIRTIO_BLK_S_IOERR, dataWritten: done };
          }
          chain.write(done, buf);
          done += n;
        }
        return { status: VIRTIO_BLK_S_OK, dataWritten: len };
      }
      case VIRTIO_BLK_T_OUT: {
        const len = chain.readableLength - REQUEST_HEADER_BYTES;
        if (this.#backing.readOnly || !this.#inRange(sector, len)) return fail;
        for (let done = 0; done < len; ) {
          const n = Math.min(CHUNK, len - done);
          const buf = chain.read(REQUEST_HEADER_BYTES + done, n);
          if (!this.#io(() => this.#backing.write(sector * SECTOR_SIZE + done, buf))) return fail;
          done += n;
        }
        return { status: VIRTIO_BLK_S_OK, dataWritten: 0 };
      }
      case VIRTIO_BLK_T_FLUSH:
        return this.#io(() => this.#backing.flush())
          ? { status: VIRTIO_BLK_S_OK, dataWritten: 0 }
          : fail;
      case VIRTIO_BLK_T_GET_ID: {
        const n = chain.write(0, this.#id.subarray(0, Math.min(VIRTIO_BLK_ID_BYTES, dataCapacity)));
        return { status: VIRTIO_BLK_S_OK, dataWritten: n };
      }
      default:
        return { status: VIRTIO_BLK_S_UNSUPP, dataWritten: 0 };
    }
  }

  /** Whether `len` bytes from `sector` are whole sectors inside the disk. */
  #inRange(sector: number, len: number): boolean {
    if (len % SECTOR_SIZE !== 0) return false;
    return sector <= this.#capacity && len / SECTOR_SIZE <= this.#capacity - sector;
  }

  /** Runs a backing operation; a host I/O failure becomes `false` (reported as IOERR). */
  #io(op: () => void): boolean {
    try {
      op();
      return true;
    } catch {
      return false;
    }
  }
}
