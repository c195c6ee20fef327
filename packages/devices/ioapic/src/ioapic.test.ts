import type { AccessWidth, GuestPhysAddr } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { type InterruptMessage, IoApic } from "./ioapic.js";

let sent: InterruptMessage[];
let io: IoApic;
const w = (off: number, v: number) =>
  io.handleWrite((0xfec0_0000 + off) as GuestPhysAddr, 4 as AccessWidth, BigInt(v >>> 0));
const r = (off: number) =>
  Number(io.handleRead((0xfec0_0000 + off) as GuestPhysAddr, 4 as AccessWidth));
const reg = (i: number, v?: number) => {
  w(0, i);
  if (v !== undefined) w(0x10, v);
  return r(0x10);
};

beforeEach(() => {
  sent = [];
  io = new IoApic({ deliver: (m) => sent.push(m) });
});

describe("IoApic", () => {
  it("reports 24 pins and version 0x20; entries start masked", () => {
    expect(reg(1)).toBe(0x170020);
    expect(reg(0x10)).toBe(0x10000);
    reg(0, 0x0200_0000);
    expect(reg(0)).toBe(0x0200_0000);
  });

  it("delivers an edge pin once per rising edge to its destination", () => {
    reg(0x10 + 2 * 2, 0x30);
    reg(0x11 + 2 * 2, 0x0100_0000);
    io.setIrq(2, true);
    io.setIrq(2, true);
    io.setIrq(2, false);
    io.setIrq(2, true);
    expect(sent).toEqual([
      { vector: 0x30, deliveryMode: 0, logical: false, dest: 1, level: false },
      { vector: 0x30, deliveryMode: 0, logical: false, dest: 1, level: false },
    ]);
  });

  it("holds a level pin in remote IRR until the EOI, then re-delivers if still high", () => {
    reg(0x10 + 2 * 9, 0x8000 | 0x41 | (1 << 11));
    io.setIrq(9, true);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ vector: 0x41, logical: true, level: true });
    expect(reg(0x10 + 2 * 9) & 0x4000).toBe(0x4000);
    io.setIrq(9, true);
    expect(sent).toHaveLength(1);
    io.eoi(0x41);
    expect(sent).toHaveLength(2);
    io.setIrq(9, false);
    w(0x40, 0x41); // the EOI register does the same
    expect(reg(0x10 + 2 * 9) & 0x4000).toBe(0);
    expect(sent).toHaveLength(2);
  });

  it("a masked level pin is delivered when unmasked", () => {
    reg(0x10 + 2 * 11, 0x18000 | 0x50);
    io.setIrq(11, true);
    expect(sent).toHaveLength(0);
    reg(0x10 + 2 * 11, 0x8000 | 0x50);
    expect(sent).toHaveLength(1);
  });

  it("remote IRR and delivery status cannot be written", () => {
    reg(0x10, 0x5000 | 0x20);
    expect(reg(0x10)).toBe(0x20);
  });
});
