import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestDriver } from "../testing/test-driver.js";
import { TestMemory } from "../testing/test-memory.js";
import { VirtioMmioTransport } from "../transport.js";
import { FileBlockBacking } from "./file-block-backing.js";
import { VirtioBlk } from "./virtio-blk.js";

const RAM_BASE = 0x8000_0000;
const MMIO_BASE = 0x1000_8000;

let dir: string;
let image: string;
const sectors = (n: number, fill: (i: number) => number) =>
  Uint8Array.from({ length: n * 512 }, (_, i) => fill(i));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "virtio-blk-"));
  image = join(dir, "disk.img");
  // Sector k is filled with the byte k.
  writeFileSync(
    image,
    sectors(8, (i) => Math.floor(i / 512)),
  );
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A guest-side read/write through the virtqueue, as a driver would issue it. */
function rig(backing: FileBlockBacking) {
  const mem = new TestMemory(RAM_BASE, 0x20_0000);
  const transport = new VirtioMmioTransport({
    base: MMIO_BASE,
    memory: mem,
    backend: new VirtioBlk({ backing }),
  });
  const drv = new TestDriver(transport, mem, MMIO_BASE);
  drv.init([256]);
  const submit = (type: number, sector: number, data?: Uint8Array, inLen = 0) => {
    const header = drv.alloc(16);
    mem.setU32(header, type);
    mem.setU64(header + 8, sector);
    const buf = drv.alloc(Math.max(1, data?.length ?? inLen));
    if (data) mem.fill(buf, data);
    const status = drv.alloc(1);
    const chain = [{ addr: header, len: 16 }];
    if (data) chain.push({ addr: buf, len: data.length });
    const tail = [{ addr: status, len: 1, write: true }];
    if (inLen > 0) tail.unshift({ addr: buf, len: inLen, write: true });
    drv.addChain(0, [...chain, ...tail]);
    drv.notify(0);
    drv.takeUsed(0);
    return { status: mem.u8(status), data: mem.slice(buf, inLen) };
  };
  return { submit };
}

describe("FileBlockBacking", () => {
  it("reads the image and writes guest data through to the file", () => {
    const backing = FileBlockBacking.open(image);
    expect(backing.size).toBe(8 * 512);
    const { submit } = rig(backing);
    const r = submit(0, 2, undefined, 1024); // sectors 2 and 3
    expect(r.status).toBe(0);
    expect(r.data).toEqual(sectors(2, (i) => 2 + Math.floor(i / 512)));
    expect(submit(1, 5, new Uint8Array(512).fill(0xee)).status).toBe(0);
    expect(submit(4, 0).status).toBe(0); // flush = fsync
    backing.close();
    const file = readFileSync(image);
    expect(file.subarray(5 * 512, 6 * 512).every((b) => b === 0xee)).toBe(true);
    expect(file[4 * 512]).toBe(4);
    expect(file[6 * 512]).toBe(6);
  });

  it("tracks unflushed writes: FLUSH and close both make them durable", () => {
    const backing = FileBlockBacking.open(image);
    const { submit } = rig(backing);
    expect(backing.dirty).toBe(false);
    expect(submit(1, 3, new Uint8Array(512).fill(0x33)).status).toBe(0);
    expect(backing.dirty).toBe(true);
    expect(submit(4, 0).status).toBe(0);
    expect(backing.dirty).toBe(false);
    expect(submit(1, 4, new Uint8Array(512).fill(0x44)).status).toBe(0);
    expect(backing.dirty).toBe(true);
    backing.close(); // fsyncs the second write
    expect(backing.dirty).toBe(false);
    const file = readFileSync(image);
    expect(Uint8Array.from(file.subarray(3 * 512, 5 * 512))).toEqual(
      Uint8Array.from([...new Array(512).fill(0x33), ...new Array(512).fill(0x44)]),
    );
  });

  it("keeps the file untouched in read-only mode", () => {
    const backing = FileBlockBacking.open(image, { readOnly: true });
    const { submit } = rig(backing);
    expect(submit(1, 1, new Uint8Array(512).fill(0xaa)).status).toBe(1);
    expect(submit(0, 1, undefined, 512).data.every((b) => b === 1)).toBe(true);
    backing.close();
    expect(readFileSync(image)[512]).toBe(1);
  });

  it("names the file it cannot open", () => {
    expect(() => FileBlockBacking.open(join(dir, "missing.img"))).toThrow(/missing\.img/);
    expect(() => FileBlockBacking.open(dir)).toThrow(/not a regular file|EISDIR/);
  });

  it("fails requests with IOERR after the file is closed instead of throwing", () => {
    const backing = FileBlockBacking.open(image);
    const { submit } = rig(backing);
    backing.close();
    expect(submit(0, 0, undefined, 512).status).toBe(1);
  });
});
