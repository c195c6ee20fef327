/**
 * The AArch64 vCPU (AxVisor's `arm_vcpu::Aarch64VCpu`) on the emulated CPU's EL2 in host-trap
 * mode. The guest's EL1 system registers, timer, GPRs, FP/SIMD registers and its EL2 controls
 * (HCR_EL2, VTTBR_EL2 with the VM's VMID, CNTVOFF_EL2...) are loaded on `bind` and saved on
 * `unbind`, so any number of vCPUs share the physical CPUs. `run` enters the guest (ERET) and
 * maps exceptions taken to EL2 to AxVisor's exit reasons, answering PSCI/SMCCC itself and
 * injecting an exception into the guest for anything a guest may not do.
 */

import { type SavedRecord, StateReader, savedBytes, savedU64 } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type {
  ArchVCpu,
  ExitReason,
  GuestFault,
  MmioReadExit,
  MmioWriteExit,
  SnapshotTime,
} from "@axvisor/axvcpu";
import type { HostServices, TimerToken } from "@axvisor/axvisor-api";
import { type Aarch64Cpu, SysReg, sysreg } from "@axvisor/cpu-aarch64";
import {
  AccessWidth,
  type GuestPhysAddr,
  gpa,
  type HostPhysAddr,
  MappingFlags,
  maskToWidth,
  sysRegAddr,
} from "@axvisor/memory-addr";
import {
  decodeSysRegIss,
  ESR_IL,
  ExceptionClass,
  exceptionClass,
  faultIpa,
  ICC_ASGI1R_EL1_ADDR,
  ICC_SGI0R_EL1_ADDR,
  ICC_SGI1R_EL1_ADDR,
} from "./esr.js";
import { readGuestVirtual, translateGuestVirtual } from "./guest-walk.js";
import { GUEST_HCR, HcrEl2 } from "./hcr.js";
import type { ArmHostCpus, ArmPhysCpu } from "./host-cpus.js";
import { type DecodedAccess, decodeLoadStore } from "./mmio-decode.js";
import {
  AffinityState,
  isSmcccFastCall,
  MIGRATE_INFO_NONE,
  PSCI_VERSION_1_1,
  PsciError,
  PsciFn,
  SMCCC_VERSION_1_1,
  SmcccFn,
  SUPPORTED_FUNCTIONS,
} from "./psci.js";
import { SysRegFile } from "./sys-reg-file.js";
import { type VirtualInterrupts, VirtualIrqLine } from "./virtual-interrupts.js";
import type { ArmVmContext } from "./vm-context.js";

export interface ArmVCpuCreateConfig {
  /** The guest's MPIDR_EL1 affinity (AxVisor: `phys_cpu_ids[i]`, else the vCPU index). */
  readonly mpidr: number;
  /** Guest-physical address of the device tree (x0 of the boot vCPU). */
  readonly dtbAddr: GuestPhysAddr;
  readonly vm: ArmVmContext;
  readonly cpus: ArmHostCpus;
  /** The vCPU's virtual interrupt interface (the vGIC); default: the VI line alone. */
  readonly interrupts?: VirtualInterrupts;
  /** Guest instructions per `run()` slice before a `Nothing` exit; default 200 000. */
  readonly sliceInstructions?: number;
  /** Stage-2 format of the address space: `arm-s2-l3` (40-bit IPA, default) or `arm-s2-l4`. */
  readonly stage2Levels?: 3 | 4;
}

/** The virtual timer's PPI (QEMU virt's device tree names it). */
export const VTIMER_PPI = 27;

const DEFAULT_SLICE = 200_000;
/** SPSR for EL1h with D, A, I, F masked: where the Linux boot protocol starts a CPU. */
const SPSR_EL1H_MASKED = 0x3c5n;
/** SCTLR_EL1 at reset as arm_vcpu sets it: MMU and caches off, RES1 bits set. */
const SCTLR_EL1_RESET = 0x30c5_0830n;
/** CNTHCTL_EL2: EL1 reads the physical counter; the physical timer traps (the guest uses CNTV). */
const CNTHCTL_GUEST = 1n;
const U32 = 0xffff_ffffn;
/** MDCR_EL2.TDE: debug exceptions from EL1/EL0 (BRK) are taken to EL2. */
const MDCR_TDE = 1n << 8n;

const R = {
  AMAIR_EL1: sysreg(3, 0, 10, 3, 0),
  AFSR0_EL1: sysreg(3, 0, 5, 1, 0),
  AFSR1_EL1: sysreg(3, 0, 5, 1, 1),
  CSSELR_EL1: sysreg(3, 2, 0, 0, 0),
  MDSCR_EL1: sysreg(2, 0, 0, 2, 2),
  SP_EL1: sysreg(3, 4, 4, 1, 0),
} as const;

/** Everything a vCPU owns while unbound, and its value at reset. */
const SAVED_SYSREGS: readonly (readonly [number, bigint])[] = [
  [SysReg.SCTLR_EL1, SCTLR_EL1_RESET],
  [SysReg.ACTLR_EL1, 0n],
  [SysReg.CPACR_EL1, 0n],
  [SysReg.TTBR0_EL1, 0n],
  [SysReg.TTBR1_EL1, 0n],
  [SysReg.TCR_EL1, 0n],
  [SysReg.ESR_EL1, 0n],
  [SysReg.FAR_EL1, 0n],
  [SysReg.PAR_EL1, 0n],
  [SysReg.MAIR_EL1, 0n],
  [R.AMAIR_EL1, 0n],
  [R.AFSR0_EL1, 0n],
  [R.AFSR1_EL1, 0n],
  [R.CSSELR_EL1, 0n],
  [R.MDSCR_EL1, 0n],
  [SysReg.VBAR_EL1, 0n],
  [SysReg.CONTEXTIDR_EL1, 0n],
  [SysReg.TPIDR_EL1, 0n],
  [SysReg.TPIDR_EL0, 0n],
  [SysReg.TPIDRRO_EL0, 0n],
  [SysReg.SPSR_EL1, 0n],
  [SysReg.ELR_EL1, 0n],
  [SysReg.SP_EL0, 0n],
  [R.SP_EL1, 0n],
  [SysReg.CNTKCTL_EL1, 0n],
  [SysReg.CNTV_CVAL_EL0, 0n],
  [SysReg.CNTV_CTL_EL0, 0n],
  // EL2: what the hypervisor programs per vCPU. CNTVOFF before the CNTV registers' users.
  [SysReg.CNTVOFF_EL2, 0n],
  [SysReg.CNTHCTL_EL2, CNTHCTL_GUEST],
  [SysReg.HCR_EL2, GUEST_HCR],
  [SysReg.VTCR_EL2, 0n],
  [SysReg.VTTBR_EL2, 0n],
  [SysReg.VPIDR_EL2, 0n],
  [SysReg.VMPIDR_EL2, 0n],
  [SysReg.CPTR_EL2, 0n],
  [SysReg.HSTR_EL2, 0n],
  [SysReg.ELR_EL2, 0n],
  [SysReg.SPSR_EL2, SPSR_EL1H_MASKED],
];

/** What a snapshot leaves out: the restoring host derives them (see `ArmVCpu.saveState`). */
const NOT_SAVED: ReadonlySet<number> = new Set([SysReg.CNTVOFF_EL2, SysReg.VTTBR_EL2]);

/** The access behind the latest exit, kept to fault it inside the guest if the VMM asks. */
/** A signed 64-bit number (readSysRegNum) as the unsigned register value. */
function u64(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/**
 * The last narrow store value and its bigint: a guest storing the same value again (a status
 * clear, a doorbell, an end of interrupt) makes no new bigint.
 */
let lastStored = 0;
let lastStoredBig = 0n;

function narrowValue(v: number): bigint {
  if (v !== lastStored) {
    lastStored = v;
    lastStoredBig = BigInt(v);
  }
  return lastStoredBig;
}

/** The bytes an MMIO store writes: narrow ones straight from the register's low word. */
function storeData(cpu: Aarch64Cpu, reg: number, width: AccessWidth): bigint {
  if (reg === 31) return 0n;
  const lo = cpu.x[2 * reg] ?? 0;
  switch (width) {
    case AccessWidth.Byte:
      return narrowValue(lo & 0xff);
    case AccessWidth.Word:
      return narrowValue(lo & 0xffff);
    case AccessWidth.Dword:
      return narrowValue(lo >>> 0);
    default:
      return maskToWidth(cpu.getX(reg), width);
  }
}

/**
 * The access an exit is about; ELR and FAR as signed 64-bit numbers (readSysRegNum). One
 * record per vCPU, rewritten per exit: the exit path allocates nothing for it.
 */
interface PendingAccess {
  elr: number;
  far: number;
  isStore: boolean;
  isFetch: boolean;
  /** Pre/post-index writeback applied to Rn `wbReg` (-1: none) by `wbOffset`. */
  wbReg: number;
  wbOffset: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** ESR_EL2 data abort ISS fields (ARM ARM D17.2.40). */
const ISS_ISV = 1 << 24;
const ISS_SSE = 1 << 21;
const ISS_SF = 1 << 15;
const ISS_S1PTW = 1 << 7;
const ISS_WNR = 1 << 6;

type Conduit = "hvc" | "smc";

export class ArmVCpu implements ArchVCpu<ArmVCpuCreateConfig, void> {
  readonly mpidr: number;
  readonly vm: ArmVmContext;
  readonly interrupts: VirtualInterrupts;

  private readonly gpr = new Int32Array(62);
  private readonly fpRegs = new Uint8Array(512);
  private fpcr = 0;
  private fpsr = 0;
  private readonly sys = new SysRegFile(SAVED_SYSREGS);
  private bound: ArmPhysCpu | null = null;
  /** The CPU is executing this guest since the last entry, with no exception taken since. */
  private inGuest = false;
  private readonly pending: PendingAccess = {
    elr: 0,
    far: 0,
    isStore: false,
    isFetch: false,
    wbReg: -1,
    wbOffset: 0,
  };
  /** `pending` describes the latest exit's access (cleared once a fault is delivered). */
  private hasPending = false;
  /**
   * The MMIO exits `run` returns, one record of each kind rewritten per exit, so the most
   * frequent exits allocate no exit object. An exit is read before the next `run` (AxVM serves
   * it at once), as ArchVCpu.run allows.
   */
  private readonly mmioWrite: Mutable<MmioWriteExit> = {
    kind: "MmioWrite",
    addr: gpa(0),
    width: AccessWidth.Byte,
    data: 0n,
  };
  private readonly mmioRead: Mutable<MmioReadExit> = {
    kind: "MmioRead",
    addr: gpa(0),
    width: AccessWidth.Byte,
    reg: 0,
    regWidth: AccessWidth.Qword,
    signExtend: false,
  };
  private vtimerLevel = false;
  private wakeTimer: TimerToken | null = null;
  private readonly slice: number;
  /** A debugger is attached: BRK traps to the VMM (MDCR_EL2.TDE) instead of the guest. */
  private debugTrap = false;
  /** The next run executes one guest instruction (a debugger's single step). */
  private stepping = false;
  private debugStop: "breakpoint" | "step" | null = null;

  constructor(
    readonly vmId: number,
    readonly vcpuId: number,
    readonly createConfig: ArmVCpuCreateConfig,
    private readonly host: HostServices,
  ) {
    this.mpidr = createConfig.mpidr;
    this.vm = createConfig.vm;
    this.interrupts = createConfig.interrupts ?? new VirtualIrqLine();
    this.slice = createConfig.sliceInstructions ?? DEFAULT_SLICE;
    const s2 = createConfig.stage2Levels === 4 ? { t0sz: 16n, sl0: 2n } : { t0sz: 24n, sl0: 1n };
    // RES1 bit 31; PS = 44-bit output; TG0 = 4 KiB; SH0 inner, IRGN0/ORGN0 write-back.
    const vtcr = (1n << 31n) | (4n << 16n) | (3n << 12n) | (1n << 10n) | (1n << 8n);
    this.sys.set(SysReg.VTCR_EL2, vtcr | (s2.sl0 << 6n) | s2.t0sz);
    this.sys.set(SysReg.VMPIDR_EL2, (1n << 31n) | BigInt(createConfig.mpidr));
    this.sys.set(SysReg.CNTVOFF_EL2, createConfig.vm.cntvoff);
    this.setStartArgs(BigInt(createConfig.mpidr), BigInt(createConfig.dtbAddr));
  }

  // ---- ArchVCpu ------------------------------------------------------------------------

  /**
   * The entry state of the Linux boot protocol and of PSCI CPU_ON: EL1h with DAIF masked and
   * the MMU off, so the same call serves the boot CPU and one started by CPU_ON.
   */
  setEntry(entry: GuestPhysAddr): void {
    this.writeSys(SysReg.ELR_EL2, BigInt(entry));
    this.writeSys(SysReg.SPSR_EL2, SPSR_EL1H_MASKED);
    this.writeSys(SysReg.SCTLR_EL1, SCTLR_EL1_RESET);
    this.inGuest = false;
    if (this.vm.state(this.mpidr) === AffinityState.OnPending) {
      this.vm.setState(this.mpidr, AffinityState.On);
    }
  }

  setEptRoot(root: HostPhysAddr): void {
    this.writeSys(SysReg.VTTBR_EL2, (BigInt(this.vm.vmid) << 48n) | BigInt(root));
  }

  setup(): void {}

  bind(): void {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId} is already bound`);
    const pcpu = this.createConfig.cpus.current;
    const cpu = pcpu.cpu;
    if (cpu.el !== 2) throw axErr("BadState", `CPU ${pcpu.id} is not at EL2 (hardwareEnable?)`);
    if (this.sys.get(SysReg.VPIDR_EL2) === 0n) {
      this.sys.set(SysReg.VPIDR_EL2, cpu.readSysReg(SysReg.MIDR_EL1));
    }
    cpu.x.set(this.gpr);
    cpu.fp.u8.set(this.fpRegs);
    cpu.fp.fpcr = this.fpcr;
    cpu.fp.fpsr = this.fpsr;
    this.sys.load(cpu);
    // Another vCPU of this VM ran here last: its stage-1 entries carry the same VMID and ASIDs.
    const last = pcpu.lastVcpuByVmid.get(this.vm.vmid);
    if (last !== undefined && last !== this) cpu.flushTlb();
    pcpu.lastVcpuByVmid.set(this.vm.vmid, this);
    cpu.writeSysReg(SysReg.MDCR_EL2, this.debugTrap ? MDCR_TDE : 0n);
    this.bound = pcpu;
    this.inGuest = false;
    this.vtimerLevel = false;
    this.updateVtimer(cpu);
  }

  unbind(): void {
    const cpu = this.requireBound().cpu;
    if (this.inGuest) this.leaveGuest(cpu);
    this.gpr.set(cpu.x.subarray(0, 62));
    this.fpRegs.set(cpu.fp.u8.subarray(0, 512));
    this.fpcr = cpu.fp.fpcr;
    this.fpsr = cpu.fp.fpsr;
    this.sys.store(cpu);
    if (this.interrupts.unbound) this.interrupts.unbound(cpu);
    else cpu.setVirq(false);
    // The host's own HCR_EL2 (arm_vcpu's per-CPU value) and no guest address space.
    cpu.writeSysReg(SysReg.HCR_EL2, HcrEl2.VM | HcrEl2.RW | HcrEl2.TSC);
    cpu.writeSysReg(SysReg.VTTBR_EL2, 0n);
    this.bound = null;
    this.armWake();
  }

  setGpr(index: number, value: bigint): void {
    if (index < 0 || index > 30) return; // 31 is XZR
    if (this.bound) {
      this.bound.cpu.setX(index, BigInt.asUintN(64, value));
      return;
    }
    this.gpr[2 * index] = Number(value & U32) | 0;
    this.gpr[2 * index + 1] = Number((value >> 32n) & U32) | 0;
  }

  getGpr(index: number): bigint {
    if (index < 0 || index > 30) return 0n;
    if (this.bound) return this.bound.cpu.getX(index);
    return (
      (BigInt((this.gpr[2 * index + 1] ?? 0) >>> 0) << 32n) |
      BigInt((this.gpr[2 * index] ?? 0) >>> 0)
    );
  }

  setReturnValue(value: bigint): void {
    this.setGpr(0, BigInt.asUintN(64, value));
  }

  /** The arm64 boot protocol and PSCI CPU_ON: x0 = DTB or context id; the MPIDR is no register. */
  setStartArgs(_cpuId: bigint, arg: bigint): void {
    this.setGpr(0, BigInt.asUintN(64, arg));
  }

  /** An edge-like interrupt by GIC INTID (an SGI, an MSI-like SPI). */
  injectInterrupt(vector: number): void {
    this.interrupts.inject(vector);
    this.refreshVirtualInterface();
  }

  /** A level line by GIC INTID: a PPI or an SPI from an emulated device. */
  setInterruptLevel(vector: number, level: boolean): void {
    this.interrupts.setLevel(vector, level);
    this.refreshVirtualInterface();
  }

  injectFault(fault: GuestFault): void {
    const p = this.pending;
    if (!this.hasPending) throw axErr("BadState", `vCPU ${this.vcpuId} has no access to fault`);
    this.hasPending = false;
    if (p.wbReg >= 0) this.addToBase(p.wbReg, -p.wbOffset);
    this.writeSys(SysReg.ELR_EL2, u64(p.elr));
    const kind = fault.exit.kind;
    if (
      kind === "SysRegRead" ||
      kind === "SysRegWrite" ||
      kind === "IoRead" ||
      kind === "IoWrite"
    ) {
      this.injectUndefined();
      return;
    }
    // A synchronous external abort (FSC 0x10) on the access, as a bus error is on silicon.
    this.injectAbort(p.isFetch, p.isStore, u64(p.far));
  }

  run(): ExitReason {
    const cpu = this.requireBound().cpu;
    this.cancelWake();
    if (this.debugStop !== null) return NOTHING;
    if (this.stepping) return this.step(cpu);
    let budget = this.slice;
    for (;;) {
      if (!this.inGuest) {
        this.interrupts.flush(cpu);
        cpu.enterGuest();
        this.inGuest = true;
      }
      const before = cpu.instructions;
      const why = cpu.run(budget);
      budget -= cpu.instructions - before;
      this.updateVtimer(cpu);
      if (why === "budget") {
        if (budget <= 0) return NOTHING;
        continue; // a timer register write ended the slice early: the line is re-read above
      }
      if (why === "wfi") return HALT; // powered off under us; TWI makes a guest WFI trap
      this.inGuest = false;
      this.interrupts.sync(cpu);
      const exit = this.handleTrap(cpu);
      if (exit) return exit;
      if (budget <= 0) return NOTHING;
    }
  }

  /** Releases the host timer that wakes a halted vCPU. Idempotent. */
  dispose(): void {
    this.cancelWake();
  }

  // ---- state access --------------------------------------------------------------------

  getPc(): bigint {
    if (this.bound && this.inGuest) return this.bound.cpu.getPc();
    return this.readSys(SysReg.ELR_EL2);
  }

  /** A saved system register of the guest (or the CPU's while bound). */
  readSys(enc: number): bigint {
    if (this.bound) return this.bound.cpu.readSysReg(enc);
    return this.sys.get(enc);
  }

  private writeSys(enc: number, value: bigint): void {
    if (this.bound) this.bound.cpu.writeSysReg(enc, value);
    else this.sys.set(enc, value);
  }

  // ---- internals -----------------------------------------------------------------------

  private requireBound(): ArmPhysCpu {
    if (!this.bound) throw axErr("BadState", `vCPU ${this.vcpuId} of VM ${this.vmId} is not bound`);
    return this.bound;
  }

  /** While the guest is on the CPU, a new pending interrupt must reach its virtual interface. */
  private refreshVirtualInterface(): void {
    if (this.bound) this.interrupts.flush(this.bound.cpu);
  }

  /** The CNTV output is the virtual timer PPI's line (level-sensitive). */
  private updateVtimer(cpu: Aarch64Cpu): void {
    const level = (cpu.timerLines() & 2) !== 0;
    if (level === this.vtimerLevel) return;
    this.vtimerLevel = level;
    this.interrupts.setLevel(VTIMER_PPI, level);
    if (this.inGuest) this.interrupts.flush(cpu);
  }

  /**
   * A halted or unbound vCPU is woken when its virtual timer comes due: the host timer tells
   * the VMM, whose next run of the vCPU sees the CNTV line through `updateVtimer`.
   */
  private armWake(): void {
    this.cancelWake();
    const ctl = this.readSys(SysReg.CNTV_CTL_EL0);
    if ((ctl & 3n) !== 1n) return; // disabled or masked
    // The physical count at which CNTVCT reaches CVAL, modulo 2^64 as the counter wraps (a
    // restored VM's CNTVOFF is often "negative": its guest time is ahead of the host's).
    const deadline = BigInt.asUintN(
      64,
      this.readSys(SysReg.CNTV_CVAL_EL0) + this.readSys(SysReg.CNTVOFF_EL2),
    );
    if (deadline > BigInt(Number.MAX_SAFE_INTEGER)) return;
    const t = this.host.time;
    this.wakeTimer = t.registerTimer(t.ticksToNanos(Number(deadline)), () => {
      this.wakeTimer = null;
      this.host.vmm.notifyVcpuTimerExpired(this.vmId, this.vcpuId);
    });
  }

  private cancelWake(): void {
    if (this.wakeTimer !== null) this.host.time.cancelTimer(this.wakeTimer);
    this.wakeTimer = null;
  }

  /**
   * Takes the CPU out of the guest between instructions so the vCPU can be unbound mid-slice,
   * the way a hypervisor preempts a guest on silicon: a physical IRQ, routed to EL2 by
   * HCR_EL2.IMO whatever the guest's PSTATE.I, traps before the next guest instruction.
   */
  private leaveGuest(cpu: Aarch64Cpu): void {
    const line = cpu.irqLine;
    cpu.setIrq(true);
    const why = cpu.run(1);
    cpu.setIrq(line);
    if (why !== "host-trap" || cpu.trapKind !== "irq") {
      throw axErr("BadState", `vCPU ${this.vcpuId}: the CPU did not leave the guest (${why})`);
    }
    this.inGuest = false;
    this.interrupts.sync(cpu);
  }

  /** Maps one exception taken to EL2 to an exit, or handles it and returns null. */
  private handleTrap(cpu: Aarch64Cpu): ExitReason | null {
    if (cpu.trapKind !== "sync") {
      // A physical interrupt or SError routed to the hypervisor (IMO/FMO/AMO): the host's.
      return { kind: "ExternalInterrupt", vector: 0 };
    }
    const esr = cpu.readSysRegNum(SysReg.ESR_EL2) >>> 0;
    switch (exceptionClass(esr)) {
      case ExceptionClass.Wfx:
        this.advance(cpu);
        // WFE (ISS bit 0) waits for an event, often another CPU's SEV in a spinlock: give the
        // CPU to the scheduler but do not sleep until an interrupt as WFI does.
        if ((esr & 1) !== 0) return NOTHING;
        if (this.interrupts.hasPending()) return null;
        this.armWake();
        return HALT;
      case ExceptionClass.Hvc64:
        return this.handleSmccc(cpu, "hvc");
      case ExceptionClass.Smc64:
        this.advance(cpu); // a trapped SMC returns to itself
        return this.handleSmccc(cpu, "smc");
      case ExceptionClass.SysReg:
        return this.handleSysReg(cpu, esr);
      case ExceptionClass.DataAbortLower:
        return this.handleDataAbort(cpu, esr);
      case ExceptionClass.Brk64:
        // Only reaches EL2 while a debugger holds MDCR_EL2.TDE; ELR_EL2 is the BRK itself.
        if (this.debugTrap) {
          this.debugStop = "breakpoint";
          return NOTHING;
        }
        this.injectSync(ExceptionClass.Brk64, false, esr & 0xffff, null);
        return null;
      case ExceptionClass.InstructionAbortLower: {
        const far = cpu.readSysRegNum(SysReg.FAR_EL2);
        this.setPending(cpu.readSysRegNum(SysReg.ELR_EL2), far, false, true);
        const ipa = faultIpa(cpu.readSysRegNum(SysReg.HPFAR_EL2), far);
        return { kind: "NestedPageFault", addr: gpa(ipa), accessFlags: MappingFlags.EXECUTE };
      }
      default:
        // Anything else reaching EL2 is an instruction the guest's machine does not offer.
        this.injectUndefined();
        return null;
    }
  }

  private advance(cpu: Aarch64Cpu): void {
    cpu.writeSysReg(SysReg.ELR_EL2, cpu.readSysReg(SysReg.ELR_EL2) + 4n);
  }

  private ret(value: number): null {
    this.setGpr(0, BigInt.asUintN(64, BigInt(value)));
    return null;
  }

  /** PSCI 1.1, SMCCC 1.1 and AxVisor's hypercalls (HVC with a non-fast-call function id). */
  private handleSmccc(cpu: Aarch64Cpu, conduit: Conduit): ExitReason | null {
    const x0 = cpu.getX(0);
    const fn = Number(x0 & U32);
    if (conduit === "hvc" && !isSmcccFastCall(fn)) {
      const args = [1, 2, 3, 4, 5, 6].map((i) => cpu.getX(i));
      return { kind: "Hypercall", nr: x0, args };
    }
    switch (fn) {
      case PsciFn.Version:
        return this.ret(PSCI_VERSION_1_1);
      case SmcccFn.Version:
        return this.ret(SMCCC_VERSION_1_1);
      case SmcccFn.ArchFeatures:
        // No firmware workarounds to advertise; the call itself exists.
        return this.ret(
          Number(cpu.getX(1) & U32) === SmcccFn.ArchFeatures ? 0 : PsciError.NotSupported,
        );
      case PsciFn.Features:
        return this.ret(
          SUPPORTED_FUNCTIONS.has(Number(cpu.getX(1) & U32)) ? 0 : PsciError.NotSupported,
        );
      case PsciFn.CpuSuspend32:
      case PsciFn.CpuSuspend64:
        // Every power state is served as standby: the CPU resumes after the call.
        this.ret(PsciError.Success);
        if (this.interrupts.hasPending()) return null;
        this.armWake();
        return HALT;
      case PsciFn.CpuOff:
        this.vm.setState(this.mpidr, AffinityState.Off);
        return { kind: "CpuDown", state: cpu.getX(1) };
      case PsciFn.CpuOn32:
      case PsciFn.CpuOn64:
        return this.cpuOn(cpu, fn === PsciFn.CpuOn32);
      case PsciFn.AffinityInfo32:
      case PsciFn.AffinityInfo64: {
        const target = affinity(cpu.getX(1), fn === PsciFn.AffinityInfo32);
        const state = this.vm.state(target);
        if (state === undefined || cpu.getX(2) !== 0n) return this.ret(PsciError.InvalidParameters);
        return this.ret(state);
      }
      case PsciFn.MigrateInfoType:
        return this.ret(MIGRATE_INFO_NONE);
      case PsciFn.SystemOff:
        return { kind: "SystemDown", resetType: "shutdown", reason: 0 };
      case PsciFn.SystemReset:
        return { kind: "SystemDown", resetType: "cold-reboot", reason: 0 };
      default:
        return this.ret(PsciError.NotSupported);
    }
  }

  private cpuOn(cpu: Aarch64Cpu, smc32: boolean): ExitReason | null {
    const target = affinity(cpu.getX(1), smc32);
    const state = this.vm.state(target);
    if (state === undefined) return this.ret(PsciError.InvalidParameters);
    if (state === AffinityState.On) return this.ret(PsciError.AlreadyOn);
    if (state === AffinityState.OnPending) return this.ret(PsciError.OnPending);
    this.vm.setState(target, AffinityState.OnPending);
    const entry = smc32 ? cpu.getX(2) & U32 : cpu.getX(2);
    const arg = smc32 ? cpu.getX(3) & U32 : cpu.getX(3);
    this.ret(PsciError.Success);
    return { kind: "CpuUp", targetCpu: BigInt(target), entryPoint: gpa(Number(entry)), arg };
  }

  private handleSysReg(cpu: Aarch64Cpu, esr: number): ExitReason | null {
    const { addr, rt, read } = decodeSysRegIss(esr);
    const elr = cpu.readSysRegNum(SysReg.ELR_EL2);
    this.setPending(elr, 0, !read, false);
    cpu.writeSysRegNum(SysReg.ELR_EL2, elr + 4);
    // The SGI registers trap under HCR_EL2.IMO/FMO: the VMM sends the virtual SGI.
    if (addr === ICC_SGI1R_EL1_ADDR || addr === ICC_SGI0R_EL1_ADDR) {
      if (read) return this.ret2(rt, 0n); // write-only: reads as zero
      return this.sgi(rt === 31 ? 0n : cpu.getX(rt));
    }
    // With one Security state (GICD_CTLR.DS = 1) there is no other state to send to.
    if (addr === ICC_ASGI1R_EL1_ADDR) return read ? this.ret2(rt, 0n) : null;
    if (read) return { kind: "SysRegRead", addr: sysRegAddr(addr), reg: rt };
    return { kind: "SysRegWrite", addr: sysRegAddr(addr), value: rt === 31 ? 0n : cpu.getX(rt) };
  }

  private ret2(reg: number, value: bigint): null {
    this.setGpr(reg, value);
    return null;
  }

  /** ICC_SGI1R_EL1: INTID 27:24, Aff3 55:48, Aff2 39:32, Aff1 23:16, IRM 40, TargetList 15:0. */
  private sgi(value: bigint): ExitReason {
    const intid = Number((value >> 24n) & 0xfn);
    const irm = ((value >> 40n) & 1n) !== 0n;
    const aff3 = Number((value >> 48n) & 0xffn);
    const aff2 = Number((value >> 32n) & 0xffn);
    const aff1 = Number((value >> 16n) & 0xffn);
    const targetList = Number(value & 0xffffn);
    const cluster = aff3 * 2 ** 32 + ((aff2 << 16) | (aff1 << 8));
    const targets = this.vm.sgiTargets(cluster, targetList, irm, this.mpidr);
    return {
      kind: "SendIPI",
      targetCpu: irm ? 0n : BigInt(cluster),
      targetCpuAux: irm ? 0n : BigInt(targetList),
      sendToAll: irm,
      sendToSelf: targets.includes(this.vcpuId),
      vector: intid,
      targetVcpus: targets,
    };
  }

  private setPending(elr: number, far: number, isStore: boolean, isFetch: boolean): void {
    const p = this.pending;
    p.elr = elr;
    p.far = far;
    p.isStore = isStore;
    p.isFetch = isFetch;
    p.wbReg = -1;
    this.hasPending = true;
  }

  private handleDataAbort(cpu: Aarch64Cpu, esr: number): ExitReason | null {
    const far = cpu.readSysRegNum(SysReg.FAR_EL2);
    const elr = cpu.readSysRegNum(SysReg.ELR_EL2);
    const ipa = faultIpa(cpu.readSysRegNum(SysReg.HPFAR_EL2), far);
    const dfsc = esr & 0x3f;
    const write = (esr & ISS_WNR) !== 0;
    this.setPending(elr, far, write, false);
    if (dfsc < 0x04 || dfsc > 0x0f) {
      // Not a stage-2 translation/access/permission fault (an external abort on the walk...):
      // the guest's own bus error.
      this.hasPending = false;
      this.injectAbort(false, write, u64(far));
      return null;
    }
    if ((esr & ISS_S1PTW) !== 0) {
      // The guest's own page table lies where stage 2 maps nothing.
      return { kind: "NestedPageFault", addr: gpa(ipa), accessFlags: MappingFlags.READ };
    }
    if ((esr & ISS_ISV) !== 0) {
      // The syndrome describes the access (one register, no writeback): no decoding.
      cpu.writeSysRegNum(SysReg.ELR_EL2, elr + 4);
      const width = (1 << ((esr >>> 22) & 3)) as AccessWidth;
      const reg = (esr >>> 16) & 31;
      if (write) return this.mmioWriteExit(cpu, ipa, width, reg);
      return this.mmioReadExit(
        ipa,
        width,
        reg,
        (esr & ISS_SF) !== 0 ? AccessWidth.Qword : AccessWidth.Dword,
        (esr & ISS_SSE) !== 0,
      );
    }
    let decoded = this.fetchAndDecode(cpu, u64(elr));
    if (decoded && decoded.isStore !== write) decoded = null;
    if (!decoded) {
      const access = write ? MappingFlags.WRITE : MappingFlags.READ;
      return { kind: "NestedPageFault", addr: gpa(ipa), accessFlags: access };
    }
    cpu.writeSysRegNum(SysReg.ELR_EL2, elr + 4);
    if (decoded.writeback) {
      this.addToBase(decoded.writeback.reg, decoded.writeback.offset);
      this.pending.wbReg = decoded.writeback.reg;
      this.pending.wbOffset = decoded.writeback.offset;
    }
    if (decoded.isStore) return this.mmioWriteExit(cpu, ipa, decoded.width, decoded.reg);
    return this.mmioReadExit(ipa, decoded.width, decoded.reg, decoded.regWidth, decoded.signExtend);
  }

  private mmioWriteExit(cpu: Aarch64Cpu, ipa: number, width: AccessWidth, reg: number): ExitReason {
    const e = this.mmioWrite;
    e.addr = gpa(ipa);
    e.width = width;
    e.data = storeData(cpu, reg, width);
    return e;
  }

  private mmioReadExit(
    ipa: number,
    width: AccessWidth,
    reg: number,
    regWidth: AccessWidth,
    signExtend: boolean,
  ): ExitReason {
    const e = this.mmioRead;
    e.addr = gpa(ipa);
    e.width = width;
    e.reg = reg;
    e.regWidth = regWidth;
    e.signExtend = signExtend;
    return e;
  }

  /** The faulting instruction, read through the guest's stage 1 and the VM's memory. */
  private fetchAndDecode(cpu: Aarch64Cpu, elr: bigint): DecodedAccess | null {
    const bytes = readGuestVirtual(
      this.vm.memory,
      {
        sctlr: cpu.readSysReg(SysReg.SCTLR_EL1),
        tcr: cpu.readSysReg(SysReg.TCR_EL1),
        ttbr0: cpu.readSysReg(SysReg.TTBR0_EL1),
        ttbr1: cpu.readSysReg(SysReg.TTBR1_EL1),
      },
      elr,
      4,
    );
    if (!bytes || bytes.length < 4) return null;
    const insn =
      ((bytes[0] ?? 0) |
        ((bytes[1] ?? 0) << 8) |
        ((bytes[2] ?? 0) << 16) |
        ((bytes[3] ?? 0) << 24)) >>>
      0;
    return decodeLoadStore(insn);
  }

  /** Pre/post-index writeback: Rn += offset (Rn 31 is the guest's current stack pointer). */
  private addToBase(reg: number, offset: number): void {
    if (reg !== 31) {
      this.setGpr(reg, BigInt.asUintN(64, this.getGpr(reg) + BigInt(offset)));
      return;
    }
    const spsr = this.readSys(SysReg.SPSR_EL2);
    const el = Number((spsr >> 2n) & 3n);
    const enc = el !== 0 && (spsr & 1n) !== 0n ? R.SP_EL1 : SysReg.SP_EL0;
    this.writeSys(enc, BigInt.asUintN(64, this.readSys(enc) + BigInt(offset)));
  }

  private injectUndefined(): void {
    this.injectSync(ExceptionClass.Unknown, false, 0, null);
  }

  private injectAbort(fetch: boolean, write: boolean, far: bigint): void {
    const ec = fetch ? ExceptionClass.InstructionAbortLower : ExceptionClass.DataAbortLower;
    this.injectSync(ec, true, (write && !fetch ? 1 << 6 : 0) | 0x10, far);
  }

  /**
   * Delivers a synchronous exception to the guest's EL1 as the CPU would take it: ESR_EL1,
   * FAR_EL1, ELR_EL1 = the instruction, SPSR_EL1 = its PSTATE, then EL1h with DAIF masked at
   * VBAR_EL1 + the vector of its origin. `lowerEc` is the "from a lower EL" class; taken from
   * EL1 itself the class is the "same EL" one (one above).
   */
  private injectSync(
    lowerEc: number,
    sameElDiffers: boolean,
    iss: number,
    far: bigint | null,
  ): void {
    const spsr = this.readSys(SysReg.SPSR_EL2);
    const fromEl = Number((spsr >> 2n) & 3n);
    const ec = sameElDiffers && fromEl !== 0 ? lowerEc + 1 : lowerEc;
    this.writeSys(SysReg.ESR_EL1, BigInt((ec << 26) | ESR_IL | iss) & U32);
    if (far !== null) this.writeSys(SysReg.FAR_EL1, far);
    this.writeSys(SysReg.ELR_EL1, this.readSys(SysReg.ELR_EL2));
    this.writeSys(SysReg.SPSR_EL1, spsr);
    const vector = fromEl === 0 ? 0x400n : (spsr & 1n) !== 0n ? 0x200n : 0n;
    this.writeSys(SysReg.ELR_EL2, this.readSys(SysReg.VBAR_EL1) + vector);
    // NZCV and PAN carry over; SS and IL clear; EL1h with D, A, I, F masked.
    this.writeSys(SysReg.SPSR_EL2, (spsr & 0xf040_0000n) | SPSR_EL1H_MASKED);
  }

  // ---- snapshot ------------------------------------------------------------------------

  /**
   * Everything the guest can observe of this vCPU, while it is unbound: GPRs, the FP/SIMD
   * registers with FPCR/FPSR, the EL1 system registers, the virtual timer, the EL2 controls
   * the hypervisor keeps per vCPU, and pc / PSTATE (ELR_EL2 / SPSR_EL2: an unbound vCPU is
   * always between guest instructions). Times are guest times: `guestNow` is the guest's
   * virtual count at `time.hostTicks`, and CNTV_CVAL_EL0 is already one. CNTVOFF_EL2 and
   * VTTBR_EL2 are not saved: they follow from the host clock and from the VM's stage-2 table
   * and VMID, which the restoring host sets up itself. The exclusive monitor is not saved
   * either: every slice ends with it clear, so a guest's next STXR after a restore fails
   * once, which the architecture allows.
   */
  saveState(time: SnapshotTime): SavedRecord {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId}: saved while bound to a CPU`);
    const sys: Record<string, string> = {};
    for (const enc of this.sys.encs) {
      if (!NOT_SAVED.has(enc)) sys[`0x${enc.toString(16)}`] = savedU64(this.sys.get(enc));
    }
    const cntvoff = this.sys.get(SysReg.CNTVOFF_EL2);
    return {
      gpr: [...this.gpr],
      fp: savedBytes(this.fpRegs),
      fpcr: this.fpcr >>> 0,
      fpsr: this.fpsr >>> 0,
      sys,
      guestNow: savedU64(BigInt(Math.floor(time.hostTicks)) - cntvoff),
    };
  }

  /**
   * Puts back what `saveState` returned on an unbound vCPU of a VM built from the same
   * config: the guest's virtual count continues from `guestNow` (CNTVOFF_EL2 absorbs the new
   * host clock), so the virtual timer fires at its guest deadline. The CPU drops its
   * translations and compiled code at the next bind (the VMM fences every CPU on restore).
   */
  loadState(state: SavedRecord, time: SnapshotTime): void {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId}: restored while bound to a CPU`);
    const r = new StateReader(state, `vCPU ${this.vcpuId}`);
    const gpr = r.ints("gpr", 62, -0x8000_0000, 0x7fff_ffff);
    const fp = r.bytes("fp", this.fpRegs.length);
    const fpcr = r.int("fpcr");
    const fpsr = r.int("fpsr");
    const saved = r.record("sys");
    const sys = new Map<number, bigint>();
    for (const enc of this.sys.encs) {
      if (!NOT_SAVED.has(enc)) sys.set(enc, saved.u64(`0x${enc.toString(16)}`));
    }
    const guestNow = r.u64("guestNow");
    // Everything is read and checked: from here on nothing can fail half-way.
    this.dispose();
    this.gpr.set(gpr);
    this.fpRegs.set(fp);
    this.fpcr = fpcr;
    this.fpsr = fpsr;
    for (const [enc, value] of sys) this.sys.set(enc, value);
    this.sys.set(
      SysReg.CNTVOFF_EL2,
      BigInt.asUintN(64, BigInt(Math.floor(time.hostTicks)) - guestNow),
    );
    this.inGuest = false;
    this.hasPending = false;
    this.vtimerLevel = false;
    // As after every unbind: the virtual timer, if enabled, wakes the vCPU at its deadline.
    this.armWake();
  }

  // ---- debugger ------------------------------------------------------------------------

  /**
   * Debugger mode: the guest's BRK instructions come to the VMM (MDCR_EL2.TDE routes debug
   * exceptions to EL2) instead of its own vector, and a run can be one instruction. Off, the
   * vCPU costs nothing extra.
   */
  setDebugTrap(on: boolean): void {
    this.debugTrap = on;
    if (this.bound) this.bound.cpu.writeSysReg(SysReg.MDCR_EL2, on ? MDCR_TDE : 0n);
    if (!on) {
      this.stepping = false;
      this.debugStop = null;
    }
  }

  /** The next run executes one guest instruction, then returns Nothing until the stop is taken. */
  setSingleStep(on: boolean): void {
    this.stepping = on;
  }

  /** Why the last run stopped for the debugger (and forget it): a breakpoint, a step, neither. */
  takeDebugStop(): "breakpoint" | "step" | null {
    const s = this.debugStop;
    this.debugStop = null;
    return s;
  }

  /** Sets the guest's pc (ELR_EL2 of an unbound vCPU: where the next entry resumes). */
  setPc(pc: bigint): void {
    if (this.bound && this.inGuest) this.bound.cpu.setPc(BigInt.asUintN(64, pc));
    else this.writeSys(SysReg.ELR_EL2, BigInt.asUintN(64, pc));
  }

  /** The guest's PSTATE as SPSR_EL2 holds it between entries (GDB's cpsr). */
  getPstate(): bigint {
    return this.readSys(SysReg.SPSR_EL2);
  }

  setPstate(value: bigint): void {
    this.writeSys(SysReg.SPSR_EL2, value & U32);
  }

  /** The stack pointer the guest uses now: SP_EL1 in EL1h, SP_EL0 in EL0 or EL1t. */
  getSp(): bigint {
    return this.readSys(this.currentSpReg());
  }

  setSp(value: bigint): void {
    this.writeSys(this.currentSpReg(), BigInt.asUintN(64, value));
  }

  /** FP/SIMD register V`n` as its 16 bytes, little-endian. */
  getVreg(n: number): Uint8Array {
    if (this.bound) return this.bound.cpu.fp.u8.slice(n * 16, n * 16 + 16);
    return this.fpRegs.slice(n * 16, n * 16 + 16);
  }

  setVreg(n: number, bytes: Uint8Array): void {
    if (bytes.length !== 16 || n < 0 || n > 31) return;
    if (this.bound) this.bound.cpu.fp.u8.set(bytes, n * 16);
    else this.fpRegs.set(bytes, n * 16);
  }

  getFpStatus(): { fpsr: number; fpcr: number } {
    if (this.bound)
      return { fpsr: this.bound.cpu.fp.fpsr >>> 0, fpcr: this.bound.cpu.fp.fpcr >>> 0 };
    return { fpsr: this.fpsr >>> 0, fpcr: this.fpcr >>> 0 };
  }

  setFpStatus(fpsr: number, fpcr: number): void {
    if (this.bound) {
      this.bound.cpu.fp.fpsr = fpsr;
      this.bound.cpu.fp.fpcr = fpcr;
    } else {
      this.fpsr = fpsr;
      this.fpcr = fpcr;
    }
  }

  /**
   * A guest-virtual address translated as the guest's next data access would (its stage 1:
   * SCTLR_EL1, TCR_EL1, TTBR0/1_EL1); the result is guest-physical, null where it would fault.
   */
  translateGuestVirtual(gva: bigint): number | null {
    return translateGuestVirtual(
      this.vm.memory,
      {
        sctlr: this.readSys(SysReg.SCTLR_EL1),
        tcr: this.readSys(SysReg.TCR_EL1),
        ttbr0: this.readSys(SysReg.TTBR0_EL1),
        ttbr1: this.readSys(SysReg.TTBR1_EL1),
      },
      gva,
    );
  }

  private currentSpReg(): number {
    const spsr = this.readSys(SysReg.SPSR_EL2);
    return ((spsr >> 2n) & 3n) !== 0n && (spsr & 1n) !== 0n ? R.SP_EL1 : SysReg.SP_EL0;
  }

  /**
   * One guest instruction (or the exception it takes), for a debugger's single step: the CPU
   * runs with a budget of one (compiled code retires no more than its budget).
   */
  private step(cpu: Aarch64Cpu): ExitReason {
    for (;;) {
      if (!this.inGuest) {
        this.interrupts.flush(cpu);
        cpu.enterGuest();
        this.inGuest = true;
      }
      const why = cpu.run(1);
      this.updateVtimer(cpu);
      if (why === "budget") {
        this.debugStop = "step";
        return NOTHING;
      }
      if (why === "wfi") {
        this.debugStop = "step";
        return HALT;
      }
      this.inGuest = false;
      this.interrupts.sync(cpu);
      const exit = this.handleTrap(cpu);
      // A stage-2 fault the VMM serves (lazy RAM) re-executes the instruction: not a step yet.
      if (this.debugStop === null && exit?.kind !== "NestedPageFault") this.debugStop = "step";
      if (exit) return exit;
      if (this.debugStop !== null) return NOTHING;
    }
  }
}

/** The affinity fields of a PSCI target (Aff3 in bits 39:32 for SMC64 calls). */
function affinity(x: bigint, smc32: boolean): number {
  const lo = Number(x & 0xff_ffffn);
  return smc32 ? lo : lo + Number((x >> 32n) & 0xffn) * 2 ** 32;
}

const NOTHING: ExitReason = { kind: "Nothing" };
const HALT: ExitReason = { kind: "Halt" };
