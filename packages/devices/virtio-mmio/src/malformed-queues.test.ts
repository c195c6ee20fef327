/**
 * Malformed virtqueues from a guest driver: descriptor loops, indices and buffers out of
 * range, nested and unannounced indirect tables, avail indices far ahead, and enormous
 * lengths. The device marks itself DEVICE_NEEDS_RESET with one line for the VMM's log, or
 * completes the request with an error status; the host never throws, loops or allocates what
 * the guest asks for.
 */
import { RecordingIrqLine } from "@axvisor/axdevice-base";
import { describe, expect, it } from "vitest";
import { MemoryBlockBacking } from "./blk/block-backing.js";
import { VirtioBlk } from "./blk/virtio-blk.js";
import { MmioReg, Status } from "./constants.js";
import { TestDriver } from "./testing/test-driver.js";
import { TestMemory } from "./testing/test-memory.js";
import { VirtioMmioTransport } from "./transport.js";

const MMIO = 0x1000_1000;
const RAM = 0x8000_0000;
const F_NEXT = 1;
const F_WRITE = 2;
const F_INDIRECT = 4;
const INDIRECT_FEATURE = 1n << 28n;

function rig(features?: (offered: bigint) => bigint) {
  const mem = new TestMemory(RAM, 0x20_0000);
  const errors: string[] = [];
  const blk = new VirtioBlk({ backing: new MemoryBlockBacking(new Uint8Array(64 * 1024)) });
  const transport = new VirtioMmioTransport({
    base: MMIO,
    memory: mem,
    irq: new RecordingIrqLine(),
    backend: blk,
    onDeviceError: (m) => errors.push(m),
  });
  const drv = new TestDriver(transport, mem, MMIO);
  drv.init([8], features?.(drv.deviceFeatures()));
  const q = drv.queues[0]!;
  const status = () => drv.r(MmioReg.Status);
  return { mem, drv, q, errors, status };
}

type Rig = ReturnType<typeof rig>;

function expectReset(r: Rig, message: RegExp): void {
  expect(r.status() & Status.DeviceNeedsReset).toBe(Status.DeviceNeedsReset);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toMatch(message);
  expect(r.errors[0]).not.toMatch(/\n/);
}

describe("malformed virtqueues", () => {
  it("a descriptor chain that loops", () => {
    const r = rig();
    const h = r.drv.alloc(16);
    r.drv.writeDesc(r.q.desc, 0, { addr: h, len: 16 }, F_NEXT, 1);
    r.drv.writeDesc(r.q.desc, 1, { addr: h, len: 16 }, F_NEXT, 0);
    r.drv.publish(0, 0);
    r.drv.notify(0);
    expectReset(r, /queue 0: descriptor chain from head 0 loops/);
  });

  it("a descriptor index outside the table", () => {
    const r = rig();
    r.drv.writeDesc(r.q.desc, 0, { addr: r.drv.alloc(16), len: 16 }, F_NEXT, 200);
    r.drv.publish(0, 0);
    r.drv.notify(0);
    expectReset(r, /descriptor index 200 is outside a table of 8/);
  });

  it("a head index outside the table", () => {
    const r = rig();
    r.drv.publish(0, 9);
    r.drv.notify(0);
    expectReset(r, /descriptor index 9 is outside a table of 8/);
  });

  it("avail.idx far ahead of the device", () => {
    const r = rig();
    r.mem.setU16(r.q.avail + 2, 1000);
    r.drv.notify(0);
    expectReset(r, /avail.idx 1000 is more than 8 entries ahead/);
  });

  it("indirect descriptors the driver did not negotiate, and nested indirect tables", () => {
    const r = rig((offered) => offered & ~INDIRECT_FEATURE);
    const table = r.drv.alloc(32);
    r.drv.writeDesc(r.q.desc, 0, { addr: table, len: 32 }, F_INDIRECT, 0);
    r.drv.publish(0, 0);
    r.drv.notify(0);
    expectReset(r, /indirect descriptor without VIRTIO_F_INDIRECT_DESC/);

    const n = rig((offered) => offered | INDIRECT_FEATURE);
    const outer = n.drv.alloc(32);
    n.drv.writeDesc(outer, 0, { addr: outer, len: 32 }, F_INDIRECT, 0);
    n.drv.writeDesc(n.q.desc, 0, { addr: outer, len: 32 }, F_INDIRECT, 0);
    n.drv.publish(0, 0);
    n.drv.notify(0);
    expectReset(n, /indirect descriptor inside an indirect table/);
  });

  it("rings and tables outside guest memory", () => {
    const r = rig();
    r.drv.writeDesc(r.q.desc, 0, { addr: 0x10_0000_0000, len: 16 }, F_NEXT, 1);
    r.drv.writeDesc(r.q.desc, 1, { addr: r.drv.alloc(1), len: 1 }, F_WRITE, 0);
    r.drv.publish(0, 0);
    r.drv.notify(0);
    // A data buffer outside memory is the request's problem: IOERR, the queue goes on.
    expect(r.status() & Status.DeviceNeedsReset).toBe(0);
    expect(r.drv.takeUsed(0)).toEqual([{ id: 0, len: 1 }]);
  });

  it("enormous lengths: a 4 GiB read of a 64 KiB disk fails with IOERR and allocates nothing big", () => {
    const r = rig();
    const h = r.drv.alloc(16);
    r.mem.setU32(h, 0);
    const st = r.drv.alloc(1);
    r.mem.fill(st, [0xff]);
    r.drv.writeDesc(r.q.desc, 0, { addr: h, len: 16 }, F_NEXT, 1);
    r.drv.writeDesc(r.q.desc, 1, { addr: RAM, len: 0xffff_ffff }, F_NEXT | F_WRITE, 2);
    r.drv.writeDesc(r.q.desc, 2, { addr: RAM + 0x1000, len: 0xffff_ffff }, F_NEXT | F_WRITE, 3);
    r.drv.writeDesc(r.q.desc, 3, { addr: st, len: 1 }, F_WRITE, 0);
    r.drv.publish(0, 0);
    const before = process.memoryUsage().arrayBuffers;
    r.drv.notify(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
    expect(r.status() & Status.DeviceNeedsReset).toBe(0);
    // Only the status byte (the chain's last writable byte) is written: IOERR.
    expect(r.drv.takeUsed(0)).toEqual([{ id: 0, len: 1 }]);
    expect([...r.mem.slice(st, 1)]).toEqual([1]);
  });

  it("a huge write whose data lies outside memory: IOERR, the disk untouched", () => {
    const r = rig();
    const h = r.drv.alloc(16);
    r.mem.setU32(h, 1); // VIRTIO_BLK_T_OUT
    const st = r.drv.alloc(1);
    r.drv.writeDesc(r.q.desc, 0, { addr: h, len: 16 }, F_NEXT, 1);
    r.drv.writeDesc(r.q.desc, 1, { addr: RAM + 0x10_0000, len: 32 * 1024 }, F_NEXT, 2);
    r.drv.writeDesc(r.q.desc, 2, { addr: st, len: 1 }, F_WRITE, 0);
    r.drv.publish(0, 0);
    r.drv.notify(0);
    expect([...r.mem.slice(st, 1)]).toEqual([0]); // in range of RAM: written, OK
    const r2 = rig();
    const h2 = r2.drv.alloc(16);
    r2.mem.setU32(h2, 1);
    const st2 = r2.drv.alloc(1);
    r2.drv.writeDesc(r2.q.desc, 0, { addr: h2, len: 16 }, F_NEXT, 1);
    r2.drv.writeDesc(r2.q.desc, 1, { addr: RAM + 0x1f_f000, len: 0x10_0000 }, F_NEXT, 2);
    r2.drv.writeDesc(r2.q.desc, 2, { addr: st2, len: 1 }, F_WRITE, 0);
    r2.drv.publish(0, 0);
    r2.drv.notify(0);
    expect([...r2.mem.slice(st2, 1)]).toEqual([1]); // IOERR
  });
});
