import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { GicV2 } from "./gicv2.js";
import { RecordingCpuOutputs } from "./outputs.js";

const GICD = 0x0800_0000;
const GICC = 0x0801_0000;
const GICH = 0x0803_0000;
const GICV = 0x0804_0000;

function board(numCpus = 2) {
  const outs = Array.from({ length: numCpus }, () => new RecordingCpuOutputs());
  let current = 0;
  const gic = new GicV2({
    numCpus,
    outputs: outs,
    currentCpu: () => current,
    distributorBase: GICD,
    cpuInterfaceBase: GICC,
    hypInterfaceBase: GICH,
    virtualCpuBase: GICV,
  });
  const dev = (a: number) =>
    gic.frames.find((f) => a >= f.addressRange().start && a < f.addressRange().end)!;
  const rd = (a: number, w: AccessWidth = AccessWidth.Dword) =>
    Number(dev(a).handleRead(a as GuestPhysAddr, w));
  const wr = (a: number, v: number, w: AccessWidth = AccessWidth.Dword) =>
    dev(a).handleWrite(a as GuestPhysAddr, w, BigInt(v >>> 0));
  const as = (cpu: number) => {
    current = cpu;
  };
  /** Distributor on, CPU interface on with everything unmasked. */
  const enableAll = () => {
    wr(GICD, 1);
    for (let c = 0; c < numCpus; c++) {
      as(c);
      wr(GICC + 0x00, 1);
      wr(GICC + 0x04, 0xff);
    }
    as(0);
  };
  return { gic, outs, rd, wr, as, enableAll };
}

describe("GicV2 distributor", () => {
  it("identifies itself as QEMU's GICv2 with 288 interrupts", () => {
    const { rd } = board(2);
    expect(rd(GICD + 0x004)).toBe(8 | (1 << 5));
    expect(rd(GICD + 0x008)).toBe(0x43b);
    expect(rd(GICD + 0xfe8)).toBe(0x2b);
    expect(rd(GICC + 0xfc)).toBe(0x0202043b);
  });

  it("delivers an enabled level SPI to its target CPU and keeps it pending while the line is high", () => {
    const { gic, outs, rd, wr, as, enableAll } = board(2);
    enableAll();
    const line = gic.spiLine(1); // INTID 33
    wr(GICD + 0x400 + 33, 0xa0, AccessWidth.Byte);
    wr(GICD + 0x800 + 33, 0x2, AccessWidth.Byte); // CPU 1
    wr(GICD + 0x104, 1 << 1);
    line.setLevel(true);
    expect(outs[0]!.irq).toBe(false);
    expect(outs[1]!.irq).toBe(true);
    expect(rd(GICD + 0x204) & 2).toBe(2);
    as(1);
    expect(rd(GICC + 0x18)).toBe(33);
    expect(rd(GICC + 0x0c)).toBe(33);
    expect(rd(GICC + 0x14)).toBe(0xa0);
    expect(outs[1]!.irq).toBe(false);
    expect(rd(GICD + 0x304) & 2).toBe(2); // active
    wr(GICC + 0x10, 33);
    expect(rd(GICC + 0x14)).toBe(0xff);
    // The device still holds its line: pending again at once.
    expect(outs[1]!.irq).toBe(true);
    line.setLevel(false);
    expect(outs[1]!.irq).toBe(false);
    expect(rd(GICC + 0x0c)).toBe(1023);
  });

  it("latches an edge-triggered SPI until it is acknowledged", () => {
    const { gic, outs, rd, wr, enableAll } = board(1);
    enableAll();
    wr(GICD + 0xc08, 2 << 2); // INTID 33 edge
    expect(rd(GICD + 0xc08)).toBe(2 << 2);
    wr(GICD + 0x800 + 33, 1, AccessWidth.Byte);
    wr(GICD + 0x104, 2);
    const line = gic.spiLine(1);
    line.setLevel(true);
    line.setLevel(false);
    expect(outs[0]!.irq).toBe(true);
    expect(rd(GICC + 0x0c)).toBe(33);
    wr(GICC + 0x10, 33);
    expect(outs[0]!.irq).toBe(false);
  });

  it("lets a higher priority preempt and holds a lower one back, by group priority", () => {
    const { gic, outs, rd, wr, enableAll } = board(1);
    enableAll();
    for (const [n, prio] of [
      [0, 0x80],
      [1, 0x40],
      [2, 0x81],
    ] as const) {
      wr(GICD + 0x400 + 32 + n, prio, AccessWidth.Byte);
      wr(GICD + 0x800 + 32 + n, 1, AccessWidth.Byte);
    }
    wr(GICD + 0x104, 7);
    gic.spiLine(0).setLevel(true);
    expect(rd(GICC + 0x0c)).toBe(32);
    gic.spiLine(2).setLevel(true);
    // 0x81 is in the same group priority as 0x80 with BPR 0 ([7:1]): no preemption.
    expect(outs[0]!.irq).toBe(false);
    gic.spiLine(1).setLevel(true);
    expect(outs[0]!.irq).toBe(true);
    expect(rd(GICC + 0x0c)).toBe(33);
    expect(rd(GICC + 0x14)).toBe(0x40);
    wr(GICC + 0x10, 33);
    expect(rd(GICC + 0x14)).toBe(0x80);
    gic.spiLine(1).setLevel(false);
    wr(GICC + 0x10, 32);
    gic.spiLine(0).setLevel(false);
    // The priority mask holds the remaining one back.
    wr(GICC + 0x04, 0x80);
    expect(outs[0]!.irq).toBe(false);
    expect(rd(GICC + 0x0c)).toBe(1023);
    wr(GICC + 0x04, 0xf0);
    expect(rd(GICC + 0x0c)).toBe(34);
  });

  it("sends SGIs with the source CPU in the IAR and honours the target filters", () => {
    const { outs, rd, wr, as, enableAll } = board(3);
    enableAll();
    for (let c = 0; c < 3; c++) {
      as(c);
      wr(GICD + 0x100, 0xffff);
    }
    as(2);
    wr(GICD + 0xf00, (1 << 24) | 5); // all but self
    expect(outs.map((o) => o.irq)).toEqual([true, true, false]);
    as(0);
    expect(rd(GICD + 0xf20 + 4)).toBe(1 << (8 + 2)); // SPENDSGIR1, byte 1 = SGI 5: source CPU 2
    expect(rd(GICC + 0x0c)).toBe(5 | (2 << 10));
    wr(GICC + 0x10, 5 | (2 << 10));
    expect(outs[0]!.irq).toBe(false);
    as(1);
    wr(GICD + 0xf00, (2 << 24) | 3); // self
    wr(GICD + 0xf00, (0 << 24) | (0b10 << 16) | 3); // list: CPU 1 again
    wr(GICD + 0xf00, (0 << 24) | (0b10 << 16) | 3);
    as(0);
    wr(GICD + 0xf00, (0 << 24) | (0b10 << 16) | 3);
    as(1);
    expect(rd(GICC + 0x0c)).toBe(3 | (0 << 10)); // SGI 3 (priority 0) before SGI 5 from CPU 2
    wr(GICC + 0x10, 3);
    expect(rd(GICC + 0x0c)).toBe(3 | (1 << 10));
  });

  it("splits priority drop and deactivation with EOImode", () => {
    const { gic, outs, rd, wr, enableAll } = board(1);
    enableAll();
    wr(GICC, 1 | (1 << 9));
    wr(GICD + 0xc08, 2 << 2);
    wr(GICD + 0x800 + 33, 1, AccessWidth.Byte);
    wr(GICD + 0x104, 2);
    gic.spiLine(1).setLevel(true);
    expect(rd(GICC + 0x0c)).toBe(33);
    wr(GICC + 0x10, 33);
    expect(rd(GICC + 0x14)).toBe(0xff); // priority dropped
    expect(rd(GICD + 0x304) & 2).toBe(2); // still active
    gic.spiLine(1).setLevel(false);
    gic.spiLine(1).setLevel(true); // a new edge while active: pending, not signalled
    expect(outs[0]!.irq).toBe(false);
    wr(GICC + 0x1000, 33);
    expect(rd(GICD + 0x304) & 2).toBe(0);
    expect(outs[0]!.irq).toBe(true);
  });

  it("signals group 0 as FIQ with FIQEn and acknowledges group 1 only through AIAR without AckCtl", () => {
    const { gic, outs, rd, wr } = board(1);
    wr(GICD, 3);
    wr(GICC + 0x04, 0xff);
    wr(GICC, 1 | 2 | (1 << 3));
    wr(GICD + 0x800 + 33, 1, AccessWidth.Byte);
    wr(GICD + 0x800 + 34, 1, AccessWidth.Byte);
    wr(GICD + 0x104, 6);
    gic.spiLine(1).setLevel(true);
    expect(outs[0]!.fiq).toBe(true);
    expect(outs[0]!.irq).toBe(false);
    gic.spiLine(1).setLevel(false);
    wr(GICD + 0x084, 1 << 2); // INTID 34 in group 1
    gic.spiLine(2).setLevel(true);
    expect(outs[0]!.irq).toBe(true);
    expect(rd(GICC + 0x0c)).toBe(1022);
    expect(rd(GICC + 0x20)).toBe(34);
  });

  it("banks PPIs per CPU", () => {
    const { gic, outs, wr, as, enableAll } = board(2);
    enableAll();
    as(1);
    wr(GICD + 0x100, 1 << 27);
    gic.setPpi(0, 27, true);
    expect(outs[0]!.irq).toBe(false);
    gic.setPpi(1, 27, true);
    expect(outs[1]!.irq).toBe(true);
  });
});

describe("GicV2 virtualization extension", () => {
  const lr = (o: {
    vid: number;
    pid?: number;
    prio?: number;
    state: number;
    grp1?: boolean;
    hw?: boolean;
  }) =>
    (o.vid |
      ((o.pid ?? 0) << 10) |
      (((o.prio ?? 0xa0) >> 3) << 23) |
      (o.state << 28) |
      (o.grp1 ? 1 << 30 : 0) |
      (o.hw ? 1 << 31 : 0)) >>>
    0;

  function guest() {
    const b = board(1);
    // The guest's view: GICV enabled, nothing masked.
    b.wr(GICH + 0x00, 1); // HCR.En
    b.wr(GICV + 0x00, 1);
    b.wr(GICV + 0x04, 0xff);
    return b;
  }

  it("reports QEMU's VTR and starts with every list register free", () => {
    const { rd } = board(1);
    expect(rd(GICH + 0x04)).toBe(0x90000003);
    expect(rd(GICH + 0x30)).toBe(0xf);
  });

  it("injects a list register as a virtual IRQ that the guest acknowledges and EOIs through GICV", () => {
    const { outs, rd, wr } = guest();
    wr(GICH + 0x100, lr({ vid: 40, state: 1 }));
    expect(outs[0]!.virq).toBe(true);
    expect(outs[0]!.irq).toBe(false);
    expect(rd(GICH + 0x30)).toBe(0xe);
    expect(rd(GICV + 0x18)).toBe(40);
    expect(rd(GICV + 0x0c)).toBe(40);
    expect(outs[0]!.virq).toBe(false);
    expect((rd(GICH + 0x100) >>> 28) & 3).toBe(2); // active
    expect(rd(GICV + 0x14)).toBe(0xa0);
    expect(rd(GICH + 0xf0)).toBe(1 << (0xa0 >> 3));
    wr(GICV + 0x10, 40);
    expect((rd(GICH + 0x100) >>> 28) & 3).toBe(0);
    expect(rd(GICH + 0xf0)).toBe(0);
    expect(rd(GICH + 0x30)).toBe(0xf);
  });

  it("raises the maintenance PPI for an EOI request and for underflow, and counts unmatched EOIs", () => {
    const { gic, outs, rd, wr } = guest();
    wr(GICD, 1);
    wr(GICC, 1);
    wr(GICC + 0x04, 0xff);
    wr(GICD + 0x100, 1 << 25);
    wr(GICH + 0x100, lr({ vid: 41, pid: 1 << 9, state: 1 }));
    expect(rd(GICV + 0x0c)).toBe(41);
    wr(GICV + 0x10, 41);
    expect(rd(GICH + 0x20)).toBe(1); // EISR
    expect(rd(GICH + 0x30) & 1).toBe(0); // not free until the hypervisor rewrites it
    expect(rd(GICH + 0x10) & 1).toBe(1); // MISR.EOI
    expect(outs[0]!.irq).toBe(true);
    expect(rd(GICC + 0x0c)).toBe(25);
    wr(GICC + 0x10, 25);
    wr(GICH + 0x100, 0);
    expect(gic.core.isPending(0, 25)).toBe(false);
    wr(GICH + 0x00, 1 | 2); // UIE: at most one valid LR
    expect(rd(GICH + 0x10) & 2).toBe(2);
    expect(outs[0]!.irq).toBe(true);
    wr(GICH + 0x00, 1);
    wr(GICV + 0x10, 99); // no LR holds 99
    expect(rd(GICH + 0x00) >>> 27).toBe(1);
  });

  it("deactivates the physical interrupt behind a HW list register", () => {
    const { gic, rd, wr } = guest();
    wr(GICD, 1);
    wr(GICC, 1 | (1 << 9)); // host EOImode: drop only, the guest deactivates
    wr(GICC + 0x04, 0xff);
    wr(GICD + 0x800 + 48, 1, AccessWidth.Byte);
    wr(GICD + 0x104, 1 << 16); // INTID 48
    gic.spiLine(16).setLevel(true);
    expect(rd(GICC + 0x0c)).toBe(48);
    wr(GICC + 0x10, 48);
    gic.spiLine(16).setLevel(false);
    expect(rd(GICD + 0x304) & (1 << 16)).not.toBe(0);
    wr(GICH + 0x100, lr({ vid: 48, pid: 48, state: 1, hw: true }));
    expect(rd(GICV + 0x0c)).toBe(48);
    wr(GICV + 0x10, 48);
    expect(rd(GICD + 0x304) & (1 << 16)).toBe(0);
  });

  it("keeps the virtual priority mask and running priority", () => {
    const { outs, rd, wr } = guest();
    wr(GICV + 0x04, 0x80);
    expect(rd(GICH + 0x08) >>> 27).toBe(0x80 >> 3);
    wr(GICH + 0x100, lr({ vid: 50, prio: 0x90, state: 1 }));
    expect(outs[0]!.virq).toBe(false);
    wr(GICH + 0x104, lr({ vid: 51, prio: 0x20, state: 1 }));
    expect(outs[0]!.virq).toBe(true);
    expect(rd(GICV + 0x0c)).toBe(51);
    expect(rd(GICV + 0x0c)).toBe(1023);
  });
});
