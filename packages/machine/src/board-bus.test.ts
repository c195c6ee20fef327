import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import { type AccessWidth, type GuestPhysAddr, rangeFromSize } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { BoardBus } from "./board-bus.js";
import { RamDma } from "./ram-dma.js";

class Recorder implements BaseMmioDeviceOps {
  readonly writes: [number, number, bigint][] = [];
  constructor(
    readonly base: number,
    readonly size: number,
    readonly value: bigint,
  ) {}
  emuType() {
    return EmulatedDeviceType.Dummy;
  }
  addressRange() {
    return rangeFromSize(this.base as GuestPhysAddr, this.size);
  }
  handleRead(addr: GuestPhysAddr, _w: AccessWidth): bigint {
    if (addr === this.base + this.size - 8) throw axErr("PermissionDenied", "no");
    return this.value;
  }
  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    this.writes.push([addr, width, value]);
  }
}

describe("BoardBus", () => {
  const ram = new Uint8Array(0x10000);
  const bus = new BoardBus(ram, 0x8000_0000);
  const devs = [0x3000, 0x1000, 0x2000, 0x10_0000].map((b) => new Recorder(b, 0x100, BigInt(b)));
  for (const d of devs) bus.addDevice(d);

  it("finds each device by binary search, regardless of insertion order", () => {
    for (const d of devs) {
      expect(bus.findDevice(d.base, 4)).toBe(d);
      expect(bus.findDevice(d.base + 0xfc, 4)).toBe(d);
      expect(bus.load(d.base + 0x10, 4)).toBe(BigInt(d.base));
    }
    expect(bus.devices.map((d) => (d as Recorder).base)).toEqual([
      0x1000, 0x2000, 0x3000, 0x10_0000,
    ]);
  });

  it("faults accesses that hit nothing or straddle a device's end", () => {
    expect(bus.load(0x1100, 4)).toBeNull();
    expect(bus.load(0x0, 1)).toBeNull();
    expect(bus.load(0x10fe, 4)).toBeNull();
    expect(bus.store(0x5000, 4, 1n)).toBe(false);
    expect(bus.unassignedAccesses).toBeGreaterThanOrEqual(4);
  });

  it("masks reads to the width and turns a device's AxError into an access fault", () => {
    const wide = new Recorder(0x20_0000, 0x100, 0x1234_5678_9abc_def0n);
    bus.addDevice(wide);
    expect(bus.load(0x20_0000, 2)).toBe(0xdef0n);
    expect(bus.load(0x20_00f8, 8)).toBeNull();
    bus.store(0x20_0000, 1, 0x1ffn);
    expect(wide.writes).toEqual([[0x20_0000, 1, 0xffn]]);
  });

  it("rejects overlapping devices and devices over RAM", () => {
    expect(() => bus.addDevice(new Recorder(0x10ff, 0x10, 0n))).toThrow(/overlaps another/);
    expect(() => bus.addDevice(new Recorder(0x0f80, 0x100, 0n))).toThrow(/overlaps another/);
    expect(() => bus.addDevice(new Recorder(0x8000_8000, 0x100, 0n))).toThrow(/overlaps RAM/);
  });

  it("reads and writes RAM little-endian through the bus", () => {
    expect(bus.store(0x8000_0010, 8, 0x0102_0304_0506_0708n)).toBe(true);
    expect(ram[0x10]).toBe(0x08);
    expect(ram[0x17]).toBe(0x01);
    expect(bus.load(0x8000_0012, 2)).toBe(0x0506n);
    expect(bus.load(0x8000_fffe, 4)).toBeNull(); // runs off the end of RAM
    expect(() => bus.writeRam(0x8000_fff0, new Uint8Array(32))).toThrow(/do not fit in RAM/);
  });
});

describe("RamDma", () => {
  it("writes RAM and tells every hart, and refuses addresses outside RAM", () => {
    const ram = new Uint8Array(0x1000);
    const seen: [number, number][] = [];
    const obs = { notifyExternalWrite: (a: number, n: number) => seen.push([a, n]) };
    const dma = new RamDma(ram, 0x8000_0000, () => [obs, obs]);
    dma.write(0x8000_0100, Uint8Array.of(1, 2, 3));
    expect([...ram.subarray(0x100, 0x103)]).toEqual([1, 2, 3]);
    expect(seen).toEqual([
      [0x8000_0100, 3],
      [0x8000_0100, 3],
    ]);
    const copy = dma.read(0x8000_0100, 3);
    copy[0] = 9;
    expect(ram[0x100]).toBe(1);
    expect(() => dma.read(0x8000_0ffe, 4)).toThrow(/outside RAM/);
    expect(() => dma.write(0x7fff_ffff, Uint8Array.of(1))).toThrow(/outside RAM/);
  });
});
