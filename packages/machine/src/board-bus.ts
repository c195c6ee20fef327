import type { BaseMmioDeviceOps } from "@axvisor/axdevice-base";
import { AxError, axErr } from "@axvisor/axerrno";
import { type AccessWidth, formatRange, type GuestPhysAddr } from "@axvisor/memory-addr";
import type { PhysBus } from "./phys-bus.js";

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The board's physical address space: RAM on a fast path, devices in an array sorted by base
 * address and found by binary search. The hart touches RAM directly; `load`/`store` here
 * serve everything else, plus RAM for callers that go through the bus (HTIF, tests, DMA that
 * prefers one interface).
 */
export class BoardBus implements PhysBus {
  readonly ram: Uint8Array;
  readonly ramBase: number;
  readonly #ramView: DataView;
  #starts: number[] = [];
  #ends: number[] = [];
  #devices: BaseMmioDeviceOps[] = [];
  /** Accesses that reached no device, for diagnostics. */
  unassignedAccesses = 0;
  /** Set to observe unassigned accesses (address, width, isWrite). */
  onUnassigned: ((paddr: number, width: number, write: boolean) => void) | undefined;

  constructor(ram: Uint8Array, ramBase: number) {
    this.ram = ram;
    this.ramBase = ramBase;
    this.#ramView = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  }

  get ramEnd(): number {
    return this.ramBase + this.ram.length;
  }

  /** Maps a device; its range must not overlap RAM or another device. */
  addDevice(device: BaseMmioDeviceOps): void {
    const r = device.addressRange();
    const start = r.start as number;
    const end = r.end as number;
    if (end <= start) throw axErr("InvalidInput", `device range ${formatRange(r)} is empty`);
    if (start < this.ramEnd && end > this.ramBase) {
      throw axErr("AlreadyExists", `device ${formatRange(r)} overlaps RAM`);
    }
    let i = 0;
    while (i < this.#starts.length && this.#starts[i]! < start) i++;
    const prevEnd = i > 0 ? this.#ends[i - 1]! : -1;
    const nextStart = i < this.#starts.length ? this.#starts[i]! : Number.POSITIVE_INFINITY;
    if (prevEnd > start || nextStart < end) {
      throw axErr("AlreadyExists", `device ${formatRange(r)} overlaps another device`);
    }
    this.#starts.splice(i, 0, start);
    this.#ends.splice(i, 0, end);
    this.#devices.splice(i, 0, device);
  }

  get devices(): readonly BaseMmioDeviceOps[] {
    return this.#devices;
  }

  /** The device whose range holds [paddr, paddr + width), or undefined. */
  findDevice(paddr: number, width: number): BaseMmioDeviceOps | undefined {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= paddr) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0 || paddr + width > this.#ends[hi]!) return undefined;
    return this.#devices[hi];
  }

  #inRam(paddr: number, width: number): boolean {
    return paddr >= this.ramBase && paddr + width <= this.ramBase + this.ram.length;
  }

  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null {
    if (this.#inRam(paddr, width)) return this.#ramLoad(paddr - this.ramBase, width);
    const dev = this.findDevice(paddr, width);
    if (dev === undefined) {
      this.#miss(paddr, width, false);
      return null;
    }
    try {
      const v = dev.handleRead(paddr as GuestPhysAddr, width as AccessWidth);
      return width === 8 ? BigInt.asUintN(64, v) : BigInt.asUintN(width * 8, v);
    } catch (e) {
      // A device refusing an access is the guest's fault: an access fault, not a host crash.
      if (e instanceof AxError) return null;
      throw e;
    }
  }

  store(paddr: number, width: 1 | 2 | 4 | 8, value: bigint): boolean {
    if (this.#inRam(paddr, width)) {
      this.#ramStore(paddr - this.ramBase, width, value);
      return true;
    }
    const dev = this.findDevice(paddr, width);
    if (dev === undefined) {
      this.#miss(paddr, width, true);
      return false;
    }
    try {
      dev.handleWrite(
        paddr as GuestPhysAddr,
        width as AccessWidth,
        BigInt.asUintN(width * 8, value),
      );
      return true;
    } catch (e) {
      if (e instanceof AxError) return false;
      throw e;
    }
  }

  #miss(paddr: number, width: number, write: boolean): void {
    this.unassignedAccesses++;
    this.onUnassigned?.(paddr, width, write);
  }

  #ramLoad(off: number, width: number): bigint {
    const v = this.#ramView;
    switch (width) {
      case 1:
        return BigInt(v.getUint8(off));
      case 2:
        return BigInt(v.getUint16(off, true));
      case 4:
        return BigInt(v.getUint32(off, true));
      default:
        return v.getBigUint64(off, true);
    }
  }

  #ramStore(off: number, width: number, value: bigint): void {
    const v = this.#ramView;
    switch (width) {
      case 1:
        v.setUint8(off, Number(value & 0xffn));
        break;
      case 2:
        v.setUint16(off, Number(value & 0xffffn), true);
        break;
      case 4:
        v.setUint32(off, Number(value & 0xffff_ffffn), true);
        break;
      default:
        v.setBigUint64(off, BigInt.asUintN(64, value), true);
    }
  }

  /** Copies bytes into RAM (image loading); throws naming the range when it does not fit. */
  writeRam(paddr: number, bytes: Uint8Array): void {
    if (!this.#inRam(paddr, bytes.length)) {
      throw axErr(
        "OutOfRange",
        `${bytes.length} bytes at ${hex(paddr)} do not fit in RAM ` +
          `${hex(this.ramBase)}..${hex(this.ramEnd)}`,
      );
    }
    this.ram.set(bytes, paddr - this.ramBase);
  }

  /** A copy of RAM bytes. */
  readRam(paddr: number, len: number): Uint8Array {
    if (!this.#inRam(paddr, len)) {
      throw axErr("OutOfRange", `${len} bytes at ${hex(paddr)} are outside RAM`);
    }
    return this.ram.slice(paddr - this.ramBase, paddr - this.ramBase + len);
  }
}
