/**
 * The RISC-V vCPU (AxVisor's `riscv_vcpu::RISCVVCpu`) on the emulated hart's H extension.
 * State that is "sticky" on a hart (VS CSRs, hgatp, hvip, GPRs, FP registers) is loaded on
 * `bind` and saved on `unbind`, so any number of vCPUs share the physical harts. `run` enters
 * the guest with `sret` (the hart's `enterGuest`) and maps traps into HS-mode to AxVisor's exit
 * reasons, answering SBI calls itself.
 */

import { type SavedRecord, StateReader, savedU64 } from "@axvisor/axdevice-base";
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
import {
  AccessWidth,
  type GuestPhysAddr,
  gpa,
  type HostPhysAddr,
  MappingFlags,
  maskToWidth,
} from "@axvisor/memory-addr";
import { Csr, ExceptionCause, HgatpMode, HostIrq, HStatus, Status, VsIrq } from "./csr.js";
import { readGuestVirtual, translateGuestVirtual } from "./guest-walk.js";
import type { RiscvHostCpus, RiscvPhysCpu } from "./host-cpus.js";
import type { HostHart } from "./host-hart.js";
import {
  NO_ACCESS,
  PSEUDO_PT_READ,
  PSEUDO_PT_WRITE,
  packedIsStore,
  packedLength,
  packedReg,
  packedSignExtend,
  packedWidth,
  packFetched,
  packHtinst,
} from "./mmio-decode.js";
import { HsmState } from "./sbi/consts.js";
import { dispatchSbi, type SbiCaller, type SuspendResume } from "./sbi/dispatch.js";
import { StealTime } from "./sbi/steal-time.js";
import { PendingFence, type RiscvVmContext } from "./vm-context.js";

export interface RiscvVCpuCreateConfig {
  /** The guest's hart id (a0 at entry; AxVisor passes the vCPU id). */
  readonly hartId: number;
  /** Guest-physical address of the device tree (a1 at entry). */
  readonly dtbAddr: GuestPhysAddr;
  readonly vm: RiscvVmContext;
  readonly cpus: RiscvHostCpus;
  /** Guest instructions per `run()` slice before a `Nothing` exit; default 200 000. */
  readonly sliceInstructions?: number;
  /** G-stage format of the address space: Sv39x4 (default) or Sv48x4. */
  readonly gstageLevels?: 3 | 4;
  /**
   * Let the guest use Sstc (its stimecmp is the hart's vstimecmp): timers without an SBI exit.
   * The hart must have Sstc, and the guest's device tree should list it.
   */
  readonly sstc?: boolean;
  /**
   * The guest's spin-wait hint (PAUSE) ends the slice: for vCPUs that take turns on one host
   * thread, where a vCPU spinning on a lock can only wait for the holder by giving the thread
   * back (spinning on would burn its slice while the holder is not running).
   */
  readonly pauseEndsSlice?: boolean;
}

const DEFAULT_SLICE = 200_000;

/** The interrupts that end an SBI suspend: the VS-level ones (hip/hie bits). */
const VS_WAKE_IRQS = VsIrq.VSSIP | VsIrq.VSTIP | VsIrq.VSEIP;
/** henvcfg.STCE (bit 63, so in the high word): VS-mode may use stimecmp (vstimecmp). */
const HENVCFG_STCE_HI = 0x8000_0000 | 0;
/** vsie.STIE: the guest's supervisor timer interrupt enable (hie.VSTIE seen from VS-mode). */
const VSIE_STIE = 1n << 5n;
/** hvip's VS interrupt bits as a number (they sit in the low word). */
const VS_IRQS_NUM = Number(VsIrq.VSSIP | VsIrq.VSTIP | VsIrq.VSEIP);
/** sstatus.SPP, hstatus.SPV and hstatus.SPVP (low word). */
const SSTATUS_SPP_NUM = Number(Status.SPP);
const HSTATUS_SPV_NUM = Number(HStatus.SPV);
const HSTATUS_SPVP_NUM = Number(HStatus.SPVP);
const U32 = 0xffff_ffffn;

/** The VS CSRs a vCPU owns while unbound. */
const SAVED_VS_CSRS = [
  Csr.vsstatus,
  Csr.vsie,
  Csr.vstvec,
  Csr.vsscratch,
  Csr.vsepc,
  Csr.vscause,
  Csr.vstval,
  Csr.vsatp,
  Csr.htimedelta,
] as const;

/**
 * The access behind the latest MMIO / page-fault exit, kept to deliver a fault if asked. One
 * record per vCPU, rewritten on every such exit (the exit path allocates nothing for it).
 */
interface PendingAccess {
  /** The faulting instruction's pc and the faulting guest-virtual address, sign-extended. */
  pc: number;
  gva: number;
  isStore: boolean;
  isFetch: boolean;
}

export class RiscvVCpu implements ArchVCpu<RiscvVCpuCreateConfig, void>, SbiCaller {
  readonly hartId: number;
  readonly vm: RiscvVmContext;
  /** SBI STA: the guest's steal-time record, fed by the VMM through `addStealTime`. */
  readonly steal = new StealTime();

  private readonly gpr = new Int32Array(64);
  private readonly fpr = new Int32Array(64);
  private fflags = 0;
  private frm = 0;
  /**
   * The VS CSRs kept while unbound (SAVED_VS_CSRS, then vstimecmp with Sstc) and their values
   * as low/high words at [2i], [2i+1]: bind and unbind move them with the hart's number-typed
   * CSR access, so a slice boundary allocates no BigInt.
   */
  private readonly vsNums: number[] = [...SAVED_VS_CSRS];
  private readonly vsWords = new Int32Array(2 * (SAVED_VS_CSRS.length + 1));
  /** Pending virtual interrupts while unbound (hvip's VSSIP/VSTIP/VSEIP bits). */
  private hvip = 0;
  private hgatpLo = 0;
  private hgatpHi = 0;
  /**
   * The guest pc as the hart keeps it: a number, upper-half addresses sign-extended (negative),
   * so the world switch moves it through sepc without BigInt.
   */
  private pc = 0;
  /** Guest privilege at the next entry: VS (true) or VU (false). */
  private guestVS = true;
  private bound: RiscvPhysCpu | null = null;
  /** The hart is executing this guest (V=1) since the last enter, with no trap since. */
  private inGuest = false;
  /**
   * The hart's sstatus.SPP and hstatus.SPV/SPVP already describe `guestVS`, as a trap from
   * the guest leaves them, so re-entry only has to write sepc.
   */
  private returnModeSet = false;
  private readonly pendingAccess: PendingAccess = { pc: 0, gva: 0, isStore: false, isFetch: false };
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
  /** `pendingAccess` describes the latest exit's access (cleared once a fault is delivered). */
  private hasPending = false;
  /** In SBI hart_suspend / system_suspend until the next run: where to resume, if not after the ecall. */
  private suspended: { readonly resume: SuspendResume | null } | null = null;
  private timer: TimerToken | null = null;
  /**
   * The guest time the armed timer was set for (its stimecmp value). Saved as is: deriving it
   * back from the host deadline would lose a deadline that was overdue when restored.
   */
  private timerGuestTime = 0n;
  /** Host timer that wakes a halted Sstc guest when its vstimecmp comes due. */
  private wakeTimer: TimerToken | null = null;
  private readonly sstc: boolean;
  private readonly slice: number;
  private readonly pauseEndsSlice: boolean;
  /** Restored from a snapshot: the next bind drops the hart's LR reservation. */
  private dropReservation = false;
  /** A debugger owns breakpoint exceptions: hedeleg bit 3 is cleared while this vCPU is bound. */
  private debugTrap = false;
  /** The next run executes one instruction (a debugger's single step). */
  private stepping = false;
  /** What ended the last run for the debugger; reset by `takeDebugStop`. */
  private debugStop: "breakpoint" | "step" | null = null;
  private readonly gstageMode: bigint;

  constructor(
    readonly vmId: number,
    readonly vcpuId: number,
    readonly createConfig: RiscvVCpuCreateConfig,
    private readonly host: HostServices,
  ) {
    this.hartId = createConfig.hartId;
    this.vm = createConfig.vm;
    this.slice = createConfig.sliceInstructions ?? DEFAULT_SLICE;
    this.pauseEndsSlice = createConfig.pauseEndsSlice === true;
    this.gstageMode = createConfig.gstageLevels === 4 ? HgatpMode.Sv48x4 : HgatpMode.Sv39x4;
    this.sstc = createConfig.sstc === true;
    if (this.sstc) {
      // vstimecmp starts at "never" (all ones)
      this.vsNums.push(Csr.vstimecmp);
      this.vsWords.fill(-1, 2 * SAVED_VS_CSRS.length);
    }
    this.setStartArgs(BigInt(createConfig.hartId), BigInt(createConfig.dtbAddr));
  }

  // ---- ArchVCpu ------------------------------------------------------------------------

  /**
   * Sets the entry point and the SBI HSM entry state (S-mode, vsatp = 0, interrupts off), so
   * the same call serves the boot hart and a hart started with `hart_start`.
   */
  setEntry(entry: GuestPhysAddr): void {
    this.pc = Number(entry);
    this.guestVS = true;
    this.inGuest = false;
    this.returnModeSet = false;
    this.writeVs(Csr.vsatp, 0n);
    this.writeVs(Csr.vsstatus, Status.FS_INITIAL);
    if (this.vm.hsmState(this.hartId) === HsmState.StartPending) {
      this.vm.setHsmState(this.hartId, HsmState.Started);
    }
  }

  setEptRoot(root: HostPhysAddr): void {
    const ppn = BigInt(root) / 4096n;
    const hgatp = (this.gstageMode << 60n) | (BigInt(this.vm.vmid) << 44n) | ppn;
    this.hgatpLo = Number(hgatp & U32) | 0;
    this.hgatpHi = Number(hgatp >> 32n) | 0;
  }

  setup(): void {}

  bind(): void {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId} is already bound`);
    const cpu = this.createConfig.cpus.current;
    const hart = cpu.hart;
    hart.x.set(this.gpr);
    hart.f.set(this.fpr);
    hart.fflags = this.fflags;
    hart.frm = this.frm;
    hart.pauseExit = this.pauseEndsSlice;
    const nums = this.vsNums;
    const words = this.vsWords;
    for (let i = 0; i < nums.length; i++) {
      hart.writeCsrWords(nums[i]!, words[2 * i]!, words[2 * i + 1]!);
    }
    hart.writeCsrWords(Csr.hvip, this.hvip, 0);
    hart.writeCsrWords(Csr.hgatp, this.hgatpLo, this.hgatpHi);
    hart.readCsrNum(Csr.henvcfg);
    const envLo = hart.csrLo;
    const envHi = hart.csrHi;
    hart.writeCsrWords(
      Csr.henvcfg,
      envLo,
      this.sstc ? envHi | HENVCFG_STCE_HI : envHi & ~HENVCFG_STCE_HI,
    );
    // Another vCPU of this VM ran here last: its VS-stage entries carry the same VMID.
    const last = cpu.lastVcpuByVmid.get(this.vm.vmid);
    if (last !== undefined && last !== this) this.fence(hart, PendingFence.VvmaAll);
    cpu.lastVcpuByVmid.set(this.vm.vmid, this);
    if (this.debugTrap) hart.writeCsr(Csr.hedeleg, hart.readCsr(Csr.hedeleg) & ~HEDELEG_BREAKPOINT);
    if (this.dropReservation) {
      hart.clearReservation?.();
      this.dropReservation = false;
    }
    this.bound = cpu;
    this.inGuest = false;
    this.returnModeSet = false;
  }

  unbind(): void {
    const cpu = this.requireBound();
    const hart = cpu.hart;
    if (this.inGuest) this.leaveGuest(hart);
    this.gpr.set(hart.x);
    this.fpr.set(hart.f);
    this.fflags = hart.fflags;
    this.frm = hart.frm;
    const nums = this.vsNums;
    const words = this.vsWords;
    for (let i = 0; i < nums.length; i++) {
      hart.readCsrNum(nums[i]!);
      words[2 * i] = hart.csrLo;
      words[2 * i + 1] = hart.csrHi;
    }
    hart.readCsrNum(Csr.hvip);
    this.hvip = hart.csrLo & VS_IRQS_NUM;
    hart.writeCsrWords(Csr.hvip, 0, 0);
    hart.writeCsrWords(Csr.hgatp, 0, 0);
    if (this.debugTrap) hart.writeCsr(Csr.hedeleg, hart.readCsr(Csr.hedeleg) | HEDELEG_BREAKPOINT);
    this.bound = null;
  }

  setGpr(index: number, value: bigint): void {
    if (index <= 0 || index > 31) return;
    const regs = this.bound ? this.bound.hart.x : this.gpr;
    regs[2 * index] = Number(value & U32) | 0;
    regs[2 * index + 1] = Number((value >> 32n) & U32) | 0;
  }

  getGpr(index: number): bigint {
    if (index <= 0 || index > 31) return 0n;
    const regs = this.bound ? this.bound.hart.x : this.gpr;
    return (BigInt((regs[2 * index + 1] ?? 0) >>> 0) << 32n) | BigInt((regs[2 * index] ?? 0) >>> 0);
  }

  setReturnValue(value: bigint): void {
    this.setGpr(10, BigInt.asUintN(64, value));
  }

  /**
   * Makes a virtual interrupt pending. `vector` is the interrupt number the guest sees in
   * scause: 1 software, 5 timer, 9 external.
   */
  injectInterrupt(vector: number): void {
    this.setPendingBit(vsBit(vector), true);
  }

  /** Withdraws a level-triggered virtual interrupt (the vPLIC lowering VSEIP). */
  clearInterrupt(vector: number): void {
    this.setPendingBit(vsBit(vector), false);
  }

  /** A level line (VSEIP from the vPLIC): pending while raised. */
  setInterruptLevel(vector: number, level: boolean): void {
    this.setPendingBit(vsBit(vector), level);
  }

  /** The RISC-V boot protocol (SBI HSM hart_start alike): a0 = hart id, a1 = opaque / DTB. */
  setStartArgs(cpuId: bigint, arg: bigint): void {
    this.setGpr(10, BigInt.asUintN(64, cpuId));
    this.setGpr(11, BigInt.asUintN(64, arg));
  }

  injectFault(fault: GuestFault): void {
    const p = this.pendingAccess;
    if (!this.hasPending) throw axErr("BadState", `vCPU ${this.vcpuId} has no access to fault`);
    this.hasPending = false;
    const exit = fault.exit;
    let cause: number;
    switch (exit.kind) {
      case "MmioRead":
        cause = ExceptionCause.LoadAccessFault;
        break;
      case "MmioWrite":
        cause = ExceptionCause.StoreAccessFault;
        break;
      case "NestedPageFault":
        cause = p.isFetch
          ? ExceptionCause.InstructionAccessFault
          : p.isStore
            ? ExceptionCause.StoreAccessFault
            : ExceptionCause.LoadAccessFault;
        break;
      default:
        cause = ExceptionCause.IllegalInstruction;
    }
    this.pc = p.pc;
    this.deliverException(cause, BigInt(p.gva));
  }

  run(): ExitReason {
    const cpu = this.requireBound();
    const hart = cpu.hart;
    this.cancelWake();
    if (this.suspended) this.wakeFromSuspend();
    this.steal.publish(this.vm.memory);
    this.applyRemoteFences(hart);
    if (this.debugStop !== null) return NOTHING;
    if (this.stepping) return this.step(hart);
    let budget = this.slice;
    for (;;) {
      if (!this.inGuest) this.enter(hart);
      const before = hart.instret;
      const why = hart.run(budget);
      // A trip that retires little or nothing (an SBI call whose return faults straight back
      // into it) still costs the slice what a trip into the host costs in time, or such a
      // guest would keep the host hart for ages (or, retiring nothing, forever).
      budget -= Math.max(TRIP_COST, hart.instret - before);
      if (why === "budget") return NOTHING;
      if (why === "wfi") {
        this.armWake();
        return HALT;
      }
      this.inGuest = false;
      const exit = this.handleTrap(hart);
      if (exit) return exit;
      if (budget <= 0) return NOTHING;
    }
  }

  /** The VM mapped a page after this vCPU's access faulted there: HFENCE.GVMA of that page. */
  guestPageMapped(gpa: GuestPhysAddr): void {
    this.bound?.hart.fenceGuestPage?.(gpa);
  }

  // ---- snapshot ------------------------------------------------------------------------

  /**
   * Everything the guest can observe of this vCPU, while it is unbound: GPRs, FPRs and fcsr,
   * the VS CSRs (vsstatus .. vsatp, vstimecmp with Sstc), the pending virtual interrupts
   * (hvip), pc and guest privilege (VS or VU; V=1 is implied: the vCPU always resumes in the
   * guest), an SBI suspend, the SBI timer and the steal-time record. Times are guest times:
   * `guestNow` is the guest's clock at `time.hostTicks`, the timer its stimecmp value.
   * hgatp, henvcfg and hedeleg are not saved: they follow from the VM's page table, VMID,
   * Sstc and debugger, which the restoring host sets up itself. An LR reservation is not
   * saved either: the first bind after a restore drops the hart's, so the guest's next SC
   * fails once, which the architecture allows.
   */
  saveState(time: SnapshotTime): SavedRecord {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId}: saved while bound to a hart`);
    const delta = this.vsGet(Csr.htimedelta);
    const csrs: Record<string, string> = {};
    for (const csr of this.vsNums) {
      if (csr !== Csr.htimedelta) csrs[`0x${csr.toString(16)}`] = savedU64(this.vsGet(csr));
    }
    const resume = this.suspended?.resume ?? null;
    const steal = this.steal.save();
    return {
      gpr: [...this.gpr],
      fpr: [...this.fpr],
      fflags: this.fflags,
      frm: this.frm,
      csrs,
      hvip: savedU64(BigInt(this.hvip)),
      pc: savedU64(BigInt.asUintN(64, BigInt(this.pc))),
      guestVS: this.guestVS,
      sstc: this.sstc,
      guestNow: savedU64(BigInt(Math.floor(time.hostTicks)) + delta),
      timer: this.timer === null ? null : savedU64(this.timerGuestTime),
      wakeArmed: this.wakeTimer !== null,
      suspended:
        this.suspended === null
          ? null
          : {
              resume:
                resume === null
                  ? null
                  : { addr: savedU64(resume.addr), opaque: savedU64(resume.opaque) },
            },
      steal: { shmem: steal.shmem, total: steal.total, unpublished: steal.unpublished },
    };
  }

  loadState(state: SavedRecord, time: SnapshotTime): void {
    if (this.bound) throw axErr("BadState", `vCPU ${this.vcpuId}: restored while bound to a hart`);
    const r = new StateReader(state, `vCPU ${this.vcpuId}`);
    if (r.bool("sstc") !== this.sstc) {
      throw axErr(
        "InvalidData",
        `vCPU ${this.vcpuId}: the snapshot was taken ${this.sstc ? "without" : "with"} Sstc, this host runs guests ${this.sstc ? "with" : "without"} it`,
      );
    }
    const I32 = [-0x8000_0000, 0x7fff_ffff] as const;
    const gpr = r.ints("gpr", 64, ...I32);
    const fpr = r.ints("fpr", 64, ...I32);
    const csrs = r.record("csrs");
    const vs = new Map<number, bigint>();
    for (const csr of this.vsNums) {
      if (csr !== Csr.htimedelta) vs.set(csr, csrs.u64(`0x${csr.toString(16)}`));
    }
    const guestNow = r.u64("guestNow");
    const timer = r.u64OrNull("timer");
    const susp = r.recordOrNull("suspended");
    const resume = susp?.recordOrNull("resume") ?? null;
    const steal = r.record("steal");
    const stealState = {
      shmem: steal.intOrNull("shmem", 0, Number.MAX_SAFE_INTEGER),
      total: steal.amount("total"),
      unpublished: steal.amount("unpublished"),
    };
    const fflags = r.int("fflags", 0, 0x1f);
    const frm = r.int("frm", 0, 7);
    const hvip = r.u64("hvip");
    const pc = r.u64("pc");
    const guestVS = r.bool("guestVS");
    const wakeArmed = r.bool("wakeArmed");
    const resumeAt =
      resume === null ? null : { addr: resume.u64("addr"), opaque: resume.u64("opaque") };

    // Everything is read and checked: from here on nothing can fail half-way.
    this.dispose();
    this.gpr.set(gpr);
    this.fpr.set(fpr);
    this.fflags = fflags;
    this.frm = frm;
    for (const [csr, value] of vs) this.vsSet(csr, value);
    // Guest time continues from guestNow: htimedelta absorbs the host clock's new reading.
    const delta = BigInt.asUintN(64, guestNow - BigInt(Math.floor(time.hostTicks)));
    this.vsSet(Csr.htimedelta, delta);
    this.hvip = Number(hvip & BigInt(VS_IRQS_NUM));
    this.pc = Number(BigInt.asIntN(64, pc));
    this.guestVS = guestVS;
    this.inGuest = false;
    this.returnModeSet = false;
    this.dropReservation = true;
    this.hasPending = false;
    this.suspended = susp === null ? null : { resume: resumeAt };
    this.steal.load(stealState);
    if (timer !== null) {
      // A deadline already due (it was due when saved, the VMM had not fired it yet) is armed
      // all the same: the VMM fires it at its next round, once, as it would have. Due by more
      // than this host's clock has run, it lies before host time 0: armed at 0.
      const deadline = BigInt.asIntN(64, timer - delta);
      if (deadline <= BigInt(Number.MAX_SAFE_INTEGER)) {
        this.armTimer(deadline < 0n ? 0 : Number(deadline), timer);
      }
    }
    if (wakeArmed) this.armWake();
  }

  // ---- debugger ------------------------------------------------------------------------

  /**
   * Debugger mode: breakpoint exceptions (ebreak / c.ebreak) from the guest come to the VMM
   * instead of the guest's handler, and a run can be one instruction. Off, the vCPU costs
   * nothing extra.
   */
  setDebugTrap(on: boolean): void {
    if (this.bound) {
      const hart = this.bound.hart;
      const d = hart.readCsr(Csr.hedeleg);
      hart.writeCsr(Csr.hedeleg, on ? d & ~HEDELEG_BREAKPOINT : d | HEDELEG_BREAKPOINT);
    }
    this.debugTrap = on;
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

  getPc(): bigint {
    return BigInt.asUintN(64, BigInt(this.pc));
  }

  /** Moves the guest's pc (unbound: the debugger writes registers between slices). */
  setPc(value: bigint): void {
    this.pc = Number(BigInt.asIntN(64, value));
  }

  /** FP register `index` as its 64 raw bits. */
  getFpr(index: number): bigint {
    const f = this.bound ? this.bound.hart.f : this.fpr;
    return (BigInt((f[2 * index + 1] ?? 0) >>> 0) << 32n) | BigInt((f[2 * index] ?? 0) >>> 0);
  }

  setFpr(index: number, value: bigint): void {
    if (index < 0 || index > 31) return;
    const f = this.bound ? this.bound.hart.f : this.fpr;
    f[2 * index] = Number(value & U32) | 0;
    f[2 * index + 1] = Number((value >> 32n) & U32) | 0;
  }

  /** fcsr as the guest reads it (frm << 5 | fflags). */
  getFcsr(): number {
    return this.bound
      ? (this.bound.hart.frm << 5) | this.bound.hart.fflags
      : (this.frm << 5) | this.fflags;
  }

  setFcsr(value: number): void {
    if (this.bound) {
      this.bound.hart.fflags = value & 0x1f;
      this.bound.hart.frm = (value >> 5) & 7;
    } else {
      this.fflags = value & 0x1f;
      this.frm = (value >> 5) & 7;
    }
  }

  /**
   * A supervisor CSR as the guest sees it (`sstatus` is the hart's vsstatus under V=1);
   * undefined for a CSR the vCPU does not keep.
   */
  getGuestCsr(csr: number): bigint | undefined {
    const vs = GUEST_CSR_TO_VS.get(csr);
    if (vs !== undefined) return this.readVs(vs);
    if (csr === Csr.sip) {
      const hvip = this.bound ? this.bound.hart.readCsr(Csr.hvip) : BigInt(this.hvip);
      return hvip >> 1n; // VSSIP/VSTIP/VSEIP sit one bit above SSIP/STIP/SEIP
    }
    return undefined;
  }

  setGuestCsr(csr: number, value: bigint): boolean {
    const vs = GUEST_CSR_TO_VS.get(csr);
    if (vs === undefined) return false;
    this.writeVs(vs, value);
    return true;
  }

  /** The guest's privilege: 1 supervisor (VS), 0 user (VU). */
  get guestPrivilege(): number {
    return this.guestVS ? 1 : 0;
  }

  /**
   * A guest-virtual address translated as the guest's next load would (its vsatp); the result
   * is guest-physical, null where the guest would fault.
   */
  translateGuestVirtual(gva: bigint): number | null {
    if (gva > BigInt(Number.MAX_SAFE_INTEGER)) {
      // Upper-half (kernel) addresses: the walk takes them as negative numbers.
      const signed = BigInt.asIntN(64, gva);
      if (signed < BigInt(Number.MIN_SAFE_INTEGER)) return null;
      return translateGuestVirtual(this.vm.memory, this.readVs(Csr.vsatp), Number(signed));
    }
    return translateGuestVirtual(this.vm.memory, this.readVs(Csr.vsatp), Number(gva));
  }

  /** One guest instruction (or the trap it takes), for a debugger's single step. */
  private step(hart: HostHart): ExitReason {
    for (;;) {
      if (!this.inGuest) this.enter(hart);
      const pc = this.pc;
      const before = hart.instret;
      const why = hart.run(1);
      if (why === "wfi") {
        this.debugStop = "step";
        this.armWake();
        return HALT;
      }
      if (why === "budget") {
        this.debugStop = "step";
        return NOTHING;
      }
      this.inGuest = false;
      const exit = this.handleTrap(hart);
      // A G-stage fault the VMM serves (lazy RAM) re-executes the instruction: not a step yet.
      if (this.debugStop === null && (hart.instret !== before || this.pc !== pc)) {
        this.debugStop = "step";
      }
      if (exit) return exit;
      if (this.debugStop !== null) return NOTHING;
    }
  }

  // ---- SbiCaller -----------------------------------------------------------------------

  arg(index: number): bigint {
    return this.getGpr(10 + index);
  }

  setTimer(stimeValue: bigint): void {
    const t = this.host.time;
    if (this.timer !== null) {
      t.cancelTimer(this.timer);
      this.timer = null;
    }
    this.setPendingBit(VsIrq.VSTIP, false);
    const delta = this.readVs(Csr.htimedelta);
    const deadline = BigInt.asUintN(64, stimeValue - delta);
    if (deadline > BigInt(Number.MAX_SAFE_INTEGER)) return; // "never", as Linux asks with -1
    const ticks = Number(deadline);
    if (ticks <= t.currentTicks()) {
      this.setPendingBit(VsIrq.VSTIP, true);
      return;
    }
    this.armTimer(ticks, stimeValue);
  }

  private armTimer(ticks: number, guestTime: bigint): void {
    const t = this.host.time;
    this.timerGuestTime = guestTime;
    this.timer = t.registerTimer(t.ticksToNanos(ticks), () => {
      this.timer = null;
      this.host.vmm.injectInterrupt(this.vmId, this.vcpuId, VsIrq.TIMER);
    });
  }

  clearSoftwareInterrupt(): void {
    this.setPendingBit(VsIrq.VSSIP, false);
  }

  sendSoftwareInterrupt(hartId: number): void {
    const vcpu = this.vm.vcpuOf(hartId);
    if (vcpu === undefined) return;
    if (vcpu === this.vcpuId) this.injectInterrupt(VsIrq.SOFT);
    else this.host.vmm.injectInterrupt(this.vmId, vcpu, VsIrq.SOFT);
  }

  fenceLocal(fence: number): void {
    if (this.bound) this.fence(this.bound.hart, fence);
  }

  readGuestVirtual(gva: bigint, len: number): Uint8Array | null {
    if (gva > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    return readGuestVirtual(this.vm.memory, this.readVs(Csr.vsatp), Number(gva), len);
  }

  /** The VMM's scheduler kept this runnable vCPU waiting for a host hart for `nanos`. */
  addStealTime(nanos: number): void {
    this.steal.add(nanos);
  }

  /** Cancels the vCPU's host timer (VM stop or restart). */
  dispose(): void {
    if (this.timer !== null) this.host.time.cancelTimer(this.timer);
    this.timer = null;
    this.cancelWake();
  }

  // ---- internals -----------------------------------------------------------------------

  /**
   * A halted Sstc guest is woken when its vstimecmp comes due: the hart raises VSTIP from the
   * comparison itself, so the VMM only has to run the vCPU again (injecting VSTIP through hvip
   * would latch an interrupt the guest cannot clear by writing stimecmp).
   */
  private armWake(): void {
    if (!this.sstc) return;
    // A timer the guest masked (vsie.STIE clear) cannot end its WFI. Linux clears STIE in its
    // timer interrupt and leaves the expired stimecmp in place while an idle CPU wants no
    // tick: a wake-up armed for that deadline would fire at once, and again at every WFI, so
    // the idle vCPU would spin through the host instead of sleeping.
    if ((this.readVs(Csr.vsie) & VSIE_STIE) === 0n) return;
    const t = this.host.time;
    const deadline = BigInt.asUintN(64, this.readVs(Csr.vstimecmp) - this.readVs(Csr.htimedelta));
    if (deadline > BigInt(Number.MAX_SAFE_INTEGER)) return;
    this.wakeTimer = t.registerTimer(t.ticksToNanos(Number(deadline)), () => {
      this.wakeTimer = null;
      this.host.vmm.notifyVcpuTimerExpired(this.vmId, this.vcpuId);
    });
  }

  /**
   * The hart runs again after an SBI suspend. Retentive: the ecall already returned SUCCESS.
   * Non-retentive: it restarts at resume_addr as SBI requires: a0 = hartid, a1 = opaque,
   * VS-mode, vsatp = 0 (MMU off), vsstatus.SIE = 0.
   */
  private wakeFromSuspend(): void {
    const resume = this.suspended?.resume ?? null;
    this.suspended = null;
    this.vm.setHsmState(this.hartId, HsmState.Started);
    if (resume === null) return;
    this.pc = Number(BigInt.asIntN(64, resume.addr));
    this.setGpr(10, BigInt(this.hartId));
    this.setGpr(11, resume.opaque);
    this.guestVS = true;
    this.returnModeSet = false;
    this.writeVs(Csr.vsatp, 0n);
    this.writeVs(Csr.vsstatus, this.readVs(Csr.vsstatus) & ~Status.SIE);
    // The guest's translations are gone with vsatp; drop what the hart cached of them.
    if (this.bound) this.fence(this.bound.hart, PendingFence.VvmaAll);
  }

  /** Whether a VS-level interrupt the guest enabled in vsie is pending (SIE aside). */
  private wakeUpPending(): boolean {
    const hart = this.bound?.hart;
    if (hart === undefined) return false;
    return (hart.readCsr(Csr.hip) & hart.readCsr(Csr.hie) & VS_WAKE_IRQS) !== 0n;
  }

  private cancelWake(): void {
    if (this.wakeTimer !== null) this.host.time.cancelTimer(this.wakeTimer);
    this.wakeTimer = null;
  }

  private requireBound(): RiscvPhysCpu {
    if (!this.bound) throw axErr("BadState", `vCPU ${this.vcpuId} of VM ${this.vmId} is not bound`);
    return this.bound;
  }

  private readVs(csr: number): bigint {
    return this.bound ? this.bound.hart.readCsr(csr) : this.vsGet(csr);
  }

  private writeVs(csr: number, value: bigint): void {
    if (this.bound) this.bound.hart.writeCsr(csr, value);
    else this.vsSet(csr, value);
  }

  /** The unbound value of a kept VS CSR (0 for one this vCPU does not keep). */
  private vsGet(csr: number): bigint {
    const i = this.vsNums.indexOf(csr);
    if (i < 0) return 0n;
    return (BigInt(this.vsWords[2 * i + 1]! >>> 0) << 32n) | BigInt(this.vsWords[2 * i]! >>> 0);
  }

  /** Sets the unbound value of a kept VS CSR (a CSR this vCPU does not keep is ignored). */
  private vsSet(csr: number, value: bigint): void {
    const i = this.vsNums.indexOf(csr);
    if (i < 0) return;
    this.vsWords[2 * i] = Number(value & U32) | 0;
    this.vsWords[2 * i + 1] = Number((value >> 32n) & U32) | 0;
  }

  private setPendingBit(bit: bigint, on: boolean): void {
    if (this.bound) {
      const hart = this.bound.hart;
      const v = hart.readCsr(Csr.hvip);
      hart.writeCsr(Csr.hvip, on ? v | bit : v & ~bit);
    } else {
      const b = Number(bit);
      this.hvip = on ? this.hvip | b : this.hvip & ~b;
    }
  }

  /** `sret` into the guest at `this.pc` with the guest's privilege. */
  private enter(hart: HostHart): void {
    const pc = this.pc;
    hart.writeCsrWords(Csr.sepc, pc | 0, Math.floor(pc / 4294967296) | 0);
    if (!this.returnModeSet) {
      // Number-typed (both bits sit in the low words): no BigInt on the way into the guest.
      hart.readCsrNum(Csr.sstatus);
      const ss = hart.csrLo;
      hart.writeCsrWords(
        Csr.sstatus,
        this.guestVS ? ss | SSTATUS_SPP_NUM : ss & ~SSTATUS_SPP_NUM,
        hart.csrHi,
      );
      hart.readCsrNum(Csr.hstatus);
      const hs = hart.csrLo | HSTATUS_SPV_NUM;
      hart.writeCsrWords(
        Csr.hstatus,
        this.guestVS ? hs | HSTATUS_SPVP_NUM : hs & ~HSTATUS_SPVP_NUM,
        hart.csrHi,
      );
    }
    hart.enterGuest();
    this.inGuest = true;
    this.returnModeSet = false;
  }

  /**
   * Takes the hart out of the guest between instructions so the vCPU can be unbound mid-slice.
   * Like a hypervisor on silicon, it preempts the guest with a host interrupt: the host's own
   * supervisor software interrupt (never delegated to VS) is made pending and enabled, so the
   * hart traps into HS-mode before the guest's next instruction.
   */
  private leaveGuest(hart: HostHart): void {
    // sie and sip are 32-bit wide in practice (interrupt bits below 32): number-typed access.
    hart.readCsrNum(Csr.sie);
    const sie = hart.csrLo;
    hart.readCsrNum(Csr.sip);
    const sip = hart.csrLo;
    hart.writeCsrWords(Csr.sie, sie | HOST_SSI, 0);
    hart.writeCsrWords(Csr.sip, sip | HOST_SSI, 0);
    const why = hart.run(1);
    hart.writeCsrWords(Csr.sip, sip & ~HOST_SSI, 0);
    hart.writeCsrWords(Csr.sie, sie, 0);
    if (why !== "host-trap") {
      throw axErr("BadState", `vCPU ${this.vcpuId}: the hart did not leave the guest (${why})`);
    }
    this.inGuest = false;
    const exit = this.handleTrap(hart);
    if (exit && exit.kind !== "Nothing") {
      // An exception raced the preemption (it cannot: interrupts are taken first); keep the
      // guest consistent rather than losing the exit.
      throw axErr("BadState", `vCPU ${this.vcpuId}: unexpected ${exit.kind} while preempting`);
    }
  }

  private applyRemoteFences(hart: HostHart): void {
    const f = this.vm.takeFences(this.hartId);
    if (f !== PendingFence.None) this.fence(hart, f);
  }

  private fence(hart: HostHart, fence: number): void {
    if (fence & PendingFence.VvmaAll) hart.flushTlb();
    if (fence & PendingFence.FenceI) hart.fenceI?.();
  }

  /** Maps one trap into HS-mode to an exit, or handles it and returns null. */
  private handleTrap(hart: HostHart): ExitReason | null {
    // Number-typed CSR reads: no BigInt on the world switch.
    const interrupt = hart.readCsrNum(Csr.scause) < 0;
    const code = hart.csrLo & 0xff;
    this.pc = hart.readCsrNum(Csr.sepc);
    this.guestVS = (hart.readCsrNum(Csr.hstatus) & HSTATUS_SPVP) !== 0;
    this.returnModeSet = true;
    if (interrupt) return this.handleHostInterrupt(code);
    switch (code) {
      case ExceptionCause.EcallVS:
        return this.handleEcall();
      case ExceptionCause.Breakpoint:
        // Only reaches HS-mode while a debugger holds hedeleg bit 3 clear.
        if (this.debugTrap) {
          this.debugStop = "breakpoint";
          return NOTHING;
        }
        this.deliverException(code, hart.readCsr(Csr.stval));
        return null;
      case ExceptionCause.LoadGuestPageFault:
      case ExceptionCause.StoreGuestPageFault:
        return this.handleGuestPageFault(hart, code === ExceptionCause.StoreGuestPageFault);
      case ExceptionCause.InstructionGuestPageFault: {
        const addr = faultGpa(hart);
        this.notePending(hart.readCsrNum(Csr.stval), false, true);
        if (this.beyondGStage(addr)) return this.unmappable(ExceptionCause.InstructionAccessFault);
        return { kind: "NestedPageFault", addr: gpa(addr), accessFlags: MappingFlags.EXECUTE };
      }
      case ExceptionCause.VirtualInstruction:
        // The guest ran an instruction its privilege does not allow under virtualization
        // (an H instruction, or an hypervisor CSR): on a machine without H it would be illegal.
        this.deliverException(ExceptionCause.IllegalInstruction, hart.readCsr(Csr.stval));
        return null;
      default:
        // Anything else the delegation setup let through belongs to the guest.
        this.deliverException(code, hart.readCsr(Csr.stval));
        return null;
    }
  }

  private handleHostInterrupt(code: number): ExitReason {
    if (code === HostIrq.EXTERNAL || code === HostIrq.GUEST_EXTERNAL) {
      return { kind: "ExternalInterrupt", vector: code };
    }
    return NOTHING;
  }

  private handleEcall(): ExitReason | null {
    const out = dispatchSbi(this);
    switch (out.kind) {
      case "ret":
        this.setGpr(10, BigInt.asUintN(64, BigInt(out.error)));
        this.setGpr(11, out.value);
        this.pc += 4;
        return null;
      case "legacy":
        this.setGpr(10, out.value);
        this.pc += 4;
        return null;
      case "suspend":
        this.setGpr(10, 0n);
        this.pc += 4;
        this.suspended = { resume: out.resume ?? null };
        this.vm.setHsmState(this.hartId, HsmState.Suspended);
        // An interrupt that would wake the hart may already be pending (its timer came due
        // between the guest arming it and this call, e.g. across a slice end): nothing would
        // come later to wake a halted vCPU, so it resumes at once, as WFI does not stop then.
        if (this.wakeUpPending()) {
          this.wakeFromSuspend();
          return null;
        }
        this.armWake();
        return HALT;
      case "exit":
        if (out.error !== undefined) {
          this.setGpr(10, BigInt.asUintN(64, BigInt(out.error)));
          this.setGpr(11, out.value ?? 0n);
          this.pc += 4;
        } else if (out.exit.kind === "Hypercall") {
          this.pc += 4; // the VMM writes a0 through setReturnValue
        }
        return out.exit;
    }
  }

  private handleGuestPageFault(hart: HostHart, isStore: boolean): ExitReason {
    const addr = faultGpa(hart);
    const htinst = hart.readCsrNum(Csr.htinst) >>> 0;
    this.notePending(hart.readCsrNum(Csr.stval), isStore, false);
    if (this.beyondGStage(addr)) {
      return this.unmappable(
        isStore ? ExceptionCause.StoreAccessFault : ExceptionCause.LoadAccessFault,
      );
    }
    if (htinst === PSEUDO_PT_READ || htinst === PSEUDO_PT_WRITE) {
      // The guest's own page table lives in memory the G-stage does not map.
      return {
        kind: "NestedPageFault",
        addr: gpa(addr),
        accessFlags: htinst === PSEUDO_PT_WRITE ? MappingFlags.WRITE : MappingFlags.READ,
      };
    }
    let access = packHtinst(htinst);
    if (access === NO_ACCESS) access = this.fetchAndDecode();
    if (access === NO_ACCESS || packedIsStore(access) !== isStore) {
      return {
        kind: "NestedPageFault",
        addr: gpa(addr),
        accessFlags: isStore ? MappingFlags.WRITE : MappingFlags.READ,
      };
    }
    return this.mmioExit(addr, access);
  }

  /**
   * True when a faulting GPA lies above the G-stage width (41 bits for Sv39x4, 50 for Sv48x4):
   * no address space can map it, and it may not even be a safe integer (with vsatp bare a
   * negative virtual address is a 64-bit GPA).
   */
  private beyondGStage(addr: number): boolean {
    return !(addr < (this.gstageMode === HgatpMode.Sv48x4 ? 2 ** 50 : 2 ** 41));
  }

  /**
   * A guest access to an address above the G-stage width ends exactly as one to an unmapped
   * address does once the VMM finds nothing there: the guest takes the access fault. The vCPU
   * decides it itself because such an address has no GuestPhysAddr to report.
   */
  private unmappable(cause: number): ExitReason {
    if (this.hasPending) {
      this.hasPending = false;
      this.pc = this.pendingAccess.pc;
      this.deliverException(cause, BigInt(this.pendingAccess.gva));
    }
    return NOTHING;
  }

  /** Records the access of the exit being made (at this.pc) for a later `injectFault`. */
  private notePending(gva: number, isStore: boolean, isFetch: boolean): void {
    const p = this.pendingAccess;
    p.pc = this.pc;
    p.gva = gva;
    p.isStore = isStore;
    p.isFetch = isFetch;
    this.hasPending = true;
  }

  /** The packed access of the instruction at pc, read from guest memory; or NO_ACCESS. */
  private fetchAndDecode(): number {
    const pc = BigInt.asUintN(64, BigInt(this.pc));
    const bytes = this.readGuestVirtual(pc, 4) ?? this.readGuestVirtual(pc, 2);
    if (!bytes) return NO_ACCESS;
    let insn = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8);
    if (bytes.length === 4) insn |= ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24);
    return packFetched(insn >>> 0);
  }

  /** Fills the vCPU's reused MMIO exit record from a packed access (see mmio-decode.ts). */
  private mmioExit(addr: number, a: number): ExitReason {
    this.pc += packedLength(a);
    if (packedIsStore(a)) {
      const w = this.mmioWrite;
      w.addr = gpa(addr);
      w.width = packedWidth(a);
      w.data = this.storeData(packedReg(a), w.width);
      return w;
    }
    const r = this.mmioRead;
    r.addr = gpa(addr);
    r.width = packedWidth(a);
    r.reg = packedReg(a);
    r.signExtend = packedSignExtend(a);
    return r;
  }

  /** The bytes an MMIO store writes: narrow ones straight from the low register word. */
  private storeData(reg: number, width: AccessWidth): bigint {
    const regs = this.bound ? this.bound.hart.x : this.gpr;
    const lo = regs[2 * reg] ?? 0;
    switch (width) {
      case AccessWidth.Byte:
        return BYTE_VALUES[lo & 0xff]!;
      case AccessWidth.Word:
        return BigInt(lo & 0xffff);
      case AccessWidth.Dword:
        return BigInt(lo >>> 0);
      default:
        return maskToWidth(this.getGpr(reg), width);
    }
  }

  /**
   * Delivers a synchronous exception to the guest's VS-mode handler, exactly as the hart would
   * had it been delegated: vsepc/vscause/vstval, vsstatus SPP/SPIE/SIE, then vstvec.
   */
  private deliverException(cause: number, tval: bigint): void {
    let vs = this.readVs(Csr.vsstatus);
    vs = this.guestVS ? vs | Status.SPP : vs & ~Status.SPP;
    vs = (vs & Status.SIE) !== 0n ? vs | Status.SPIE : vs & ~Status.SPIE;
    vs &= ~Status.SIE;
    this.writeVs(Csr.vsstatus, vs);
    this.writeVs(Csr.vsepc, BigInt(this.pc));
    this.writeVs(Csr.vscause, BigInt(cause));
    this.writeVs(Csr.vstval, tval);
    this.pc = Number(BigInt.asIntN(64, this.readVs(Csr.vstvec) & ~3n));
    if (!this.guestVS) this.returnModeSet = false;
    this.guestVS = true;
  }
}

const NOTHING: ExitReason = { kind: "Nothing" };
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** Every byte as a bigint: a byte store's data (UART output, say) allocates nothing. */
const BYTE_VALUES: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));
/** hedeleg bit of the breakpoint exception. */
const HEDELEG_BREAKPOINT = 1n << 3n;
/** The supervisor CSRs a guest reads, and the VS CSR that holds each under virtualization. */
const GUEST_CSR_TO_VS = new Map<number, number>([
  [Csr.sstatus, Csr.vsstatus],
  [Csr.sie, Csr.vsie],
  [Csr.stvec, Csr.vstvec],
  [Csr.sscratch, Csr.vsscratch],
  [Csr.sepc, Csr.vsepc],
  [Csr.scause, Csr.vscause],
  [Csr.stval, Csr.vstval],
  [Csr.satp, Csr.vsatp],
]);
/** Instructions a trip into the guest and back costs its slice at least (a trap's worth). */
const TRIP_COST = 64;
/** sip/sie bit of the supervisor software interrupt (the host's IPI). */
const HOST_SSI = 1 << 1;
const HALT: ExitReason = { kind: "Halt" };
/** hstatus.SPVP as a number (the trap path reads hstatus without BigInt). */
const HSTATUS_SPVP = Number(HStatus.SPVP);

function vsBit(vector: number): bigint {
  switch (vector) {
    case VsIrq.SOFT:
      return VsIrq.VSSIP;
    case VsIrq.TIMER:
      return VsIrq.VSTIP;
    case VsIrq.EXTERNAL:
      return VsIrq.VSEIP;
    default:
      throw axErr("InvalidInput", `RISC-V guests take interrupts 1, 5 and 9, not ${vector}`);
  }
}

/** The guest-physical address of a guest-page fault: htval holds it shifted right by 2. */
function faultGpa(hart: HostHart): number {
  return hart.readCsrNum(Csr.htval) * 4 + (hart.readCsrNum(Csr.stval) & 3);
}
