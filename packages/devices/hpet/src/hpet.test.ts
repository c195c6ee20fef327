import type { AccessWidth, GuestPhysAddr } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { Hpet } from "./hpet.js";

let now = 0;
let hpet: Hpet;
let ioapic: Array<[number, boolean]>;
let legacy: Array<[number, boolean]>;
let legacyMode: boolean[];

const r = (off: number, w = 8) =>
  hpet.handleRead((0xfed0_0000 + off) as GuestPhysAddr, w as AccessWidth);
const wr = (off: number, v: bigint | number, w = 8) =>
  hpet.handleWrite((0xfed0_0000 + off) as GuestPhysAddr, w as AccessWidth, BigInt(v));

beforeEach(() => {
  now = 0;
  ioapic = [];
  legacy = [];
  legacyMode = [];
  hpet = new Hpet({
    time: { now: () => now },
    timeHz: 1e9,
    ioapicIrq: (p, l) => ioapic.push([p, l]),
    legacyIrq: (i, l) => legacy.push([i, l]),
    onLegacyMode: (on) => legacyMode.push(on),
  });
  ioapic.length = 0;
  legacy.length = 0;
});

describe("Hpet", () => {
  it("reports QEMU's capabilities: 10 ns period, 3 timers, 64-bit, legacy capable", () => {
    expect(r(0)).toBe(0x0098_9680_8086_a201n);
    expect(r(4, 4)).toBe(0x0098_9680n);
    expect(r(0x100) & 0x30n).toBe(0x30n);
    expect(r(0x104, 4)).toBe(0x00f0_0104n);
  });

  it("counts at 100 MHz while enabled and holds its value while halted", () => {
    now = 5000;
    expect(r(0xf0)).toBe(0n);
    wr(0x10, 1);
    now = 6000;
    expect(r(0xf0)).toBe(100n);
    wr(0x10, 0);
    now = 9000;
    expect(r(0xf0, 4)).toBe(100n);
    wr(0xf0, 0x1_0000_0000n);
    expect(r(0xf4, 4)).toBe(1n);
  });

  it("a one-shot timer fires once when the counter crosses its comparator", () => {
    wr(0x140, (20 << 9) | 0x4); // timer 2: IOAPIC pin 20, edge, enabled
    wr(0x148, 50);
    wr(0x10, 1);
    expect(hpet.nextDeadline()).toBe(500);
    now = 490;
    hpet.update();
    expect(ioapic).toEqual([]);
    now = 510;
    hpet.update();
    expect(ioapic).toEqual([
      [20, true],
      [20, false],
    ]);
    now = 100_000;
    hpet.update();
    expect(ioapic).toHaveLength(2);
  });

  it("Linux's periodic legacy timer 0: VAL_SET deadline, then the period, on IRQ0", () => {
    wr(0x10, 3);
    expect(legacyMode).toEqual([true]);
    wr(0x100, 0x4 | 0x8 | 0x40);
    wr(0x108, r(0xf0) + 1000n);
    wr(0x108, 1000);
    now = 10_000; // 1000 counts
    hpet.update();
    expect(legacy.filter(([, l]) => l)).toEqual([[0, true]]);
    expect(r(0x108)).toBe(2000n);
    now = 20_000;
    hpet.update();
    expect(legacy.filter(([, l]) => l)).toHaveLength(2);
  });

  it("level interrupts set the status bit until the guest writes 1 to it", () => {
    wr(0x120, (8 << 9) | 0x4 | 0x2);
    wr(0x128, 10);
    wr(0x10, 1);
    now = 200;
    hpet.update();
    expect(r(0x20)).toBe(2n);
    expect(ioapic.at(-1)).toEqual([8, true]);
    wr(0x20, 2);
    expect(r(0x20)).toBe(0n);
    expect(ioapic.at(-1)).toEqual([8, false]);
  });

  it("32-bit timers compare the low half of the counter", () => {
    wr(0xf0, 0xffff_fff0n);
    wr(0x100, (2 << 9) | 0x100 | 0x4);
    wr(0x108, 0x1_0000_0010n);
    expect(r(0x108)).toBe(0x10n);
    wr(0x10, 1);
    now = 310; // 31 counts: past the wrap to 0x1_0000_000F
    hpet.update();
    expect(ioapic).toEqual([]);
    now = 330;
    hpet.update();
    expect(ioapic[0]).toEqual([2, true]);
  });
});
