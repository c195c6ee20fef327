import { type BaseMmioDeviceOps, EmulatedDeviceType, type IrqLine } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";
import type { BlockBacking } from "./blk/block-backing.js";
import { VirtioBlk } from "./blk/virtio-blk.js";
import {
  MmioReg,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VERSION,
  VIRTIO_VENDOR_QEMU,
} from "./constants.js";
import type { DmaMemory } from "./dma.js";
import { VirtioMmioTransport } from "./transport.js";

/** One virtio-mmio slot of a board: where it is, its interrupt line and the board's DMA. */
export interface VirtioSlot {
  readonly base: number;
  readonly size: number;
  readonly irq: IrqLine;
  readonly dma: DmaMemory;
}

/** Builds the device for one slot (boards call it once their DMA and interrupt lines exist). */
export type VirtioSlotFactory = (slot: VirtioSlot) => BaseMmioDeviceOps;

/**
 * A virtio-mmio transport with nothing plugged in. QEMU's boards always have their
 * transports (8 on riscv virt, 32 on arm virt) and the device tree lists all of them; a driver probing an empty one reads the
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

/** A board's row of virtio-mmio transports: how many, where, and how they interrupt. */
export interface VirtioSlotLayout {
  readonly count: number;
  readonly size: number;
  /** Base address of slot n. */
  base(n: number): number;
  /** Interrupt line of slot n. */
  irq(n: number): IrqLine;
  readonly dma: DmaMemory;
}

/**
 * Every slot of a board, in order: the device `factories[n]` builds, or an empty transport (a
 * probing driver reads device id 0 and moves on). More factories than slots is an error naming
 * the count.
 */
export function buildVirtioSlots(
  layout: VirtioSlotLayout,
  factories: readonly VirtioSlotFactory[],
): BaseMmioDeviceOps[] {
  if (factories.length > layout.count) {
    throw axErr("InvalidInput", `only ${layout.count} virtio-mmio slots exist`);
  }
  const devices: BaseMmioDeviceOps[] = [];
  for (let n = 0; n < layout.count; n++) {
    const base = layout.base(n);
    const make = factories[n];
    devices.push(
      make === undefined
        ? new EmptyVirtioSlot(base, layout.size)
        : make({ base, size: layout.size, irq: layout.irq(n), dma: layout.dma }),
    );
  }
  return devices;
}
