/**
 * The virtual GICv3 of an AArch64 VM (AxVisor's `arm_vgic` with its `vgicv3` feature). The
 * distributor and the redistributors the guest programs are the GICv3 model of
 * `@axvisor/device-arm-gic`, as MMIO devices of the VM, with one "CPU" per vCPU; its CPU
 * interface is never used: the guest's ICC_* accesses are the hardware's ICV_* view (HCR_EL2.IMO
 * and FMO), which the physical CPU interface serves from the ICH_LR_EL2 list registers. Before
 * each entry a vCPU's highest-priority pending interrupts go into free list registers (and
 * become active in the virtual distributor, so they are listed once); after each exit the list
 * registers are read back, and those the guest completed are deactivated.
 */

import type { VirtualInterrupts } from "@axvisor/arm-vcpu";
import {
  type BaseMmioDeviceOps,
  type IrqLine,
  type SavedRecord,
  StateReader,
  savedU64,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { Aarch64Cpu } from "@axvisor/cpu-aarch64";
import {
  type GicCpuOutputs,
  GicSysReg,
  type GicSysRegContext,
  GicV3,
  LIST_REGISTERS,
} from "@axvisor/device-arm-gic";
import { encodeLr, LrState, lrIntid, lrState } from "./list-register.js";

export interface VGicV3Options {
  /** The VM's vCPUs, by index; each one's affinity is its MPIDR. */
  readonly mpidrs: readonly number[];
  /** GICD base (QEMU virt: 0x0800_0000). */
  readonly distributorBase: number;
  /** First GICR (QEMU virt: 0x080A_0000); each vCPU's takes 0x2_0000. */
  readonly redistributorBase: number;
  /** Interrupt IDs: 32 private + SPIs (QEMU virt: 288). */
  readonly numIrqs?: number;
  /** The guest completed `intid` (a forwarded host interrupt is then completed on the host). */
  readonly onComplete?: (intid: number) => void;
}

const EL2: GicSysRegContext = { el: 2, irqVirtual: false, fiqVirtual: false };
/** ICH_HCR_EL2.En: the virtual CPU interface operates. */
const ICH_HCR_EN = 1n;
const NO_OUTPUT: GicCpuOutputs = {
  setIrq: () => {},
  setFiq: () => {},
  setVirq: () => {},
  setVfiq: () => {},
};

export class VGicV3 {
  /** The virtual distributor and redistributors (their CPU interface is not the guest's). */
  readonly gic: GicV3;
  private readonly cpus: VGicV3Cpu[];

  constructor(o: VGicV3Options) {
    if (o.mpidrs.length === 0) throw axErr("InvalidInput", "a vGIC needs at least one vCPU");
    this.gic = new GicV3({
      numCpus: o.mpidrs.length,
      ...(o.numIrqs !== undefined ? { numIrqs: o.numIrqs } : {}),
      outputs: o.mpidrs.map(() => NO_OUTPUT),
      affinity: (cpu) => o.mpidrs[cpu] ?? cpu,
      distributorBase: o.distributorBase,
      redistributorBase: o.redistributorBase,
      virtualization: false,
    });
    const done = o.onComplete ?? (() => {});
    this.cpus = o.mpidrs.map((_, i) => new VGicV3Cpu(this.gic, i, done));
  }

  /** The MMIO devices to add to the VM: GICD and every vCPU's GICR frames. */
  get devices(): readonly BaseMmioDeviceOps[] {
    return this.gic.frames;
  }

  /** The `VirtualInterrupts` of vCPU `vcpuId` (its `ArmVCpu` takes it at creation). */
  cpu(vcpuId: number): VGicV3Cpu {
    const c = this.cpus[vcpuId];
    if (!c) throw axErr("NotFound", `the vGIC has no vCPU ${vcpuId}`);
    return c;
  }

  /** The input line of SPI `n` (INTID 32 + n), for an emulated device such as the PL011. */
  spiLine(n: number): IrqLine {
    return this.gic.spiLine(n);
  }

  /** Makes SGI `intid` pending at `target`, sent by `source` (a `SendIPI` exit). */
  sendSgi(source: number, target: number, intid: number): void {
    this.gic.core.sendSgi(source, target, intid);
  }

  // ---- snapshot ----

  /** The virtual distributor and redistributors, and each vCPU's list registers. */
  saveState(): SavedRecord {
    return { gic: this.gic.saveState(), cpus: this.cpus.map((c) => c.saveState()) };
  }

  /** Puts back what `saveState` returned; throws an AxError naming the field that does not fit. */
  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "vGICv3");
    const apply = r.records("cpus", this.cpus.length).map((c, i) => this.cpus[i]!.parseState(c));
    this.gic.loadState(r.nested("gic"));
    for (const f of apply) f();
  }
}

/**
 * One vCPU's part of the vGIC: its list registers and virtual CPU interface state (ICH_VMCR,
 * active priorities), which live in the physical CPU interface only while the vCPU runs.
 */
export class VGicV3Cpu implements VirtualInterrupts {
  /** The list registers as last written or read back. */
  private readonly lrs: bigint[] = Array.from({ length: LIST_REGISTERS }, () => 0n);
  /** The INTID each list register carries for the virtual distributor, or -1. */
  private readonly held: number[] = Array.from({ length: LIST_REGISTERS }, () => -1);
  private vmcr = 0n;
  private ap0 = 0n;
  private ap1 = 0n;
  /** This vCPU's state is in the physical CPU interface (since the last flush). */
  private loaded: Aarch64Cpu | null = null;

  constructor(
    private readonly gic: GicV3,
    readonly index: number,
    private readonly onComplete: (intid: number) => void = () => {},
  ) {}

  setLevel(intid: number, level: boolean): void {
    if (intid < 16) throw axErr("InvalidInput", `SGI ${intid} has no line`);
    if (intid < 32) this.gic.core.setPpiLevel(this.index, intid, level);
    else this.gic.core.setSpiLevel(intid, level);
  }

  inject(intid: number): void {
    this.gic.core.setPendingLatch(this.index, intid, true);
  }

  hasPending(): boolean {
    if (this.lrs.some((lr) => lrState(lr) === LrState.Pending)) return true;
    return this.gic.core.highestPending(this.index) >= 0;
  }

  /** The INTIDs in the list registers, with their state (for diagnostics and tests). */
  listRegisters(): { intid: number; state: LrState }[] {
    return this.lrs
      .filter((lr) => lrState(lr) !== LrState.Invalid)
      .map((lr) => ({ intid: lrIntid(lr), state: lrState(lr) }));
  }

  flush(cpu: Aarch64Cpu): void {
    const dev = cpu.sysRegDevice;
    if (!dev) throw axErr("Unsupported", `CPU ${cpu.cpuId} has no GICv3 CPU interface`);
    if (this.loaded) this.readBack(this.loaded);
    const core = this.gic.core;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      if (this.held[n] !== -1) continue;
      const irq = core.highestPending(this.index);
      if (irq < 0) break;
      const s = core.slot(this.index, irq);
      // Listed once: active in the virtual distributor until the guest completes it.
      core.setPendingLatch(this.index, irq, false);
      core.active[s] = 1;
      this.held[n] = irq;
      this.lrs[n] = encodeLr(irq, core.priority[s] ?? 0, core.group[s] ?? 1, LrState.Pending);
    }
    const id = cpu.cpuId;
    dev.write(id, GicSysReg.ICH_VMCR_EL2, this.vmcr, EL2);
    dev.write(id, GicSysReg.ICH_AP0R0_EL2, this.ap0, EL2);
    dev.write(id, GicSysReg.ICH_AP1R0_EL2, this.ap1, EL2);
    for (let n = 0; n < LIST_REGISTERS; n++) {
      dev.write(id, GicSysReg.ICH_LR0_EL2 + n, this.lrs[n] ?? 0n, EL2);
    }
    dev.write(id, GicSysReg.ICH_HCR_EL2, ICH_HCR_EN, EL2);
    this.loaded = cpu;
  }

  sync(cpu: Aarch64Cpu): void {
    if (!this.loaded) return;
    this.readBack(cpu);
    // Leave nothing of this vCPU signalling on the physical interface.
    cpu.sysRegDevice?.write(cpu.cpuId, GicSysReg.ICH_HCR_EL2, 0n, EL2);
    this.loaded = null;
  }

  private readBack(cpu: Aarch64Cpu): void {
    const dev = cpu.sysRegDevice;
    if (!dev) return;
    const id = cpu.cpuId;
    this.vmcr = dev.read(id, GicSysReg.ICH_VMCR_EL2, EL2) ?? 0n;
    this.ap0 = dev.read(id, GicSysReg.ICH_AP0R0_EL2, EL2) ?? 0n;
    this.ap1 = dev.read(id, GicSysReg.ICH_AP1R0_EL2, EL2) ?? 0n;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      const lr = dev.read(id, GicSysReg.ICH_LR0_EL2 + n, EL2) ?? 0n;
      this.lrs[n] = lr;
      const irq = this.held[n] ?? -1;
      if (irq >= 0 && lrState(lr) === LrState.Invalid) {
        // The guest completed it: a level line still high makes it pending again.
        this.gic.core.deactivate(this.index, irq);
        this.held[n] = -1;
        this.onComplete(irq);
      }
    }
  }

  // ---- snapshot ----

  /**
   * The list registers (as last written or read back: the vCPU is unbound and the guest has
   * not run since), the INTID each one holds for the virtual distributor, ICH_VMCR and the
   * active priorities.
   */
  saveState(): SavedRecord {
    return {
      lrs: Object.fromEntries(this.lrs.map((lr, n) => [String(n), savedU64(lr)])),
      held: [...this.held],
      vmcr: savedU64(this.vmcr),
      ap0: savedU64(this.ap0),
      ap1: savedU64(this.ap1),
    };
  }

  /** Reads saved state and returns what puts it in place (nothing changes until it is called). */
  parseState(r: StateReader): () => void {
    const saved = r.record("lrs");
    const lrs = this.lrs.map((_, n) => saved.u64(String(n)));
    const held = r.ints("held", LIST_REGISTERS, -1, 1019);
    const vmcr = r.u64("vmcr");
    const ap0 = r.u64("ap0");
    const ap1 = r.u64("ap1");
    return () => {
      lrs.forEach((lr, n) => {
        this.lrs[n] = lr;
      });
      held.forEach((h, n) => {
        this.held[n] = h;
      });
      this.vmcr = vmcr;
      this.ap0 = ap0;
      this.ap1 = ap1;
      this.loaded = null;
    };
  }
}
