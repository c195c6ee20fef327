import { AxError } from "@axvisor/axerrno";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { Clint } from "./clint.js";

const BASE = 0x200_0000;
const MSIP = (h: number) => 0x0000 + 4 * h;
const MTIMECMP = (h: number) => 0x4000 + 8 * h;
const MTIME = 0xbff8;

function makeClint(numHarts = 2) {
  const clock = { t: 0, now: () => clock.t };
  const msipEvents: [number, boolean][] = [];
  const mtipEvents: [number, boolean][] = [];
  const clint = new Clint({
    base: BASE,
    numHarts,
    time: clock,
    setMsip: (h, l) => msipEvents.push([h, l]),
    setMtip: (h, l) => mtipEvents.push([h, l]),
  });
  const at = (off: number) => (BASE + off) as GuestPhysAddr;
  const r32 = (off: number) => clint.handleRead(at(off), AccessWidth.Dword);
  const r64 = (off: number) => clint.handleRead(at(off), AccessWidth.Qword);
  const w32 = (off: number, v: bigint) => clint.handleWrite(at(off), AccessWidth.Dword, v);
  const w64 = (off: number, v: bigint) => clint.handleWrite(at(off), AccessWidth.Qword, v);
  return { clint, clock, msipEvents, mtipEvents, r32, r64, w32, w64, at };
}

describe("Clint layout", () => {
  it("covers QEMU virt's 64 KiB window", () => {
    const { clint } = makeClint();
    expect(clint.addressRange()).toEqual({ start: 0x200_0000, end: 0x201_0000 });
  });

  it("rejects impossible configurations", () => {
    const time = { now: () => 0 };
    const cb = () => {};
    expect(() => new Clint({ base: BASE, numHarts: 0, time, setMsip: cb, setMtip: cb })).toThrow(
      /numHarts/,
    );
    expect(
      () => new Clint({ base: BASE, numHarts: 1, size: 0x1000, time, setMsip: cb, setMtip: cb }),
    ).toThrow(/mtime/);
  });

  it("faults byte, halfword and misaligned accesses", () => {
    const { clint, at } = makeClint();
    expect(() => clint.handleRead(at(MSIP(0)), AccessWidth.Byte)).toThrow(AxError);
    expect(() => clint.handleWrite(at(MTIMECMP(0)), AccessWidth.Word, 0n)).toThrow(AxError);
    expect(() => clint.handleRead(at(MTIMECMP(0) + 4), AccessWidth.Qword)).toThrow(/offset 0x4004/);
    expect(() => clint.handleRead(at(2), AccessWidth.Dword)).toThrow(AxError);
  });
});

describe("Clint MSIP", () => {
  it("drives each hart's software interrupt from bit 0 of its msip word", () => {
    const { msipEvents, r32, w32 } = makeClint();
    w32(MSIP(1), 1n);
    w32(MSIP(0), 0xffff_ffffn); // only bit 0 is implemented
    expect(r32(MSIP(0))).toBe(1n);
    expect(r32(MSIP(1))).toBe(1n);
    w32(MSIP(1), 1n); // no change, no callback
    w32(MSIP(0), 0xffff_fffen); // bit 0 clear
    expect(r32(MSIP(0))).toBe(0n);
    expect(msipEvents).toEqual([
      [1, true],
      [0, true],
      [0, false],
    ]);
  });

  it("reads harts that do not exist as zero and ignores writes to them", () => {
    const { msipEvents, r32, w32, r64 } = makeClint(2);
    w32(MSIP(2), 1n);
    expect(r32(MSIP(2))).toBe(0n);
    w32(MTIMECMP(2), 5n);
    expect(r64(MTIMECMP(2))).toBe(0n);
    expect(msipEvents).toEqual([]);
  });
});

describe("Clint mtime", () => {
  it("reads the time source, in 64 or two 32-bit halves", () => {
    const { clock, r32, r64 } = makeClint();
    clock.t = 0x1_2345_6789;
    expect(r64(MTIME)).toBe(0x1_2345_6789n);
    expect(r32(MTIME)).toBe(0x2345_6789n);
    expect(r32(MTIME + 4)).toBe(0x1n);
  });

  it("keeps counting from a value the guest writes", () => {
    const { clock, r64, w64, w32 } = makeClint();
    clock.t = 100;
    w64(MTIME, 0x1_0000_0000n);
    clock.t = 150;
    expect(r64(MTIME)).toBe(0x1_0000_0032n);
    w32(MTIME + 4, 7n); // high half only: low half keeps running
    clock.t = 160;
    expect(r64(MTIME)).toBe(0x7_0000_003cn);
    w32(MTIME, 0n);
    clock.t = 161;
    expect(r64(MTIME)).toBe(0x7_0000_0001n);
  });

  it("wraps at 2^64 and drops MTIP when it does", () => {
    const { clint, clock, r64, w64, mtipEvents } = makeClint(1);
    w64(MTIME, (1n << 64n) - 10n);
    w64(MTIMECMP(0), (1n << 64n) - 5n);
    clint.update(4);
    expect(mtipEvents).toEqual([]);
    clint.update(5);
    expect(mtipEvents).toEqual([[0, true]]);
    expect(clint.nextDeadline()).toBe(10); // the wrap is the next change
    clint.update(10);
    expect(mtipEvents).toEqual([
      [0, true],
      [0, false],
    ]);
    clock.t = 12;
    expect(r64(MTIME)).toBe(2n);
  });
});

describe("Clint mtimecmp and MTIP", () => {
  it("resets mtimecmp to all ones with no timer interrupt pending", () => {
    const { clint, r64, mtipEvents } = makeClint();
    expect(r64(MTIMECMP(0))).toBe(0xffff_ffff_ffff_ffffn);
    expect(r64(MTIMECMP(1))).toBe(0xffff_ffff_ffff_ffffn);
    expect(clint.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
    expect(mtipEvents).toEqual([]);
  });

  it("asserts MTIP once mtime reaches mtimecmp, as update() advances time", () => {
    const { clint, clock, w64, mtipEvents } = makeClint();
    clock.t = 100;
    w64(MTIMECMP(1), 500n);
    expect(clint.nextDeadline()).toBe(500);
    clint.update(499);
    expect(mtipEvents).toEqual([]);
    clint.update(500);
    expect(mtipEvents).toEqual([[1, true]]);
    expect(clint.mtip(1)).toBe(true);
    expect(clint.mtip(0)).toBe(false);
  });

  it("re-evaluates MTIP immediately when mtimecmp is written", () => {
    const { clock, w64, mtipEvents } = makeClint();
    clock.t = 600;
    w64(MTIMECMP(0), 550n);
    expect(mtipEvents).toEqual([[0, true]]);
    w64(MTIMECMP(0), 0xffff_ffff_ffff_ffffn);
    expect(mtipEvents).toEqual([
      [0, true],
      [0, false],
    ]);
  });

  it("changes the compare value atomically with one 64-bit store", () => {
    const { clock, w32, w64, r64, mtipEvents } = makeClint(1);
    clock.t = 0x5000;
    w64(MTIMECMP(0), 0x1_0000_0000n);
    w64(MTIMECMP(0), 0x1_0000n);
    expect(r64(MTIMECMP(0))).toBe(0x1_0000n);
    expect(mtipEvents).toEqual([]);
    // Two 32-bit stores, high half first, pass through compare value 0: a spurious MTIP.
    w64(MTIMECMP(0), 0x1_0000_0000n);
    w32(MTIMECMP(0) + 4, 0n);
    w32(MTIMECMP(0), 0x1_0000n);
    expect(r64(MTIMECMP(0))).toBe(0x1_0000n);
    expect(mtipEvents).toEqual([
      [0, true],
      [0, false],
    ]);
  });

  it("avoids the spurious interrupt with the privileged spec's RV32 store sequence", () => {
    const { clock, w32, w64, r64, mtipEvents } = makeClint(1);
    clock.t = 0x5000;
    w64(MTIMECMP(0), 0x1_0000_0000n);
    w32(MTIMECMP(0), 0xffff_ffffn); // low = -1: cmp only grows
    w32(MTIMECMP(0) + 4, 0n);
    w32(MTIMECMP(0), 0x1_0000n);
    expect(r64(MTIMECMP(0))).toBe(0x1_0000n);
    expect(mtipEvents).toEqual([]);
  });

  it("moves deadlines when mtime is written", () => {
    const { clint, clock, w64, mtipEvents } = makeClint(1);
    w64(MTIMECMP(0), 1000n);
    w64(MTIME, 990n); // at t = 0: mtime reaches 1000 at t = 10
    expect(clint.nextDeadline()).toBe(10);
    clint.update(9);
    expect(mtipEvents).toEqual([]);
    clint.update(10);
    expect(mtipEvents).toEqual([[0, true]]);
    clock.t = 10;
    w64(MTIME, 0n); // back in time: MTIP drops at once
    expect(mtipEvents).toEqual([
      [0, true],
      [0, false],
    ]);
    expect(clint.nextDeadline()).toBe(1010);
  });

  it("reports the earliest deadline among harts whose MTIP is still low", () => {
    const { clint, w64 } = makeClint(2);
    w64(MTIMECMP(0), 300n);
    w64(MTIMECMP(1), 200n);
    expect(clint.nextDeadline()).toBe(200);
    clint.update(250);
    expect(clint.nextDeadline()).toBe(300);
    clint.update(300);
    expect(clint.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("Clint reset()", () => {
  it("clears MSIP, MTIP and mtime's offset", () => {
    const { clint, clock, w32, w64, r64, msipEvents, mtipEvents } = makeClint(1);
    clock.t = 50;
    w32(MSIP(0), 1n);
    w64(MTIMECMP(0), 10n);
    w64(MTIME, 12345n);
    clint.reset();
    expect(msipEvents).toEqual([
      [0, true],
      [0, false],
    ]);
    expect(mtipEvents).toEqual([
      [0, true],
      [0, false],
    ]);
    expect(r64(MTIME)).toBe(50n);
    expect(r64(MTIMECMP(0))).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe("Clint 64-bit mtime accesses", () => {
  it("reads and writes mtime with one clock sample, so the halves cannot tear", () => {
    let t = 0;
    // A clock that advances on every look, as real time does between two accesses.
    const time = { now: () => t++ };
    const clint = new Clint({
      base: BASE,
      numHarts: 1,
      time,
      setMsip: () => {},
      setMtip: () => {},
    });
    const at = (BASE + MTIME) as GuestPhysAddr;
    t = 0xffff_ffff;
    // Two 32-bit samples would give low 0xffff_ffff with high 1 (0x1_ffff_ffff).
    expect(clint.handleRead(at, AccessWidth.Qword)).toBe(0xffff_ffffn);
    clint.handleWrite(at, AccessWidth.Qword, 0x5_0000_0000n);
    // Two looks later: the write's MTIP re-evaluation, then this read.
    expect(clint.handleRead(at, AccessWidth.Qword)).toBe(0x5_0000_0002n);
  });
});
