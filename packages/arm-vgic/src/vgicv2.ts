/**
 * The virtual GICv2 of an AArch64 VM on a host whose GIC is a GICv2 with the virtualization
 * extension. The distributor the guest programs is the GICv2 model of `@axvisor/device-arm-gic`
 * (one model "CPU" per vCPU), an MMIO device of the VM that learns the accessing vCPU from the
 * exit (banked registers, GICD_SGIR's source). The guest's CPU interface is the hardware's
 * GICV frame, mapped by stage 2 at the guest's GICC address (`GICV_MAPPING`): acknowledge, EOI
 * and priority masking never exit. The backend drives the board's GICH frame: before each
 * entry a vCPU's highest-priority pending interrupts go into free list registers (active in
 * the virtual distributor while listed); after each exit the list registers holding an
 * interrupt are read back and what the guest completed is deactivated. VMCR, APR and the list
 * registers stay in the frame across exits, and are switched only when another vCPU takes the
 * host CPU, as the vGICv3 keeps its interface state.
 */

import type { VirtualInterrupts } from "@axvisor/arm-vcpu";
import type {
  BaseMmioDeviceOps,
  DeviceAccess,
  EmulatedDeviceType,
  IrqLine,
  SavedRecord,
} from "@axvisor/axdevice-base";
import { StateReader } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { Aarch64Cpu } from "@axvisor/cpu-aarch64";
import {
  type GicCpuOutputs,
  GicV2,
  LIST_REGISTERS,
  loadGicCore,
  PRIVATE_IRQS,
  SGI_COUNT,
  saveGicCore,
} from "@axvisor/device-arm-gic";
import type { AccessWidth, AddrRange, GuestPhysAddr } from "@axvisor/memory-addr";
import { encodeGichLr, GICH, gichLrState, LrState } from "./list-register.js";

/** The board's GICv2 hypervisor interface (GICH), one frame per physical CPU (banked). */
export interface GichAccess {
  read(cpuId: number, offset: number): number;
  write(cpuId: number, offset: number, value: number): void;
}

export interface VGicV2Options {
  /** Number of vCPUs (1..8: GICv2 target lists are 8 bits). */
  readonly vcpus: number;
  /** GICD base (QEMU virt: 0x0800_0000). */
  readonly distributorBase: number;
  /** The host's GICH frames the list registers are written through. */
  readonly gich: GichAccess;
  /** A vCPU has an interrupt pending in the virtual distributor (it must not stay halted). */
  readonly wake?: (vcpuId: number) => void;
  /** Interrupt IDs: 32 private + SPIs (QEMU virt: 288). */
  readonly numIrqs?: number;
  /**
   * The guest completed `intid`. A forwarded host interrupt is then completed on the host,
   * unless `hardware`: it was listed with the HW bit (`forwardHardware`), and the guest's
   * deactivation already deactivated the physical interrupt.
   */
  readonly onComplete?: (intid: number, hardware: boolean) => void;
}

/** Where a vGICv2's guest CPU interface comes from: the host's GICV frame at the guest's GICC. */
export interface GicvMapping {
  readonly guestGicc: number;
  readonly hostGicv: number;
  readonly size: number;
}

/** QEMU virt: the guest sees GICC at 0x0801_0000; the board's GICV is at 0x0804_0000. */
export const GICV_MAPPING: GicvMapping = {
  guestGicc: 0x0801_0000,
  hostGicv: 0x0804_0000,
  size: 0x1_0000,
};

const NO_OUTPUT: GicCpuOutputs = {
  setIrq: () => {},
  setFiq: () => {},
  setVirq: () => {},
  setVfiq: () => {},
};

export class VGicV2 {
  /** The virtual distributor (its GICC frame is not the guest's: GICV is). */
  readonly gic: GicV2;
  /** The GICD as an MMIO device of the VM. */
  readonly distributor: BaseMmioDeviceOps;
  private readonly cpus: VGicV2Cpu[];
  private current = 0;

  constructor(o: VGicV2Options) {
    if (!Number.isInteger(o.vcpus) || o.vcpus < 1 || o.vcpus > 8) {
      throw axErr("InvalidInput", `a vGICv2 serves 1..8 vCPUs, not ${o.vcpus}`);
    }
    this.gic = new GicV2({
      numCpus: o.vcpus,
      ...(o.numIrqs !== undefined ? { numIrqs: o.numIrqs } : {}),
      outputs: Array.from({ length: o.vcpus }, () => NO_OUTPUT),
      currentCpu: () => this.current,
      distributorBase: o.distributorBase,
      // Required by the model; the guest never reaches this frame (stage 2 maps GICV there).
      cpuInterfaceBase: o.distributorBase + 0x1_0000,
      wired: false,
    });
    const wake = o.wake;
    const kick = wake
      ? () => {
          for (let c = 0; c < o.vcpus; c++) {
            if (this.gic.core.highestPending(c) >= 0) wake(c);
          }
        }
      : () => {};
    this.distributor = new BankedDistributor(
      this.gic,
      (v) => {
        this.current = v;
      },
      kick,
    );
    const done = o.onComplete ?? (() => {});
    this.cpus = Array.from(
      { length: o.vcpus },
      (_, i) => new VGicV2Cpu(this.gic, i, o.gich, kick, done, this.hardware),
    );
  }

  /** Virtual INTID -> the physical INTID behind it (`forwardHardware`). */
  private readonly hardware = new Map<number, number>();

  /**
   * Virtual `intid` is physical interrupt `pintid` passed through: its list registers get the
   * HW bit (PhysicalID = `pintid`), so the guest's EOI or DIR through its GICV deactivates the
   * physical interrupt itself, with no software completion on the host.
   */
  forwardHardware(intid: number, pintid: number): void {
    if (!Number.isInteger(intid) || intid < SGI_COUNT || intid >= 1020) {
      throw axErr("InvalidInput", `vGIC: INTID ${intid} cannot be hardware-backed (16..1019)`);
    }
    if (!Number.isInteger(pintid) || pintid < SGI_COUNT || pintid >= 1020) {
      throw axErr("InvalidInput", `vGIC: physical INTID ${pintid} is not a PPI or SPI`);
    }
    this.hardware.set(intid, pintid);
  }

  /** The MMIO devices to add to the VM: the GICD only. */
  get devices(): readonly BaseMmioDeviceOps[] {
    return [this.distributor];
  }

  cpu(vcpuId: number): VGicV2Cpu {
    const c = this.cpus[vcpuId];
    if (!c) throw axErr("NotFound", `the vGIC has no vCPU ${vcpuId}`);
    return c;
  }

  /** The input line of SPI `n` (INTID 32 + n). */
  spiLine(n: number): IrqLine {
    return this.gic.spiLine(n);
  }

  /** Makes SGI `intid` pending at `target`, sent by `source`. */
  sendSgi(source: number, target: number, intid: number): void {
    this.gic.core.sendSgi(source, target, intid);
  }

  // ---- snapshot ----

  /** The virtual distributor and each vCPU's list registers, VMCR and APR. */
  saveState(): SavedRecord {
    return { gic: saveGicCore(this.gic.core), cpus: this.cpus.map((c) => c.saveState()) };
  }

  /** Puts back what `saveState` returned; throws an AxError naming the field that does not fit. */
  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "vGICv2");
    const apply = r.records("cpus", this.cpus.length).map((c, i) => this.cpus[i]!.parseState(c));
    loadGicCore(this.gic.core, r.nested("gic"), "vGICv2");
    for (const f of apply) f();
  }
}

/**
 * The GICD frame as the VM's device: it selects the accessing vCPU's bank first, and after a
 * write wakes whichever vCPU now has something pending (an SGI, a newly enabled SPI).
 */
class BankedDistributor implements BaseMmioDeviceOps {
  constructor(
    private readonly gic: GicV2,
    private readonly select: (vcpu: number) => void,
    private readonly kick: () => void,
  ) {}

  emuType(): EmulatedDeviceType {
    return this.gic.distributor.emuType();
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.gic.distributor.addressRange();
  }

  reset(): void {
    this.gic.distributor.reset?.();
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth, access?: DeviceAccess): bigint {
    this.select(access?.vcpuId ?? 0);
    return this.gic.distributor.handleRead(addr, width);
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint, access?: DeviceAccess): void {
    this.select(access?.vcpuId ?? 0);
    this.gic.distributor.handleWrite(addr, width, value);
    this.kick();
  }
}

/**
 * Which vCPU's interface state each host CPU's GICH frame holds, per host GIC. A vCPU's VMCR,
 * APR and list registers stay in the frame across its exits (an exit then costs no world
 * switch of the GIC); they come back only when another vCPU takes that CPU, or the vCPU
 * moves to another one.
 */
const residents = new WeakMap<GichAccess, Map<number, VGicV2Cpu>>();

function residentsOf(gich: GichAccess): Map<number, VGicV2Cpu> {
  let m = residents.get(gich);
  if (m === undefined) {
    m = new Map();
    residents.set(gich, m);
  }
  return m;
}

/**
 * One vCPU's part of the vGICv2: its list registers, GICH_VMCR and GICH_APR, which live in a
 * host CPU's GICH frame from the vCPU's first entry on that CPU until another vCPU's state
 * replaces them there.
 */
export class VGicV2Cpu implements VirtualInterrupts {
  /** The list registers as last written or read back (the frame's, while resident). */
  private readonly lrs: number[] = Array.from({ length: LIST_REGISTERS }, () => 0);
  /** What the frame's list registers hold, while resident (flush writes only the changes). */
  private readonly written: number[] = Array.from({ length: LIST_REGISTERS }, () => 0);
  /** The INTID each list register carries for the virtual distributor, or -1. */
  private readonly held: number[] = Array.from({ length: LIST_REGISTERS }, () => -1);
  private vmcr = 0;
  private apr = 0;
  /** The guest runs with this state in host CPU `loaded`'s frame (since the last flush). */
  private loaded: number | null = null;
  /** The host CPU whose GICH frame holds this vCPU's state (see `residents`). */
  private home: number | null = null;
  /** `gic.core.changes` after the last scan for pending interrupts (see VGicV3Cpu). */
  private scanned = -1;
  private readonly residents: Map<number, VGicV2Cpu>;

  constructor(
    private readonly gic: GicV2,
    readonly index: number,
    private readonly gich: GichAccess,
    private readonly kick: () => void,
    private readonly onComplete: (intid: number, hardware: boolean) => void = () => {},
    private readonly hardware: ReadonlyMap<number, number> = new Map(),
  ) {
    this.residents = residentsOf(gich);
  }

  setLevel(intid: number, level: boolean): void {
    if (intid < SGI_COUNT) throw axErr("InvalidInput", `SGI ${intid} has no line`);
    if (intid < PRIVATE_IRQS) this.gic.core.setPpiLevel(this.index, intid, level);
    else this.gic.core.setSpiLevel(intid, level);
    // An SPI targeted at another vCPU must wake that one, not the reporter.
    if (level && intid >= PRIVATE_IRQS) this.kick();
  }

  inject(intid: number): void {
    if (intid < SGI_COUNT) this.gic.core.sendSgi(this.index, this.index, intid);
    else this.gic.core.setPendingLatch(this.index, intid, true);
  }

  hasPending(): boolean {
    if (this.lrs.some((lr) => gichLrState(lr) === LrState.Pending)) return true;
    return this.gic.core.highestPending(this.index) >= 0;
  }

  /** The INTIDs in the list registers, with their state (diagnostics and tests). */
  listRegisters(): { intid: number; state: LrState }[] {
    return this.lrs
      .filter((lr) => gichLrState(lr) !== LrState.Invalid)
      .map((lr) => ({ intid: lr & 0x3ff, state: gichLrState(lr) }));
  }

  flush(cpu: Aarch64Cpu): void {
    if (this.loaded !== null) this.readBack(this.loaded);
    if (this.gic.core.changes !== this.scanned) this.listPending();
    const id = cpu.cpuId;
    const g = this.gich;
    // Resident here exactly while `home` is this CPU: whoever takes the CPU evicts us first.
    if (this.home !== id) {
      this.evict();
      this.residents.get(id)?.evict();
      g.write(id, GICH.VMCR, this.vmcr);
      g.write(id, GICH.APR, this.apr);
      for (let n = 0; n < LIST_REGISTERS; n++) {
        const lr = this.lrs[n] ?? 0;
        g.write(id, GICH.LR0 + 4 * n, lr);
        this.written[n] = lr;
      }
      g.write(id, GICH.HCR, GICH.HCR_EN);
      this.residents.set(id, this);
      this.home = id;
    } else {
      for (let n = 0; n < LIST_REGISTERS; n++) {
        const lr = this.lrs[n] ?? 0;
        if (lr === this.written[n]) continue;
        g.write(id, GICH.LR0 + 4 * n, lr);
        this.written[n] = lr;
      }
    }
    this.loaded = id;
  }

  /** Moves the highest-priority pending interrupts into the free list registers. */
  private listPending(): void {
    const core = this.gic.core;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      if (this.held[n] !== -1) continue;
      const irq = core.highestPending(this.index);
      if (irq < 0) break;
      const s = core.slot(this.index, irq);
      let source = 0;
      const pintid = this.hardware.get(irq);
      if (irq < SGI_COUNT) {
        // One sender at a time: the guest's IAR reports it in bits 12:10 (from the LR).
        const k = this.index * SGI_COUNT + irq;
        const senders = core.sgiSources[k] ?? 0;
        source = 31 - Math.clz32(senders & -senders);
        core.sgiSources[k] = senders & ~(1 << source);
      } else {
        core.setPendingLatch(this.index, irq, false);
      }
      core.active[s] = 1;
      this.held[n] = irq;
      this.lrs[n] = encodeGichLr(
        irq,
        pintid ?? source,
        core.priority[s] ?? 0,
        core.group[s] ?? 0,
        LrState.Pending,
        pintid !== undefined,
      );
    }
    // Including this scan's own changes: the next one finds nothing new unless more happen.
    this.scanned = core.changes;
  }

  sync(cpu: Aarch64Cpu): void {
    if (this.loaded === null) return;
    this.readBack(cpu.cpuId);
    this.loaded = null;
  }

  /** The state stays in the frame, which goes on driving the CPU's virtual IRQ line. */
  unbound(_cpu: Aarch64Cpu): void {}

  /**
   * Takes this vCPU's state out of its home CPU's GICH frame (another vCPU gets that CPU, or
   * this one moves): VMCR and APR, which the guest changes, come back, and nothing of this
   * vCPU is left signalling there.
   */
  private evict(): void {
    const id = this.home;
    if (id === null) return;
    this.home = null;
    if (this.residents.get(id) === this) this.residents.delete(id);
    if (this.loaded === id) {
      this.readBack(id);
      this.loaded = null;
    }
    const g = this.gich;
    this.vmcr = g.read(id, GICH.VMCR);
    this.apr = g.read(id, GICH.APR);
    g.write(id, GICH.HCR, 0);
    for (let n = 0; n < LIST_REGISTERS; n++) g.write(id, GICH.LR0 + 4 * n, 0);
  }

  /** Reads back the list registers the guest can have changed: those holding an interrupt. */
  private readBack(id: number): void {
    const g = this.gich;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      const irq = this.held[n] ?? -1;
      if (irq < 0) continue;
      const lr = g.read(id, GICH.LR0 + 4 * n);
      this.lrs[n] = lr;
      this.written[n] = lr;
      if (gichLrState(lr) === LrState.Invalid) {
        // The guest completed it: a level line still high makes it pending again.
        this.gic.core.deactivate(this.index, irq);
        this.held[n] = -1;
        this.onComplete(irq, lr >>> 31 === 1);
      }
    }
  }

  // ---- snapshot ----

  /**
   * The list registers (as last written or read back: the vCPU is unbound and the guest has
   * not run since), the INTID each one holds for the virtual distributor, GICH_VMCR and
   * GICH_APR.
   */
  saveState(): SavedRecord {
    // While resident, VMCR and APR as the guest changed them are only in the frame: take them
    // back (the next entry loads the frame afresh).
    this.evict();
    return { lrs: [...this.lrs], held: [...this.held], vmcr: this.vmcr, apr: this.apr };
  }

  /** Reads saved state and returns what puts it in place (nothing changes until it is called). */
  parseState(r: StateReader): () => void {
    const lrs = r.ints("lrs", LIST_REGISTERS);
    const held = r.ints("held", LIST_REGISTERS, -1, 1019);
    const vmcr = r.int("vmcr");
    const apr = r.int("apr");
    return () => {
      // Nothing of the replaced state may stay resident in a GICH frame.
      this.evict();
      lrs.forEach((lr, n) => {
        this.lrs[n] = lr;
      });
      held.forEach((h, n) => {
        this.held[n] = h;
      });
      this.vmcr = vmcr;
      this.apr = apr;
      this.loaded = null;
      this.scanned = -1;
    };
  }
}
