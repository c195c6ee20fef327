import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { GICR_STRIDE, GicV3 } from "./gicv3.js";
import { RecordingCpuOutputs } from "./outputs.js";
import { type GicSysRegContext, GicSysReg as R } from "./sysreg.js";

const GICD = 0x0800_0000;
const GICR = 0x080a_0000;
const SGI = 0x1_0000;

const EL1: GicSysRegContext = { el: 1, irqVirtual: false, fiqVirtual: false };
const EL1_VIRT: GicSysRegContext = { el: 1, irqVirtual: true, fiqVirtual: true };
const EL2: GicSysRegContext = { el: 2, irqVirtual: false, fiqVirtual: false };

function board(numCpus = 2) {
  const outs = Array.from({ length: numCpus }, () => new RecordingCpuOutputs());
  const gic = new GicV3({ numCpus, outputs: outs, distributorBase: GICD, redistributorBase: GICR });
  const dev = (a: number) =>
    gic.frames.find((f) => a >= f.addressRange().start && a < f.addressRange().end)!;
  const rd = (a: number, w: AccessWidth = AccessWidth.Dword) =>
    dev(a).handleRead(a as GuestPhysAddr, w);
  const rd32 = (a: number) => Number(rd(a));
  const wr = (a: number, v: number | bigint, w: AccessWidth = AccessWidth.Dword) =>
    dev(a).handleWrite(a as GuestPhysAddr, w, BigInt(v));
  const sys = gic.sysRegs;
  const get = (cpu: number, enc: number, ctx = EL1) => sys.read(cpu, enc, ctx);
  const set = (cpu: number, enc: number, v: number | bigint, ctx = EL1) =>
    sys.write(cpu, enc, BigInt(v), ctx);
  /** What Linux's GICv3 driver does: distributor groups + ARE, CPU interfaces on, all group 1. */
  const linuxInit = () => {
    wr(GICD, 0x13);
    for (let c = 0; c < numCpus; c++) {
      wr(GICR + c * GICR_STRIDE + 0x14, 0);
      wr(GICR + c * GICR_STRIDE + SGI + 0x80, 0xffff_ffff);
      set(c, R.ICC_PMR_EL1, 0xf0);
      set(c, R.ICC_IGRPEN1_EL1, 1);
    }
    for (let w = 1; w < 9; w++) wr(GICD + 0x80 + 4 * w, 0xffff_ffff);
  };
  return { gic, outs, rd, rd32, wr, get, set, linuxInit };
}

describe("GICv3 as a virtual GIC's distributor (wired: false)", () => {
  it("leaves the CPU outputs alone and counts every change a pending scan could see", () => {
    const outs = [new RecordingCpuOutputs()];
    const gic = new GicV3({
      numCpus: 1,
      outputs: outs,
      distributorBase: GICD,
      redistributorBase: GICR,
      virtualization: false,
      wired: false,
    });
    const core = gic.core;
    const wr = (a: number, v: number) =>
      gic.frames
        .find((f) => a >= f.addressRange().start && a < f.addressRange().end)!
        .handleWrite(a as GuestPhysAddr, AccessWidth.Dword, BigInt(v));
    wr(GICD, 0x13);
    wr(GICR + 0x14, 0);
    wr(GICR + SGI + 0x100, 1 << 27); // ISENABLER0: PPI 27
    let seen = core.changes;
    const changed = () => {
      const c = core.changes !== seen;
      seen = core.changes;
      return c;
    };
    core.setPpiLevel(0, 27, true);
    expect(changed()).toBe(true);
    expect(core.highestPending(0)).toBe(27);
    expect(outs[0]!.irq).toBe(false); // nothing recomputed the unwired line
    core.setPpiLevel(0, 27, true); // the same level again: no change
    expect(changed()).toBe(false);
    core.setPendingLatch(0, 3, true);
    expect(changed()).toBe(true);
    core.sendSgi(0, 0, 5);
    expect(changed()).toBe(true);
    wr(GICR + SGI + 0x180, 1 << 27); // ICENABLER0: a guest's MMIO write
    expect(changed()).toBe(true);
    core.deactivate(0, 27);
    expect(changed()).toBe(true);
  });
});

describe("GicV3 distributor and redistributors", () => {
  it("identifies as a GICv3 with affinity routing and one Security state", () => {
    const { rd32, rd, wr } = board(2);
    expect(rd32(GICD + 0xffe8) & 0xf0).toBe(0x30);
    expect(rd32(GICD) & 0x50).toBe(0x50);
    expect(rd32(GICD + 4) & 0x1f).toBe(8);
    expect(rd32(GICR + 0xffe8) & 0xf0).toBe(0x30);
    // TYPER: processor number and affinity; Last only on the final redistributor.
    expect(rd(GICR + 0x8, AccessWidth.Qword)).toBe(0n);
    expect(rd(GICR + GICR_STRIDE + 0x8, AccessWidth.Qword)).toBe((1n << 32n) | (1n << 8n) | 0x10n);
    expect(rd32(GICR + 0x14)).toBe(6);
    wr(GICR + 0x14, 0);
    expect(rd32(GICR + 0x14)).toBe(0);
  });

  it("routes an SPI by IROUTER and serves it through ICC_IAR1/EOIR1 as an IRQ", () => {
    const { gic, outs, rd, wr, get, set, linuxInit } = board(2);
    linuxInit();
    wr(GICD + 0x6000 + 8 * 40, 1n, AccessWidth.Qword); // INTID 40 -> Aff0 = 1
    expect(rd(GICD + 0x6000 + 8 * 40, AccessWidth.Qword)).toBe(1n);
    wr(GICD + 0x400 + 40, 0xa0, AccessWidth.Byte);
    wr(GICD + 0x104, 1 << 8);
    gic.spiLine(8).setLevel(true);
    expect(outs[0]!.irq).toBe(false);
    expect(outs[1]!.irq).toBe(true);
    expect(get(1, R.ICC_HPPIR1_EL1)).toBe(40n);
    expect(get(1, R.ICC_IAR1_EL1)).toBe(40n);
    expect(get(1, R.ICC_RPR_EL1)).toBe(0xa0n);
    expect(get(1, R.ICC_AP1R0_EL1 + 2)).toBe(1n << BigInt((0xa0 >> 1) - 64));
    gic.spiLine(8).setLevel(false);
    set(1, R.ICC_EOIR1_EL1, 40);
    expect(get(1, R.ICC_RPR_EL1)).toBe(0xffn);
    expect(get(1, R.ICC_IAR1_EL1)).toBe(1023n);
  });

  it("keeps SGIs and PPIs in each CPU's redistributor and splits EOI with EOImode", () => {
    const { gic, outs, rd32, wr, get, set, linuxInit } = board(2);
    linuxInit();
    wr(GICR + GICR_STRIDE + SGI + 0x100, 1 << 27);
    gic.setPpi(0, 27, true);
    expect(outs[0]!.irq).toBe(false); // not enabled on CPU 0
    gic.setPpi(1, 27, true);
    expect(outs[1]!.irq).toBe(true);
    set(1, R.ICC_CTLR_EL1, 2);
    expect(Number(get(1, R.ICC_CTLR_EL1)) & 0x702).toBe(0x702); // EOImode, PRIbits 7
    expect(get(1, R.ICC_IAR1_EL1)).toBe(27n);
    set(1, R.ICC_EOIR1_EL1, 27);
    expect(rd32(GICR + GICR_STRIDE + SGI + 0x300)).toBe(1 << 27);
    expect(outs[1]!.irq).toBe(false);
    set(1, R.ICC_DIR_EL1, 27);
    expect(outs[1]!.irq).toBe(true); // the line is still high
  });

  it("sends SGIs by affinity through ICC_SGI1R_EL1", () => {
    const { outs, wr, get, set, linuxInit } = board(3);
    linuxInit();
    for (let c = 0; c < 3; c++) wr(GICR + c * GICR_STRIDE + SGI + 0x100, 0xffff);
    set(0, R.ICC_SGI1R_EL1, (7n << 24n) | 0b110n);
    expect(outs.map((o) => o.irq)).toEqual([false, true, true]);
    expect(get(2, R.ICC_IAR1_EL1)).toBe(7n);
    set(2, R.ICC_EOIR1_EL1, 7);
    set(1, R.ICC_SGI1R_EL1, (1n << 40n) | (3n << 24n)); // IRM: everyone else
    expect(get(0, R.ICC_IAR1_EL1)).toBe(3n);
    expect(get(2, R.ICC_IAR1_EL1)).toBe(3n);
    // SGI0R only sends group-0 SGIs: these are group 1.
    set(0, R.ICC_SGI0R_EL1, (4n << 24n) | 0b10n);
    expect(get(1, R.ICC_HPPIR1_EL1)).toBe(7n);
  });

  it("signals group 0 as FIQ and refuses ICH registers below EL2", () => {
    const { gic, outs, wr, get, set } = board(1);
    wr(GICD, 0x11);
    wr(GICD + 0x104, 1);
    set(0, R.ICC_PMR_EL1, 0xff);
    set(0, R.ICC_IGRPEN0_EL1, 1);
    gic.spiLine(0).setLevel(true);
    expect(outs[0]!.fiq).toBe(true);
    expect(get(0, R.ICC_IAR1_EL1)).toBe(1023n);
    expect(get(0, R.ICC_IAR0_EL1)).toBe(32n);
    expect(get(0, R.ICH_VTR_EL2, EL1)).toBeUndefined();
    expect(get(0, R.ICC_SRE_EL1)).toBe(7n);
    expect(get(0, R.ICC_PMR_EL1, { el: 0, irqVirtual: false, fiqVirtual: false })).toBeUndefined();
  });
});

describe("GicV3 virtualization (ICH/ICV)", () => {
  const lr = (
    vid: number,
    prio: number,
    opts: { hw?: number; eoi?: boolean; state?: number } = {},
  ) =>
    (BigInt(opts.state ?? 1) << 62n) |
    (1n << 60n) | // group 1
    (opts.hw !== undefined ? (1n << 61n) | (BigInt(opts.hw) << 32n) : 0n) |
    (opts.eoi ? 1n << 41n : 0n) |
    (BigInt(prio) << 48n) |
    BigInt(vid);

  it("injects a list register that the guest takes through ICV_IAR1 when IMO routes it", () => {
    const { outs, get, set } = board(1);
    expect(get(0, R.ICH_VTR_EL2, EL2)).toBe(0x90300003n);
    set(0, R.ICH_VMCR_EL2, (0xf0 << 24) | 2, EL2); // VPMR 0xf0, VENG1
    set(0, R.ICH_HCR_EL2, 1, EL2);
    set(0, R.ICH_LR0_EL2, lr(27, 0xa0), EL2);
    expect(get(0, R.ICH_LR0_EL2, EL2)).toBe(lr(27, 0xa0));
    expect(outs[0]!.virq).toBe(true);
    expect(get(0, R.ICH_ELRSR_EL2, EL2)).toBe(0xen);
    // Without IMO the same encoding reaches the physical interface.
    expect(get(0, R.ICC_IAR1_EL1, EL1)).toBe(1023n);
    expect(get(0, R.ICC_PMR_EL1, EL1_VIRT)).toBe(0xf0n);
    expect(get(0, R.ICC_IAR1_EL1, EL1_VIRT)).toBe(27n);
    expect(outs[0]!.virq).toBe(false);
    expect(get(0, R.ICC_RPR_EL1, EL1_VIRT)).toBe(0xa0n);
    expect(get(0, R.ICH_AP1R0_EL2, EL2)).toBe(1n << BigInt(0xa0 >> 3));
    set(0, R.ICC_EOIR1_EL1, 27, EL1_VIRT);
    expect(get(0, R.ICH_LR0_EL2, EL2)! >> 62n).toBe(0n);
    expect(get(0, R.ICH_AP1R0_EL2, EL2)).toBe(0n);
  });

  it("raises the maintenance interrupt on EOI and deactivates a HW interrupt's physical side", () => {
    const { gic, outs, get, set, wr } = board(1);
    wr(GICD, 0x13);
    wr(GICR + SGI + 0x80, 0xffff_ffff);
    wr(GICR + SGI + 0x100, (1 << 25) | (1 << 27));
    set(0, R.ICC_PMR_EL1, 0xff);
    set(0, R.ICC_IGRPEN1_EL1, 1);
    set(0, R.ICC_CTLR_EL1, 2, EL2); // EOImode: the host only drops priority
    gic.setPpi(0, 27, true);
    expect(get(0, R.ICC_IAR1_EL1, EL2)).toBe(27n);
    set(0, R.ICC_EOIR1_EL1, 27, EL2);
    gic.setPpi(0, 27, false);
    expect(gic.core.active[gic.core.slot(0, 27)]).toBe(1);
    set(0, R.ICH_VMCR_EL2, (0xff << 24) | 2, EL2);
    set(0, R.ICH_HCR_EL2, 1, EL2);
    set(0, R.ICH_LR0_EL2, lr(27, 0xa0, { hw: 27 }), EL2);
    set(0, R.ICH_LR0_EL2 + 1, lr(33, 0xa0, { eoi: true }), EL2);
    expect(get(0, R.ICC_IAR1_EL1, EL1_VIRT)).toBe(27n);
    set(0, R.ICC_EOIR1_EL1, 27, EL1_VIRT);
    expect(gic.core.active[gic.core.slot(0, 27)]).toBe(0);
    expect(get(0, R.ICC_IAR1_EL1, EL1_VIRT)).toBe(33n);
    set(0, R.ICC_EOIR1_EL1, 33, EL1_VIRT);
    expect(get(0, R.ICH_EISR_EL2, EL2)).toBe(2n);
    expect(get(0, R.ICH_MISR_EL2, EL2)! & 1n).toBe(1n);
    expect(outs[0]!.irq).toBe(true);
    expect(get(0, R.ICC_IAR1_EL1, EL2)).toBe(25n);
  });

  it("keeps guest EOIs without a list register in EOIcount and runs VEOIM's split deactivation", () => {
    const { get, set } = board(1);
    set(0, R.ICH_VMCR_EL2, (0xff << 24) | 2, EL2);
    set(0, R.ICH_HCR_EL2, 1 | 4, EL2); // LRENPIE
    set(0, R.ICC_EOIR1_EL1, 77, EL1_VIRT);
    expect(get(0, R.ICH_HCR_EL2, EL2)! >> 27n).toBe(1n);
    expect(get(0, R.ICH_MISR_EL2, EL2)! & 4n).toBe(4n);
    set(0, R.ICH_HCR_EL2, 1, EL2);
    set(0, R.ICC_CTLR_EL1, 2, EL1_VIRT);
    expect(get(0, R.ICH_VMCR_EL2, EL2)! & 0x200n).toBe(0x200n);
    set(0, R.ICH_LR0_EL2, lr(40, 0x80), EL2);
    expect(get(0, R.ICC_IAR1_EL1, EL1_VIRT)).toBe(40n);
    set(0, R.ICC_EOIR1_EL1, 40, EL1_VIRT);
    expect(get(0, R.ICH_LR0_EL2, EL2)! >> 62n).toBe(2n); // still active
    set(0, R.ICC_DIR_EL1, 40, EL1_VIRT);
    expect(get(0, R.ICH_LR0_EL2, EL2)! >> 62n).toBe(0n);
  });
});
