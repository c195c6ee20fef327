import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** Read-only memory (the mask ROM). Writes are dropped, as QEMU drops writes to a ROM region. */
export class Rom implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly bytes: Uint8Array;

  constructor(base: number, size: number) {
    this.#range = rangeFromSize(base as GuestPhysAddr, size);
    this.bytes = new Uint8Array(size);
  }

  /** Replaces the contents from offset 0 (the rest is zeroed). */
  load(contents: Uint8Array): void {
    if (contents.length > this.bytes.length) {
      throw new RangeError(`ROM image of ${contents.length} bytes exceeds ${this.bytes.length}`);
    }
    this.bytes.fill(0);
    this.bytes.set(contents);
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = addr - this.#range.start;
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[off + i] ?? 0);
    return v;
  }

  handleWrite(_addr: GuestPhysAddr, _width: AccessWidth, _value: bigint): void {}
}
