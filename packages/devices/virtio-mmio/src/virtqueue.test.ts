import { describe, expect, it } from "vitest";
import { DmaFault, type DmaMemory, dmaRead, dmaWrite } from "./dma.js";
import { TestMemory } from "./testing/test-memory.js";
import { DescriptorChain, Virtqueue, VirtqueueError } from "./virtqueue.js";

const RAM = 0x8000_0000;

describe("DescriptorChain", () => {
  it("reads and writes each group as one byte range across buffer boundaries", () => {
    const mem = new TestMemory(RAM, 0x1000);
    mem.fill(RAM + 0x100, [1, 2, 3]);
    mem.fill(RAM + 0x200, [4, 5]);
    const chain = new DescriptorChain(
      7,
      [
        { addr: RAM + 0x100, len: 3 },
        { addr: RAM + 0x200, len: 2 },
      ],
      [
        { addr: RAM + 0x300, len: 2 },
        { addr: RAM + 0x400, len: 4 },
      ],
      mem,
    );
    expect(chain.readableLength).toBe(5);
    expect(chain.writableLength).toBe(6);
    expect([...chain.read(2, 2)]).toEqual([3, 4]);
    expect([...chain.read(4, 10)]).toEqual([5]); // clipped at the end
    expect(chain.write(1, Uint8Array.of(9, 8, 7))).toBe(3);
    expect([...mem.slice(RAM + 0x300, 2)]).toEqual([0, 9]);
    expect([...mem.slice(RAM + 0x400, 3)]).toEqual([8, 7, 0]);
    expect(chain.write(5, Uint8Array.of(1, 2, 3))).toBe(1); // only one byte left
  });

  it("throws DmaFault for buffers outside memory", () => {
    const mem = new TestMemory(RAM, 0x1000);
    const chain = new DescriptorChain(0, [{ addr: RAM + 0xffe, len: 4 }], [], mem);
    expect(() => chain.read(0, 4)).toThrow(DmaFault);
  });
});

describe("dmaRead / dmaWrite", () => {
  it("turn memory errors, impossible addresses and short reads into DmaFault", () => {
    const mem = new TestMemory(RAM, 0x100);
    expect(() => dmaRead(mem, RAM - 1, 2)).toThrow(DmaFault);
    expect(() => dmaRead(mem, 2 ** 60, 1)).toThrow(/outside guest memory/);
    expect(() => dmaWrite(mem, -8, new Uint8Array(1))).toThrow(DmaFault);
    const short: DmaMemory = { read: () => new Uint8Array(1), write: () => {} };
    expect(() => dmaRead(short, 0, 4)).toThrow(DmaFault);
    expect([...dmaRead(mem, RAM, 2)]).toEqual([0, 0]);
  });
});

describe("Virtqueue", () => {
  const layout = { size: 4, descAddr: RAM, driverAddr: RAM + 0x100, deviceAddr: RAM + 0x200 };
  const plain = { indirect: false, eventIdx: false };

  it("pops chains in avail order and publishes used entries", () => {
    const mem = new TestMemory(RAM, 0x1000);
    const vq = new Virtqueue(mem, layout, plain);
    expect(vq.pop()).toBeNull();
    // descriptor 2: 8 readable bytes at RAM+0x800, no next
    mem.setU64(RAM + 32, RAM + 0x800);
    mem.setU32(RAM + 32 + 8, 8);
    mem.setU16(RAM + 0x100 + 4, 2); // avail.ring[0] = 2
    mem.setU16(RAM + 0x100 + 2, 1); // avail.idx = 1
    expect(vq.hasAvailable()).toBe(true);
    const chain = vq.pop()!;
    expect(chain.head).toBe(2);
    expect(chain.readable).toEqual([{ addr: RAM + 0x800, len: 8 }]);
    expect(vq.pop()).toBeNull();
    vq.pushUsed(2, 0);
    expect(mem.u16(RAM + 0x202)).toBe(1); // used.idx
    expect(mem.u32(RAM + 0x204)).toBe(2); // used.ring[0].id
    expect(vq.needsInterrupt(0)).toBe(true);
    mem.setU16(RAM + 0x100, 1); // VIRTQ_AVAIL_F_NO_INTERRUPT
    expect(vq.needsInterrupt(0)).toBe(false);
  });

  it("wraps its 16-bit indices", () => {
    const mem = new TestMemory(RAM, 0x1000);
    const vq = new Virtqueue(mem, layout, plain);
    mem.setU32(RAM + 8, 1);
    for (let i = 0; i < 0x10002; i++) {
      mem.setU16(RAM + 0x100 + 2, (i + 1) & 0xffff);
      const c = vq.pop();
      if (c === null) throw new Error(`nothing at ${i}`);
      vq.pushUsed(c.head, 0);
    }
    expect(vq.usedIndex).toBe(2);
    expect(mem.u16(RAM + 0x202)).toBe(2);
  });

  it("refuses a descriptor table it cannot read", () => {
    const mem = new TestMemory(RAM, 0x1000);
    const vq = new Virtqueue(mem, { ...layout, descAddr: 0x10 }, plain);
    mem.setU16(RAM + 0x100 + 2, 1);
    expect(() => vq.pop()).toThrow(VirtqueueError);
  });
});
