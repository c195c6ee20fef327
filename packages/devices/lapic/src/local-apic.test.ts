import type { AccessWidth, GuestPhysAddr } from "@axvisor/memory-addr";
import { beforeEach, describe, expect, it } from "vitest";
import { ApicBus } from "./apic-bus.js";
import { LocalApic } from "./local-apic.js";
import { Reg } from "./registers.js";

interface Events {
  nmi: number;
  init: number;
  sipi: number[];
  eoi: number[];
  kicks: number;
}

let now = 0;
let bus: ApicBus;
let apics: LocalApic[];
let ev: Events[];
let pic: { pending: boolean; vector: number };

function make(n: number): void {
  bus = new ApicBus();
  apics = [];
  ev = [];
  for (let i = 0; i < n; i++) {
    const e: Events = { nmi: 0, init: 0, sipi: [], eoi: [], kicks: 0 };
    ev.push(e);
    const apic = new LocalApic({
      apicId: i,
      bsp: i === 0,
      time: { now: () => now },
      timeHz: 1e9,
      tsc: () => now * 2,
      tscHz: 2e9,
      host: {
        sendIpi: (from, msg, sh) => bus.sendIpi(from, msg, sh),
        eoiBroadcast: (v) => e.eoi.push(v),
        nmi: () => e.nmi++,
        init: () => e.init++,
        startup: (v) => e.sipi.push(v),
        kick: () => e.kicks++,
      },
      ...(i === 0
        ? {
            extInt: {
              hasInterrupt: () => pic.pending,
              acknowledge: () => {
                pic.pending = false;
                return pic.vector;
              },
            },
          }
        : {}),
    });
    apics.push(apic);
    bus.add(apic);
  }
}

const mmioW = (a: LocalApic, off: number, v: number) =>
  a.handleWrite((0xfee0_0000 + off) as GuestPhysAddr, 4 as AccessWidth, BigInt(v >>> 0));
const mmioR = (a: LocalApic, off: number) =>
  Number(a.handleRead((0xfee0_0000 + off) as GuestPhysAddr, 4 as AccessWidth));
const enable = (a: LocalApic) => mmioW(a, Reg.svr, 0x1ff);

beforeEach(() => {
  now = 0;
  pic = { pending: false, vector: 0x30 };
  make(2);
});

describe("LocalApic", () => {
  it("comes out of reset as QEMU's: base 0xFEE00000 enabled, BSP flag, version 0x50014", () => {
    expect(apics[0]!.readMsr(0x1b)).toBe(0xfee0_0900n);
    expect(apics[1]!.readMsr(0x1b)).toBe(0xfee0_0800n);
    expect(mmioR(apics[1]!, Reg.id)).toBe(0x0100_0000);
    expect(mmioR(apics[0]!, Reg.version)).toBe(0x50014);
    expect(mmioR(apics[0]!, Reg.svr)).toBe(0xff);
    expect(mmioR(apics[0]!, Reg.lvtLint0)).toBe(0x700);
    expect(mmioR(apics[1]!, Reg.lvtLint0)).toBe(0x10000);
  });

  it("delivers a fixed IPI to a physical id: IRR, INTA to ISR, PPR, EOI", () => {
    const [a, b] = apics as [LocalApic, LocalApic];
    enable(b);
    mmioW(a, Reg.icrHigh, 0x0100_0000);
    mmioW(a, Reg.icrLow, 0x4041);
    expect(mmioR(b, Reg.irr + 0x20)).toBe(1 << 1);
    expect(b.hasInterrupt()).toBe(true);
    expect(ev[1]!.kicks).toBe(1);
    expect(b.acknowledge()).toBe(0x41);
    expect(mmioR(b, Reg.isr + 0x20)).toBe(1 << 1);
    expect(mmioR(b, Reg.ppr)).toBe(0x40);
    mmioW(b, Reg.eoi, 0);
    expect(mmioR(b, Reg.isr + 0x20)).toBe(0);
    expect(ev[1]!.eoi).toEqual([]);
  });

  it("holds interrupts while software-disabled and below the task priority", () => {
    const a = apics[0]!;
    a.accept({ vector: 0x51, deliveryMode: 0, logical: false, dest: 0, level: false });
    expect(a.hasInterrupt()).toBe(false);
    enable(a);
    mmioW(a, Reg.tpr, 0x50);
    expect(a.hasInterrupt()).toBe(false);
    mmioW(a, Reg.tpr, 0x40);
    expect(a.hasInterrupt()).toBe(true);
    expect(a.acknowledge()).toBe(0x51);
    // A higher class preempts, a same-class vector waits.
    a.accept({ vector: 0x5f, deliveryMode: 0, logical: false, dest: 0, level: false });
    expect(a.hasInterrupt()).toBe(false);
    a.accept({ vector: 0x61, deliveryMode: 0, logical: false, dest: 0, level: false });
    expect(a.acknowledge()).toBe(0x61);
  });

  it("broadcasts EOI for level-triggered vectors (TMR)", () => {
    const a = apics[0]!;
    enable(a);
    a.accept({ vector: 0x39, deliveryMode: 0, logical: false, dest: 0, level: true });
    expect(mmioR(a, Reg.tmr + 0x10)).toBe(1 << 25);
    a.acknowledge();
    mmioW(a, Reg.eoi, 0);
    expect(ev[0]!.eoi).toEqual([0x39]);
  });

  it("INIT and STARTUP IPIs reach the other CPU; INIT de-assert is ignored", () => {
    const a = apics[0]!;
    mmioW(a, Reg.icrLow, 0x000c_4500); // INIT, all excluding self
    mmioW(a, Reg.icrLow, 0x000c_8500); // INIT level de-assert
    mmioW(a, Reg.icrLow, 0x000c_4608); // SIPI vector 8
    mmioW(a, Reg.icrLow, 0x000c_4608);
    expect(ev[1]).toMatchObject({ init: 1, sipi: [8, 8] });
    expect(ev[0]).toMatchObject({ init: 0, sipi: [] });
    expect(mmioR(a, Reg.icrLow) & 0x1000).toBe(0);
  });

  it("NMI IPIs and LINT1 in NMI mode reach the CPU's NMI input", () => {
    const [a, b] = apics as [LocalApic, LocalApic];
    mmioW(a, Reg.icrHigh, 0x0100_0000);
    mmioW(a, Reg.icrLow, 0x400);
    expect(ev[1]!.nmi).toBe(1);
    enable(a);
    mmioW(a, Reg.lvtLint1, 0x400);
    a.setLint(1, true);
    a.setLint(1, false);
    expect(ev[0]!.nmi).toBe(1);
    expect(b).toBeDefined();
  });

  it("matches logical destinations in the flat and cluster models", () => {
    make(3);
    for (const [i, a] of apics.entries()) {
      enable(a);
      mmioW(a, Reg.ldr, (1 << i) << 24);
    }
    mmioW(apics[0]!, Reg.icrLow, 0x0800 | 0x40 | 0x4000);
    mmioW(apics[0]!, Reg.icrHigh, 0x0600_0000); // CPUs 1 and 2
    mmioW(apics[0]!, Reg.icrLow, 0x0842);
    expect(apics.map((a) => a.hasInterrupt())).toEqual([false, true, true]);
    for (const a of apics) {
      mmioW(a, Reg.dfr, 0x0fff_ffff);
    }
    mmioW(apics[2]!, Reg.ldr, 0x1200_0000); // cluster 1, bit 1
    const msg = { vector: 0x50, deliveryMode: 0, logical: true, dest: 0x12, level: false };
    expect(apics.map((a) => a.matches(msg))).toEqual([false, false, true]);
  });

  it("lowest-priority delivery picks the APIC with the lowest PPR", () => {
    const [a, b] = apics as [LocalApic, LocalApic];
    enable(a);
    enable(b);
    mmioW(a, Reg.tpr, 0x80);
    bus.deliver({ vector: 0x44, deliveryMode: 1, logical: false, dest: 0xff, level: false });
    expect(a.hasInterrupt()).toBe(false);
    expect(b.hasInterrupt()).toBe(true);
  });

  it("the timer counts down through the divider and fires once in one-shot mode", () => {
    const a = apics[0]!;
    enable(a);
    mmioW(a, Reg.timerDivide, 0x3); // divide by 16
    mmioW(a, Reg.lvtTimer, 0xec);
    mmioW(a, Reg.timerInitial, 1000);
    now = 160;
    expect(mmioR(a, Reg.timerCurrent)).toBe(990);
    expect(a.nextDeadline()).toBe(16_000);
    a.update(15_999);
    expect(a.hasInterrupt()).toBe(false);
    now = 16_000;
    a.update();
    expect(a.acknowledge()).toBe(0xec);
    expect(mmioR(a, Reg.timerCurrent)).toBe(0);
    expect(a.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
  });

  it("periodic mode reloads; divide config 0xB divides by 1", () => {
    const a = apics[0]!;
    enable(a);
    mmioW(a, Reg.timerDivide, 0xb);
    mmioW(a, Reg.lvtTimer, 0x20000 | 0xef);
    mmioW(a, Reg.timerInitial, 100);
    now = 250;
    a.update();
    expect(mmioR(a, Reg.timerCurrent)).toBe(50);
    expect(a.nextDeadline()).toBe(300);
  });

  it("TSC-deadline mode fires when the TSC passes the deadline and clears it", () => {
    const a = apics[0]!;
    enable(a);
    mmioW(a, Reg.lvtTimer, 0x40000 | 0xee);
    expect(a.writeMsr(0x6e0, 1000n)).toBe(true); // TSC at 2 GHz: 500 ns
    expect(a.nextDeadline()).toBe(500);
    now = 500;
    a.update();
    expect(a.acknowledge()).toBe(0xee);
    expect(a.readMsr(0x6e0)).toBe(0n);
  });

  it("x2APIC mode: MSR access, 32-bit id, derived LDR, 64-bit ICR, self IPI", () => {
    const [a, b] = apics as [LocalApic, LocalApic];
    expect(a.readMsr(0x802)).toBeNull();
    expect(a.writeMsr(0x1b, 0xfee0_0c00n)).toBe(true);
    expect(b.writeMsr(0x1b, 0xfee0_0c00n)).toBe(true);
    expect(a.mmioActive).toBe(false);
    expect(b.readMsr(0x802)).toBe(1n);
    expect(b.readMsr(0x80d)).toBe(0x2n);
    expect(a.readMsr(0x80e)).toBeNull(); // no DFR
    a.writeMsr(0x80f, 0x1ffn);
    b.writeMsr(0x80f, 0x1ffn);
    expect(a.writeMsr(0x830, (1n << 32n) | 0x4055n)).toBe(true);
    expect(b.acknowledge()).toBe(0x55);
    expect(a.writeMsr(0x83f, 0x66n)).toBe(true);
    expect(a.acknowledge()).toBe(0x66);
    expect(a.writeMsr(0x80b, 1n)).toBe(false);
    expect(a.writeMsr(0x80b, 0n)).toBe(true);
    // Back to xAPIC only through disabled.
    expect(a.writeMsr(0x1b, 0xfee0_0800n)).toBe(false);
    expect(a.writeMsr(0x1b, 0xfee0_0000n)).toBe(true);
    expect(a.writeMsr(0x1b, 0xfee0_0800n)).toBe(true);
  });

  it("passes the 8259's INTR through LINT0 in ExtINT mode, and when globally disabled", () => {
    const a = apics[0]!;
    pic.pending = true;
    expect(a.hasInterrupt()).toBe(true);
    expect(a.acknowledge()).toBe(0x30);
    mmioW(a, Reg.lvtLint0, 0x10700);
    pic.pending = true;
    expect(a.hasInterrupt()).toBe(false);
    a.writeMsr(0x1b, 0xfee0_0000n);
    expect(a.hasInterrupt()).toBe(true);
  });

  it("records an illegal vector in ESR after the ESR write", () => {
    const a = apics[0]!;
    enable(a);
    mmioW(a, Reg.icrLow, 0x40005);
    expect(mmioR(a, Reg.esr)).toBe(0);
    mmioW(a, Reg.esr, 0);
    expect(mmioR(a, Reg.esr)).toBe(0x20);
  });
});
