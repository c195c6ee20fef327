import { RecordingIrqLine } from "@axvisor/axdevice-base";
import type { AccessWidth, Port } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { I8254, PIT_HZ } from "./i8254.js";

let now = 0;
let irq: RecordingIrqLine;
let pit: I8254;
const outb = (p: number, v: number) =>
  (p === 0x61 ? pit.port61 : pit).handleWrite(p as Port, 1 as AccessWidth, BigInt(v));
const inb = (p: number) =>
  Number((p === 0x61 ? pit.port61 : pit).handleRead(p as Port, 1 as AccessWidth));

beforeEach(() => {
  now = 0;
  irq = new RecordingIrqLine();
  // One board tick per PIT clock keeps the arithmetic visible.
  pit = new I8254({ time: { now: () => now }, timeHz: PIT_HZ, irq0: irq });
  pit.reset();
});

describe("I8254", () => {
  it("counter 0 in mode 2 raises IRQ0 once per period (Linux's periodic tick)", () => {
    outb(0x43, 0x34);
    outb(0x40, 1000 & 0xff);
    outb(0x40, 1000 >> 8);
    expect(pit.nextDeadline()).toBe(1000);
    now = 999;
    pit.update();
    expect(irq.changes.filter((l) => l).length).toBe(0);
    now = 1000;
    pit.update();
    expect(irq.changes.filter((l) => l).length).toBe(1);
    expect(pit.nextDeadline()).toBe(2000);
    now = 2500;
    pit.update();
    expect(irq.changes.filter((l) => l).length).toBe(2);
    expect(pit.nextDeadline()).toBe(3000);
  });

  it("mode 0 raises OUT0 once at terminal count and counts down as it goes", () => {
    outb(0x43, 0x30);
    outb(0x40, 0x10);
    outb(0x40, 0x00);
    now = 6;
    outb(0x43, 0x00); // latch counter 0
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(10);
    now = 16;
    pit.update();
    expect(irq.level).toBe(true);
    expect(pit.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
    now = 100;
    pit.update();
    expect(irq.changes).toEqual([true]);
  });

  it("a latched count survives time passing until both bytes are read", () => {
    outb(0x43, 0x34);
    outb(0x40, 0x00);
    outb(0x40, 0x00); // 65536
    now = 0x100;
    outb(0x43, 0x00);
    now = 0x300;
    expect(inb(0x40)).toBe(0x00);
    expect(inb(0x40)).toBe(0xff);
    // Unlatched reads follow the counter.
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(0x10000 - 0x300);
  });

  it("read-back returns status (OUT, null count, access, mode) then the count", () => {
    outb(0x43, 0xb0); // counter 2, LSB/MSB, mode 0
    outb(0x43, 0xe8); // read-back status of counter 2
    expect(inb(0x42)).toBe(0x40 | 0x30 | 0x00);
    outb(0x61, 0x01);
    outb(0x42, 5);
    outb(0x42, 0);
    now = 2;
    outb(0x43, 0xc8); // count and status
    expect(inb(0x42)).toBe(0x30);
    expect(inb(0x42) | (inb(0x42) << 8)).toBe(3);
    now = 9;
    outb(0x43, 0xe8);
    expect(inb(0x42) & 0x80).toBe(0x80);
  });

  it("counter 2 counts only with its gate (port 0x61 bit 0) and shows OUT2 in bit 5", () => {
    outb(0x61, inb(0x61) & ~0x02 & ~0x01);
    outb(0x43, 0xb0);
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    now = 50_000;
    outb(0x43, 0x80);
    expect(inb(0x42) | (inb(0x42) << 8)).toBe(0xffff);
    outb(0x61, 0x01);
    now = 50_000 + 0xfffe;
    expect(inb(0x61) & 0x20).toBe(0);
    expect(inb(0x61) & 0x01).toBe(1);
    now = 50_000 + 0xffff;
    expect(inb(0x61) & 0x20).toBe(0x20);
  });

  it("port 0x61's refresh bit toggles every 15 µs", () => {
    const seen = new Set<number>();
    for (let t = 0; t < 100; t++) {
      now = t * 6; // 5 µs steps
      seen.add(inb(0x61) & 0x10);
    }
    expect([...seen].sort()).toEqual([0, 0x10]);
  });

  it("mode 3 is a square wave: OUT high for the first half of the period", () => {
    outb(0x43, 0xb6);
    outb(0x61, 0x01);
    outb(0x42, 100);
    outb(0x42, 0);
    now = 10;
    expect(inb(0x61) & 0x20).toBe(0x20);
    now = 60;
    expect(inb(0x61) & 0x20).toBe(0);
    now = 110;
    expect(inb(0x61) & 0x20).toBe(0x20);
  });

  it("supports LSB-only access and BCD counting", () => {
    outb(0x43, 0x11 | 0x00); // counter 0, LSB only, mode 0, BCD
    outb(0x40, 0x99); // 99 decimal
    now = 9;
    expect(inb(0x40)).toBe(0x90);
  });

  it("a gate-triggered one-shot (mode 1) starts on the rising gate", () => {
    outb(0x43, 0xb2);
    outb(0x42, 10);
    outb(0x42, 0);
    now = 100;
    expect(inb(0x61) & 0x20).toBe(0x20);
    outb(0x61, 0x01);
    now = 105;
    expect(inb(0x61) & 0x20).toBe(0);
    now = 110;
    expect(inb(0x61) & 0x20).toBe(0x20);
  });
});
