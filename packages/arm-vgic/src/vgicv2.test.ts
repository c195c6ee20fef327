/**
 * The vGICv2 against the GICv2 model with the virtualization extension as the host's GIC:
 * the guest programs the emulated distributor (banked by the accessing vCPU), the vGIC lists
 * its pending interrupts in the host's GICH list registers, and the guest's CPU interface is
 * the host's GICV frame (what stage 2 maps at the guest's GICC).
 */
import type { DeviceAccess } from "@axvisor/axdevice-base";
import type { Aarch64Cpu } from "@axvisor/cpu-aarch64";
import { GicV2, RecordingCpuOutputs } from "@axvisor/device-arm-gic";
import { type AccessWidth, gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { LrState } from "./list-register.js";
import { type GichAccess, VGicV2 } from "./vgicv2.js";

const GICD = 0x0800_0000;
const GICH = 0x0803_0000;
const GICV = 0x0804_0000;

function setup(vcpus = 2) {
  const outs = [new RecordingCpuOutputs(), new RecordingCpuOutputs()];
  let current = 0;
  const host = new GicV2({
    numCpus: 2,
    outputs: outs,
    currentCpu: () => current,
    distributorBase: GICD,
    cpuInterfaceBase: 0x0801_0000,
    hypInterfaceBase: GICH,
    virtualCpuBase: GICV,
  });
  const hyp = host.hypInterface!;
  /** GICH register writes so far (the world-switch cost of an entry). */
  const gichWrites = { count: 0 };
  const gich: GichAccess = {
    read: (cpu, off) => {
      current = cpu;
      return Number(hyp.handleRead(gpa(GICH + off), 4));
    },
    write: (cpu, off, v) => {
      current = cpu;
      gichWrites.count++;
      hyp.handleWrite(gpa(GICH + off), 4, BigInt(v >>> 0));
    },
  };
  const woken: number[] = [];
  const vgic = new VGicV2({ vcpus, distributorBase: GICD, gich, wake: (v) => woken.push(v) });
  const access = (vcpuId: number): DeviceAccess => ({ vcpuId });
  const gicd = {
    read: (vcpu: number, off: number, w: AccessWidth = 4) =>
      Number(vgic.distributor.handleRead(gpa(GICD + off), w, access(vcpu))),
    write: (vcpu: number, off: number, v: number, w: AccessWidth = 4) =>
      vgic.distributor.handleWrite(gpa(GICD + off), w, BigInt(v), access(vcpu)),
  };
  /** The guest's GICC accesses on host CPU `cpu` (stage 2 leads them to the host's GICV). */
  const gicc = {
    read: (cpu: number, off: number) => {
      current = cpu;
      return Number(host.virtualCpuInterface!.handleRead(gpa(GICV + off), 4));
    },
    write: (cpu: number, off: number, v: number) => {
      current = cpu;
      host.virtualCpuInterface!.handleWrite(gpa(GICV + off), 4, BigInt(v));
    },
  };
  const cpu = (cpuId: number) => ({ cpuId }) as Aarch64Cpu;
  return { vgic, gicd, gicc, cpu, outs, woken, gichWrites };
}

/** A guest's GIC driver setup: distributor and CPU interface on, SGI 1, PPI 27, SPI 33. */
function guestInit(s: ReturnType<typeof setup>) {
  s.gicd.write(0, 0x000, 1);
  s.gicd.write(0, 0x820, 0x0101_0101); // ITARGETSR8: SPIs 32..35 to CPU 0
  s.gicd.write(0, 0x104, 1 << 1); // ISENABLER1: 33
  for (const v of [0, 1]) s.gicd.write(v, 0x100, (1 << 1) | (1 << 27));
}

describe("vGICv2", () => {
  it("lists the virtual timer PPI in GICH, the guest takes it through GICV, and EOI completes it", () => {
    const s = setup();
    guestInit(s);
    const c0 = s.vgic.cpu(0);
    c0.setLevel(27, true);
    expect(c0.hasPending()).toBe(true);
    c0.flush(s.cpu(0));
    expect(c0.listRegisters()).toEqual([{ intid: 27, state: LrState.Pending }]);
    s.gicc.write(0, 0x04, 0xf0); // GICC_PMR
    s.gicc.write(0, 0x00, 1); // GICC_CTLR: EnableGrp0
    expect(s.outs[0]!.virq).toBe(true);
    expect(s.gicc.read(0, 0x0c)).toBe(27); // IAR
    expect(s.outs[0]!.virq).toBe(false);
    c0.setLevel(27, false); // the handler reprograms the timer
    s.gicc.write(0, 0x10, 27); // EOIR
    c0.sync(s.cpu(0));
    expect(c0.listRegisters()).toEqual([]);
    expect(c0.hasPending()).toBe(false);
    // A line still high after the guest completes it is pending again.
    c0.setLevel(27, true);
    c0.flush(s.cpu(0));
    expect(s.gicc.read(0, 0x0c)).toBe(27);
    s.gicc.write(0, 0x10, 27);
    c0.sync(s.cpu(0));
    expect(c0.hasPending()).toBe(true);
  });

  it("delivers a GICD_SGIR SGI to the target vCPU with its source, and wakes it", () => {
    const s = setup();
    guestInit(s);
    s.gicd.write(0, 0xf00, (1 << 17) | 1); // SGI 1 to CPU interface 1, from vCPU 0
    expect(s.woken).toContain(1);
    expect(s.vgic.cpu(0).hasPending()).toBe(false);
    const c1 = s.vgic.cpu(1);
    expect(c1.hasPending()).toBe(true);
    c1.flush(s.cpu(1)); // vCPU 1 runs on host CPU 1
    s.gicc.write(1, 0x04, 0xf0);
    s.gicc.write(1, 0x00, 1);
    const iar = s.gicc.read(1, 0x0c);
    expect(iar & 0x3ff).toBe(1);
    expect((iar >> 10) & 7).toBe(0); // sent by CPU 0
    s.gicc.write(1, 0x10, iar);
    c1.sync(s.cpu(1));
    expect(c1.hasPending()).toBe(false);
  });

  it("routes an SPI by GICD_ITARGETSR and keeps each vCPU's list registers across a switch", () => {
    const s = setup();
    guestInit(s);
    s.gicd.write(0, 0x820, 0x0202_0202); // SPIs 32..35 to CPU 1
    s.vgic.cpu(0).setLevel(33, true);
    expect(s.woken).toContain(1);
    expect(s.vgic.cpu(0).hasPending()).toBe(false);
    const c1 = s.vgic.cpu(1);
    // vCPU 1 runs on host CPU 0 this time: its state moves with it.
    c1.flush(s.cpu(0));
    c1.sync(s.cpu(0));
    expect(c1.listRegisters()).toEqual([{ intid: 33, state: LrState.Pending }]);
    c1.flush(s.cpu(0));
    s.gicc.write(0, 0x00, 1);
    s.gicc.write(0, 0x04, 0xf0);
    expect(s.gicc.read(0, 0x0c)).toBe(33);
  });

  it("keeps a vCPU's GICH state resident across its exits and hands it over when another vCPU takes the CPU", () => {
    const s = setup();
    guestInit(s);
    const [c0, c1] = [s.vgic.cpu(0), s.vgic.cpu(1)];
    c0.flush(s.cpu(0));
    s.gicc.write(0, 0x04, 0xf0); // GICC_PMR of vCPU 0: lives in GICH_VMCR
    s.gicc.write(0, 0x00, 1);
    c0.sync(s.cpu(0));
    // An exit and re-entry with nothing new to list writes no GICH register.
    const before = s.gichWrites.count;
    c0.flush(s.cpu(0));
    c0.sync(s.cpu(0));
    expect(s.gichWrites.count).toBe(before);
    // vCPU 1 takes host CPU 0: it sees its own (reset) priority mask, not vCPU 0's.
    c1.flush(s.cpu(0));
    expect(s.gicc.read(0, 0x04)).toBe(0);
    c1.sync(s.cpu(0));
    // vCPU 0 back, on host CPU 1 this time: its mask came back from GICH_VMCR with it.
    c0.setLevel(27, true);
    c0.flush(s.cpu(1));
    expect(s.gicc.read(1, 0x04)).toBe(0xf0);
    expect(s.gicc.read(1, 0x0c)).toBe(27);
  });

  it("answers a misbehaving guest's GICD accesses as the hardware does, never throwing", () => {
    const s = setup();
    guestInit(s);
    // Reserved and unimplemented offsets read as zero and ignore writes.
    for (const off of [0x00c, 0x040, 0xe00, 0xefc, 0xf04, 0xf80, 0xfcc, 0xfff0]) {
      expect(() => s.gicd.write(0, off, 0xffff_ffff)).not.toThrow();
      expect(s.gicd.read(0, off)).toBe(0);
    }
    // GICD_TYPER is read-only; ITARGETSR0-7 (private interrupts) too.
    const typer = s.gicd.read(0, 0x004);
    s.gicd.write(0, 0x004, 0);
    expect(s.gicd.read(0, 0x004)).toBe(typer);
    s.gicd.write(1, 0x800, 0);
    expect(s.gicd.read(1, 0x800)).toBe(0x0202_0202);
    // Byte, halfword and doubleword accesses; SGIR with the reserved filter does nothing.
    expect(() => s.gicd.read(0, 0x401, 1)).not.toThrow();
    expect(() => s.gicd.write(0, 0x402, 0xffff, 2)).not.toThrow();
    expect(() => s.gicd.read(0, 0x100, 8)).not.toThrow();
    s.gicd.write(0, 0xf00, (3 << 24) | 0xff_0001);
    expect(s.vgic.cpu(0).hasPending() || s.vgic.cpu(1).hasPending()).toBe(false);
    // An SGI to a CPU interface the VM does not have is dropped.
    s.gicd.write(0, 0xf00, (1 << 23) | 2);
    expect(s.vgic.cpu(0).hasPending() || s.vgic.cpu(1).hasPending()).toBe(false);
  });

  it("serves a misbehaving guest's GICV accesses without disturbing the listed interrupts", () => {
    const s = setup();
    guestInit(s);
    const c0 = s.vgic.cpu(0);
    c0.setLevel(27, true);
    c0.flush(s.cpu(0));
    s.gicc.write(0, 0x00, 1);
    s.gicc.write(0, 0x04, 0xf0);
    for (const off of [0x040, 0x0fc, 0x100, 0x800, 0x1004, 0xfffc]) {
      expect(() => s.gicc.write(0, off, 0xffff_ffff)).not.toThrow();
      expect(() => s.gicc.read(0, off)).not.toThrow();
    }
    // EOI of an interrupt that is not active, and a spurious INTID, change nothing.
    s.gicc.write(0, 0x10, 99);
    s.gicc.write(0, 0x10, 1023);
    expect(c0.listRegisters()).toEqual([{ intid: 27, state: LrState.Pending }]);
    expect(s.gicc.read(0, 0x0c)).toBe(27);
  });

  it("refuses a vCPU count a GICv2 cannot target, and unknown vCPUs, with one line", () => {
    expect(() => setup(9)).toThrow(/a vGICv2 serves 1\.\.8 vCPUs, not 9/);
    expect(() => setup(2).vgic.cpu(2)).toThrow(/no vCPU 2/);
  });
});
