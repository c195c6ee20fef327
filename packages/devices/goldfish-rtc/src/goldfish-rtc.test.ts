import { RecordingIrqLine } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { GoldfishRtc, hostWallClock } from "./goldfish-rtc.js";

const BASE = 0x10_1000;
// Offsets from Android's GOLDFISH-VIRTUAL-HARDWARE.TXT.
const TIME_LOW = 0x00;
const TIME_HIGH = 0x04;
const ALARM_LOW = 0x08;
const ALARM_HIGH = 0x0c;
const IRQ_ENABLED = 0x10;
const CLEAR_ALARM = 0x14;
const ALARM_STATUS = 0x18;
const CLEAR_INTERRUPT = 0x1c;

function makeRtc(start: bigint) {
  const clock = { t: start, nowNanos: () => clock.t };
  const irq = new RecordingIrqLine();
  const rtc = new GoldfishRtc({ base: BASE, irq, clock });
  const at = (off: number) => (BASE + off) as GuestPhysAddr;
  const r = (off: number) => rtc.handleRead(at(off), AccessWidth.Dword);
  const w = (off: number, v: bigint) => rtc.handleWrite(at(off), AccessWidth.Dword, v);
  const setAlarm = (ns: bigint) => {
    w(ALARM_HIGH, ns >> 32n);
    w(ALARM_LOW, ns & 0xffff_ffffn);
  };
  return { rtc, clock, irq, r, w, at, setAlarm };
}

describe("GoldfishRtc time", () => {
  it("reads the wall clock in nanoseconds, high half latched by the low read", () => {
    const { clock, r } = makeRtc(0x1_ffff_fff0n);
    expect(r(TIME_HIGH)).toBe(0n); // nothing latched yet
    expect(r(TIME_LOW)).toBe(0xffff_fff0n);
    clock.t += 0x20n; // the clock crosses 2^33 between the two reads
    expect(r(TIME_HIGH)).toBe(1n);
    expect(r(TIME_LOW)).toBe(0x10n);
    expect(r(TIME_HIGH)).toBe(2n);
  });

  it("sets the guest's time through TIME_HIGH then TIME_LOW and keeps it running", () => {
    const { rtc, clock, r, w } = makeRtc(1_700_000_000_000_000_000n);
    w(TIME_HIGH, 0x10n);
    w(TIME_LOW, 0x20n);
    expect(rtc.time()).toBe(0x10_0000_0020n);
    clock.t += 5n;
    expect(r(TIME_LOW)).toBe(0x25n);
    expect(r(TIME_HIGH)).toBe(0x10n);
  });

  it("keeps the set time across reset(), like a battery-backed clock", () => {
    const { rtc, w } = makeRtc(0n);
    w(TIME_HIGH, 3n);
    w(TIME_LOW, 0n);
    rtc.reset();
    expect(rtc.time()).toBe(3n << 32n);
  });

  it("follows the host clock by default", () => {
    const rtc = new GoldfishRtc({ base: BASE });
    const wall = BigInt(Date.now()) * 1_000_000n;
    const t = rtc.time();
    expect(t > wall - 1_000_000_000n && t < wall + 1_000_000_000n).toBe(true);
    const c = hostWallClock();
    const a = c.nowNanos();
    expect(c.nowNanos() >= a).toBe(true);
  });
});

describe("GoldfishRtc alarm", () => {
  it("arms on the ALARM_LOW write and fires when update() reaches it", () => {
    const { rtc, irq, r, w, setAlarm } = makeRtc(5_000_000_000n);
    w(IRQ_ENABLED, 1n);
    setAlarm(5_000_001_000n);
    expect(r(ALARM_STATUS)).toBe(1n);
    expect(r(ALARM_LOW)).toBe(5_000_001_000n & 0xffff_ffffn);
    expect(r(ALARM_HIGH)).toBe(5_000_001_000n >> 32n);
    expect(rtc.nextAlarm()).toBe(5_000_001_000n);
    rtc.update(5_000_000_999n);
    expect(irq.level).toBe(false);
    rtc.update(5_000_001_000n);
    expect(irq.level).toBe(true);
    expect(r(ALARM_STATUS)).toBe(0n);
    expect(rtc.nextAlarm()).toBeNull();
    w(CLEAR_INTERRUPT, 1n);
    expect(irq.level).toBe(false);
    expect(irq.changes).toEqual([true, false]);
  });

  it("fires at once for an alarm already in the past", () => {
    const { irq, r, w, setAlarm } = makeRtc(1_000n);
    w(IRQ_ENABLED, 1n);
    setAlarm(999n);
    expect(irq.level).toBe(true);
    expect(r(ALARM_STATUS)).toBe(0n);
  });

  it("latches the alarm while interrupts are disabled and raises it when enabled", () => {
    const { rtc, irq, r, w, setAlarm } = makeRtc(0n);
    setAlarm(100n);
    rtc.update(100n);
    expect(irq.level).toBe(false);
    expect(r(IRQ_ENABLED)).toBe(0n);
    w(IRQ_ENABLED, 0xffn); // only bit 0 counts
    expect(r(IRQ_ENABLED)).toBe(1n);
    expect(irq.level).toBe(true);
    w(IRQ_ENABLED, 0n);
    expect(irq.level).toBe(false);
  });

  it("disarms with CLEAR_ALARM", () => {
    const { rtc, irq, r, w, setAlarm } = makeRtc(0n);
    w(IRQ_ENABLED, 1n);
    setAlarm(100n);
    w(CLEAR_ALARM, 1n);
    expect(r(ALARM_STATUS)).toBe(0n);
    rtc.update(1000n);
    expect(irq.level).toBe(false);
  });

  it("compares the alarm with the guest's time, not the wall clock", () => {
    const { rtc, clock, irq, w, setAlarm } = makeRtc(1_000n);
    w(TIME_HIGH, 0n);
    w(TIME_LOW, 501_000n); // guest time runs 500 µs ahead of the wall clock
    w(IRQ_ENABLED, 1n);
    setAlarm(502_000n);
    expect(rtc.nextAlarm()).toBe(2_000n); // in wall-clock nanoseconds
    clock.t = 1_999n;
    rtc.update();
    expect(irq.level).toBe(false);
    clock.t = 2_000n;
    rtc.update();
    expect(irq.level).toBe(true);
  });

  it("reset() disarms the alarm and drops the interrupt", () => {
    const { rtc, irq, r, w, setAlarm } = makeRtc(0n);
    w(IRQ_ENABLED, 1n);
    setAlarm(0n);
    expect(irq.level).toBe(true);
    setAlarm(50n);
    rtc.reset();
    expect(irq.level).toBe(false);
    expect([r(ALARM_STATUS), r(IRQ_ENABLED), r(ALARM_LOW)]).toEqual([0n, 0n, 0n]);
  });
});

describe("GoldfishRtc accesses", () => {
  it("faults anything but aligned 32-bit accesses", () => {
    const { rtc, at } = makeRtc(0n);
    expect(() => rtc.handleRead(at(TIME_LOW), AccessWidth.Qword)).toThrow(AxError);
    expect(() => rtc.handleWrite(at(TIME_LOW + 1), AccessWidth.Byte, 0n)).toThrow(AxError);
  });

  it("covers QEMU virt's window", () => {
    const { rtc } = makeRtc(0n);
    expect(rtc.addressRange()).toEqual({ start: 0x10_1000, end: 0x10_2000 });
  });
});
