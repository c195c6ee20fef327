import type { AccessWidth, Port } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { FwCfg, fwCfgLe64 } from "./fw-cfg.js";
import { FwCfgKey } from "./keys.js";

const mem = new Uint8Array(0x10000);
const dma = {
  read: (a: number, n: number) => mem.slice(a, a + n),
  write: (a: number, d: Uint8Array) => mem.set(d, a),
};
const sel = (f: FwCfg, key: number) => f.handleWrite(0x510 as Port, 2 as AccessWidth, BigInt(key));
const bytes = (f: FwCfg, n: number) =>
  Array.from({ length: n }, () => Number(f.handleRead(0x511 as Port, 1 as AccessWidth)));
const swap32 = (v: number) =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

describe("FwCfg", () => {
  it("reads the signature, the feature id and numbered items through the data port", () => {
    const f = new FwCfg({ dma });
    sel(f, FwCfgKey.signature);
    expect(String.fromCharCode(...bytes(f, 4))).toBe("QEMU");
    sel(f, FwCfgKey.id);
    expect(bytes(f, 4)).toEqual([3, 0, 0, 0]);
    f.setBytes(FwCfgKey.ramSize, fwCfgLe64(0x1000_0000));
    sel(f, FwCfgKey.ramSize | 0x4000); // the write bit is ignored
    expect(bytes(f, 9)).toEqual([0, 0, 0, 0x10, 0, 0, 0, 0, 0]);
    expect(new FwCfg().item(FwCfgKey.id)).toEqual(Uint8Array.of(1, 0, 0, 0));
  });

  it("lists files sorted by name in the big-endian directory", () => {
    const f = new FwCfg();
    f.addFile("etc/e820", new Uint8Array(40));
    f.addFile("bootorder", new Uint8Array(3));
    sel(f, FwCfgKey.fileDir);
    const dir = Uint8Array.from(bytes(f, 4 + 128));
    const v = new DataView(dir.buffer);
    expect(v.getUint32(0, false)).toBe(2);
    expect(v.getUint32(4, false)).toBe(3);
    expect(v.getUint16(8, false)).toBe(0x21);
    expect(new TextDecoder().decode(dir.subarray(12, 21))).toBe("bootorder");
    expect(v.getUint16(64 + 8, false)).toBe(0x20);
    expect(new TextDecoder().decode(dir.subarray(64 + 12, 64 + 20))).toBe("etc/e820");
  });

  it("serves DMA select+read requests and reports completion in the control word", () => {
    const f = new FwCfg({ dma });
    const key = f.addFile("etc/test", Uint8Array.of(1, 2, 3, 4, 5));
    const d = new DataView(mem.buffer);
    d.setUint32(0x100, ((key << 16) | 0x08 | 0x02) >>> 0, false);
    d.setUint32(0x104, 8, false);
    d.setUint32(0x108, 0, false);
    d.setUint32(0x10c, 0x200, false);
    mem.fill(0xee, 0x200, 0x210);
    f.handleWrite(0x514 as Port, 4 as AccessWidth, BigInt(swap32(0)));
    f.handleWrite(0x518 as Port, 4 as AccessWidth, BigInt(swap32(0x100)));
    expect(Array.from(mem.subarray(0x200, 0x209))).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 0xee]);
    expect(d.getUint32(0x100, false)).toBe(0);
    // A write request fails with the error bit.
    d.setUint32(0x100, 0x10, false);
    f.handleWrite(0x518 as Port, 4 as AccessWidth, BigInt(swap32(0x100)));
    expect(d.getUint32(0x100, false)).toBe(1);
  });

  it("the DMA register reads as the QEMU CFG signature", () => {
    const f = new FwCfg({ dma });
    const hi = Number(f.handleRead(0x514 as Port, 4 as AccessWidth));
    const lo = Number(f.handleRead(0x518 as Port, 4 as AccessWidth));
    expect(hi.toString(16)).toBe("51454d55");
    expect(lo.toString(16)).toBe("20434647");
  });
});
