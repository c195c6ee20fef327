import { MemoryBlockBacking, virtioBlkSlot } from "@axvisor/device-virtio-mmio";
import { describe, expect, it } from "vitest";
import { asm, words } from "./asm.fixture.js";
import { VirtMachine } from "./machine.js";

const SLOT0 = 0x1000_1000;

describe("virtio-mmio slots", () => {
  const disk = new Uint8Array(4096);
  for (let k = 0; k < disk.length; k++) disk[k] = (k * 7) & 0xff;
  const m = new VirtMachine({
    ramSize: 16 << 20,
    images: { kernel: { name: "k", data: words([asm.jal(0, 0)]) } },
    virtio: [virtioBlkSlot(new MemoryBlockBacking(disk))],
    rngSeed: null,
  });
  const r32 = (a: number) => Number(m.bus.load(a, 4));
  const w32 = (a: number, v: number) => expect(m.bus.store(a, 4, BigInt(v))).toBe(true);

  it("answers on all 8 slots: a block device in slot 0, empty transports after it", () => {
    for (let n = 0; n < 8; n++) {
      const base = SLOT0 + n * 0x1000;
      expect(r32(base)).toBe(0x7472_6976); // "virt"
      expect(r32(base + 4)).toBe(2);
      expect(r32(base + 8)).toBe(n === 0 ? 2 : 0); // device id: 2 = block, 0 = none
    }
  });

  it("reads a sector by DMA into RAM and raises PLIC source 1", () => {
    const ram = 0x8010_0000;
    const desc = ram;
    const avail = ram + 0x1000;
    const used = ram + 0x2000;
    const hdr = ram + 0x3000;
    const data = ram + 0x4000;
    const status = ram + 0x5000;
    // virtio 1.2 §3.1.1 driver initialisation, §4.2.3.2 queue setup over MMIO
    w32(SLOT0 + 0x70, 0);
    w32(SLOT0 + 0x70, 1 | 2); // ACKNOWLEDGE | DRIVER
    w32(SLOT0 + 0x24, 1);
    w32(SLOT0 + 0x20, 1); // VIRTIO_F_VERSION_1 (feature bit 32)
    w32(SLOT0 + 0x24, 0);
    w32(SLOT0 + 0x20, 0);
    w32(SLOT0 + 0x70, 1 | 2 | 8); // FEATURES_OK
    expect(r32(SLOT0 + 0x70) & 8).toBe(8);
    w32(SLOT0 + 0x30, 0);
    w32(SLOT0 + 0x38, 8);
    w32(SLOT0 + 0x80, desc);
    w32(SLOT0 + 0x90, avail);
    w32(SLOT0 + 0xa0, used);
    w32(SLOT0 + 0x44, 1);
    w32(SLOT0 + 0x70, 1 | 2 | 8 | 4); // DRIVER_OK
    // PLIC: source 1 priority 1, enabled for context 1
    w32(0x0c00_0004, 1);
    w32(0x0c00_2080, 1 << 1);
    // request: IN (0), sector 2 -> 512 bytes -> status byte (§5.2.6)
    m.bus.store(hdr, 4, 0n);
    m.bus.store(hdr + 8, 8, 2n);
    const d = (i: number, addr: number, len: number, flags: number, next: number) => {
      m.bus.store(desc + 16 * i, 8, BigInt(addr));
      m.bus.store(desc + 16 * i + 8, 4, BigInt(len));
      m.bus.store(desc + 16 * i + 12, 2, BigInt(flags));
      m.bus.store(desc + 16 * i + 14, 2, BigInt(next));
    };
    d(0, hdr, 16, 1, 1); // NEXT
    d(1, data, 512, 1 | 2, 2); // NEXT | WRITE
    d(2, status, 1, 2, 0); // WRITE
    m.bus.store(status, 1, 0xffn);
    m.bus.store(avail + 4, 2, 0n); // ring[0] = head 0
    m.bus.store(avail + 2, 2, 1n); // idx = 1
    w32(SLOT0 + 0x50, 0); // QueueNotify
    expect(Number(m.bus.load(used + 2, 2))).toBe(1);
    expect(Number(m.bus.load(status, 1))).toBe(0); // VIRTIO_BLK_S_OK
    expect([...m.bus.readRam(data, 512)]).toEqual([...disk.subarray(1024, 1536)]);
    expect(r32(SLOT0 + 0x60) & 1).toBe(1); // used-buffer interrupt
    expect(m.plic.isPending(1)).toBe(true);
  });
});
