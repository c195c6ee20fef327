import {
  type BaseMmioDeviceOps,
  type BasePortDeviceOps,
  type DeviceAccess,
  EmulatedDeviceType,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { HostServices } from "@axvisor/axvisor-api";
import { I8259Pair } from "@axvisor/device-i8259";
import { IoApic } from "@axvisor/device-ioapic";
import { ApicBus, type LocalApic } from "@axvisor/device-lapic";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  gpa,
  rangeFromSize,
} from "@axvisor/memory-addr";
import { GuestClockOffset } from "./guest-clock.js";
import { VirtualLapic } from "./virtual-lapic.js";

/** Where a PC's interrupt controllers are (QEMU q35, AxVisor's x86 configs). */
export const X86_APIC = {
  lapicBase: 0xfee0_0000,
  ioapicBase: 0xfec0_0000,
  windowSize: 0x1000,
} as const;

export interface X86VmInterruptsOptions {
  readonly vmId: number;
  /** Each vCPU's APIC id, in vCPU order. */
  readonly apicIds: readonly number[];
  readonly host: HostServices;
  /** Ticks per second of the host clock (= the guest's TSC rate). */
  readonly tscHz: number;
  /** A vCPU has something to deliver: wake it if it halted. */
  readonly wake: (vcpuId: number) => void;
}

/**
 * The interrupt controllers of one x86_64 VM: a `VirtualLapic` per vCPU on a VM-private APIC
 * bus, a virtual IOAPIC at 0xFEC0_0000 (24 pins, messages to the vLAPICs, remote IRR cleared
 * by their EOIs), and a virtual 8259 pair on the boot vCPU's LINT0 (ports 0x20/0x21,
 * 0xA0/0xA1, ELCR 0x4D0/0x4D1). Device models and forwarded host interrupts drive the pins
 * with `setIrq`: ISA lines 0-15 reach both the 8259 and the IOAPIC (IRQ 0 on pin 2), as on
 * a PC.
 */
export class X86VmInterrupts {
  readonly lapics: readonly VirtualLapic[];
  readonly ioapic: IoApic;
  readonly pic: I8259Pair;
  readonly bus = new ApicBus();
  /** Guest time minus host time (non-zero after a restore); the vCPUs' TSC offset too. */
  readonly clock = new GuestClockOffset();
  private readonly starts: { apicId: number; vector: number }[] = [];
  private readonly host: HostServices;

  constructor(o: X86VmInterruptsOptions) {
    this.host = o.host;
    if (o.apicIds.length === 0) throw axErr("InvalidInput", "a VM needs at least one vCPU");
    this.pic = new I8259Pair({ output: (level) => level && o.wake(0) });
    this.ioapic = new IoApic({ base: X86_APIC.ioapicBase, deliver: (m) => this.bus.deliver(m) });
    this.lapics = o.apicIds.map(
      (apicId, vcpuId) =>
        new VirtualLapic({
          vmId: o.vmId,
          vcpuId,
          apicId,
          host: o.host,
          tscHz: o.tscHz,
          clock: this.clock,
          ...(vcpuId === 0 ? { extInt: this.pic } : {}),
          wiring: {
            sendIpi: (from: LocalApic, msg, shorthand) => this.bus.sendIpi(from, msg, shorthand),
            eoiBroadcast: (v) => this.ioapic.eoi(v),
            startup: (target, vector) => {
              this.starts.push({ apicId: o.apicIds[target]!, vector });
              // The sender reports it on its next run; wake everyone who might run first.
              o.wake(0);
            },
            wake: (v) => o.wake(v),
            // Any vCPU hands out the VM's pending start-ups (the sender runs next).
            takeStart: () => this.starts.shift(),
          },
        }),
    );
    for (const l of this.lapics) this.bus.add(l.apic);
  }

  lapic(vcpuId: number): VirtualLapic {
    const l = this.lapics[vcpuId];
    if (l === undefined) throw axErr("InvalidInput", `the VM has no vCPU ${vcpuId}`);
    return l;
  }

  /** Drives interrupt line `irq` (ISA 0-15: 8259 and IOAPIC; 16-23: IOAPIC only). */
  setIrq(irq: number, level: boolean): void {
    if (irq < 16) this.pic.setIrq(irq, level);
    this.ioapic.setIrq(irq === 0 ? 2 : irq, level);
  }

  /** A host interrupt forwarded to the VM (passthrough): an edge on its line. */
  forwardHostIrq(irq: number): boolean {
    if (irq < 0 || irq > 23) return false;
    this.setIrq(irq, true);
    this.setIrq(irq, false);
    return true;
  }

  /** The MMIO windows (vLAPIC by the accessing vCPU, vIOAPIC) and the 8259's ports. */
  mmioDevices(): BaseMmioDeviceOps[] {
    return [new LapicWindow(this), this.ioapic];
  }

  portDevices(): BasePortDeviceOps[] {
    return [this.pic.masterPorts, this.pic.slavePorts, this.pic.elcrPorts];
  }

  reset(): void {
    for (const l of this.lapics) l.reset();
    this.ioapic.reset();
    this.pic.reset();
    this.starts.length = 0;
  }

  dispose(): void {
    for (const l of this.lapics) l.dispose();
  }

  // ---- snapshot (the vIOAPIC saves itself as a device) ---------------------------------

  /** Guest time at `time`, the vLAPICs, the 8259 pair and start-ups not yet taken. */
  saveState(time: { readonly hostTicks: number }): SavedRecord {
    return {
      guestTicks: time.hostTicks + this.clock.ticks,
      lapics: this.lapics.map((l) => l.saveState()),
      pic: this.pic.saveState(),
      starts: this.starts.map((s) => ({ apicId: s.apicId, vector: s.vector })),
    };
  }

  /**
   * Puts the state back at host time `time`: the guest clock continues from the saved guest
   * time, and every vLAPIC timer is re-armed at its guest deadline.
   */
  loadState(state: SavedRecord, time: { readonly hostTicks: number }): void {
    const r = new StateReader(state, "x86 interrupt controllers");
    const guestTicks = r.amount("guestTicks");
    const lapics = r.records("lapics", this.lapics.length);
    const starts = r.records("starts").map((s) => ({
      apicId: s.int("apicId", 0, 0xffff_ffff),
      vector: s.int("vector", 0, 0xff),
    }));
    const t = this.host.time;
    this.clock.ticks = guestTicks - time.hostTicks;
    this.clock.nanos = t.ticksToNanos(guestTicks) - t.ticksToNanos(time.hostTicks);
    this.pic.loadState(r.nested("pic"));
    const raw = state.lapics as readonly SavedRecord[];
    for (let i = 0; i < lapics.length; i++) this.lapics[i]!.loadState(raw[i]!);
    this.starts.splice(0, this.starts.length, ...starts);
  }
}

/** The xAPIC window at 0xFEE0_0000: each vCPU reaches its own APIC there. */
class LapicWindow implements BaseMmioDeviceOps {
  constructor(private readonly vm: X86VmInterrupts) {}

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.InterruptController;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return rangeFromSize(gpa(X86_APIC.lapicBase), X86_APIC.windowSize);
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth, access?: DeviceAccess): bigint {
    return this.vm.lapic(access?.vcpuId ?? 0).mmioRead(addr - X86_APIC.lapicBase, width);
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint, access?: DeviceAccess): void {
    this.vm.lapic(access?.vcpuId ?? 0).mmioWrite(addr - X86_APIC.lapicBase, width, value);
  }

  /** The VM restarts: every vLAPIC (and its timer) to its power-on state. */
  reset(): void {
    this.vm.reset();
  }
}
