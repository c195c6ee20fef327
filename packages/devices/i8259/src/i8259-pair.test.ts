import type { BasePortDeviceOps } from "@axvisor/axdevice-base";
import type { AccessWidth, Port } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { I8259Pair } from "./i8259-pair.js";

let pic: I8259Pair;
let intr: boolean[];

function dev(port: number): BasePortDeviceOps {
  if (port >= 0x4d0) return pic.elcrPorts;
  return port >= 0xa0 ? pic.slavePorts : pic.masterPorts;
}
const outb = (port: number, v: number) =>
  dev(port).handleWrite(port as Port, 1 as AccessWidth, BigInt(v));
const inb = (port: number) => Number(dev(port).handleRead(port as Port, 1 as AccessWidth));

/** The sequence Linux's init_8259A writes (vectors 0x30/0x38 here to tell them apart). */
function linuxInit(icw4 = 0x01): void {
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  outb(0x20, 0x11);
  outb(0x21, 0x30);
  outb(0x21, 0x04);
  outb(0x21, icw4);
  outb(0xa0, 0x11);
  outb(0xa1, 0x38);
  outb(0xa1, 0x02);
  outb(0xa1, icw4);
  outb(0x21, 0x00);
  outb(0xa1, 0x00);
}

beforeEach(() => {
  intr = [];
  pic = new I8259Pair({ output: (l) => intr.push(l) });
  pic.reset();
  linuxInit();
});

describe("I8259Pair", () => {
  it("delivers an edge on IRQ0 as vector base + 0 and keeps it in service until EOI", () => {
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(intr.at(-1)).toBe(true);
    expect(pic.acknowledge()).toBe(0x30);
    expect(pic.master.isr).toBe(1);
    expect(pic.hasInterrupt()).toBe(false);
    // A second edge while in service waits for the EOI.
    pic.setIrq(0, false);
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(false);
    outb(0x20, 0x20);
    expect(pic.master.isr).toBe(0);
    expect(pic.acknowledge()).toBe(0x30);
  });

  it("masks inputs through OCW1 and reads the mask back", () => {
    outb(0x21, 0x02);
    expect(inb(0x21)).toBe(0x02);
    pic.setIrq(1, true);
    expect(pic.hasInterrupt()).toBe(false);
    outb(0x21, 0x00);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x31);
  });

  it("cascades IRQ8-15 through the master's input 2", () => {
    pic.setIrq(12, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x3c);
    expect(pic.slave.isr).toBe(1 << 4);
    expect(pic.master.isr).toBe(1 << 2);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    expect(pic.master.isr | pic.slave.isr).toBe(0);
  });

  it("orders by priority: IRQ0 preempts IRQ3 in service, IRQ5 waits", () => {
    pic.setIrq(3, true);
    expect(pic.acknowledge()).toBe(0x33);
    pic.setIrq(5, true);
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x30);
    outb(0x20, 0x20); // non-specific EOI ends IRQ0 (the highest in service)
    expect(pic.master.isr).toBe(1 << 3);
    outb(0x20, 0x63); // specific EOI for IRQ3
    expect(pic.acknowledge()).toBe(0x35);
  });

  it("re-delivers a level-triggered input (ELCR) after EOI while the line stays high", () => {
    outb(0x4d1, 0x02); // IRQ9 level
    expect(inb(0x4d1)).toBe(0x02);
    pic.setIrq(9, true);
    expect(pic.acknowledge()).toBe(0x39);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    expect(pic.hasInterrupt()).toBe(true);
    pic.setIrq(9, false);
    // The slave withdraws the request; the master's IRQ2 edge stays latched (spurious IRQ15).
    expect(pic.slave.irr).toBe(0);
    expect(pic.acknowledge()).toBe(0x3f);
  });

  it("ELCR cannot make IRQ0-2, IRQ8 or IRQ13 level-triggered", () => {
    outb(0x4d0, 0xff);
    outb(0x4d1, 0xff);
    expect(inb(0x4d0)).toBe(0xf8);
    expect(inb(0x4d1)).toBe(0xde);
  });

  it("answers a request that went away with the spurious IRQ7 (no ISR bit)", () => {
    pic.setIrq(4, true);
    pic.setIrq(4, false);
    outb(0x4d0, 0x10); // level now: the low line withdraws the request
    expect(pic.acknowledge()).toBe(0x37);
    expect(pic.master.isr).toBe(0);
    expect(pic.spurious).toBe(1);
  });

  it("spurious IRQ15 from the slave leaves the cascade in service", () => {
    outb(0x4d1, 0x08); // IRQ11 level
    pic.setIrq(11, true);
    expect(pic.hasInterrupt()).toBe(true);
    pic.setIrq(11, false);
    // The master's cascade edge was latched; the slave has nothing left.
    expect(pic.acknowledge()).toBe(0x3f);
    expect(pic.slave.isr).toBe(0);
    expect(pic.master.isr).toBe(1 << 2);
  });

  it("auto-EOI leaves nothing in service", () => {
    linuxInit(0x03);
    pic.setIrq(1, true);
    expect(pic.acknowledge()).toBe(0x31);
    expect(pic.master.isr).toBe(0);
  });

  it("OCW3 selects IRR or ISR for reads of the command port", () => {
    pic.setIrq(6, true);
    outb(0x20, 0x0a);
    expect(inb(0x20)).toBe(0x40);
    pic.acknowledge();
    outb(0x20, 0x0b);
    expect(inb(0x20)).toBe(0x40);
  });

  it("poll mode returns 0x80 | input and serves it", () => {
    pic.setIrq(5, true);
    outb(0x20, 0x0c);
    expect(inb(0x20)).toBe(0x85);
    expect(pic.master.isr).toBe(1 << 5);
    outb(0x20, 0x0c);
    expect(inb(0x20)).toBe(0);
  });

  it("special mask mode lets lower priorities through while a masked input is in service", () => {
    pic.setIrq(1, true);
    expect(pic.acknowledge()).toBe(0x31);
    pic.setIrq(4, true);
    expect(pic.hasInterrupt()).toBe(false);
    outb(0x21, 0x02);
    outb(0x20, 0x68); // set special mask
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x34);
  });

  it("rotation makes the last serviced input the lowest priority", () => {
    pic.setIrq(2 + 1, true);
    pic.setIrq(4, true);
    expect(pic.acknowledge()).toBe(0x33);
    outb(0x20, 0xa0); // rotate on non-specific EOI: IRQ3 lowest, IRQ4 highest
    pic.setIrq(3, false);
    pic.setIrq(3, true);
    expect(pic.acknowledge()).toBe(0x34);
    outb(0x20, 0xc6); // set priority: IRQ6 lowest, IRQ7 highest
    expect(pic.master.lowest).toBe(6);
  });
});
