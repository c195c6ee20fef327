import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

export interface CfiFlashOptions {
  readonly base: number;
  /** Bank size (QEMU virt: 64 MiB). */
  readonly size: number;
  /** Erase block size of the bank (QEMU virt: 256 KiB). */
  readonly sectorSize?: number;
}

/** Bytes the bus reads at once and the width of each of the interleaved chips (QEMU virt: 4 and 2). */
const BANK_WIDTH = 4;
const DEVICE_WIDTH = 2;
const DEVICES = BANK_WIDTH / DEVICE_WIDTH;
/** Intel manufacturer code and a device code, as QEMU's virt flash reports them. */
const ID_MANUFACTURER = 0x89;
const ID_DEVICE = 0x18;
/** Status register: ready; program and erase error bits. */
const SR_READY = 0x80;
const SR_ERASE_ERROR = 0x20;
const SR_PROGRAM_ERROR = 0x10;

const Mode = { ReadArray: 0, Query: 1, ReadId: 2, Status: 3 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/**
 * One bank of QEMU virt's CFI flash (Intel/Sharp command set, as QEMU's "cfi.pflash01" with
 * a 32-bit bank of two interleaved x16 chips): reads in array mode return the contents; the
 * CFI query (0x98), read-identifier (0x90), read-status (0x70), clear-status (0x50) and
 * read-array (0xFF/0xF0) commands work as on QEMU, so firmware such as U-Boot detects the
 * bank and its geometry. The contents are read-only: program and erase commands leave them
 * unchanged and set the status register's error bits, which software sees as a failed
 * write instead of silently lost data.
 */
export class CfiFlash implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #cfi: Uint8Array;
  /** The loaded contents; the rest of the bank reads as zero. */
  #data = new Uint8Array(0);
  #mode: Mode = Mode.ReadArray;
  #status = SR_READY;
  /** Writes still expected as data by a program or buffered-write command. */
  #pendingData = 0;

  constructor(o: CfiFlashOptions) {
    this.#range = rangeFromSize(o.base as GuestPhysAddr, o.size);
    this.#cfi = cfiTable(o.size, o.sectorSize ?? 256 * 1024);
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  /** Replaces the contents from offset 0. */
  load(bytes: Uint8Array): void {
    const size = this.#range.end - this.#range.start;
    if (bytes.length > size) {
      throw new RangeError(`flash image of ${bytes.length} bytes exceeds the ${size}-byte bank`);
    }
    this.#data = bytes.slice();
  }

  reset(): void {
    this.#mode = Mode.ReadArray;
    this.#status = SR_READY;
    this.#pendingData = 0;
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = addr - this.#range.start;
    if (this.#mode === Mode.ReadArray) {
      let v = 0n;
      for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.#data[off + i] ?? 0);
      return v;
    }
    // Non-array modes answer per 32-bit bank word; each x16 chip gives the same 16-bit value.
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) {
      const a = off + i;
      const word = this.#modeWord(a & ~(BANK_WIDTH - 1));
      v = (v << 8n) | BigInt((word >>> (8 * (a & (BANK_WIDTH - 1)))) & 0xff);
    }
    return v;
  }

  #modeWord(off: number): number {
    const index = off / BANK_WIDTH;
    let unit: number;
    switch (this.#mode) {
      case Mode.Query:
        unit = this.#cfi[index] ?? 0;
        break;
      case Mode.ReadId:
        unit = index === 0 ? ID_MANUFACTURER : index === 1 ? ID_DEVICE : 0;
        break;
      default:
        unit = this.#status;
        break;
    }
    let word = 0;
    for (let d = 0; d < DEVICES; d++) word |= unit << (8 * DEVICE_WIDTH * d);
    return word >>> 0;
  }

  handleWrite(_addr: GuestPhysAddr, _width: AccessWidth, value: bigint): void {
    if (this.#pendingData === -1) {
      this.#pendingData = Number(value & 0xffn) + 1; // the word count N - 1
      return;
    }
    if (this.#pendingData > 0) {
      // Data of a program/buffered write: the bank is read-only, so it fails.
      this.#pendingData--;
      if (this.#pendingData === 0) this.#status |= SR_PROGRAM_ERROR;
      this.#mode = Mode.Status;
      return;
    }
    const cmd = Number(value & 0xffn);
    switch (cmd) {
      case 0xff:
      case 0xf0:
        this.#mode = Mode.ReadArray;
        break;
      case 0x98:
        this.#mode = Mode.Query;
        break;
      case 0x90:
        this.#mode = Mode.ReadId;
        break;
      case 0x70:
        this.#mode = Mode.Status;
        break;
      case 0x50:
        this.#status = SR_READY;
        break;
      case 0x10:
      case 0x40:
        this.#pendingData = 1;
        this.#mode = Mode.Status;
        break;
      case 0x20:
        // Block erase: refused at its confirm (0xD0), below.
        this.#mode = Mode.Status;
        this.#status |= SR_ERASE_ERROR;
        break;
      case 0xe8:
        // Write to buffer: the next write is the word count (N - 1), then N words, then 0xD0.
        this.#mode = Mode.Status;
        this.#pendingData = -1;
        break;
      default:
        this.#mode = Mode.Status;
        break;
    }
  }
}

/** The CFI query table (JEDEC JESD68) of one x16 chip of the bank. */
function cfiTable(bankSize: number, sectorSize: number): Uint8Array {
  const t = new Uint8Array(0x40);
  const perDevice = bankSize / DEVICES;
  const sectorPerDevice = sectorSize / DEVICES;
  const blocks = bankSize / sectorSize;
  t.set([0x51, 0x52, 0x59], 0x10); // "QRY"
  t.set([0x01, 0x00, 0x31, 0x00], 0x13); // Intel command set, extended table at 0x31
  t.set([0x45, 0x55, 0x00, 0x00], 0x1b); // Vcc 4.5-5.5 V, no Vpp
  t.set([0x07, 0x07, 0x0a, 0x00, 0x04, 0x04, 0x04, 0x00], 0x1f); // timeouts
  t[0x27] = Math.log2(perDevice);
  t.set([0x02, 0x00], 0x28); // x8/x16 interface
  t.set([0x0b, 0x00], 0x2a); // 2 KiB write buffer
  t[0x2c] = 1; // one erase-block region
  t.set(
    [(blocks - 1) & 0xff, (blocks - 1) >> 8, (sectorPerDevice >> 8) & 0xff, sectorPerDevice >> 16],
    0x2d,
  );
  t.set([0x50, 0x52, 0x49, 0x31, 0x30], 0x31); // "PRI" 1.0
  return t;
}
