import { RecordingIrqLine } from "@axvisor/axdevice-base";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { Pl031, Pl031Reg } from "./pl031.js";

const BASE = 0x0901_0000;
const S = 1_000_000_000n;

function rtc(startSeconds = 1_700_000_000n) {
  let now = startSeconds * S;
  const irq = new RecordingIrqLine();
  const dev = new Pl031({ base: BASE, irq, clock: { nowNanos: () => now } });
  const rd = (off: number) =>
    Number(dev.handleRead((BASE + off) as GuestPhysAddr, AccessWidth.Dword));
  const wr = (off: number, v: number) =>
    dev.handleWrite((BASE + off) as GuestPhysAddr, AccessWidth.Dword, BigInt(v));
  const advance = (seconds: bigint) => {
    now += seconds * S;
  };
  return { dev, irq, rd, wr, advance, now: () => now };
}

describe("Pl031", () => {
  it("counts host seconds and reports the PrimeCell IDs", () => {
    const { rd, advance } = rtc();
    expect(rd(Pl031Reg.DR)).toBe(1_700_000_000);
    advance(5n);
    expect(rd(Pl031Reg.DR)).toBe(1_700_000_005);
    expect(rd(Pl031Reg.CR)).toBe(1);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => rd(0xfe0 + 4 * i))).toEqual([
      0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
    ]);
  });

  it("sets the count through LR and keeps it running", () => {
    const { rd, wr, advance } = rtc();
    wr(Pl031Reg.LR, 1000);
    expect(rd(Pl031Reg.DR)).toBe(1000);
    expect(rd(Pl031Reg.LR)).toBe(1000);
    advance(3n);
    expect(rd(Pl031Reg.DR)).toBe(1003);
  });

  it("raises the alarm interrupt when the count reaches MR, until ICR clears it", () => {
    const { dev, irq, rd, wr, advance, now } = rtc();
    wr(Pl031Reg.LR, 100);
    wr(Pl031Reg.IMSC, 1);
    wr(Pl031Reg.MR, 110);
    expect(dev.nextAlarm()).toBe(now() + 10n * S);
    advance(9n);
    dev.update();
    expect(rd(Pl031Reg.RIS)).toBe(0);
    advance(1n);
    dev.update();
    expect(rd(Pl031Reg.RIS)).toBe(1);
    expect(rd(Pl031Reg.MIS)).toBe(1);
    expect(irq.level).toBe(true);
    expect(dev.nextAlarm()).toBeNull();
    wr(Pl031Reg.ICR, 1);
    expect(irq.level).toBe(false);
  });

  it("fires at once for a match equal to the count, masked by IMSC; one behind waits for the wrap", () => {
    const { dev, irq, rd, wr } = rtc();
    wr(Pl031Reg.LR, 50);
    wr(Pl031Reg.MR, 5);
    expect(rd(Pl031Reg.RIS)).toBe(0);
    expect(dev.nextAlarm()).toBe((1_700_000_000n + 2n ** 32n - 45n) * S);
    wr(Pl031Reg.MR, 50);
    expect(rd(Pl031Reg.RIS)).toBe(1);
    expect(rd(Pl031Reg.MIS)).toBe(0);
    expect(irq.level).toBe(false);
    wr(Pl031Reg.IMSC, 1);
    expect(irq.level).toBe(true);
  });
});
