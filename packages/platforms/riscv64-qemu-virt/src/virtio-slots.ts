import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import {
  type BlockBacking,
  MmioReg,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VERSION,
  VIRTIO_VENDOR_QEMU,
  VirtioBlk,
  VirtioMmioTransport,
} from "@axvisor/device-virtio-mmio";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";
import type { VirtioSlotFactory } from "./machine.js";

/**
 * A virtio-mmio transport with nothing plugged in. QEMU's virt board always has its 8
 * transports and the device tree lists all of them; a driver probing an empty one reads the
 * magic, a version and device id 0 ("no device") and moves on. Without this, the probe
 * would take an access fault.
 */
export class EmptyVirtioSlot implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;

  constructor(base: number, size: number) {
    this.#range = rangeFromSize(base as GuestPhysAddr, size);
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    if (width !== AccessWidth.Dword) return 0n;
    switch (addr - this.#range.start) {
      case MmioReg.MagicValue:
        return BigInt(VIRTIO_MMIO_MAGIC);
      case MmioReg.Version:
        return BigInt(VIRTIO_MMIO_VERSION);
      case MmioReg.VendorId:
        return BigInt(VIRTIO_VENDOR_QEMU);
      default:
        return 0n;
    }
  }

  handleWrite(_addr: GuestPhysAddr, _width: AccessWidth, _value: bigint): void {}
}

/** A slot holding a virtio-blk disk on `backing`. */
export function virtioBlkSlot(
  backing: BlockBacking,
  options: { serial?: string; onDeviceError?: (message: string) => void } = {},
): VirtioSlotFactory {
  return (slot) =>
    new VirtioMmioTransport({
      base: slot.base,
      size: slot.size,
      irq: slot.irq,
      memory: slot.dma,
      backend: new VirtioBlk({
        backing,
        ...(options.serial !== undefined ? { serial: options.serial } : {}),
      }),
      ...(options.onDeviceError !== undefined ? { onDeviceError: options.onDeviceError } : {}),
    });
}
