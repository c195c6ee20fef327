import { type BasePortDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";
import {
  DmaControl,
  FW_CFG_ARCH_LOCAL,
  FW_CFG_DMA_SIGNATURE,
  FW_CFG_MAX_FILE_PATH,
  FW_CFG_VERSION_DMA,
  FW_CFG_VERSION_TRADITIONAL,
  FwCfgKey,
} from "./keys.js";

/** The x86 ports: selector 0x510 (16-bit), data 0x511, DMA address 0x514-0x51B. */
export const FW_CFG_PORT = 0x510;
const SELECTOR = 0;
const DATA = 1;
const DMA_HIGH = 4;
const DMA_LOW = 8;

/** What DMA needs of guest memory (`@axvisor/machine`'s DmaMemory shape). */
export interface FwCfgDma {
  read(addr: number, len: number): Uint8Array;
  write(addr: number, data: Uint8Array): void;
}

export interface FwCfgFile {
  readonly name: string;
  readonly key: number;
  readonly data: Uint8Array;
}

const le = (bytes: number, v: number | bigint): Uint8Array => {
  const out = new Uint8Array(bytes);
  let x = BigInt(v);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
};

/** A little-endian integer item, as fw_cfg stores numbers. */
export const fwCfgLe16 = (v: number) => le(2, v);
export const fwCfgLe32 = (v: number) => le(4, v);
export const fwCfgLe64 = (v: number | bigint) => le(8, v);

/**
 * QEMU's firmware configuration device on the x86 ports: a selector register at 0x510, a
 * byte-wide data register at 0x511 reading the selected item sequentially, and the DMA
 * interface at 0x514 (64-bit big-endian address of an FWCfgDmaAccess, high half at 0x514,
 * low half at 0x518; writing the low half runs the request).
 *
 * Items are byte arrays under a 16-bit key; named files get keys from 0x20 up and appear in
 * the directory (key 0x19: big-endian count, then size, select, reserved and a 56-byte name
 * per file, sorted by name as QEMU does). The guest can read items only: writes through the
 * data port and DMA write requests are ignored (DMA sets the error bit), as on QEMU 7.2 with
 * no writable files.
 */
export class FwCfg implements BasePortDeviceOps {
  readonly #range = portRange(FW_CFG_PORT, FW_CFG_PORT + 0x0b);
  readonly #items = new Map<number, Uint8Array>();
  readonly #files: FwCfgFile[] = [];
  readonly #dma: FwCfgDma | undefined;
  #selected = 0;
  #offset = 0;
  #dmaHigh = 0;
  /** DMA requests served, for tests and diagnostics. */
  dmaRequests = 0;

  constructor(options: { readonly dma?: FwCfgDma } = {}) {
    this.#dma = options.dma;
    this.setBytes(FwCfgKey.signature, new TextEncoder().encode("QEMU"));
    this.setBytes(
      FwCfgKey.id,
      fwCfgLe32(FW_CFG_VERSION_TRADITIONAL | (this.#dma !== undefined ? FW_CFG_VERSION_DMA : 0)),
    );
    this.#rebuildDirectory();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  reset(): void {
    this.#selected = 0;
    this.#offset = 0;
    this.#dmaHigh = 0;
  }

  /** Sets (or replaces) a numbered item. */
  setBytes(key: number, data: Uint8Array): void {
    this.#items.set(key & 0xffff, data);
  }

  /** Adds (or replaces) a named file; returns its key. */
  addFile(name: string, data: Uint8Array): number {
    if (name.length >= FW_CFG_MAX_FILE_PATH)
      throw new RangeError(`fw_cfg file name too long: ${name}`);
    const existing = this.#files.findIndex((f) => f.name === name);
    let key: number;
    if (existing >= 0) {
      key = this.#files[existing]!.key;
      this.#files[existing] = { name, key, data };
    } else {
      key = FwCfgKey.fileFirst + this.#files.length;
      this.#files.push({ name, key, data });
    }
    this.#items.set(key, data);
    this.#rebuildDirectory();
    return key;
  }

  get files(): readonly FwCfgFile[] {
    return this.#files;
  }

  item(key: number): Uint8Array | undefined {
    return this.#items.get(key);
  }

  #rebuildDirectory(): void {
    const sorted = [...this.#files].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    const dir = new Uint8Array(4 + 64 * sorted.length);
    const view = new DataView(dir.buffer);
    view.setUint32(0, sorted.length, false);
    sorted.forEach((f, i) => {
      const at = 4 + 64 * i;
      view.setUint32(at, f.data.length, false);
      view.setUint16(at + 4, f.key, false);
      dir.set(new TextEncoder().encode(f.name), at + 8);
    });
    this.#items.set(FwCfgKey.fileDir, dir);
  }

  #select(key: number): void {
    // The write bit (0x4000) is accepted and ignored; the arch-local bit is part of the key.
    this.#selected = key & (FW_CFG_ARCH_LOCAL | 0x3fff);
    this.#offset = 0;
  }

  #readByte(): number {
    const data = this.#items.get(this.#selected);
    if (data === undefined || this.#offset >= data.length) return 0;
    return data[this.#offset++]!;
  }

  handleRead(addr: Port, width: AccessWidth): bigint {
    const off = addr - FW_CFG_PORT;
    if (off === DATA) {
      // Wider reads of the data port return successive bytes, the first in the low byte.
      let v = 0n;
      for (let i = 0; i < width; i++) v |= BigInt(this.#readByte()) << BigInt(8 * i);
      return v;
    }
    if (off >= DMA_HIGH && off < DMA_HIGH + 8) {
      // The DMA register reads as the "QEMU CFG" signature, big-endian.
      const shift = BigInt(8 * (8 - (off - DMA_HIGH) - width));
      return (FW_CFG_DMA_SIGNATURE >> shift) & ((1n << BigInt(8 * width)) - 1n);
    }
    return 0n;
  }

  handleWrite(addr: Port, width: AccessWidth, value: bigint): void {
    const off = addr - FW_CFG_PORT;
    if (off === SELECTOR && width >= 2) {
      this.#select(Number(value & 0xffffn));
      return;
    }
    if (this.#dma === undefined) return;
    // The DMA address is big-endian: the CPU's little-endian 32-bit store is byte-swapped.
    if (off === DMA_HIGH && width === 4) {
      this.#dmaHigh = swap32(Number(value));
      return;
    }
    if (off === DMA_LOW && width === 4) {
      const addrLow = swap32(Number(value));
      const a = this.#dmaHigh * 2 ** 32 + addrLow;
      this.#dmaHigh = 0;
      this.#runDma(a);
    }
  }

  /** Serves one FWCfgDmaAccess { be32 control; be32 length; be64 address } at `at`. */
  #runDma(at: number): void {
    const dma = this.#dma!;
    this.dmaRequests++;
    let control: number;
    let length: number;
    let target: number;
    try {
      const req = new DataView(dma.read(at, 16).buffer);
      control = req.getUint32(0, false);
      length = req.getUint32(4, false);
      target = req.getUint32(8, false) * 2 ** 32 + req.getUint32(12, false);
    } catch {
      return; // the descriptor itself is unreachable: nothing to report it in
    }
    if (control & DmaControl.select) this.#select(control >>> 16);
    let error = false;
    if (control & DmaControl.write) error = true;
    else if (control & (DmaControl.read | DmaControl.skip)) {
      const data = this.#items.get(this.#selected);
      const avail = data === undefined ? 0 : Math.max(0, data.length - this.#offset);
      const n = Math.min(length, avail);
      if (control & DmaControl.read) {
        // Past the end of the item the guest's buffer is filled with zeros.
        const out = new Uint8Array(length);
        if (n > 0) out.set(data!.subarray(this.#offset, this.#offset + n));
        try {
          dma.write(target, out);
        } catch {
          error = true;
        }
      }
      this.#offset += n;
    }
    const status = new Uint8Array(4);
    new DataView(status.buffer).setUint32(0, error ? DmaControl.error : 0, false);
    try {
      dma.write(at, status);
    } catch {
      // unreachable descriptor: ignore
    }
  }
}

const swap32 = (v: number) =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
