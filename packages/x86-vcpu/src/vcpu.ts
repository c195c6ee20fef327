/**
 * The x86_64 vCPU (AxVisor's `x86_vcpu::VmxVcpu`) on the emulated CPU's VMX, with the
 * TypeScript hypervisor as VMX root (host-trap mode). Each vCPU owns a VMCS region, I/O and
 * MSR bitmaps in host RAM; `bind` is VMPTRLD, `unbind` VMCLEAR (so the vCPU may move to
 * another CPU), `run` is VMLAUNCH/VMRESUME plus the exit handling of x86_vcpu with the gaps
 * of the reference closed: EPT violations decode the faulting instruction into MMIO exits,
 * every port and most MSRs are intercepted and emulated, HLT exits, CPUID and MSRs are
 * filtered, INIT-SIPI from the virtual APIC starts other vCPUs, a triple fault brings the VM
 * down, and anything a guest may not do becomes an exception inside the guest.
 */

import { type SavedRecord, StateReader, savedBytes, savedU64 } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type {
  ArchVCpu,
  ExitReason,
  GuestFault,
  IoReadExit,
  IoWriteExit,
  MmioReadExit,
  MmioWriteExit,
  SnapshotTime,
} from "@axvisor/axvcpu";
import type { HostServices } from "@axvisor/axvisor-api";
import { cpuid, VmcsField as F, vmcsSlot, type X86Cpu } from "@axvisor/cpu-x86_64";
import {
  type AccessWidth,
  formatGpa,
  type GuestPhysAddr,
  gpa,
  type HostPhysAddr,
  MappingFlags,
  port,
  sysRegAddr,
} from "@axvisor/memory-addr";
import { EventType, EXIT_ENTRY_FAILURE, ExitCode, hasErrorCode, Vector } from "./exit-codes.js";
import {
  GPR_EDX_EAX,
  GPR_HIGH8,
  GPR_LOW8,
  GPR_LOW16,
  GPR_RAX,
  GPR_RCX,
  GPR_RDI,
  GPR_RDX,
  GPR_RSI,
  GPR_RSP,
  gprBase,
  mergeGpr,
} from "./gpr.js";
import { type GuestPaging, readGuestLinear, translateGuestLinear } from "./guest-walk.js";
import { HOST_PREEMPT_VECTOR, type X86HostCpus, type X86PhysCpu } from "./host-cpus.js";
import { SimpleInterruptQueue, type X86InterruptSource } from "./interrupts.js";
import type { DecodeMode } from "./mmio-decode.js";
import { MmioDecodeCache } from "./mmio-decode-cache.js";
import { type MsrPolicy, writeMsrBitmap } from "./msr-bitmap.js";
import { PROC_USE_TSC_OFFSETTING, SAVED_MISC_SLOTS, SAVED_VMCS_FIELDS } from "./vcpu-state.js";
import type { X86VmContext } from "./vm-context.js";
import {
  controlValue,
  EntryCtl,
  ExitCtl,
  fixedBits,
  Pin,
  Proc,
  Proc2,
  VmxMsr,
} from "./vmx-controls.js";

export interface X86VCpuCreateConfig {
  /** The guest's local APIC id (AxVisor: `phys_cpu_ids[i]`, else the vCPU index). */
  readonly apicId: number;
  readonly vm: X86VmContext;
  readonly cpus: X86HostCpus;
  /** The VPID tagging this vCPU's translations (1..65535). */
  readonly vpid: number;
  /** The vCPU's virtual local APIC; default: a queue that delivers every vector at once. */
  readonly interrupts?: X86InterruptSource;
  /** Guest instructions per `run()` slice before a `Nothing` exit; default 200 000. */
  readonly sliceInstructions?: number;
  /** Which MSRs go straight to the CPU (the rest exit); default: see msr-bitmap.ts. */
  readonly msrPolicy?: MsrPolicy;
  /** Ticks per second of the guest's TSC (the host clock; no TSC offsetting). */
  readonly tscHz?: number;
  /** Boot GDT for an entry at or above 1 MiB (flat 32-bit protected mode, Linux's 0x10/0x18). */
  readonly bootGdt?: { readonly base: number; readonly limit: number };
}

const DEFAULT_SLICE = 200_000;
/** The APIC timer's input clock the vLAPIC models (QEMU's 1 GHz). */
const APIC_BUS_HZ = 1e9;
const CR0_PE = 1;
const CR0_NW = 1 << 29;
const CR0_CD = 1 << 30;
const CR0_PG = 1 << 31;
const CR0_RESET = 0x6000_0010;
const CR4_VMXE = 1 << 13;
const EFER_LME = 1 << 8;
const EFER_LMA = 1 << 10;
const RFLAGS_IF = 1 << 9;
const PAT_RESET = 0x0007_0406_0007_0406n;
/** The ACPI PM1a control port of QEMU's q35 (ICH9 PMBASE 0x600 + 4); SLP_EN | S5 = 0x2000. */
export const PM1A_CONTROL_PORT = 0x604;
const PM1A_POWER_OFF = 0x2000;
const M32 = 0xffff_ffffn;
const MODE_LONG: DecodeMode = { long: true, default32: true };
const MODE_32: DecodeMode = { long: false, default32: true };
const MODE_16: DecodeMode = { long: false, default32: false };

/** What an exit left for the VMM, kept to fault it inside the guest if nothing serves it. */
interface PendingAccess {
  readonly rip: number;
  readonly kind: "mmio" | "port" | "msr";
  /** Why the instruction behind an EPT violation could not be emulated. */
  readonly undecodable?: string;
}

/** A string I/O iteration in flight: an `ins` result goes to memory, not to rax. */
interface StringIn {
  readonly lin: number;
  readonly width: number;
}

type Reinject = { info: number; error: number; length: number };

export class X86VCpu implements ArchVCpu<X86VCpuCreateConfig, void> {
  readonly apicId: number;
  readonly vm: X86VmContext;
  readonly interrupts: X86InterruptSource;
  readonly vpid: number;

  private readonly lo = new Int32Array(16);
  private readonly hi = new Int32Array(16);
  private fpu: Uint8Array | null = null;
  /** CPU state outside the VMCS that a vCPU owns: CR2, CR8, XCR0, DR0-3/6, SYSCALL MSRs. */
  private readonly misc = new Float64Array(16);
  private miscSaved = false;
  private bound: X86PhysCpu | null = null;
  private readonly vmcs: HostPhysAddr;
  private readonly ioBitmapA: HostPhysAddr;
  private readonly ioBitmapB: HostPhysAddr;
  private readonly msrBitmap: HostPhysAddr;
  private eptRoot: HostPhysAddr | null = null;
  private setupDone = false;
  /** Guest-state fields waiting for the next bind (set_entry after setup reaches the VMCS). */
  private readonly pendingFields = new Map<number, bigint>();
  private pending: PendingAccess | null = null;
  /** `pending` of the frequent exits, rewritten per exit instead of allocated. */
  private readonly pendingRecord: { rip: number; kind: PendingAccess["kind"] } = {
    rip: 0,
    kind: "mmio",
  };
  /**
   * The device-access exits `run` returns, one record of each kind rewritten per exit, so the
   * frequent exits allocate no exit object. An exit is read before the next `run` (AxVM serves
   * it at once), as ArchVCpu.run allows.
   */
  private readonly mmioWrite: Mutable<MmioWriteExit> = {
    kind: "MmioWrite",
    addr: gpa(0),
    width: 1,
    data: 0n,
  };
  private readonly mmioRead: Mutable<MmioReadExit> = {
    kind: "MmioRead",
    addr: gpa(0),
    width: 1,
    reg: 0,
    regWidth: 8,
    signExtend: false,
  };
  private readonly ioWrite: Mutable<IoWriteExit> = {
    kind: "IoWrite",
    port: port(0),
    width: 1,
    data: 0n,
  };
  private readonly ioRead: Mutable<IoReadExit> = { kind: "IoRead", port: port(0), width: 1 };
  /** Decodes of the instructions behind this vCPU's MMIO exits (validated by their bytes). */
  readonly mmioDecodes = new MmioDecodeCache();
  private stringIn: StringIn | null = null;
  private reinject: Reinject | null = null;
  private readonly slice: number;
  private readonly tscHz: number;
  private cr0Mask = 0;
  private cr4Mask = 0;
  private cr0Fixed1 = 0;
  private cr4Fixed0 = 0;
  private cr4Fixed1 = 0;
  private released = false;
  private savedRip = 0n;
  /** A restored vCPU not yet set up turns TSC offsetting on at its first bind. */
  private tscOffsetOnSetup = false;

  constructor(
    readonly vmId: number,
    readonly vcpuId: number,
    readonly createConfig: X86VCpuCreateConfig,
    private readonly host: HostServices,
  ) {
    this.apicId = createConfig.apicId;
    this.vm = createConfig.vm;
    this.vpid = createConfig.vpid;
    this.interrupts = createConfig.interrupts ?? new SimpleInterruptQueue();
    this.slice = createConfig.sliceInstructions ?? DEFAULT_SLICE;
    this.tscHz = createConfig.tscHz ?? 1e9;
    const frame = () => {
      const f = host.memory.allocFrame();
      if (f === null) throw axErr("NoMemory", `vCPU ${vcpuId}: no host frame for its VMCS/bitmaps`);
      return f;
    };
    this.vmcs = frame();
    this.ioBitmapA = frame();
    this.ioBitmapB = frame();
    this.msrBitmap = frame();
    // Every port exits: serial, PIC, PIT... are the VMM's models (reference gap 16).
    host.memory.hostBuffer(this.ioBitmapA, 4096).fill(0xff);
    host.memory.hostBuffer(this.ioBitmapB, 4096).fill(0xff);
    writeMsrBitmap(host.memory.hostBuffer(this.msrBitmap, 4096), createConfig.msrPolicy);
    this.setEntryFields(0);
  }

  // ---- ArchVCpu ------------------------------------------------------------------------

  /**
   * The start state at `entry`: AxVisor's flat real mode (CS base 0, RIP = entry) below
   * 64 KiB; a SIPI start (CS = entry >> 4, IP 0) for a page-aligned entry below 1 MiB; flat
   * 32-bit protected mode with the boot GDT (Linux's 32-bit protocol) from 1 MiB.
   */
  setEntry(entry: GuestPhysAddr): void {
    this.setEntryFields(Number(entry));
    this.reinject = null;
    this.stringIn = null;
    this.pending = null;
  }

  setEptRoot(root: HostPhysAddr): void {
    this.eptRoot = root;
    // EPTP: write-back walks (6), 4 levels (3 << 3).
    this.writeField(F.EPT_POINTER, BigInt(root) | 6n | (3n << 3n));
  }

  setup(): void {}

  bind(): void {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId} is already bound`);
    if (this.released) throw axErr("BadState", `vCPU ${this.vcpuId} was released`);
    const pcpu = this.createConfig.cpus.current;
    if (!pcpu.isEnabled()) throw axErr("BadState", `CPU ${pcpu.id} is not in VMX operation`);
    const cpu = pcpu.cpu;
    // VMPTRLD: the VMCS region becomes current (its fields come from host RAM).
    cpu.vmx.current = cpu.vmx.loadVmcs(this.vmcs);
    pcpu.currentVmcs = this.vmcs;
    this.bound = pcpu;
    if (!this.setupDone) {
      this.setupVmcs(cpu);
      this.setupDone = true;
      if (this.tscOffsetOnSetup) {
        const proc = cpu.vmx.rd(F.PROC_CONTROLS) | PROC_USE_TSC_OFFSETTING;
        cpu.vmwrite(F.PROC_CONTROLS, BigInt(proc >>> 0));
      }
    }
    for (const [f, v] of this.pendingFields) cpu.vmwrite(f, v);
    this.pendingFields.clear();
    cpu.rlo.set(this.lo);
    cpu.rhi.set(this.hi);
    this.loadMisc(cpu);
  }

  unbind(): void {
    const pcpu = this.requireBound();
    const cpu = pcpu.cpu;
    if (cpu.vmx.guestMode) this.leaveGuest(pcpu);
    this.lo.set(cpu.rlo);
    this.hi.set(cpu.rhi);
    this.saveMisc(cpu);
    this.savedRip = cpu.vmread(F.GUEST_RIP);
    // VMCLEAR: the fields go back to the region, launch state clear (the next run launches).
    cpu.vmx.clearVmcs(this.vmcs);
    pcpu.currentVmcs = -1;
    this.bound = null;
  }

  setGpr(index: number, value: bigint): void {
    if (index === GPR_EDX_EAX) {
      this.setFull(GPR_RAX, value & M32);
      this.setFull(GPR_RDX, (value >> 32n) & M32);
      return;
    }
    if (this.stringIn !== null && index === GPR_RAX) {
      this.completeStringIn(value);
      return;
    }
    const base = gprBase(index);
    if (base < 0) return;
    this.setFull(base, index < 16 ? value : mergeGpr(index, this.getGpr(base), value));
  }

  /** The low `width` (1, 2 or 4) bytes of a register view, as getGpr gives them, unsigned. */
  private gprLow32(index: number, width: 1 | 2 | 4): number {
    const base = gprBase(index);
    if (base < 0) return 0;
    const lo =
      base === GPR_RSP
        ? this.readLowField(F.GUEST_RSP)
        : this.bound
          ? this.bound.cpu.rlo[base]!
          : this.lo[base]!;
    const v = index >= GPR_HIGH8 && index < GPR_HIGH8 + 4 ? lo >>> 8 : lo;
    return width === 4 ? v >>> 0 : v & (width === 2 ? 0xffff : 0xff);
  }

  /** The low 32 bits of a VMCS field, without a BigInt while bound. */
  private readLowField(field: number): number {
    if (this.bound && !this.pendingFields.has(field)) return this.bound.cpu.vmx.rd(field) | 0;
    return Number(BigInt.asUintN(32, this.readField(field))) | 0;
  }

  getGpr(index: number): bigint {
    const base = gprBase(index);
    if (base < 0) return 0n;
    const full = this.getFull(base);
    if (index < 16) return full;
    if (index < GPR_LOW8) return full & 0xffffn;
    if (index < GPR_HIGH8) return full & 0xffn;
    return (full >> 8n) & 0xffn;
  }

  setReturnValue(value: bigint): void {
    this.setFull(GPR_RAX, BigInt.asUintN(64, value));
  }

  /** Linux's boot protocols: rsi = boot_params for the boot vCPU; a SIPI start gets nothing. */
  setStartArgs(_cpuId: bigint, arg: bigint): void {
    if (arg !== 0n) this.setFull(GPR_RSI, BigInt.asUintN(64, arg));
  }

  /** A fixed interrupt message (an IPI, a vIOAPIC edge) by vector. */
  injectInterrupt(vector: number): void {
    this.interrupts.accept(vector & 0xff, false);
  }

  /** A level interrupt message (vIOAPIC level entries): raised = accepted into the IRR. */
  setInterruptLevel(vector: number, level: boolean): void {
    if (level) this.interrupts.accept(vector & 0xff, true);
  }

  /**
   * The access of the latest exit found nothing to serve it: a port reads as all ones and a
   * write is dropped (the PC's open bus); an MMIO hole does the same, as the board's bus
   * does; an MSR raises #GP. The guest's RIP was already past the instruction.
   */
  injectFault(fault: GuestFault): void {
    const p = this.pending;
    if (!p) throw axErr("BadState", `vCPU ${this.vcpuId} has no access to fault`);
    this.pending = null;
    const exit = fault.exit;
    switch (exit.kind) {
      case "SysRegRead":
      case "SysRegWrite":
        this.writeField(F.GUEST_RIP, BigInt(p.rip));
        this.queueException(Vector.GP, 0);
        return;
      case "IoRead":
        this.setGpr(
          exit.width === 1 ? GPR_LOW8 : exit.width === 2 ? GPR_LOW16 : GPR_RAX,
          exit.width === 4 ? M32 : (1n << BigInt(exit.width * 8)) - 1n,
        );
        return;
      case "MmioRead":
        this.setGpr(exit.reg, (1n << BigInt(exit.regWidth * 8)) - 1n);
        return;
      case "NestedPageFault":
        // A fetch from where nothing is (open-bus bytes 0xFF FF are no opcode), or an access
        // by an instruction the VMM cannot emulate: an invalid opcode for the guest.
        if (p.undecodable !== undefined) {
          this.host.log.log(
            "warn",
            "x86-vcpu",
            `VM ${this.vmId} vCPU ${this.vcpuId}: device access at ${formatGpa(exit.addr)} by an instruction the VMM cannot emulate (${p.undecodable}): #UD`,
          );
        }
        this.writeField(F.GUEST_RIP, BigInt(p.rip));
        this.queueException(Vector.UD, -1);
        return;
      default:
        return;
    }
  }

  /** The VM mapped a page after this vCPU's access to it exited: INVEPT for that page. */
  guestPageMapped(gpa: GuestPhysAddr): void {
    this.bound?.cpu.vmx.guestPageMapped(gpa);
  }

  run(): ExitReason {
    const pcpu = this.requireBound();
    // A debugger's stop holds the vCPU until it is taken; a step runs one instruction.
    if (this.debugStop !== null) return NOTHING;
    if (this.stepping) return this.stepOne(pcpu);
    const cpu = pcpu.cpu;
    let budget = this.slice;
    for (;;) {
      const start = this.interrupts.takeStartRequest?.();
      if (start !== undefined) {
        // A SIPI this VM's APICs carried: the AP starts at vector << 12 in real mode.
        return {
          kind: "CpuUp",
          targetCpu: BigInt(start.apicId),
          entryPoint: gpa(start.vector << 12),
          arg: 0n,
        };
      }
      this.prepareEntry(cpu);
      try {
        cpu.enterGuest();
      } catch (e) {
        const m = /error (\d+)/.exec(String(e));
        return { kind: "FailEntry", hardwareEntryFailureReason: BigInt(m ? Number(m[1]) : 0) };
      }
      const before = cpu.icount;
      const why = cpu.run(Math.max(1, budget));
      budget -= cpu.icount - before;
      if (why === "budget") {
        // The slice is over: the host's preemption interrupt takes the guest off the CPU.
        this.leaveGuest(pcpu);
        return NOTHING;
      }
      if (why !== "host-trap") {
        throw axErr("BadState", `vCPU ${this.vcpuId}: the CPU stopped in the guest (${why})`);
      }
      const exit = this.handleExit(cpu);
      if (exit !== null) return exit;
      if (budget <= 0) return NOTHING;
    }
  }

  /** Releases the VMCS and bitmap frames. Idempotent; the vCPU is not used again. */
  dispose(): void {}

  /** Frees the host frames (the VM is deleted). */
  release(): void {
    if (this.released) return;
    if (this.bound) this.unbind();
    this.released = true;
    for (const f of [this.vmcs, this.ioBitmapA, this.ioBitmapB, this.msrBitmap]) {
      this.host.memory.deallocFrame(f);
    }
  }

  // ---- state access for debuggers and tests ----------------------------------------------

  /**
   * A VMCS field (RIP, RFLAGS, CR0...): from the CPU while bound, else what a later bind
   * will write, else the value saved at the last unbind (RIP only); 0 otherwise.
   */
  readField(field: number): bigint {
    const pend = this.pendingFields.get(field);
    if (pend !== undefined) return pend;
    if (this.bound) return this.bound.cpu.vmread(field);
    return this.regionField(field) ?? (field === F.GUEST_RIP ? this.savedRip : 0n);
  }

  /** A field as the VMCS region in host RAM holds it (unbound, after VMCLEAR); null before setup. */
  private regionField(enc: number): bigint | null {
    if (!this.setupDone || this.bound) return null;
    const region = this.host.memory.hostBuffer(this.vmcs, 4096);
    const view = new DataView(region.buffer, region.byteOffset, region.byteLength);
    const at = 8 + vmcsSlot(enc) * 8;
    return (BigInt(view.getUint32(at + 4, true)) << 32n) | BigInt(view.getUint32(at, true));
  }

  getPc(): bigint {
    return this.readField(F.GUEST_RIP);
  }

  // ---- internals -----------------------------------------------------------------------

  private requireBound(): X86PhysCpu {
    if (!this.bound) throw axErr("BadState", `vCPU ${this.vcpuId} of VM ${this.vmId} is not bound`);
    return this.bound;
  }

  private writeField(field: number, value: bigint): void {
    if (this.bound) this.bound.cpu.vmwrite(field, value);
    else this.pendingFields.set(field, value);
  }

  private rd(field: number): number {
    return (this.requireBound().cpu.vmx.rd(field) >>> 0) as number;
  }

  private setFull(reg: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    if (reg === GPR_RSP) {
      this.writeField(F.GUEST_RSP, v);
      return;
    }
    const l = Number(v & M32) | 0;
    const h = Number(v >> 32n) | 0;
    if (this.bound) {
      this.bound.cpu.rlo[reg] = l;
      this.bound.cpu.rhi[reg] = h;
    } else {
      this.lo[reg] = l;
      this.hi[reg] = h;
    }
  }

  private getFull(reg: number): bigint {
    if (reg === GPR_RSP) return this.readField(F.GUEST_RSP);
    const lo = this.bound ? this.bound.cpu.rlo : this.lo;
    const hi = this.bound ? this.bound.cpu.rhi : this.hi;
    return (BigInt((hi[reg] ?? 0) >>> 0) << 32n) | BigInt((lo[reg] ?? 0) >>> 0);
  }

  private setEntryFields(entry: number): void {
    const w = (f: number, v: number | bigint) => this.writeField(f, BigInt(v));
    let csSel = 0;
    let csBase = 0;
    let rip = entry;
    let protectedMode = false;
    if (entry >= 0x10_0000) {
      protectedMode = true;
    } else if (entry >= 0x1_0000) {
      csSel = entry >>> 4;
      csBase = csSel << 4;
      rip = entry - csBase;
    }
    const gdt = this.createConfig.bootGdt;
    if (protectedMode) {
      // Linux's 32-bit boot protocol: __BOOT_CS 0x10, __BOOT_DS 0x18, flat 4 GiB.
      w(F.GUEST_CS_SEL, 0x10);
      w(F.GUEST_CS_BASE, 0);
      w(F.GUEST_CS_LIMIT, 0xffff_ffff);
      w(F.GUEST_CS_AR, 0xc09b);
      for (const [sel, base, limit, ar] of DATA_SEGS) {
        w(sel, 0x18);
        w(base, 0);
        w(limit, 0xffff_ffff);
        w(ar, 0xc093);
      }
      w(F.GUEST_GDTR_BASE, gdt?.base ?? 0);
      w(F.GUEST_GDTR_LIMIT, gdt?.limit ?? 0xffff);
      w(F.CR0_READ_SHADOW, CR0_RESET | CR0_PE);
    } else {
      w(F.GUEST_CS_SEL, csSel);
      w(F.GUEST_CS_BASE, csBase);
      w(F.GUEST_CS_LIMIT, 0xffff);
      w(F.GUEST_CS_AR, 0x9b);
      for (const [sel, base, limit, ar] of DATA_SEGS) {
        w(sel, 0);
        w(base, 0);
        w(limit, 0xffff);
        w(ar, 0x93);
      }
      w(F.GUEST_GDTR_BASE, 0);
      w(F.GUEST_GDTR_LIMIT, 0xffff);
      w(F.CR0_READ_SHADOW, CR0_RESET);
    }
    w(F.GUEST_RIP, rip);
    w(F.GUEST_RSP, 0);
    w(F.GUEST_RFLAGS, 2);
    w(F.GUEST_LDTR_SEL, 0);
    w(F.GUEST_LDTR_BASE, 0);
    w(F.GUEST_LDTR_LIMIT, 0xffff);
    w(F.GUEST_LDTR_AR, 0x82);
    w(F.GUEST_TR_SEL, 0);
    w(F.GUEST_TR_BASE, 0);
    w(F.GUEST_TR_LIMIT, 0xffff);
    w(F.GUEST_TR_AR, 0x8b);
    w(F.GUEST_IDTR_BASE, 0);
    w(F.GUEST_IDTR_LIMIT, 0xffff);
    // Real CR0: ET, plus NE (a VMX fixed-1 bit) and PE for the protected-mode start; CD/NW
    // are the host's. The guest reads the reset value from the shadow.
    w(F.GUEST_CR0, 0x30 | (protectedMode ? CR0_PE : 0));
    w(F.GUEST_CR3, 0);
    w(F.GUEST_CR4, CR4_VMXE);
    w(F.CR4_READ_SHADOW, 0);
    w(F.GUEST_DR7, 0x400);
    w(F.GUEST_EFER, 0);
    w(F.GUEST_PAT, PAT_RESET);
    w(F.GUEST_ACTIVITY_STATE, 0);
    w(F.GUEST_INTERRUPTIBILITY, 0);
    w(F.GUEST_PENDING_DBG, 0);
    w(F.VMCS_LINK_POINTER, 0xffff_ffff_ffff_ffffn);
    w(F.GUEST_SYSENTER_CS, 0);
    w(F.GUEST_SYSENTER_ESP, 0);
    w(F.GUEST_SYSENTER_EIP, 0);
    w(F.ENTRY_INTR_INFO, 0);
    // A fresh start: no IA-32e mode until the guest enables paging with EFER.LME.
    if (this.setupDone) {
      const entryCtl = Number(this.readField(F.ENTRY_CONTROLS) & M32);
      w(F.ENTRY_CONTROLS, entryCtl & ~EntryCtl.Ia32eModeGuest);
    }
    for (let r = 0; r < 16; r++) if (r !== GPR_RSP) this.setFull(r, 0n);
    // CPU state outside the VMCS starts over too (INIT semantics).
    this.misc.fill(0);
    this.misc[MISC.XCR0] = 1;
    this.fpu = null;
    this.miscSaved = false;
  }

  /** x86_vcpu's `setup_vmcs_control` with the reference's gaps closed (see README). */
  private setupVmcs(cpu: X86Cpu): void {
    const w = (f: number, v: number | bigint) => cpu.vmwrite(f, BigInt(v));
    const pin = controlValue(
      cpu,
      "pin-based",
      VmxMsr.PinbasedCtls,
      VmxMsr.TruePinbasedCtls,
      Pin.ExternalInterruptExiting | Pin.NmiExiting,
      0,
    );
    const proc = controlValue(
      cpu,
      "primary processor-based",
      VmxMsr.ProcbasedCtls,
      VmxMsr.TrueProcbasedCtls,
      Proc.HltExiting | Proc.UseIoBitmaps | Proc.UseMsrBitmaps | Proc.ActivateSecondary,
      Proc.Cr3LoadExiting | Proc.Cr3StoreExiting | Proc.InterruptWindowExiting,
    );
    const proc2 = controlValue(
      cpu,
      "secondary processor-based",
      VmxMsr.ProcbasedCtls2,
      null,
      Proc2.EnableEpt | Proc2.UnrestrictedGuest | Proc2.EnableVpid | Proc2.EnableRdtscp,
      0,
    );
    const exit = controlValue(
      cpu,
      "VM-exit",
      VmxMsr.ExitCtls,
      VmxMsr.TrueExitCtls,
      ExitCtl.HostAddressSpace64 |
        ExitCtl.AckInterruptOnExit |
        ExitCtl.SavePat |
        ExitCtl.LoadPat |
        ExitCtl.SaveEfer |
        ExitCtl.LoadEfer,
      0,
    );
    const entry = controlValue(
      cpu,
      "VM-entry",
      VmxMsr.EntryCtls,
      VmxMsr.TrueEntryCtls,
      EntryCtl.LoadPat | EntryCtl.LoadEfer,
      EntryCtl.Ia32eModeGuest,
    );
    w(F.PIN_CONTROLS, pin);
    w(F.PROC_CONTROLS, proc);
    w(F.PROC_CONTROLS2, proc2);
    w(F.EXIT_CONTROLS, exit);
    w(F.ENTRY_CONTROLS, entry);
    // Every exception is the guest's own business (x86_vcpu intercepts #UD only to halt).
    w(F.EXCEPTION_BITMAP, 0);
    w(F.CR3_TARGET_COUNT, 0);
    w(F.VPID, this.vpid);
    w(F.IO_BITMAP_A, this.ioBitmapA);
    w(F.IO_BITMAP_B, this.ioBitmapB);
    w(F.MSR_BITMAP, this.msrBitmap);
    w(F.ENTRY_MSR_LOAD_COUNT, 0);
    w(F.EXIT_MSR_STORE_COUNT, 0);
    w(F.EXIT_MSR_LOAD_COUNT, 0);
    if (this.eptRoot !== null) w(F.EPT_POINTER, BigInt(this.eptRoot) | 6n | (3n << 3n));
    // CR0/CR4 guest/host masks: the bits VMX fixes (PE and PG are free with unrestricted
    // guest) and CD/NW belong to the host; the guest reads its own values from the shadows.
    const [cr0f0, cr0f1] = fixedBits(cpu, 0);
    const [cr4f0, cr4f1] = fixedBits(cpu, 4);
    this.cr0Fixed1 = cr0f1;
    this.cr4Fixed0 = cr4f0;
    this.cr4Fixed1 = cr4f1;
    this.cr0Mask = ((cr0f0 & ~(CR0_PE | CR0_PG)) | ~cr0f1 | CR0_CD | CR0_NW) >>> 0;
    this.cr4Mask = (cr4f0 | ~cr4f1) >>> 0;
    w(F.CR0_MASK, this.cr0Mask);
    w(F.CR4_MASK, this.cr4Mask);
    w(F.HOST_PAT, PAT_RESET);
  }

  private loadMisc(cpu: X86Cpu): void {
    if (!this.miscSaved) {
      // First time on a CPU: the CPU's reset values (XCR0 = x87, no SYSCALL targets).
      cpu.cr2 = 0;
      cpu.cr8 = 0;
      cpu.xcr0 = 1;
      cpu.star = cpu.starHi = cpu.lstar = cpu.cstar = cpu.sfmask = 0;
      cpu.kernelGsBase = cpu.tscAux = 0;
      for (let i = 0; i < 4; i++) cpu.dr[i] = 0;
      cpu.dr[6] = 0xffff0ff0;
      cpu.fpu.bytes.fill(0);
      cpu.fpu.fcw = 0x37f;
      cpu.fpu.bytes[24] = 0x80;
      cpu.fpu.bytes[25] = 0x1f; // MXCSR 0x1F80
      this.saveMisc(cpu);
      return;
    }
    const m = this.misc;
    cpu.cr2 = m[MISC.CR2]!;
    cpu.cr8 = m[MISC.CR8]!;
    cpu.xcr0 = m[MISC.XCR0]!;
    cpu.star = m[MISC.STAR]!;
    cpu.starHi = m[MISC.STAR_HI]!;
    cpu.lstar = m[MISC.LSTAR]!;
    cpu.cstar = m[MISC.CSTAR]!;
    cpu.sfmask = m[MISC.SFMASK]!;
    cpu.kernelGsBase = m[MISC.KERNEL_GS]!;
    cpu.tscAux = m[MISC.TSC_AUX]!;
    for (let i = 0; i < 4; i++) cpu.dr[i] = m[MISC.DR0 + i]!;
    cpu.dr[6] = m[MISC.DR6]!;
    if (this.fpu !== null) cpu.fpu.bytes.set(this.fpu);
  }

  private saveMisc(cpu: X86Cpu): void {
    const m = this.misc;
    m[MISC.CR2] = cpu.cr2;
    m[MISC.CR8] = cpu.cr8;
    m[MISC.XCR0] = cpu.xcr0;
    m[MISC.STAR] = cpu.star;
    m[MISC.STAR_HI] = cpu.starHi;
    m[MISC.LSTAR] = cpu.lstar;
    m[MISC.CSTAR] = cpu.cstar;
    m[MISC.SFMASK] = cpu.sfmask;
    m[MISC.KERNEL_GS] = cpu.kernelGsBase;
    m[MISC.TSC_AUX] = cpu.tscAux;
    for (let i = 0; i < 4; i++) m[MISC.DR0 + i] = cpu.dr[i]!;
    m[MISC.DR6] = cpu.dr[6]!;
    this.fpu ??= new Uint8Array(cpu.fpu.bytes.length);
    this.fpu.set(cpu.fpu.bytes);
    this.miscSaved = true;
  }

  /**
   * Takes the guest off the CPU between two instructions: the host preemption interrupt is
   * an external-interrupt exit, whatever the guest's RFLAGS.IF (pin-based exiting).
   */
  private leaveGuest(pcpu: X86PhysCpu): void {
    const cpu = pcpu.cpu;
    pcpu.preempt();
    let why = cpu.run(1);
    // In an interrupt shadow (the instruction after STI or MOV SS) the preemption interrupt is
    // blocked, as on hardware: the shadowed instruction runs first, then the exit comes.
    for (let i = 0; i < 2 && why === "budget"; i++) why = cpu.run(1);
    if (why !== "host-trap") {
      throw axErr("BadState", `vCPU ${this.vcpuId}: the CPU did not leave the guest (${why})`);
    }
    // Whatever exit came first (the preemption, or an exit of that very instruction, which
    // recurs when the guest resumes), the guest state is saved; an event being delivered is
    // delivered again on the next entry.
    this.noteVectoring();
  }

  /** Before VM entry: an interrupted event, a queued exception or the APIC's interrupt. */
  private prepareEntry(cpu: X86Cpu): void {
    const vmx = cpu.vmx;
    if ((vmx.rd(F.ENTRY_INTR_INFO) & 0x8000_0000) !== 0) return; // an exception queued by us
    const re = this.reinject;
    if (re !== null) {
      this.reinject = null;
      cpu.vmwrite(F.ENTRY_INTR_INFO, BigInt(re.info >>> 0));
      if (re.error >= 0) cpu.vmwrite(F.ENTRY_EXCEPTION_ERROR, BigInt(re.error));
      cpu.vmwrite(F.ENTRY_INSTR_LEN, BigInt(re.length));
      return;
    }
    const irqs = this.interrupts;
    let proc = vmx.rd(F.PROC_CONTROLS);
    if (irqs.takeNmi?.() === true) {
      cpu.vmwrite(F.ENTRY_INTR_INFO, BigInt((0x8000_0000 | (EventType.Nmi << 8) | 2) >>> 0));
      return;
    }
    if (!irqs.hasInterrupt()) {
      if (proc & Proc.InterruptWindowExiting) {
        cpu.vmwrite(F.PROC_CONTROLS, BigInt((proc & ~Proc.InterruptWindowExiting) >>> 0));
      }
      return;
    }
    const canTake =
      (vmx.rd(F.GUEST_RFLAGS) & RFLAGS_IF) !== 0 && (vmx.rd(F.GUEST_INTERRUPTIBILITY) & 3) === 0;
    if (canTake) {
      const vector = irqs.acknowledge() & 0xff;
      cpu.vmwrite(
        F.ENTRY_INTR_INFO,
        BigInt((0x8000_0000 | (EventType.External << 8) | vector) >>> 0),
      );
      proc &= ~Proc.InterruptWindowExiting;
    } else {
      proc |= Proc.InterruptWindowExiting;
    }
    cpu.vmwrite(F.PROC_CONTROLS, BigInt(proc >>> 0));
  }

  /** An exception for the guest on the next entry (hardware exception type). */
  private queueException(vector: number, error: number): void {
    const withError = hasErrorCode(vector) && error >= 0;
    const info =
      0x8000_0000 | (EventType.HardwareException << 8) | vector | (withError ? 0x800 : 0);
    this.writeField(F.ENTRY_INTR_INFO, BigInt(info >>> 0));
    if (withError) this.writeField(F.ENTRY_EXCEPTION_ERROR, BigInt(error));
    this.reinject = null;
  }

  /** An exit in the middle of delivering an event: the event is delivered again next entry. */
  private noteVectoring(): void {
    const info = this.rd(F.IDT_VECTORING_INFO);
    if ((info & 0x8000_0000) === 0) return;
    const type = (info >>> 8) & 7;
    this.reinject = {
      info: info & ~0x1000,
      error: (info & 0x800) !== 0 ? this.rd(F.IDT_VECTORING_ERROR) : -1,
      length: type >= 4 ? this.rd(F.EXIT_INSTR_LEN) : 0,
    };
  }

  /** Records the access of the exit being returned (see injectFault). */
  private pendAt(rip: number, kind: PendingAccess["kind"]): void {
    const r = this.pendingRecord;
    r.rip = rip;
    r.kind = kind;
    this.pending = r;
  }

  private guestRip(): number {
    return this.requireBound().cpu.vmx.rdNum(F.GUEST_RIP);
  }

  private advance(length: number): void {
    const rip = this.guestRip() + length;
    const long =
      (this.rd(F.GUEST_EFER) & EFER_LMA) !== 0 && (this.rd(F.GUEST_CS_AR) & 0x2000) !== 0;
    const cpu = this.requireBound().cpu;
    // `>>> 0` is the modulo 2^32 of an integer RIP, without a floating-point remainder.
    cpu.vmx.wrNum(F.GUEST_RIP, long ? rip : rip >>> 0);
    // The instruction completed: an STI/MOV SS shadow does not carry over it.
    const intr = this.rd(F.GUEST_INTERRUPTIBILITY);
    if (intr & 3) cpu.vmwrite(F.GUEST_INTERRUPTIBILITY, BigInt(intr & ~3));
  }

  private exitLength(): number {
    return this.rd(F.EXIT_INSTR_LEN);
  }

  /** Maps one VM exit to an exit reason, or handles it and returns null. */
  private handleExit(cpu: X86Cpu): ExitReason | null {
    const raw = this.rd(F.EXIT_REASON);
    if ((raw & EXIT_ENTRY_FAILURE) !== 0) {
      return { kind: "FailEntry", hardwareEntryFailureReason: BigInt(raw & 0xffff) };
    }
    this.noteVectoring();
    const reason = raw & 0xffff;
    switch (reason) {
      case ExitCode.ExternalInterrupt: {
        const vector = this.rd(F.EXIT_INTR_INFO) & 0xff;
        return vector === HOST_PREEMPT_VECTOR ? NOTHING : { kind: "ExternalInterrupt", vector };
      }
      case ExitCode.InterruptWindow:
        return null; // prepareEntry injects now that the guest can take it
      case ExitCode.Hlt:
        this.advance(this.exitLength());
        return this.interrupts.hasInterrupt() ? null : HALT;
      case ExitCode.Cpuid:
        this.emulateCpuid(cpu);
        this.advance(this.exitLength());
        return null;
      case ExitCode.Vmcall: {
        this.advance(this.exitLength());
        const g = (r: number) => this.getFull(r);
        return {
          kind: "Hypercall",
          nr: g(GPR_RAX),
          args: [g(GPR_RDI), g(GPR_RSI), g(GPR_RDX), g(GPR_RCX), g(8), g(9)],
        };
      }
      case ExitCode.IoInstruction:
        return this.handleIo(cpu);
      case ExitCode.Rdmsr:
      case ExitCode.Wrmsr:
        return this.handleMsr(reason === ExitCode.Wrmsr);
      case ExitCode.CrAccess:
        this.handleCr();
        return null;
      case ExitCode.EptViolation:
        return this.handleEptViolation();
      case ExitCode.EptMisconfig:
        // Our own EPT tables are wrong: the VM cannot continue (the VMM reports it).
        return { kind: "FailEntry", hardwareEntryFailureReason: BigInt(reason) };
      case ExitCode.TripleFault:
        return { kind: "SystemDown", resetType: "cold-reboot", reason: 1 };
      case ExitCode.Init:
        // A physical INIT: the vCPU is reset and waits for a start (wait-for-SIPI).
        this.setEntryFields(0);
        this.interrupts.initReset?.();
        return { kind: "CpuDown", state: 0n };
      case ExitCode.ExceptionNmi: {
        // Only a host NMI gets here (the exception bitmap is empty): the host's business.
        const info = this.rd(F.EXIT_INTR_INFO);
        if (((info >>> 8) & 7) === EventType.Nmi) return { kind: "ExternalInterrupt", vector: 2 };
        // #BP while a debugger holds the exception bitmap's bit 3: RIP is at the INT3.
        if (this.debugTrap && (info & 0xff) === Vector.BP) {
          this.debugStop = "breakpoint";
          return NOTHING;
        }
        this.reflect(info);
        return null;
      }
      default:
        // VMX instructions (no nested VMX), INVD, XSETBV without XSAVE, task switches...:
        // what the guest's machine does not offer is an invalid opcode.
        this.queueException(Vector.UD, -1);
        return null;
    }
  }

  private reflect(info: number): void {
    const vector = info & 0xff;
    const error = (info & 0x800) !== 0 ? this.rd(F.EXIT_INTR_ERROR) : -1;
    this.queueException(vector, error);
  }

  /** CPUID as the host CPU answers it, filtered as x86_vcpu does (plus the APIC id). */
  private emulateCpuid(cpu: X86Cpu): void {
    const leaf = cpu.rlo[GPR_RAX]! >>> 0;
    if (leaf === 0x4000_0000) {
      // "RVMRVMRVMRVM": AxVisor's hypervisor vendor; leaves up to 0x4000_0010.
      this.setCpuid(cpu, 0x4000_0010, 0x524d_5652, 0x5652_4d56, 0x4d56_524d);
      return;
    }
    if (leaf === 0x4000_0010) {
      // The timing leaf (VMware/KVM): TSC and APIC bus kHz, so guests need no PIT to calibrate.
      this.setCpuid(cpu, Math.round(this.tscHz / 1000), Math.round(APIC_BUS_HZ / 1000), 0, 0);
      return;
    }
    if (leaf > 0x4000_0000 && leaf < 0x4000_0100) {
      this.setCpuid(cpu, 0, 0, 0, 0);
      return;
    }
    if (leaf === 0x15) {
      // TSC/crystal ratio and the crystal's Hz: the crystal is the vLAPIC timer's clock. A
      // guest knows the TSC rate without calibrating against a PIT (Linux: TSC_KNOWN_FREQ).
      const exact = this.tscHz % APIC_BUS_HZ === 0;
      const den = exact ? 1 : 1000;
      this.setCpuid(cpu, den, Math.round((this.tscHz * den) / APIC_BUS_HZ), APIC_BUS_HZ, 0);
      return;
    }
    if (leaf === 0x16) {
      // Base and maximum core MHz (the TSC's), bus MHz.
      const mhz = Math.round(this.tscHz / 1e6);
      this.setCpuid(cpu, mhz, mhz, Math.round(APIC_BUS_HZ / 1e6), 0);
      return;
    }
    cpuid(cpu);
    const r = cpu.rlo;
    if (leaf === 0) {
      r[GPR_RAX] = Math.max(r[GPR_RAX]! >>> 0, 0x16); // the timing leaves 0x15 and 0x16
    } else if (leaf === 6) {
      // ARAT: the vLAPIC timer runs in every idle state (Linux needs no PIT beside it).
      r[GPR_RAX] = r[GPR_RAX]! | (1 << 2);
    } else if (leaf === 1) {
      r[GPR_RCX] = (r[GPR_RCX]! & ~(1 << 5)) | (1 << 31); // no VMX; hypervisor present
      // The VM's topology: this vCPU's APIC id and (HTT) the number of logical CPUs.
      const n = Math.min(255, this.vm.cpuCount);
      r[3] = (r[3]! & 0xffff) | (n << 16) | (this.apicId << 24);
      r[GPR_RDX] = n > 1 ? r[GPR_RDX]! | (1 << 28) : r[GPR_RDX]! & ~(1 << 28);
    } else if (leaf === 7 && (cpu.rlo[GPR_RCX]! | 0) >= 0) {
      r[GPR_RCX] = r[GPR_RCX]! & ~((1 << 5) | (1 << 16)); // WAITPKG, LA57
    } else if (leaf === 0xb) {
      r[GPR_RDX] = this.apicId;
    }
    cpu.rhi[GPR_RAX] = cpu.rhi[3] = cpu.rhi[GPR_RCX] = cpu.rhi[GPR_RDX] = 0;
  }

  private setCpuid(cpu: X86Cpu, a: number, b: number, c: number, d: number): void {
    cpu.rlo[GPR_RAX] = a;
    cpu.rlo[3] = b;
    cpu.rlo[GPR_RCX] = c;
    cpu.rlo[GPR_RDX] = d;
    cpu.rhi[GPR_RAX] = cpu.rhi[3] = cpu.rhi[GPR_RCX] = cpu.rhi[GPR_RDX] = 0;
  }

  private paging(): GuestPaging {
    const cpu = this.requireBound().cpu;
    return {
      cr0: this.rd(F.GUEST_CR0),
      cr3: cpu.vmx.rdNum(F.GUEST_CR3),
      cr4: this.rd(F.GUEST_CR4),
      efer: this.rd(F.GUEST_EFER),
    };
  }

  private csBase(): number {
    return this.requireBound().cpu.vmx.rdNum(F.GUEST_CS_BASE);
  }

  private isLong(): boolean {
    return (this.rd(F.GUEST_EFER) & EFER_LMA) !== 0 && (this.rd(F.GUEST_CS_AR) & 0x2000) !== 0;
  }

  private handleIo(cpu: X86Cpu): ExitReason | null {
    const q = this.rd(F.EXIT_QUALIFICATION);
    const width = ((q & 7) + 1) as 1 | 2 | 4;
    const isIn = (q & 8) !== 0;
    const isString = (q & 16) !== 0;
    const isRep = (q & 32) !== 0;
    const p = q >>> 16;
    const rip = this.guestRip();
    if (width !== 1 && width !== 2 && width !== 4) {
      this.queueException(Vector.UD, -1);
      return null;
    }
    const aw = width as AccessWidth;
    if (isString) return this.stringIo(cpu, p, aw, isIn, isRep, rip);
    this.advance(this.exitLength());
    this.pendAt(rip, "port");
    if (isIn) {
      const r = this.ioRead;
      r.port = port(p);
      r.width = aw;
      return r;
    }
    const eax = cpu.rlo[GPR_RAX]!;
    const value = width === 4 ? eax >>> 0 : eax & (width === 2 ? 0xffff : 0xff);
    if (p === PM1A_CONTROL_PORT && width === 2 && value === PM1A_POWER_OFF) {
      return { kind: "SystemDown", resetType: "shutdown", reason: 0 };
    }
    const w = this.ioWrite;
    w.port = port(p);
    w.width = aw;
    w.data = BigInt(value);
    return w;
  }

  /**
   * INS/OUTS, one element per exit: the element moves between the port and ES:RDI / seg:RSI,
   * RSI/RDI step by the width (backwards with RFLAGS.DF) and RCX counts down; a REP form
   * leaves RIP on the instruction until RCX reaches zero, so the next entry exits again.
   */
  private stringIo(
    cpu: X86Cpu,
    p: number,
    width: AccessWidth,
    isIn: boolean,
    isRep: boolean,
    rip: number,
  ): ExitReason | null {
    const long = this.isLong();
    const addr32 = long ? false : (this.rd(F.GUEST_CS_AR) & 0x4000) !== 0;
    const info = this.rd(F.EXIT_INSTR_INFO);
    const addrSize = (info >>> 7) & 7; // 0 16-bit, 1 32-bit, 2 64-bit
    const aMask = addrSize === 2 ? 2 ** 64 : addrSize === 1 ? 2 ** 32 : addr32 ? 2 ** 32 : 2 ** 16;
    const counter = this.getFull(GPR_RCX);
    const cMask = aMask >= 2 ** 64 ? (1n << 64n) - 1n : BigInt(aMask - 1);
    if (isRep && (counter & cMask) === 0n) {
      this.advance(this.exitLength());
      return null;
    }
    const indexReg = isIn ? GPR_RDI : GPR_RSI;
    const index = Number(this.getFull(indexReg) & cMask);
    const segField = isIn ? F.GUEST_ES_BASE : (SEG_BASES[(info >>> 15) & 7] ?? F.GUEST_DS_BASE);
    const base =
      long && (segField === F.GUEST_ES_BASE || segField === F.GUEST_DS_BASE)
        ? 0
        : cpu.vmx.rdNum(segField);
    const lin = base + index;
    const step = (this.rd(F.GUEST_RFLAGS) & (1 << 10)) !== 0 ? -width : width;
    this.setFull(
      indexReg,
      BigInt.asUintN(64, (this.getFull(indexReg) & ~cMask) | (BigInt(index + step) & cMask)),
    );
    if (isRep) this.setFull(GPR_RCX, (counter & ~cMask) | ((counter - 1n) & cMask));
    if (!isRep || ((counter - 1n) & cMask) === 0n) this.advance(this.exitLength());
    this.pending = { rip, kind: "port" };
    if (isIn) {
      this.stringIn = { lin, width };
      return { kind: "IoRead", port: port(p), width };
    }
    const bytes = readGuestLinear(this.vm.memory, this.paging(), lin, width);
    if (bytes === null) {
      this.writeField(F.GUEST_RIP, BigInt(rip));
      this.queueException(Vector.GP, 0);
      return null;
    }
    let data = 0n;
    for (let k = width - 1; k >= 0; k--) data = (data << 8n) | BigInt(bytes[k]!);
    return { kind: "IoWrite", port: port(p), width, data };
  }

  private completeStringIn(value: bigint): void {
    const s = this.stringIn!;
    this.stringIn = null;
    const bytes = new Uint8Array(s.width);
    for (let k = 0; k < s.width; k++) bytes[k] = Number((value >> BigInt(8 * k)) & 0xffn);
    const p = this.paging();
    const mem = this.vm.memory;
    // The element lies within one page unless it straddles; write byte-wise through the walk.
    for (let k = 0; k < s.width; k++) {
      const one = readGuestLinear(mem, p, s.lin + k, 1);
      if (one === null) return;
    }
    for (let k = 0; k < s.width; k++) {
      const g = translateGuestLinear(mem, p, s.lin + k);
      if (g !== null) mem.write(g, bytes.subarray(k, k + 1));
    }
  }

  private handleMsr(write: boolean): ExitReason | null {
    const msr = this.requireBound().cpu.rlo[GPR_RCX]! >>> 0;
    const rip = this.guestRip();
    const len = this.exitLength();
    const lapic = this.interrupts;
    if (lapic.ownsMsr(msr)) {
      if (write) {
        const value = ((this.getFull(GPR_RDX) & M32) << 32n) | (this.getFull(GPR_RAX) & M32);
        if (!lapic.writeMsr(msr, value)) {
          this.queueException(Vector.GP, 0);
          return null;
        }
      } else {
        const v = lapic.readMsr(msr);
        if (v === null) {
          this.queueException(Vector.GP, 0);
          return null;
        }
        this.setGpr(GPR_EDX_EAX, v);
      }
      this.advance(len);
      return null;
    }
    // Everything else is the VMM's (its sysreg devices); RIP moves on first (reference gap 11).
    this.advance(len);
    this.pending = { rip, kind: "msr" };
    if (!write) return { kind: "SysRegRead", addr: sysRegAddr(msr), reg: GPR_EDX_EAX };
    const value = ((this.getFull(GPR_RDX) & M32) << 32n) | (this.getFull(GPR_RAX) & M32);
    return { kind: "SysRegWrite", addr: sysRegAddr(msr), value };
  }

  /** MOV to CR0/CR4 touching a host-owned bit; the rest of CR access does not exit. */
  private handleCr(): void {
    const q = this.rd(F.EXIT_QUALIFICATION);
    const cr = q & 15;
    const type = (q >>> 4) & 3;
    const reg = (q >>> 8) & 15;
    const len = this.exitLength();
    if (type !== 0 || (cr !== 0 && cr !== 4)) {
      this.queueException(Vector.UD, -1);
      return;
    }
    const value = Number(this.getFull(reg) & M32) >>> 0;
    const cpu = this.requireBound().cpu;
    if (cr === 0) {
      if ((value & CR0_PG) !== 0 && (value & CR0_PE) === 0) {
        this.queueException(Vector.GP, 0);
        return;
      }
      const real =
        ((value & ~this.cr0Mask) |
          (this.rd(F.GUEST_CR0) & this.cr0Mask) |
          (this.cr0Fixed1 & 0x20)) >>>
        0;
      const oldPg = (this.rd(F.GUEST_CR0) & CR0_PG) !== 0;
      cpu.vmwrite(F.GUEST_CR0, BigInt(real));
      cpu.vmwrite(F.CR0_READ_SHADOW, BigInt(value));
      const pg = (real & CR0_PG) !== 0;
      if (pg !== oldPg) this.updateEfer(pg);
    } else {
      const unsupported = (value & ~this.cr4Fixed1) | (value & CR4_VMXE);
      if (unsupported !== 0) {
        // No nested VMX, and no CR4 feature the CPU lacks.
        this.queueException(Vector.GP, 0);
        return;
      }
      cpu.vmwrite(F.GUEST_CR4, BigInt((value | this.cr4Fixed0) >>> 0));
      cpu.vmwrite(F.CR4_READ_SHADOW, BigInt(value));
    }
    this.advance(len);
  }

  /** Paging switched on or off: IA-32e mode follows EFER.LME (reference gap 13). */
  private updateEfer(pagingOn: boolean): void {
    const cpu = this.requireBound().cpu;
    let efer = this.rd(F.GUEST_EFER);
    let entry = this.rd(F.ENTRY_CONTROLS);
    if (pagingOn && (efer & EFER_LME) !== 0) {
      efer |= EFER_LMA;
      entry |= EntryCtl.Ia32eModeGuest;
    } else if (!pagingOn) {
      efer &= ~EFER_LMA;
      entry &= ~EntryCtl.Ia32eModeGuest;
    }
    cpu.vmwrite(F.GUEST_EFER, BigInt(efer >>> 0));
    cpu.vmwrite(F.ENTRY_CONTROLS, BigInt(entry >>> 0));
  }

  private handleEptViolation(): ExitReason | null {
    const cpu = this.requireBound().cpu;
    const q = this.rd(F.EXIT_QUALIFICATION);
    const addr = cpu.vmx.rdNum(F.GUEST_PHYSICAL_ADDR);
    const rip = this.guestRip();
    if ((q & 4) !== 0) {
      this.pending = { rip, kind: "mmio" };
      return { kind: "NestedPageFault", addr: gpa(addr), accessFlags: MappingFlags.EXECUTE };
    }
    // The faulting instruction: where the CPU fetched it, else through the guest's tables.
    const lin = this.csBase() + rip;
    const off = cpu.vmx.exitCodeOffset;
    const code =
      off >= 0
        ? cpu.ram
        : (readGuestLinear(this.vm.memory, this.paging(), lin, 15) ??
          readGuestLinear(this.vm.memory, this.paging(), lin, 15) ??
          readGuestLinear(
            this.vm.memory,
            this.paging(),
            lin,
            4096 - (((lin % 4096) + 4096) % 4096),
          ));
    const write = (q & 2) !== 0;
    if (code === null) {
      this.pending = { rip, kind: "mmio" };
      return {
        kind: "NestedPageFault",
        addr: gpa(addr),
        accessFlags: write ? MappingFlags.WRITE : MappingFlags.READ,
      };
    }
    const at = Math.max(off, 0);
    const long = this.isLong();
    const mode = long ? MODE_LONG : (this.rd(F.GUEST_CS_AR) & 0x4000) !== 0 ? MODE_32 : MODE_16;
    const d = this.mmioDecodes.decode(code, at, Math.min(15, code.length - at), lin, mode);
    if (d.kind === "unsupported") {
      // Not a device access the VMM can emulate (a push, a string move...): perhaps memory
      // the VM maps on first touch; if not, the fault is raised in the guest (injectFault).
      const bytes = hexBytes(code.subarray(at, at + 15));
      this.pending = { rip, kind: "mmio", undecodable: `${d.reason}; bytes ${bytes}` };
      return {
        kind: "NestedPageFault",
        addr: gpa(addr),
        accessFlags: write ? MappingFlags.WRITE : MappingFlags.READ,
      };
    }
    this.advance(d.length);
    this.pendAt(rip, "mmio");
    const width = d.width as AccessWidth;
    if (d.kind === "load") {
      const r = this.mmioRead;
      r.addr = gpa(addr);
      r.width = width;
      r.reg = d.reg;
      r.regWidth = d.regWidth as AccessWidth;
      r.signExtend = d.signExtend;
      return r;
    }
    const w = this.mmioWrite;
    w.addr = gpa(addr);
    w.width = width;
    // Up to 32 bits the stored value is computed in numbers: one BigInt for the exit record.
    w.data =
      d.reg < 0
        ? d.imm
        : width < 8
          ? BigInt(this.gprLow32(d.reg, width as 1 | 2 | 4))
          : this.getGpr(d.reg) & ((1n << BigInt(width * 8)) - 1n);
    return w;
  }

  // ---- snapshot ------------------------------------------------------------------------

  /**
   * The guest's CPU state while unbound: GPRs, the VMCS guest state (see vcpu-state.ts),
   * CR2/CR8/XCR0/SYSCALL MSRs/DRs, the FPU/SSE image, an event being re-delivered, and the
   * guest TSC at `time` (host ticks plus the TSC offset: guest time, not host time).
   */
  saveState(time: SnapshotTime): SavedRecord {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId}: saved while bound to a CPU`);
    const field = (enc: number): bigint | null =>
      this.pendingFields.get(enc) ?? this.regionField(enc);
    const proc = field(F.PROC_CONTROLS);
    const offsetting = proc !== null && (Number(proc) & PROC_USE_TSC_OFFSETTING) !== 0;
    const offset = offsetting || this.tscOffsetOnSetup ? (field(F.TSC_OFFSET) ?? 0n) : 0n;
    const fields: Record<string, string | null> = {};
    for (const [name, enc] of SAVED_VMCS_FIELDS) {
      let v = field(enc);
      // The offset travels as guest time; a restore picks its own.
      if (enc === F.PROC_CONTROLS && v !== null) v &= ~BigInt(PROC_USE_TSC_OFFSETTING);
      fields[name] = v === null ? null : savedU64(v);
    }
    const re = this.reinject;
    return {
      lo: [...this.lo],
      hi: [...this.hi],
      fields,
      guestTsc: savedU64(BigInt(Math.floor(time.hostTicks)) + BigInt.asIntN(64, offset)),
      misc: this.miscSaved ? [...this.misc] : null,
      fpu: this.miscSaved && this.fpu !== null ? savedBytes(this.fpu) : null,
      reinject: re === null ? null : { info: re.info >>> 0, error: re.error, length: re.length },
    };
  }

  /**
   * Puts back what `saveState` returned, on an unbound vCPU of a VM built from the same
   * config, at host time `time`: the guest TSC continues from its saved value (VMCS TSC
   * offset), and every field reaches the VMCS at the next bind.
   */
  loadState(state: SavedRecord, time: SnapshotTime): void {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId}: restored while bound to a CPU`);
    const r = new StateReader(state, `vCPU ${this.vcpuId}`);
    const I32 = [-0x8000_0000, 0x7fff_ffff] as const;
    const lo = r.ints("lo", 16, ...I32);
    const hi = r.ints("hi", 16, ...I32);
    const f = r.record("fields", `vCPU ${this.vcpuId} VMCS`);
    const values = SAVED_VMCS_FIELDS.map(([name, enc]) => [enc, f.u64OrNull(name)] as const);
    const guestTsc = r.u64("guestTsc");
    const misc =
      state.misc === null
        ? null
        : r.ints("misc", SAVED_MISC_SLOTS, -Number.MAX_VALUE, Number.MAX_VALUE);
    const fpu = state.fpu === null ? null : r.bytes("fpu", this.fpu?.length);
    const re = r.recordOrNull("reinject");
    const reinject =
      re === null
        ? null
        : {
            info: re.int("info"),
            error: re.int("error", -1, 0xffff_ffff),
            length: re.int("length", 0, 15),
          };

    // Everything is read and checked: from here on nothing can fail half-way.
    this.lo.set(lo);
    this.hi.set(hi);
    const offset = BigInt.asUintN(64, guestTsc - BigInt(Math.floor(time.hostTicks)));
    for (const [enc, v] of values) {
      if (v === null) continue;
      this.pendingFields.set(
        enc,
        enc === F.PROC_CONTROLS && offset !== 0n ? v | BigInt(PROC_USE_TSC_OFFSETTING) : v,
      );
    }
    this.pendingFields.set(F.TSC_OFFSET, offset);
    this.tscOffsetOnSetup = offset !== 0n && !this.setupDone;
    this.savedRip = this.pendingFields.get(F.GUEST_RIP) ?? this.savedRip;
    if (misc !== null) this.misc.set(misc);
    this.miscSaved = misc !== null;
    this.fpu = fpu === null ? null : fpu.slice();
    this.reinject = reinject;
    this.pending = null;
    this.stringIn = null;
  }

  // ---- debugger (the VMM's gdb stub) -----------------------------------------------------

  private debugTrap = false;
  private stepping = false;
  private debugStop: "breakpoint" | "step" | null = null;

  /**
   * Debugger mode: #BP (INT3) from the guest exits to the VMM (exception bitmap bit 3)
   * instead of reaching the guest's IDT. Off, the vCPU costs nothing extra.
   */
  setDebugTrap(on: boolean): void {
    this.debugTrap = on;
    this.writeField(F.EXCEPTION_BITMAP, on ? 1n << BigInt(Vector.BP) : 0n);
    if (!on) {
      this.stepping = false;
      this.debugStop = null;
    }
  }

  /** The next run executes one guest instruction (or takes one event), then stops. */
  setSingleStep(on: boolean): void {
    this.stepping = on;
  }

  /** Why the last run stopped for the debugger (and forget it). */
  takeDebugStop(): "breakpoint" | "step" | null {
    const s = this.debugStop;
    this.debugStop = null;
    return s;
  }

  /** A VMCS field for a debugger, unbound: what the next bind will load. */
  debugField(field: number): bigint {
    return this.readField(field);
  }

  /** Sets a guest-state field for a debugger; it reaches the VMCS at the next bind. */
  setDebugField(field: number, value: bigint): void {
    this.writeField(field, BigInt.asUintN(64, value));
    if (field === F.GUEST_RIP) this.savedRip = BigInt.asUintN(64, value);
  }

  /** CR2, CR8 or KERNEL_GS_BASE as the vCPU last left them (0 before it first ran). */
  debugMisc(which: "cr2" | "cr8" | "kernelGsBase"): bigint {
    const slot = which === "cr2" ? MISC.CR2 : which === "cr8" ? MISC.CR8 : MISC.KERNEL_GS;
    return BigInt.asUintN(64, BigInt(this.misc[slot] ?? 0));
  }

  setDebugMisc(which: "cr2" | "cr8" | "kernelGsBase", value: bigint): boolean {
    if (!this.miscSaved) return false;
    const slot = which === "cr2" ? MISC.CR2 : which === "cr8" ? MISC.CR8 : MISC.KERNEL_GS;
    this.misc[slot] = Number(BigInt.asIntN(64, value));
    return true;
  }

  /** The x87/SSE state block (FpuState layout) the next bind loads; null before the first run. */
  debugFpu(): Uint8Array | null {
    return this.miscSaved ? this.fpu : null;
  }

  /** The guest-physical address behind guest-linear `lin` under the vCPU's paging now. */
  translateGuestVirtual(lin: number): number | null {
    const n = (f: number) => Number(this.readField(f) & M32);
    return translateGuestLinear(
      this.vm.memory,
      {
        cr0: n(F.GUEST_CR0),
        cr3: Number(this.readField(F.GUEST_CR3)),
        cr4: n(F.GUEST_CR4),
        efer: n(F.GUEST_EFER),
      },
      lin,
    );
  }

  /** One guest instruction (or one event taken) for a debugger's single step. */
  private stepOne(pcpu: X86PhysCpu): ExitReason {
    const cpu = pcpu.cpu;
    const start = this.interrupts.takeStartRequest?.();
    if (start !== undefined) {
      return {
        kind: "CpuUp",
        targetCpu: BigInt(start.apicId),
        entryPoint: gpa(start.vector << 12),
        arg: 0n,
      };
    }
    this.prepareEntry(cpu);
    try {
      cpu.enterGuest();
    } catch (e) {
      const m = /error (\d+)/.exec(String(e));
      return { kind: "FailEntry", hardwareEntryFailureReason: BigInt(m ? Number(m[1]) : 0) };
    }
    const why = cpu.run(1);
    if (why === "budget") {
      this.leaveGuest(pcpu);
      this.debugStop = "step";
      return NOTHING;
    }
    if (why !== "host-trap") {
      throw axErr("BadState", `vCPU ${this.vcpuId}: the CPU stopped in the guest (${why})`);
    }
    const exit = this.handleExit(cpu);
    // An exit the VMM completes (port, MMIO, HLT...) ends the instruction too.
    this.debugStop ??= "step";
    return exit ?? NOTHING;
  }
}

function hexBytes(b: Uint8Array): string {
  return [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

const DATA_SEGS = [
  [F.GUEST_DS_SEL, F.GUEST_DS_BASE, F.GUEST_DS_LIMIT, F.GUEST_DS_AR],
  [F.GUEST_ES_SEL, F.GUEST_ES_BASE, F.GUEST_ES_LIMIT, F.GUEST_ES_AR],
  [F.GUEST_SS_SEL, F.GUEST_SS_BASE, F.GUEST_SS_LIMIT, F.GUEST_SS_AR],
  [F.GUEST_FS_SEL, F.GUEST_FS_BASE, F.GUEST_FS_LIMIT, F.GUEST_FS_AR],
  [F.GUEST_GS_SEL, F.GUEST_GS_BASE, F.GUEST_GS_LIMIT, F.GUEST_GS_AR],
] as const;

/** Segment bases by the instruction-information segment number (ES, CS, SS, DS, FS, GS). */
const SEG_BASES = [
  F.GUEST_ES_BASE,
  F.GUEST_CS_BASE,
  F.GUEST_SS_BASE,
  F.GUEST_DS_BASE,
  F.GUEST_FS_BASE,
  F.GUEST_GS_BASE,
];

const MISC = {
  CR2: 0,
  CR8: 1,
  XCR0: 2,
  STAR: 3,
  STAR_HI: 4,
  LSTAR: 5,
  CSTAR: 6,
  SFMASK: 7,
  KERNEL_GS: 8,
  TSC_AUX: 9,
  DR0: 10,
  DR6: 14,
} as const;

const NOTHING: ExitReason = { kind: "Nothing" };
const HALT: ExitReason = { kind: "Halt" };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
