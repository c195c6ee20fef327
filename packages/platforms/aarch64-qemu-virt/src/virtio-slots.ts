import { type BaseMmioDeviceOps, EmulatedDeviceType, type IrqLine } from "@axvisor/axdevice-base";
import {
  type BlockBacking,
  MmioReg,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VERSION,
  VIRTIO_VENDOR_QEMU,
  VirtioBlk,
  VirtioMmioTransport,
} from "@axvisor/device-virtio-mmio";
import type { RamDma } from "@axvisor/machine";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** Builds the device for one virtio-mmio slot. */
export type ArmVirtioSlotFactory = (slot: {
  readonly base: number;
  readonly size: number;
  readonly irq: IrqLine;
  readonly dma: RamDma;
}) => BaseMmioDeviceOps;

/**
 * A virtio-mmio transport with nothing plugged in: QEMU's virt board always has its 32
 * transports in the device tree, and a driver probing an empty one reads the magic, the
 * version and device id 0 ("no device") and moves on.
 */
export class ArmEmptyVirtioSlot implements BaseMmioDeviceOps {
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
export function armVirtioBlkSlot(
  backing: BlockBacking,
  options: { serial?: string; onDeviceError?: (message: string) => void } = {},
): ArmVirtioSlotFactory {
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
