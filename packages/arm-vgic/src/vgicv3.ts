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
import { encodeLr, LrState, lrIntid, lrPhysical, lrState } from "./list-register.js";

export interface VGicV3Options {
  /** The VM's vCPUs, by index; each one's affinity is its MPIDR. */
  readonly mpidrs: readonly number[];
  /** GICD base (QEMU virt: 0x0800_0000). */
  readonly distributorBase: number;
  /** First GICR (QEMU virt: 0x080A_0000); each vCPU's takes 0x2_0000. */
  readonly redistributorBase: number;
  /** Interrupt IDs: 32 private + SPIs (QEMU virt: 288). */
  readonly numIrqs?: number;
  /**
   * The guest completed `intid`. A forwarded host interrupt is then completed on the host,
   * unless `hardware`: it was listed with the HW bit (`forwardHardware`), and the guest's
   * deactivation already deactivated the physical interrupt.
   */
  readonly onComplete?: (intid: number, hardware: boolean) => void;
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
      wired: false,
    });
    const done = o.onComplete ?? (() => {});
    this.cpus = o.mpidrs.map((_, i) => new VGicV3Cpu(this.gic, i, done, this.hardware));
  }

  /** Virtual INTID -> the physical INTID behind it (`forwardHardware`). */
  private readonly hardware = new Map<number, number>();

  /**
   * Virtual `intid` is physical interrupt `pintid` passed through (a board SPI forwarded by
   * the hypervisor, active on the board while the guest holds it): its list registers get
   * the HW bit, so the guest's EOI or DIR deactivates the physical interrupt itself, with no
   * software completion on the host. An SPI or PPI; SGIs are never hardware-backed.
   */
  forwardHardware(intid: number, pintid: number): void {
    if (!Number.isInteger(intid) || intid < 16 || intid >= 1020) {
      throw axErr("InvalidInput", `vGIC: INTID ${intid} cannot be hardware-backed (16..1019)`);
    }
    if (!Number.isInteger(pintid) || pintid < 16 || pintid >= 1020) {
      throw axErr("InvalidInput", `vGIC: physical INTID ${pintid} is not a PPI or SPI`);
    }
    this.hardware.set(intid, pintid);
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
 * Which vCPU's interface state each physical CPU interface holds. A vCPU's VMCR, active
 * priorities and list registers stay in the CPU across its exits (a VM exit then costs no
 * world switch of the GIC); they are read back only when another vCPU (of any VM) takes that
 * CPU, or the vCPU moves to another one.
 */
const residents = new WeakMap<Aarch64Cpu, VGicV3Cpu>();

/**
 * One vCPU's part of the vGIC: its list registers and virtual CPU interface state (ICH_VMCR,
 * active priorities), which live in a physical CPU interface from the vCPU's first entry on
 * that CPU until another vCPU's state replaces them there.
 */
export class VGicV3Cpu implements VirtualInterrupts {
  /** The list registers as last written or read back (the CPU's, while resident). */
  private readonly lrs: bigint[] = Array.from({ length: LIST_REGISTERS }, () => 0n);
  /** What the CPU's list registers hold, while resident (flush writes only the changes). */
  private readonly written: bigint[] = Array.from({ length: LIST_REGISTERS }, () => 0n);
  /** The INTID each list register carries for the virtual distributor, or -1. */
  private readonly held: number[] = Array.from({ length: LIST_REGISTERS }, () => -1);
  private vmcr = 0n;
  private ap0 = 0n;
  private ap1 = 0n;
  /** The guest runs with this state in the physical CPU interface (since the last flush). */
  private loaded: Aarch64Cpu | null = null;
  /** The CPU whose interface holds this vCPU's state (see `residents`). */
  private home: Aarch64Cpu | null = null;
  /**
   * `gic.core.changes` after this vCPU's last scan for pending interrupts: while it holds,
   * a scan would find nothing new to list (the scan is a pass over every interrupt).
   */
  private scanned = -1;
  /** `lrs` holds values the resident interface does not have yet (flush writes them). */
  private unwritten = false;

  constructor(
    private readonly gic: GicV3,
    readonly index: number,
    private readonly onComplete: (intid: number, hardware: boolean) => void = () => {},
    private readonly hardware: ReadonlyMap<number, number> = new Map(),
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
    if (core.changes !== this.scanned) this.listPending();
    const id = cpu.cpuId;
    // Resident here exactly while `home` is this CPU: whoever takes the CPU evicts us first.
    if (this.home !== cpu) {
      this.evict();
      const prior = residents.get(cpu);
      if (prior !== undefined) prior.evict();
      // No vGICv3 state here: the line may carry another kind of vCPU's level; the
      // interface (ICH_HCR_EL2.En clear) drives it low, as it believes.
      else cpu.setVirq(false);
      dev.write(id, GicSysReg.ICH_VMCR_EL2, this.vmcr, EL2);
      dev.write(id, GicSysReg.ICH_AP0R0_EL2, this.ap0, EL2);
      dev.write(id, GicSysReg.ICH_AP1R0_EL2, this.ap1, EL2);
      for (let n = 0; n < LIST_REGISTERS; n++) {
        const lr = this.lrs[n] ?? 0n;
        dev.write(id, GicSysReg.ICH_LR0_EL2 + n, lr, EL2);
        this.written[n] = lr;
      }
      dev.write(id, GicSysReg.ICH_HCR_EL2, ICH_HCR_EN, EL2);
      residents.set(cpu, this);
      this.home = cpu;
    } else if (this.unwritten) {
      for (let n = 0; n < LIST_REGISTERS; n++) {
        const lr = this.lrs[n] ?? 0n;
        if (lr === this.written[n]) continue;
        dev.write(id, GicSysReg.ICH_LR0_EL2 + n, lr, EL2);
        this.written[n] = lr;
      }
    }
    this.unwritten = false;
    this.loaded = cpu;
  }

  /** Moves the highest-priority pending interrupts into the free list registers. */
  private listPending(): void {
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
      this.unwritten = true;
      this.lrs[n] = encodeLr(
        irq,
        core.priority[s] ?? 0,
        core.group[s] ?? 1,
        LrState.Pending,
        this.hardware.get(irq) ?? -1,
      );
    }
    // Including this scan's own changes: the next one finds nothing new unless more happen.
    this.scanned = core.changes;
  }

  sync(cpu: Aarch64Cpu): void {
    if (!this.loaded) return;
    this.readBack(cpu);
    this.loaded = null;
  }

  /** The state stays in the interface, which goes on driving the CPU's virtual IRQ line. */
  unbound(_cpu: Aarch64Cpu): void {}

  /**
   * Takes this vCPU's state out of its home CPU's interface (another vCPU gets that CPU, or
   * this one moves): the interface state the guest changes (VMCR, active priorities) comes
   * back, and nothing of this vCPU is left signalling there.
   */
  private evict(): void {
    const cpu = this.home;
    if (cpu === null) return;
    this.home = null;
    if (residents.get(cpu) === this) residents.delete(cpu);
    const dev = cpu.sysRegDevice;
    if (!dev) return;
    if (this.loaded === cpu) {
      this.readBack(cpu);
      this.loaded = null;
    }
    const id = cpu.cpuId;
    this.vmcr = dev.read(id, GicSysReg.ICH_VMCR_EL2, EL2) ?? 0n;
    this.ap0 = dev.read(id, GicSysReg.ICH_AP0R0_EL2, EL2) ?? 0n;
    this.ap1 = dev.read(id, GicSysReg.ICH_AP1R0_EL2, EL2) ?? 0n;
    dev.write(id, GicSysReg.ICH_HCR_EL2, 0n, EL2);
  }

  /** Reads back the list registers the guest can have changed: those holding an interrupt. */
  private readBack(cpu: Aarch64Cpu): void {
    const dev = cpu.sysRegDevice;
    if (!dev) return;
    const id = cpu.cpuId;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      const irq = this.held[n] ?? -1;
      if (irq < 0) continue;
      const lr = dev.read(id, GicSysReg.ICH_LR0_EL2 + n, EL2) ?? 0n;
      this.lrs[n] = lr;
      this.written[n] = lr;
      if (lrState(lr) === LrState.Invalid) {
        // The guest completed it: a level line still high makes it pending again.
        this.gic.core.deactivate(this.index, irq);
        this.held[n] = -1;
        this.onComplete(irq, lrPhysical(lr) >= 0);
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
    // While resident, VMCR and the active priorities the guest changed are only in the CPU
    // interface: take them back (the next entry loads the interface afresh).
    this.evict();
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
      // Nothing of the replaced state may stay resident in a CPU interface.
      this.evict();
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
      this.scanned = -1;
      this.unwritten = true;
    };
  }
}
