import { type SavedRecord, StateReader } from "@axvisor/axdevice-base";
import type { HostServices, TimerToken } from "@axvisor/axvisor-api";
import {
  type ApicMessage,
  DeliveryMode,
  type ExtIntSource,
  LocalApic,
  type LocalApicHost,
  MSR_APIC_BASE,
  MSR_TSC_DEADLINE,
  MSR_X2APIC_FIRST,
  MSR_X2APIC_LAST,
} from "@axvisor/device-lapic";
import { type AccessWidth, gpa } from "@axvisor/memory-addr";
import type { X86InterruptSource } from "@axvisor/x86-vcpu";
import { GuestClockOffset } from "./guest-clock.js";

/** What one vCPU's APIC reaches outside itself: the VM's APIC bus, its vIOAPIC, its vCPU. */
export interface VirtualLapicWiring {
  /** An ICR write: the VM routes the IPI to the vLAPICs it addresses. */
  sendIpi(from: LocalApic, msg: ApicMessage, shorthand: number): void;
  /** EOI of a level-triggered vector (the vIOAPIC clears remote IRR). */
  eoiBroadcast(vector: number): void;
  /** A start-up IPI reached this vCPU while it waited for one (after INIT). */
  startup(vcpuId: number, vector: number): void;
  /** Something became deliverable: a halted vCPU must run again. */
  wake(vcpuId: number): void;
  /** The VM's next pending start-up (APIC id and SIPI vector), consumed. */
  takeStart?(): { readonly apicId: number; readonly vector: number } | undefined;
}

export interface VirtualLapicOptions {
  readonly vmId: number;
  readonly vcpuId: number;
  /** The APIC id the guest sees (the vCPU's `phys_cpu_ids` entry, else its index). */
  readonly apicId: number;
  readonly host: HostServices;
  /** Ticks per second of the host clock, which is also the guest's TSC (no TSC offsetting). */
  readonly tscHz: number;
  readonly wiring: VirtualLapicWiring;
  /** The virtual 8259 pair on LINT0 (ExtINT) of the boot vCPU. */
  readonly extInt?: ExtIntSource;
  /** The VM's guest clock offset (a restored VM's time goes on); default: none. */
  readonly clock?: GuestClockOffset;
}

/**
 * One vCPU's local APIC (the reference's `EmulatedLocalApic`, with its gaps closed): the full
 * register model of `@axvisor/device-lapic` — ID = the vCPU's APIC id, version, TPR/PPR,
 * IRR/ISR/TMR with priorities, EOI (level vectors to the vIOAPIC), SVR, LVTs, ICR IPIs with
 * every delivery mode and shorthand, x2APIC through IA32_APIC_BASE.EXTD — whose timer
 * (one-shot, periodic, TSC-deadline) runs on the host timer service, and whose INIT/SIPI
 * start other vCPUs. It is the vCPU's `X86InterruptSource`: the backend injects what it
 * acknowledges.
 */
export class VirtualLapic implements X86InterruptSource {
  readonly apic: LocalApic;
  readonly vcpuId: number;
  /** An INIT arrived: the next SIPI starts the vCPU (a started vCPU ignores SIPIs). */
  waitingForSipi: boolean;
  private nmi = false;
  private timer: TimerToken | null = null;
  private armedAt = Number.POSITIVE_INFINITY;
  private readonly host: HostServices;
  private readonly clock: GuestClockOffset;

  constructor(private readonly o: VirtualLapicOptions) {
    this.vcpuId = o.vcpuId;
    this.host = o.host;
    const clock = o.clock ?? new GuestClockOffset();
    this.clock = clock;
    this.waitingForSipi = o.vcpuId !== 0;
    const t = o.host.time;
    const apicHost: LocalApicHost = {
      sendIpi: (from, msg, shorthand) => o.wiring.sendIpi(from, msg, shorthand),
      eoiBroadcast: (v) => o.wiring.eoiBroadcast(v),
      nmi: () => {
        this.nmi = true;
        o.wiring.wake(o.vcpuId);
      },
      init: () => {
        // INIT resets the APIC (but not its id) and parks the vCPU until a SIPI.
        this.apic.initReset();
        this.waitingForSipi = true;
      },
      startup: (vector) => {
        if (!this.waitingForSipi) return;
        this.waitingForSipi = false;
        o.wiring.startup(o.vcpuId, vector);
      },
      kick: () => o.wiring.wake(o.vcpuId),
    };
    this.apic = new LocalApic({
      apicId: o.apicId,
      bsp: o.vcpuId === 0,
      time: { now: () => t.currentTimeNanos() + clock.nanos },
      timeHz: 1e9,
      tsc: () => t.currentTicks() + clock.ticks,
      tscHz: o.tscHz,
      host: apicHost,
      ...(o.extInt !== undefined ? { extInt: o.extInt } : {}),
    });
  }

  // ---- X86InterruptSource --------------------------------------------------------------

  hasInterrupt(): boolean {
    return this.apic.hasInterrupt();
  }

  acknowledge(): number {
    return this.apic.acknowledge();
  }

  accept(vector: number, level: boolean): void {
    this.apic.accept({
      vector,
      deliveryMode: DeliveryMode.fixed,
      logical: false,
      dest: this.apic.id,
      level,
    });
  }

  takeNmi(): boolean {
    const n = this.nmi;
    this.nmi = false;
    return n;
  }

  takeStartRequest(): { readonly apicId: number; readonly vector: number } | undefined {
    return this.o.wiring.takeStart?.();
  }

  ownsMsr(msr: number): boolean {
    return (
      msr === MSR_APIC_BASE ||
      msr === MSR_TSC_DEADLINE ||
      (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
    );
  }

  readMsr(msr: number): bigint | null {
    return this.apic.readMsr(msr);
  }

  writeMsr(msr: number, value: bigint): boolean {
    const ok = this.apic.writeMsr(msr, value);
    this.rearm();
    return ok;
  }

  initReset(): void {
    this.apic.initReset();
    this.rearm();
  }

  // ---- MMIO view (the VM's 0xFEE0_0000 window routes here by vCPU) -------------------------

  mmioRead(offset: number, width: AccessWidth): bigint {
    return this.apic.handleRead(gpa(this.apic.baseAddress + offset), width);
  }

  mmioWrite(offset: number, width: AccessWidth, value: bigint): void {
    this.apic.handleWrite(gpa(this.apic.baseAddress + offset), width, value);
    this.rearm();
  }

  /** Power-on state (VM restart). */
  reset(): void {
    this.cancel();
    this.apic.reset();
    this.nmi = false;
    this.waitingForSipi = this.o.vcpuId !== 0;
  }

  /** Cancels the host timer (the VM stops). */
  dispose(): void {
    this.cancel();
  }

  /**
   * Keeps one host timer at the APIC timer's next expiry; when it fires, the APIC fires its
   * LVT (which wakes the vCPU through `kick`) and re-arms for a periodic timer.
   */
  rearm(): void {
    const d = this.apic.nextDeadline();
    if (d === this.armedAt) return;
    this.cancel();
    if (!Number.isFinite(d)) return;
    this.armedAt = d;
    // `d` is guest time; the host timer fires at the host time it corresponds to.
    const offset = this.clock.nanos;
    this.timer = this.host.time.registerTimer(d - offset, (now) => {
      this.timer = null;
      this.armedAt = Number.POSITIVE_INFINITY;
      this.apic.update(Math.max(now + offset, d));
      this.rearm();
    });
  }

  private cancel(): void {
    if (this.timer !== null) this.host.time.cancelTimer(this.timer);
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  // ---- snapshot ------------------------------------------------------------------------

  /** The APIC (its timer in guest time), the pending NMI and the wait-for-SIPI state. */
  saveState(): SavedRecord {
    return { apic: this.apic.saveState(), nmi: this.nmi, waitingForSipi: this.waitingForSipi };
  }

  /** Puts the state back and re-arms the host timer at the APIC timer's guest deadline. */
  loadState(state: SavedRecord): void {
    const owner = `vLAPIC of vCPU ${this.vcpuId}`;
    const r = new StateReader(state, owner);
    const nmi = r.bool("nmi");
    const waiting = r.bool("waitingForSipi");
    this.cancel();
    this.apic.loadState(r.nested("apic"), owner);
    this.nmi = nmi;
    this.waitingForSipi = waiting;
    this.rearm();
  }
}
