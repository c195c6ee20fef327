import { AddrSpace } from "@axvisor/axaddrspace";
import { AxVmDevices, type DeviceFactories } from "@axvisor/axdevice";
import type { DeviceAccess } from "@axvisor/axdevice-base";
import { AxError, type AxResult, axErr, ok, unwrap } from "@axvisor/axerrno";
import {
  type AccessExit,
  CurrentVCpu,
  type ExitKind,
  type ExitReason,
  formatExitReason,
  type GuestFault,
  VCpu,
  VCpuState,
  vcpuStateName,
} from "@axvisor/axvcpu";
import { type HostServices, type Logger, logger } from "@axvisor/axvisor-api";
import { type AxVMCrateConfig, VmMemMappingType } from "@axvisor/axvmconfig";
import {
  AccessWidth,
  formatGpa,
  formatHex,
  type GuestPhysAddr,
  gpa,
  type HostPhysAddr,
  MappingFlags,
  maskToWidth,
  PAGE_SIZE_2M,
  PAGE_SIZE_4K,
} from "@axvisor/memory-addr";
import { formatInfo, type PageTableFormat } from "@axvisor/page-table";
import type { ArchBackend, VCpuPlacement } from "./arch-backend.js";
import { bigIntToBytes, bytesToBigInt, loadResult } from "./load-result.js";
import { planPassthrough } from "./passthrough-plan.js";
import type { GuestMemory, VmDeviceContext } from "./vm-device-context.js";
import { checkVmTransition, type VMOperation, VMStatus } from "./vm-status.js";

/** What the VM did about a guest access nothing could serve. */
export type GuestFaultAction =
  /** The backend raised the architecture's fault inside the guest. */
  | "injected"
  /** No fault hook: the load completed with zero (RAZ). */
  | "read-as-zero"
  /** No fault hook: the store was dropped (WI). */
  | "write-ignored"
  /** No fault hook and nothing to complete (a stray nested page fault): the exit goes to the VMM. */
  | "returned";

export interface GuestFaultEvent {
  readonly vmId: number;
  readonly vcpuId: number;
  readonly fault: GuestFault;
  readonly action: GuestFaultAction;
}

export interface AxVMDeps<CreateConfig, SetupConfig> {
  readonly host: HostServices;
  readonly arch: ArchBackend<CreateConfig, SetupConfig>;
  /** Device models by emulated-device type; rows of other types are a config error. */
  readonly deviceFactories?: DeviceFactories<VmDeviceContext>;
  /** Overrides `arch.pageTableFormat` (e.g. Sv48x4 instead of Sv39x4); must be the same arch. */
  readonly pageTableFormat?: PageTableFormat;
  /**
   * Allocate every frame of `map_type = 0` regions up front. Default false: a page gets its
   * frame on first touch (nested page fault or emulated access), so a large guest costs only
   * what it uses.
   */
  readonly populateMemory?: boolean;
  /** Told about every guest access nothing could serve (after the VM handled it). */
  readonly onGuestFault?: (event: GuestFaultEvent) => void;
  /**
   * Exits `runVcpu` serves before it returns `{ kind: "Nothing" }` anyway, so a guest polling
   * a device register cannot starve the rest of a single-threaded VMM (default 1024).
   */
  readonly exitBudget?: number;
  /**
   * Told about every exit the vCPU produced in `runVcpu`, for the VMM's statistics: the host
   * milliseconds serving it took here (0 when it goes back to the caller unserved), and the
   * round trip since the previous exit was served (guest time, the trap, the exit's decoding
   * and serving: for an exit-bound guest, the cost of one exit). Absent: no timing cost.
   */
  readonly onExit?: (
    vcpuId: number,
    kind: ExitKind,
    serveMs: number,
    roundTripMs: number,
    served: boolean,
  ) => void;
}

/** One guest memory region as mapped. */
export interface VmMemoryRegion {
  /** Where the guest sees it (for identical regions: the host address that was allocated). */
  readonly gpa: GuestPhysAddr;
  readonly size: number;
  readonly flags: MappingFlags;
  readonly mapType: VmMemMappingType;
  /** The address the config asked for. */
  readonly configuredGpa: number;
  /** Host frames the VM allocated for an identical region (freed with the VM), else null. */
  readonly hostFrames: HostPhysAddr | null;
}

/** Guest addresses of the boot images, after identical-region relocation. */
export interface ImageLayout {
  readonly entryPoint: GuestPhysAddr;
  readonly kernelLoadGpa: GuestPhysAddr;
  readonly biosLoadGpa?: GuestPhysAddr;
  readonly dtbLoadGpa?: GuestPhysAddr;
  readonly ramdiskLoadGpa?: GuestPhysAddr;
}

export interface RunVcpuOptions {
  /** The physical CPU to bind to (default: one CPU object owned by this VM). */
  readonly cpu?: CurrentVCpu;
}

const NOTHING: ExitReason = { kind: "Nothing" };
const PASSTHROUGH_FLAGS =
  MappingFlags.DEVICE | MappingFlags.READ | MappingFlags.WRITE | MappingFlags.USER;
/** x86 `in` lands in al/ax/eax: GPR 0 in the x86 backend's numbering. */
const IO_RESULT_GPR = 0;

/**
 * One virtual machine (AxVisor's `AxVM`): a guest address space, its vCPUs and emulated
 * devices, built from an `AxVMCrateConfig`.
 *
 * `runVcpu` runs a vCPU and serves, without returning, every exit that is the VM's business:
 * MMIO, port and system-register accesses (through `AxVmDevices`, with width masking and sign
 * extension applied to the destination register) and nested page faults of lazily allocated
 * memory. A guest access that nothing serves never becomes a host error; see `GuestFaultAction`.
 * Every other exit is returned to the VMM.
 */
export class AxVM<CreateConfig = unknown, SetupConfig = unknown> {
  readonly id: number;
  readonly name: string;
  readonly config: AxVMCrateConfig;
  readonly pageTableFormat: PageTableFormat;
  readonly devices: AxVmDevices;

  readonly #host: HostServices;
  readonly #arch: ArchBackend<CreateConfig, SetupConfig>;
  readonly #deps: AxVMDeps<CreateConfig, SetupConfig>;
  readonly #log: Logger;
  readonly #defaultCpu = new CurrentVCpu(0);
  readonly #exitBudget: number;

  #status = VMStatus.Loading;
  #space: AddrSpace | null = null;
  #regions: VmMemoryRegion[] = [];
  #layout: ImageLayout | null = null;
  #vcpus: VCpu<CreateConfig, SetupConfig>[] = [];
  /** vCPUs inside `runVcpu` right now. */
  readonly #inRun = new Set<number>();
  /** vCPUs parked by `haltVcpu` until an interrupt arrives. */
  readonly #halted = new Set<number>();
  #guestFaults = 0;

  private constructor(config: AxVMCrateConfig, deps: AxVMDeps<CreateConfig, SetupConfig>) {
    this.id = config.base.id;
    this.name = config.base.name;
    this.config = config;
    this.#host = deps.host;
    this.#arch = deps.arch;
    this.#deps = deps;
    this.#log = logger(deps.host.log, "axvm");
    this.#exitBudget = deps.exitBudget ?? 1024;
    this.pageTableFormat = deps.pageTableFormat ?? deps.arch.pageTableFormat;
    this.devices = new AxVmDevices();
  }

  /**
   * Builds the VM: address space (memory regions, passthrough windows), emulated devices and
   * set-up vCPUs. Status Loading: the VMM loads images, then calls `markLoaded` and `boot`.
   * A config the VM cannot realise throws an AxError naming the offending entry, with every
   * host frame already taken given back.
   */
  static create<C, S>(config: AxVMCrateConfig, deps: AxVMDeps<C, S>): AxVM<C, S> {
    const vm = new AxVM(config, deps);
    const info = formatInfo(vm.pageTableFormat);
    if (info.arch !== deps.arch.arch) {
      throw axErr(
        "InvalidInput",
        `${vm.label}: page-table format ${vm.pageTableFormat} is for ${info.arch}, the backend is ${deps.arch.arch}`,
      );
    }
    if (!Number.isSafeInteger(config.base.cpuNum) || config.base.cpuNum < 1) {
      throw axErr(
        "InvalidInput",
        `${vm.label}: cpu_num must be at least 1, got ${config.base.cpuNum}`,
      );
    }
    try {
      vm.#buildMemory();
      for (const cfg of config.devices.emuDevices) {
        vm.devices.addFromConfig(cfg, deps.deviceFactories ?? {}, vm.#deviceContext());
      }
      vm.#checkDevicesClearOfMemory();
      vm.#buildVcpus();
    } catch (e) {
      vm.#releaseMemory();
      if (e instanceof AxError) {
        throw new AxError(e.kind, `${vm.label}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    vm.#log.info(
      `${vm.label}: created with ${config.base.cpuNum} vCPU(s), ${vm.#regions.length} memory region(s), ` +
        `${vm.devices.mmio.size} MMIO device(s), ${vm.pageTableFormat} nested paging`,
    );
    return vm;
  }

  get status(): VMStatus {
    return this.#status;
  }

  /** `VM 1 "linux"`, for messages. */
  get label(): string {
    return `VM ${this.id} "${this.name}"`;
  }

  get vcpuNum(): number {
    return this.#vcpus.length;
  }

  get vcpus(): readonly VCpu<CreateConfig, SetupConfig>[] {
    return this.#vcpus;
  }

  vcpu(vcpuId: number): VCpu<CreateConfig, SetupConfig> {
    const v = this.#vcpus[vcpuId];
    if (v === undefined) {
      throw axErr("NotFound", `${this.label} has no vCPU ${vcpuId} (it has ${this.#vcpus.length})`);
    }
    return v;
  }

  /** The vCPU the guest calls `physId` (hart id / MPIDR / APIC id), as `CpuUp` names it. */
  vcpuIdForPhysCpu(physId: number | bigint): number | undefined {
    const ids = this.config.base.physCpuIds;
    for (let i = 0; i < this.#vcpus.length; i++) {
      if (BigInt(ids?.[i] ?? i) === BigInt(physId)) return i;
    }
    return undefined;
  }

  get addrSpace(): AddrSpace {
    if (this.#space === null) throw axErr("BadState", `${this.label} has no address space`);
    return this.#space;
  }

  /** Root of the nested page table every vCPU of this VM uses. */
  eptRoot(): HostPhysAddr {
    return this.addrSpace.pageTableRoot();
  }

  memoryRegions(): readonly VmMemoryRegion[] {
    return this.#regions;
  }

  get imageLayout(): ImageLayout {
    if (this.#layout === null) throw axErr("BadState", `${this.label} has no memory layout`);
    return this.#layout;
  }

  /** Guest accesses that nothing could serve, since creation. */
  get guestFaultCount(): number {
    return this.#guestFaults;
  }

  isHalted(vcpuId: number): boolean {
    return this.#halted.has(vcpuId);
  }

  // --- lifecycle -----------------------------------------------------------------------

  /** Loading -> Loaded: images are in guest memory. */
  markLoaded(): void {
    this.#go("markLoaded");
  }

  /** Loaded -> Running. */
  boot(): void {
    this.#go("boot");
  }

  /**
   * Running -> Suspended: every vCPU is blocked (a vCPU inside `runVcpu` returns at its next
   * exit and is blocked then). Memory, devices and vCPU state are kept for `resume`.
   */
  suspend(): void {
    this.#go("suspend");
    for (const v of this.#vcpus) {
      if (!this.#inRun.has(v.vcpuId)) this.#parkForSuspend(v);
    }
  }

  /** Suspended -> Running: unblocks every vCPU that is not halted waiting for an interrupt. */
  resume(): void {
    this.#go("resume");
    for (const v of this.#vcpus) {
      if (v.isBlocked() && !this.#halted.has(v.vcpuId)) v.unblock();
    }
  }

  /**
   * -> Stopping, and -> Stopped as soon as no vCPU is inside `runVcpu` (at once when called
   * from outside the run loop; otherwise when the last running vCPU returns).
   */
  shutdown(): void {
    this.#go("shutdown");
    if (this.#inRun.size === 0) this.#go("stopped");
  }

  /**
   * Running/Suspended/Stopped -> Running with a fresh machine: guest memory is released and
   * rebuilt from the config (so it reads as zero), every device is reset, vCPUs are recreated
   * and set up again. `reload` runs while the VM is Loading, to put the images back.
   */
  restart(reload?: (vm: AxVM<CreateConfig, SetupConfig>) => void): void {
    checkVmTransition(this.label, "restart", this.#status);
    if (this.#inRun.size > 0) {
      throw axErr(
        "BadState",
        `${this.label}: cannot restart while vCPU(s) ${[...this.#inRun].join(", ")} are running`,
      );
    }
    this.#log.debug(`${this.label}: restart: ${this.#status} -> ${VMStatus.Loading}`);
    this.#status = VMStatus.Loading;
    this.#vcpus = [];
    this.#halted.clear();
    this.#releaseMemory();
    this.#buildMemory();
    this.devices.reset();
    this.#buildVcpus();
    reload?.(this);
    this.#go("markLoaded");
    this.#go("boot");
    this.#log.info(`${this.label}: restarted`);
  }

  /** Releases guest memory and the page table. Only once Stopped. */
  destroy(): void {
    if (this.#status !== VMStatus.Stopped) {
      throw axErr(
        "BadState",
        `${this.label}: cannot destroy while ${this.#status} (shut it down first)`,
      );
    }
    this.#vcpus = [];
    this.#releaseMemory();
  }

  // --- vCPU scheduling support ------------------------------------------------------------

  /**
   * Parks a vCPU until an interrupt is injected into it (the VMM's answer to a `Halt` exit).
   * A halted vCPU cannot run.
   */
  haltVcpu(vcpuId: number): void {
    const v = this.vcpu(vcpuId);
    this.#halted.add(vcpuId);
    if (!v.isBlocked()) v.block();
  }

  /**
   * Queues virtual interrupt `vector` on each target vCPU — one id, or a mask with bit i for
   * vCPU i — and wakes targets halted waiting for it (they stay parked while the VM is
   * suspended and run again on `resume`). Everything runs on the caller's thread, so targets
   * "on other physical CPUs" need no cross-CPU call (AxVisor's §11.20 gap).
   */
  injectInterruptToVcpu(targets: number | bigint, vector: number): void {
    const ids: number[] = [];
    if (typeof targets === "number") {
      ids.push(targets);
    } else {
      if (targets < 0n || targets >> BigInt(this.#vcpus.length) !== 0n) {
        throw axErr(
          "InvalidInput",
          `${this.label}: vCPU mask 0x${targets.toString(16)} names vCPUs it does not have`,
        );
      }
      for (let i = 0; i < this.#vcpus.length; i++) if ((targets >> BigInt(i)) & 1n) ids.push(i);
    }
    for (const id of ids) {
      this.vcpu(id).injectInterrupt(vector);
      this.wakeVcpu(id);
    }
  }

  /**
   * Ends the halt of a vCPU without injecting anything, so it runs again and looks at its
   * interrupts itself: a level line was raised, its own timer came due (riscv Sstc, the ARM
   * generic timer), console input arrived for a guest polling in WFI. A vCPU of a suspended
   * VM stays parked until `resume`. No effect on a vCPU that is not halted.
   */
  wakeVcpu(vcpuId: number): void {
    const v = this.vcpu(vcpuId);
    if (this.#halted.delete(vcpuId) && v.isBlocked() && this.#status !== VMStatus.Suspended) {
      v.unblock();
    }
  }

  /**
   * Runs vCPU `vcpuId` until an exit the VMM must handle: binds it, loops on `run()` serving
   * device and memory exits, unbinds it. Returns `{ kind: "Nothing" }` early when a device
   * handler suspended or stopped the VM, or after `exitBudget` served exits.
   *
   * Throws AxError BadState when the VM is not Running or the vCPU cannot run (halted,
   * suspended, invalid); a backend failure puts the vCPU into Invalid and propagates.
   */
  runVcpu(vcpuId: number, options: RunVcpuOptions = {}): ExitReason {
    const vcpu = this.vcpu(vcpuId);
    if (this.#status !== VMStatus.Running) {
      throw axErr("BadState", `${this.label} is ${this.#status}: cannot run vCPU ${vcpuId}`);
    }
    if (vcpu.state !== VCpuState.Free) {
      const why = this.#halted.has(vcpuId) ? " (halted, waiting for an interrupt)" : "";
      throw axErr(
        "BadState",
        `${this.label}: vCPU ${vcpuId} is ${vcpuStateName(vcpu.state)}${why} and cannot run`,
      );
    }
    vcpu.bind(options.cpu ?? this.#defaultCpu);
    this.#inRun.add(vcpuId);
    try {
      const observe = this.#deps.onExit;
      let last = observe === undefined ? 0 : performance.now();
      for (let served = 1; ; served++) {
        const exit = vcpu.run();
        if (observe === undefined) {
          if (!this.#serve(vcpu, exit)) return exit;
        } else {
          const t = performance.now();
          const ok = this.#serve(vcpu, exit);
          const end = performance.now();
          observe(vcpuId, exit.kind, ok ? end - t : 0, (ok ? end : t) - last, ok);
          last = end;
          if (!ok) return exit;
        }
        if (this.#status !== VMStatus.Running || served >= this.#exitBudget) return NOTHING;
      }
    } finally {
      this.#leaveRun(vcpu);
    }
  }

  /** Unbinds after a run and applies what happened to the VM meanwhile. */
  #leaveRun(vcpu: VCpu<CreateConfig, SetupConfig>): void {
    if (vcpu.state === VCpuState.Ready) vcpu.unbind();
    this.#inRun.delete(vcpu.vcpuId);
    if (this.#status === VMStatus.Suspended) this.#parkForSuspend(vcpu);
    if (this.#status === VMStatus.Stopping && this.#inRun.size === 0) this.#go("stopped");
  }

  // --- guest memory ---------------------------------------------------------------------

  /** Copies guest memory (lazy pages it touches get frames); BadAddress outside guest memory. */
  readGuest(at: number, len: number): AxResult<Uint8Array> {
    return this.addrSpace.read(at, len);
  }

  writeGuest(at: number, data: Uint8Array): AxResult<void> {
    return this.addrSpace.write(at, data);
  }

  /**
   * Host views of guest memory `[at, at + size)` for loading an image in place (AxVisor's
   * `get_image_load_region`): one view per host-contiguous piece, in guest order. Pages of
   * lazily allocated memory get their frames. Throws AxError BadAddress naming the first
   * guest address that is not memory.
   */
  imageLoadRegion(at: number, size: number): Uint8Array[] {
    const space = this.addrSpace;
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(size) || at < 0 || size < 0) {
      throw axErr("InvalidInput", `${this.label}: image region ${at}+${size} is not a valid span`);
    }
    const pieces: { hpa: number; len: number }[] = [];
    for (let cur = at; cur < at + size; ) {
      let t = space.translateAndGetLimit(cur);
      // No particular access is being made: 0 asks only that a lazy page be given a frame.
      if (t === null && space.handlePageFault(cur, 0)) t = space.translateAndGetLimit(cur);
      if (t === null) {
        throw axErr(
          "BadAddress",
          `${this.label}: image region [${formatGpa(gpa(at))}, ${formatGpa(gpa(at + size))}) ` +
            `is not guest memory at ${formatGpa(gpa(cur))}`,
        );
      }
      const n = Math.min(t.limit, at + size - cur);
      const last = pieces[pieces.length - 1];
      if (last !== undefined && last.hpa + last.len === t.hpa) last.len += n;
      else pieces.push({ hpa: t.hpa, len: n });
      cur += n;
    }
    return pieces.map((p) => this.#host.memory.hostBuffer(p.hpa as HostPhysAddr, p.len));
  }

  /** Adds a linear mapping (IVC shared pages, late passthrough). */
  mapRegion(at: number, hpa: number, size: number, flags: MappingFlags): void {
    this.addrSpace.mapLinear(at, hpa, size, flags);
  }

  unmapRegion(at: number, size: number): void {
    this.addrSpace.unmap(at, size);
  }

  allocIvcChannel(size: number): AxResult<GuestPhysAddr> {
    return this.devices.allocIvcChannel(size);
  }

  releaseIvcChannel(base: GuestPhysAddr, size: number): AxResult<void> {
    return this.devices.releaseIvcChannel(base, size);
  }

  toString(): string {
    return `${this.label} (${this.#status})`;
  }

  // --- exits ----------------------------------------------------------------------------

  /** Serves one exit; false when it belongs to the VMM. */
  #serve(vcpu: VCpu<CreateConfig, SetupConfig>, exit: ExitReason): boolean {
    const access: DeviceAccess = { vcpuId: vcpu.vcpuId };
    switch (exit.kind) {
      case "MmioRead": {
        let r = this.devices.handleMmioRead(exit.addr, exit.width, exit.signExtend, access);
        if (!r.ok) r = this.#lazyRamLoad(exit) ?? r;
        if (!r.ok) return this.#guestFault(vcpu, exit, r.error);
        vcpu.setGpr(exit.reg, maskToWidth(r.value, exit.regWidth));
        return true;
      }
      case "MmioWrite": {
        let r = this.devices.handleMmioWrite(exit.addr, exit.width, exit.data, access);
        if (!r.ok) r = this.#lazyRamStore(exit.addr, exit.width, exit.data) ?? r;
        if (!r.ok) return this.#guestFault(vcpu, exit, r.error);
        return true;
      }
      case "SysRegRead": {
        const r = this.devices.handleSysRegRead(exit.addr, AccessWidth.Qword, access);
        if (!r.ok) return this.#guestFault(vcpu, exit, r.error);
        vcpu.setGpr(exit.reg, r.value);
        return true;
      }
      case "SysRegWrite": {
        const r = this.devices.handleSysRegWrite(exit.addr, AccessWidth.Qword, exit.value, access);
        return r.ok || this.#guestFault(vcpu, exit, r.error);
      }
      case "IoRead": {
        const r = this.devices.handlePortRead(exit.port, exit.width, access);
        if (!r.ok) return this.#guestFault(vcpu, exit, r.error);
        vcpu.setGpr(IO_RESULT_GPR, this.#ioResult(vcpu, r.value, exit.width));
        return true;
      }
      case "IoWrite": {
        const r = this.devices.handlePortWrite(exit.port, exit.width, exit.data, access);
        return r.ok || this.#guestFault(vcpu, exit, r.error);
      }
      case "NestedPageFault": {
        let handled: boolean;
        try {
          handled = this.addrSpace.handlePageFault(exit.addr, exit.accessFlags);
        } catch (e) {
          if (!(e instanceof AxError)) throw e;
          return this.#guestFault(vcpu, exit, e);
        }
        if (handled) return true;
        return this.#guestFault(
          vcpu,
          exit,
          axErr("BadAddress", `no guest memory at ${formatGpa(exit.addr)} allows this access`),
        );
      }
      default:
        return false;
    }
  }

  /**
   * A load the backend reported as MMIO may be a first touch of lazily allocated memory (on
   * RISC-V every G-stage load fault is decoded as MMIO before the VM sees it: AxVisor §11.6).
   * Then the page gets its frame and the load completes from RAM. Null when it is not RAM.
   */
  #lazyRamLoad(exit: Extract<ExitReason, { kind: "MmioRead" }>): AxResult<bigint> | null {
    const page = this.#lazyPage(exit.addr, MappingFlags.READ);
    if (page !== true) return page;
    const bytes = this.addrSpace.read(exit.addr, exit.width);
    if (!bytes.ok) return bytes;
    return ok(
      loadResult(bytesToBigInt(bytes.value), exit.width, exit.signExtend, AccessWidth.Qword),
    );
  }

  #lazyRamStore(at: GuestPhysAddr, width: AccessWidth, data: bigint): AxResult<void> | null {
    const page = this.#lazyPage(at, MappingFlags.WRITE);
    if (page !== true) return page;
    return this.addrSpace.write(at, bigIntToBytes(data, width));
  }

  #lazyPage(at: GuestPhysAddr, access: MappingFlags): true | null | AxResult<never> {
    try {
      return this.addrSpace.handlePageFault(at, access) ? true : null;
    } catch (e) {
      if (e instanceof AxError) return { ok: false, error: e };
      throw e;
    }
  }

  /** x86 semantics: `in al`/`in ax` keep the rest of rax; `in eax` zero-extends into rax. */
  #ioResult(vcpu: VCpu<CreateConfig, SetupConfig>, value: bigint, width: AccessWidth): bigint {
    if (width >= AccessWidth.Dword || vcpu.arch.getGpr === undefined) return value;
    const old = vcpu.arch.getGpr(IO_RESULT_GPR);
    const mask = (1n << BigInt(width * 8)) - 1n;
    return (BigInt.asUintN(64, old) & ~mask) | value;
  }

  /**
   * A guest access nothing serves. The backend's `injectFault` makes it a guest-visible
   * fault, as a bus error on hardware would; without the hook loads read as zero and stores
   * are ignored, and a stray nested page fault (nothing to complete) goes to the VMM. Either
   * way the host keeps running and so does the guest.
   */
  #guestFault(vcpu: VCpu<CreateConfig, SetupConfig>, exit: AccessExit, error: AxError): boolean {
    this.#guestFaults++;
    const fault: GuestFault = { exit, error };
    let action: GuestFaultAction;
    if (vcpu.injectFault(fault)) {
      action = "injected";
    } else {
      switch (exit.kind) {
        case "MmioRead":
        case "SysRegRead":
          vcpu.setGpr(exit.reg, 0n);
          action = "read-as-zero";
          break;
        case "IoRead":
          vcpu.setGpr(IO_RESULT_GPR, this.#ioResult(vcpu, 0n, exit.width));
          action = "read-as-zero";
          break;
        case "MmioWrite":
        case "SysRegWrite":
        case "IoWrite":
          action = "write-ignored";
          break;
        case "NestedPageFault":
          action = "returned";
          break;
      }
    }
    this.#log.warn(
      `${this.label} vCPU ${vcpu.vcpuId}: ${formatExitReason(exit)}: ${error.message} -> ${action}`,
    );
    this.#deps.onGuestFault?.({ vmId: this.id, vcpuId: vcpu.vcpuId, fault, action });
    return action !== "returned";
  }

  // --- construction ---------------------------------------------------------------------

  #go(op: VMOperation): void {
    const from = this.#status;
    this.#status = checkVmTransition(this.label, op, from);
    this.#log.debug(`${this.label}: ${op}: ${from} -> ${this.#status}`);
  }

  #parkForSuspend(v: VCpu<CreateConfig, SetupConfig>): void {
    if (v.state === VCpuState.Free || v.state === VCpuState.Ready) v.block();
  }

  #deviceContext(): VmDeviceContext {
    const memory: GuestMemory = {
      read: (at, len) => unwrap(this.addrSpace.read(at, len)),
      write: (at, data) => unwrap(this.addrSpace.write(at, data)),
    };
    return {
      vmId: this.id,
      config: this.config,
      host: this.#host,
      memory,
      cpuNum: this.config.base.cpuNum,
      injectInterrupt: (vcpuId, vector) => this.injectInterruptToVcpu(vcpuId, vector),
    };
  }

  #buildMemory(): void {
    const info = formatInfo(this.pageTableFormat);
    const space = AddrSpace.create({
      base: 0,
      size: 2 ** info.inputBits,
      format: this.pageTableFormat,
      memory: this.#host.memory,
    });
    this.#space = space;
    this.#regions = [];
    const populate = this.#deps.populateMemory ?? false;

    this.config.kernel.memoryRegions.forEach((r, i) => {
      const what = `memory region ${i} (${formatHex(r.gpa)}+${formatHex(r.size)})`;
      try {
        switch (r.mapType) {
          case VmMemMappingType.MapAlloc:
            space.mapAlloc(r.gpa, r.size, r.flags, populate);
            this.#regions.push(region(r.gpa, r, null));
            break;
          case VmMemMappingType.MapIdentical: {
            const frames = r.size / PAGE_SIZE_4K;
            const align = r.size >= PAGE_SIZE_2M ? PAGE_SIZE_2M : PAGE_SIZE_4K;
            const hpa = Number.isInteger(frames)
              ? this.#host.memory.allocContiguousFrames(frames, align)
              : null;
            if (hpa === null) {
              throw axErr(
                "NoMemory",
                Number.isInteger(frames)
                  ? `no ${formatHex(r.size)} bytes of contiguous host memory`
                  : "size is not a multiple of 4 KiB",
              );
            }
            // Recorded before mapping so a failed mapping still gives the frames back.
            this.#regions.push(region(hpa, r, hpa));
            space.mapLinear(hpa, hpa, r.size, r.flags);
            break;
          }
          case VmMemMappingType.MapReserved:
            space.mapLinear(r.gpa, r.gpa, r.size, r.flags);
            this.#regions.push(region(r.gpa, r, null));
            break;
          default:
            throw axErr("InvalidInput", `unknown map_type ${String(r.mapType)}`);
        }
      } catch (e) {
        if (e instanceof AxError) throw new AxError(e.kind, `${what}: ${e.message}`, { cause: e });
        throw e;
      }
    });

    const plan = planPassthrough(this.config.devices);
    for (const w of plan.windows) {
      try {
        space.mapLinear(w.gpa, w.hpa, w.size, PASSTHROUGH_FLAGS);
      } catch (e) {
        if (!(e instanceof AxError)) throw e;
        throw new AxError(e.kind, `${w.names.join(" + ")}: ${e.message}`, { cause: e });
      }
    }
    for (const path of plan.byNodePath) {
      this.#log.info(
        `${this.label}: passthrough device "${path}" names a device-tree node; the VMM maps its reg windows`,
      );
    }
    this.#layout = this.#relocatedLayout();
  }

  /**
   * Identical regions live where the host allocator put them, not at the configured GPA;
   * image addresses inside such a region move with it, keeping their offset (AxVisor moves the
   * kernel to the start of the first region, which is the same for the usual config).
   */
  #relocatedLayout(): ImageLayout {
    const move = (a: number): GuestPhysAddr => {
      for (const r of this.#regions) {
        if (r.mapType !== VmMemMappingType.MapIdentical) continue;
        if (a >= r.configuredGpa && a < r.configuredGpa + r.size)
          return gpa(a - r.configuredGpa + r.gpa);
      }
      return gpa(a);
    };
    const k = this.config.kernel;
    return {
      entryPoint: move(k.entryPoint),
      kernelLoadGpa: move(k.kernelLoadAddr),
      ...(k.biosLoadAddr === undefined ? {} : { biosLoadGpa: move(k.biosLoadAddr) }),
      ...(k.dtbLoadAddr === undefined ? {} : { dtbLoadGpa: move(k.dtbLoadAddr) }),
      ...(k.ramdiskLoadAddr === undefined ? {} : { ramdiskLoadGpa: move(k.ramdiskLoadAddr) }),
    };
  }

  /** An emulated device over guest memory or a passthrough window would never see an access. */
  #checkDevicesClearOfMemory(): void {
    for (const d of this.devices.mmio.devices()) {
      for (const a of this.addrSpace.areas()) {
        if (d.start < a.end && a.start < d.end) {
          throw axErr(
            "InvalidInput",
            `emulated device "${d.name}" [${formatHex(d.start)}, ${formatHex(d.end)}) overlaps ` +
              `mapped guest memory [${formatHex(a.start)}, ${formatHex(a.end)})`,
          );
        }
      }
    }
  }

  #buildVcpus(): void {
    const { base } = this.config;
    const root = this.addrSpace.pageTableRoot();
    const entry = this.imageLayout.entryPoint;
    const vcpus: VCpu<CreateConfig, SetupConfig>[] = [];
    for (let i = 0; i < base.cpuNum; i++) {
      const set = base.physCpuSets?.[i];
      const placement: VCpuPlacement = {
        vmId: this.id,
        vcpuId: i,
        physCpuId: base.physCpuIds?.[i] ?? i,
        physCpuSet: set === undefined ? null : BigInt(set),
        config: this.config,
        pageTableFormat: this.pageTableFormat,
      };
      const vcpu = VCpu.create(
        this.#arch.vcpuFactory,
        this.id,
        i,
        this.#arch.createConfig(placement),
        this.#host,
        { physCpuSet: placement.physCpuSet, favorPhysCpu: placement.physCpuId },
      );
      // AxVisor gives the BSP and the APs the same entry; CpuUp sets an AP's own later.
      vcpu.setup(entry, root, this.#arch.setupConfig(placement));
      vcpus.push(vcpu);
    }
    this.#vcpus = vcpus;
  }

  #releaseMemory(): void {
    this.#space?.destroy();
    this.#space = null;
    for (const r of this.#regions) {
      if (r.hostFrames !== null) {
        this.#host.memory.deallocContiguousFrames(r.hostFrames, r.size / PAGE_SIZE_4K);
      }
    }
    this.#regions = [];
  }
}

function region(
  at: number,
  r: AxVMCrateConfig["kernel"]["memoryRegions"][number],
  hostFrames: HostPhysAddr | null,
): VmMemoryRegion {
  return {
    gpa: gpa(at),
    size: r.size,
    flags: r.flags,
    mapType: r.mapType,
    configuredGpa: r.gpa,
    hostFrames,
  };
}
