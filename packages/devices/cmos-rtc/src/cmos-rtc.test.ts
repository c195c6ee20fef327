import { RecordingIrqLine } from "@axvisor/axdevice-base";
import type { AccessWidth, Port } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { CmosRtc } from "./cmos-rtc.js";

let ms = 0;
let irq: RecordingIrqLine;
let rtc: CmosRtc;
const nmi: boolean[] = [];
/** 2026-12-07 15:04:05.000 UTC, a Monday. */
const START = Date.UTC(2026, 11, 7, 15, 4, 5);

const read = (i: number) => {
  rtc.handleWrite(0x70 as Port, 1 as AccessWidth, BigInt(i));
  return Number(rtc.handleRead(0x71 as Port, 1 as AccessWidth));
};
const write = (i: number, v: number) => {
  rtc.handleWrite(0x70 as Port, 1 as AccessWidth, BigInt(i));
  rtc.handleWrite(0x71 as Port, 1 as AccessWidth, BigInt(v));
};

beforeEach(() => {
  ms = 0;
  irq = new RecordingIrqLine();
  nmi.length = 0;
  rtc = new CmosRtc({
    time: { now: () => ms },
    timeHz: 1000,
    startTimeMs: START,
    irq,
    onNmiMask: (m) => nmi.push(m),
  });
});

describe("CmosRtc", () => {
  it("reads the time in BCD, 24-hour mode after reset", () => {
    expect([read(0), read(2), read(4), read(6), read(7), read(8), read(9), read(0x32)]).toEqual([
      0x05, 0x04, 0x15, 0x02, 0x07, 0x12, 0x26, 0x20,
    ]);
    expect(read(0x0d)).toBe(0x80);
    ms = 60_000;
    expect(read(2)).toBe(0x05);
  });

  it("switches to binary and 12-hour formats (PM in bit 7)", () => {
    write(0x0b, 0x04); // binary, 12 h
    expect(read(4)).toBe(0x80 | 3);
    expect(read(0)).toBe(5);
  });

  it("sets the time with SET held, and keeps counting from it", () => {
    write(0x0b, 0x82);
    write(4, 0x09);
    write(2, 0x30);
    write(0, 0x00);
    ms = 5000; // halted while SET
    expect(read(0)).toBe(0x00);
    write(0x0b, 0x02);
    ms = 7000;
    expect([read(4), read(2), read(0)]).toEqual([0x09, 0x30, 0x02]);
  });

  it("flags update-in-progress in the 244 µs before each second", () => {
    ms = 999.9;
    expect(read(0x0a) & 0x80).toBe(0x80);
    ms = 1000.1;
    expect(read(0x0a) & 0x80).toBe(0);
  });

  it("raises IRQ8 for the periodic interrupt at the rate of register A; reading C clears", () => {
    write(0x0a, 0x26); // 1024 Hz
    write(0x0b, 0x42);
    const next = rtc.nextDeadline();
    expect(next).toBeCloseTo(1000 / 1024, 5);
    ms = next;
    rtc.update();
    expect(irq.level).toBe(true);
    expect(read(0x0c)).toBe(0xc0 | 0x00);
    expect(irq.level).toBe(false);
  });

  it("raises the update-ended and alarm interrupts at the second boundary", () => {
    write(0x01, 0x06);
    write(0x03, 0xc0); // any minute
    write(0x05, 0xc0); // any hour
    write(0x0b, 0x22); // AIE
    ms = 500;
    rtc.update();
    expect(irq.level).toBe(false);
    ms = 1000;
    rtc.update();
    expect(irq.level).toBe(true);
    // PF is set too (the periodic rate runs without PIE), but only AF and UF are enabled.
    expect(read(0x0c) & 0xb0).toBe(0x80 | 0x20 | 0x10);
  });

  it("stores QEMU's memory size bytes", () => {
    rtc.setMemorySizes({ below4g: 2 * 2 ** 30, above4g: 1 << 30, cpus: 2 });
    expect(read(0x15) | (read(0x16) << 8)).toBe(640);
    expect(read(0x17) | (read(0x18) << 8)).toBe(65535);
    expect(read(0x30) | (read(0x31) << 8)).toBe(65535);
    expect(read(0x34) | (read(0x35) << 8)).toBe((2 * 2 ** 30 - (16 << 20)) / 65536);
    expect(read(0x5b) | (read(0x5c) << 8) | (read(0x5d) << 16)).toBe((1 << 30) / 65536);
    expect(read(0x5f)).toBe(1);
    rtc.setMemorySizes({ below4g: 32 << 20, above4g: 0, cpus: 1 });
    expect(read(0x17) | (read(0x18) << 8)).toBe(31 * 1024);
  });

  it("port 0x70 bit 7 masks NMI; CMOS RAM keeps what is written", () => {
    rtc.handleWrite(0x70 as Port, 1 as AccessWidth, 0x8fn);
    expect(rtc.nmiMasked).toBe(true);
    expect(nmi).toEqual([true]);
    write(0x40, 0x5a);
    expect(read(0x40)).toBe(0x5a);
  });
});
