import { RecordingIrqLine } from "@axvisor/axdevice-base";
import { AccessWidth } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { MmioReg, Status } from "../constants.js";
import { type TestBuffer, TestDriver } from "../testing/test-driver.js";
import { TestMemory } from "../testing/test-memory.js";
import { VirtioMmioTransport } from "../transport.js";
import { type BlockBacking, MemoryBlockBacking } from "./block-backing.js";
import { VirtioBlk } from "./virtio-blk.js";

const MMIO_BASE = 0x1000_1000;
const RAM_BASE = 0x8000_0000;
// virtio 1.2 §5.2.6: request types and status values.
const T_IN = 0;
const T_OUT = 1;
const T_FLUSH = 4;
const T_GET_ID = 8;
const T_DISCARD = 11;
const S_OK = 0;
const S_IOERR = 1;
const S_UNSUPP = 2;

function makeBlkRig(backing: BlockBacking, serial?: string) {
  const mem = new TestMemory(RAM_BASE, 0x20_0000);
  const irq = new RecordingIrqLine();
  const blk = new VirtioBlk(serial === undefined ? { backing } : { backing, serial });
  const transport = new VirtioMmioTransport({ base: MMIO_BASE, memory: mem, irq, backend: blk });
  const drv = new TestDriver(transport, mem, MMIO_BASE);
  return { mem, irq, blk, transport, drv };
}

type Rig = ReturnType<typeof makeBlkRig>;

interface RequestOptions {
  /** OUT payload. */
  data?: Uint8Array;
  /** IN: bytes of device-writable data buffer. */
  inLen?: number;
  /** Split the data buffer into pieces of this many bytes. */
  split?: number;
  indirect?: boolean;
  /** Override where the data buffer lives (e.g. outside RAM). */
  dataAddr?: number;
  statusAddr?: number;
}

/** Builds a request the way Linux's virtio_blk does: header, data, status byte. */
function request(rig: Rig, type: number, sector: number, o: RequestOptions = {}) {
  const { drv, mem } = rig;
  const header = drv.alloc(16);
  mem.setU32(header, type);
  mem.setU32(header + 4, 0);
  mem.setU64(header + 8, sector);
  const bufs: TestBuffer[] = [{ addr: header, len: 16 }];
  const dataLen = o.data?.length ?? o.inLen ?? 0;
  const dataAddr = o.dataAddr ?? drv.alloc(Math.max(dataLen, 1));
  if (o.data && o.dataAddr === undefined) mem.fill(dataAddr, o.data);
  if (dataLen > 0) {
    const piece = o.split ?? dataLen;
    for (let off = 0; off < dataLen; off += piece) {
      bufs.push({
        addr: dataAddr + off,
        len: Math.min(piece, dataLen - off),
        write: o.data === undefined,
      });
    }
  }
  const statusAddr = o.statusAddr ?? drv.alloc(1);
  if (o.statusAddr === undefined) mem.fill(statusAddr, [0xff]);
  bufs.push({ addr: statusAddr, len: 1, write: true });
  const head = drv.addChain(0, bufs, o.indirect ? { indirect: true } : {});
  drv.notify(0);
  const used = drv.takeUsed(0);
  return { head, used, dataAddr, statusAddr };
}

const pattern = (len: number, seed: number) =>
  Uint8Array.from({ length: len }, (_, i) => (i * 31 + seed) & 0xff);

describe("VirtioBlk config space", () => {
  it("reports capacity in 512-byte sectors, seg_max and blk_size", () => {
    const { drv } = makeBlkRig(new MemoryBlockBacking(new Uint8Array(64 * 1024 + 100)));
    expect(drv.r(MmioReg.DeviceId)).toBe(2);
    // capacity (u64 at config 0x00): 64 KiB = 128 sectors; the partial sector is not exposed
    expect(drv.r(0x100, AccessWidth.Qword)).toBe(128);
    expect(drv.r(0x100)).toBe(128);
    expect(drv.r(0x104)).toBe(0);
    expect(drv.r(0x10c)).toBe(254); // seg_max = queue size 256 - 2
    expect(drv.r(0x114)).toBe(512); // blk_size
    expect(drv.r(0x114, AccessWidth.Word)).toBe(512);
    expect(drv.r(0x13c)).toBe(0); // past the config space
  });

  it("offers SEG_MAX, BLK_SIZE and FLUSH, and RO for read-only disks", () => {
    const rw = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512)));
    const ro = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512), { readOnly: true }));
    const bits = (f: bigint) => [2n, 5n, 6n, 9n].map((b) => Number((f >> b) & 1n));
    expect(bits(rw.drv.deviceFeatures())).toEqual([1, 0, 1, 1]);
    expect(bits(ro.drv.deviceFeatures())).toEqual([1, 1, 1, 1]);
  });
});

describe("VirtioBlk requests", () => {
  it("writes sectors and reads them back", () => {
    const disk = new Uint8Array(16 * 512);
    const rig = makeBlkRig(new MemoryBlockBacking(disk));
    rig.drv.init([256]);
    const data = pattern(1024, 7);
    const out = request(rig, T_OUT, 3, { data });
    expect(out.used).toEqual([{ id: out.head, len: 1 }]); // only the status byte is written
    expect(rig.mem.u8(out.statusAddr)).toBe(S_OK);
    expect(disk.subarray(3 * 512, 5 * 512)).toEqual(data);
    expect(disk[3 * 512 - 1]).toBe(0);
    expect(disk[5 * 512]).toBe(0);

    const inp = request(rig, T_IN, 3, { inLen: 1024 });
    expect(inp.used).toEqual([{ id: inp.head, len: 1025 }]); // data + status
    expect(rig.mem.u8(inp.statusAddr)).toBe(S_OK);
    expect(rig.mem.slice(inp.dataAddr, 1024)).toEqual(data);
  });

  it("scatters and gathers across many descriptors and through indirect tables", () => {
    const disk = pattern(8 * 512, 3);
    const rig = makeBlkRig(new MemoryBlockBacking(disk));
    rig.drv.init([256]);
    const inp = request(rig, T_IN, 1, { inLen: 2048, split: 100, indirect: true });
    expect(rig.mem.u8(inp.statusAddr)).toBe(S_OK);
    expect(rig.mem.slice(inp.dataAddr, 2048)).toEqual(disk.slice(512, 512 + 2048));
    const data = pattern(1536, 99);
    const out = request(rig, T_OUT, 5, { data, split: 7 });
    expect(rig.mem.u8(out.statusAddr)).toBe(S_OK);
    expect(disk.subarray(5 * 512, 8 * 512)).toEqual(data);
  });

  it("flushes the backing store", () => {
    const backing = new MemoryBlockBacking(new Uint8Array(512));
    const rig = makeBlkRig(backing);
    rig.drv.init([256]);
    const r = request(rig, T_FLUSH, 0);
    expect(rig.mem.u8(r.statusAddr)).toBe(S_OK);
    expect(r.used[0]!.len).toBe(1);
    expect(backing.flushes).toBe(1);
  });

  it("returns the 20-byte device id, zero-padded", () => {
    const rig = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512)), "disk-0");
    rig.drv.init([256]);
    const r = request(rig, T_GET_ID, 0, { inLen: 20 });
    expect(rig.mem.u8(r.statusAddr)).toBe(S_OK);
    expect(r.used[0]!.len).toBe(21);
    const id = rig.mem.slice(r.dataAddr, 20);
    expect(new TextDecoder().decode(id.subarray(0, 6))).toBe("disk-0");
    expect([...id.subarray(6)]).toEqual(new Array(14).fill(0));
  });

  it("answers unknown request types with UNSUPP", () => {
    const rig = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512)));
    rig.drv.init([256]);
    const r = request(rig, T_DISCARD, 0, { data: new Uint8Array(16) });
    expect(rig.mem.u8(r.statusAddr)).toBe(S_UNSUPP);
  });

  it("raises the used-buffer interrupt for completed requests", () => {
    const rig = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512)));
    rig.drv.init([256]);
    request(rig, T_FLUSH, 0);
    expect(rig.irq.level).toBe(true);
    expect(rig.drv.ack()).toBe(1);
    expect(rig.irq.level).toBe(false);
  });
});

describe("VirtioBlk errors become IOERR, never host exceptions", () => {
  it("rejects requests past the end of the disk", () => {
    const disk = new Uint8Array(4 * 512);
    const rig = makeBlkRig(new MemoryBlockBacking(disk));
    rig.drv.init([256]);
    expect(rig.mem.u8(request(rig, T_IN, 4, { inLen: 512 }).statusAddr)).toBe(S_IOERR);
    expect(rig.mem.u8(request(rig, T_IN, 3, { inLen: 1024 }).statusAddr)).toBe(S_IOERR);
    const huge = request(rig, T_OUT, 2 ** 40, { data: new Uint8Array(512).fill(1) });
    expect(rig.mem.u8(huge.statusAddr)).toBe(S_IOERR);
    expect(disk.every((b) => b === 0)).toBe(true);
    expect(rig.mem.u8(request(rig, T_IN, 3, { inLen: 512 }).statusAddr)).toBe(S_OK);
  });

  it("rejects transfers that are not whole sectors", () => {
    const rig = makeBlkRig(new MemoryBlockBacking(new Uint8Array(4 * 512)));
    rig.drv.init([256]);
    expect(rig.mem.u8(request(rig, T_IN, 0, { inLen: 100 }).statusAddr)).toBe(S_IOERR);
    const out = request(rig, T_OUT, 0, { data: new Uint8Array(513) });
    expect(rig.mem.u8(out.statusAddr)).toBe(S_IOERR);
  });

  it("refuses writes to a read-only disk", () => {
    const disk = new Uint8Array(512);
    const rig = makeBlkRig(new MemoryBlockBacking(disk, { readOnly: true }));
    rig.drv.init([256]);
    const r = request(rig, T_OUT, 0, { data: new Uint8Array(512).fill(9) });
    expect(rig.mem.u8(r.statusAddr)).toBe(S_IOERR);
    expect(disk.every((b) => b === 0)).toBe(true);
  });

  it("reports IOERR for data buffers outside guest memory and keeps working", () => {
    const disk = pattern(4 * 512, 1);
    const rig = makeBlkRig(new MemoryBlockBacking(disk));
    rig.drv.init([256]);
    const outside = RAM_BASE + 0x4000_0000;
    const bad = request(rig, T_IN, 0, { inLen: 512, dataAddr: outside });
    expect(rig.mem.u8(bad.statusAddr)).toBe(S_IOERR);
    expect(bad.used).toEqual([{ id: bad.head, len: 1 }]);
    const badOut = request(rig, T_OUT, 0, { data: new Uint8Array(512), dataAddr: 2 ** 60 });
    expect(rig.mem.u8(badOut.statusAddr)).toBe(S_IOERR);
    expect(disk).toEqual(pattern(4 * 512, 1));
    expect(rig.transport.status & Status.DeviceNeedsReset).toBe(0);
    const good = request(rig, T_IN, 1, { inLen: 512 });
    expect(rig.mem.u8(good.statusAddr)).toBe(S_OK);
    expect(rig.mem.slice(good.dataAddr, 512)).toEqual(disk.slice(512, 1024));
  });

  it("completes a request whose status byte is outside memory with length 0", () => {
    const rig = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512)));
    rig.drv.init([256]);
    const r = request(rig, T_FLUSH, 0, { statusAddr: 0x10 });
    expect(r.used).toEqual([{ id: r.head, len: 0 }]);
  });

  it("reports IOERR for a header shorter than 16 bytes", () => {
    const rig = makeBlkRig(new MemoryBlockBacking(new Uint8Array(512)));
    rig.drv.init([256]);
    const status = rig.drv.alloc(1);
    const header = rig.drv.alloc(8);
    const head = rig.drv.addChain(0, [
      { addr: header, len: 8 },
      { addr: status, len: 1, write: true },
    ]);
    rig.drv.notify(0);
    expect(rig.drv.takeUsed(0)).toEqual([{ id: head, len: 1 }]);
    expect(rig.mem.u8(status)).toBe(S_IOERR);
  });

  it("reports IOERR when the host storage fails", () => {
    const failing: BlockBacking = {
      size: 4096,
      readOnly: false,
      read() {
        throw new Error("EIO");
      },
      write() {
        throw new Error("EIO");
      },
      flush() {
        throw new Error("EIO");
      },
    };
    const rig = makeBlkRig(failing);
    rig.drv.init([256]);
    expect(rig.mem.u8(request(rig, T_IN, 0, { inLen: 512 }).statusAddr)).toBe(S_IOERR);
    const out = request(rig, T_OUT, 0, { data: new Uint8Array(512) });
    expect(rig.mem.u8(out.statusAddr)).toBe(S_IOERR);
    expect(rig.mem.u8(request(rig, T_FLUSH, 0).statusAddr)).toBe(S_IOERR);
  });
});
