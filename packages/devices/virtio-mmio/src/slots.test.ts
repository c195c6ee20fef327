import { type BaseMmioDeviceOps, NO_IRQ } from "@axvisor/axdevice-base";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { MmioReg, VIRTIO_MMIO_MAGIC } from "./constants.js";
import { buildVirtioSlots, type VirtioSlotFactory } from "./slots.js";

const layout = {
  count: 3,
  size: 0x200,
  base: (n: number) => 0x0a00_0000 + n * 0x200,
  irq: () => NO_IRQ,
  dma: { read: () => new Uint8Array(0), write: () => {} },
};

describe("buildVirtioSlots", () => {
  it("fills every slot in order, empty transports where no device is given", () => {
    const seen: number[] = [];
    const make: VirtioSlotFactory = (slot) => {
      seen.push(slot.base);
      return { marker: slot.base } as unknown as BaseMmioDeviceOps;
    };
    const devices = buildVirtioSlots(layout, [make]);
    expect(devices).toHaveLength(3);
    expect(seen).toEqual([0x0a00_0000]);
    const empty = devices[2]!;
    expect(empty.addressRange().start).toBe(0x0a00_0400);
    const magic = empty.handleRead(
      (0x0a00_0400 + MmioReg.MagicValue) as GuestPhysAddr,
      AccessWidth.Dword,
    );
    expect(magic).toBe(BigInt(VIRTIO_MMIO_MAGIC));
    expect(
      empty.handleRead((0x0a00_0400 + MmioReg.DeviceId) as GuestPhysAddr, AccessWidth.Dword),
    ).toBe(0n);
  });

  it("refuses more devices than slots", () => {
    const make: VirtioSlotFactory = () => ({}) as BaseMmioDeviceOps;
    expect(() => buildVirtioSlots(layout, [make, make, make, make])).toThrow(
      "only 3 virtio-mmio slots exist",
    );
  });
});
