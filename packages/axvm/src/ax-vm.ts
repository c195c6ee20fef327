import type { AddrSpace } from "@axvisor/axaddrspace";
import { AxVmDevices, type DeviceFactories } from "@axvisor/axdevice";
import { AxError, type AxResult, axErr, unwrap } from "@axvisor/axerrno";
import {
  CurrentVCpu,
  type ExitKind,
  type ExitReason,
  VCpu,
  VCpuState,
  vcpuStateName,
} from "@axvisor/axvcpu";
import { type HostServices, type Logger, logger } from "@axvisor/axvisor-api";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import {
  formatHex,
  type GuestPhysAddr,
  type HostPhysAddr,
  type MappingFlags,
} from "@axvisor/memory-addr";
import { formatInfo, type PageTableFormat } from "@axvisor/page-table";
import type { ArchBackend, VCpuPlacement } from "./arch-backend.js";
import { ExitServer, type GuestFaultEvent } from "./exit-server.js";
import type { GuestMemory, VmDeviceContext } from "./vm-device-context.js";
import { type ImageLayout, VmMemory, type VmMemoryRegion } from "./vm-memory.js";
import { checkVmTransition, type VMOperation, VMStatus } from "./vm-status.js";

export type { GuestFaultAction, GuestFaultEvent } from "./exit-server.js";
export type { ImageLayout, VmMemoryRegion } from "./vm-memory.js";

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
   * Told about the exits the vCPU produced in `runVcpu`, for the VMM's statistics: one call per
   * run of consecutive exits of one kind (an exit-bound guest makes up to `exitBudget` per call
   * of `runVcpu`). `count` exits, `served` of them served here (the last exit of a `runVcpu` may
   * go back to the caller unserved); `roundTripMs`, the host time of the run: from the end of
   * the previous run (or the start of `runVcpu`) until an exit of another kind arrived or
   * `runVcpu` returned (guest time, traps, decoding and serving: for an exit-bound guest, the
   * cost of its exits); `serveMs`, the part of it spent serving them here, estimated from a
   * sample of the exits (the first of the run and every SERVE_SAMPLE-th). Reading the clock
   * per run rather than per exit keeps the statistics off the exit path's cost. Absent: no
   * timing cost at all.
   */
  readonly onExits?: (
    vcpuId: number,
    kind: ExitKind,
    count: number,
    served: number,
    serveMs: number,
    roundTripMs: number,
  ) => void;
}

/** In a run of exits of one kind, `runVcpu` times the serving of one exit in this many. */
const SERVE_SAMPLE = 64;

export interface RunVcpuOptions {
  /** The physical CPU to bind to (default: one CPU object owned by this VM). */
  readonly cpu?: CurrentVCpu;
}

const NOTHING: ExitReason = { kind: "Nothing" };

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
  #memory: VmMemory | null = null;
  readonly #exits: ExitServer;
  #vcpus: VCpu<CreateConfig, SetupConfig>[] = [];
  /** vCPUs inside `runVcpu` right now. */
  readonly #inRun = new Set<number>();
  /** vCPUs parked by `haltVcpu` until an interrupt arrives. */
  readonly #halted = new Set<number>();

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
    this.#exits = new ExitServer({
      vmId: this.id,
      label: this.label,
      devices: this.devices,
      space: () => this.addrSpace,
      log: this.#log,
      ...(deps.onGuestFault !== undefined ? { onGuestFault: deps.onGuestFault } : {}),
    });
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
      `${vm.label}: created with ${config.base.cpuNum} vCPU(s), ${vm.memoryRegions().length} memory region(s), ` +
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
    if (this.#memory === null) throw axErr("BadState", `${this.label} has no address space`);
    return this.#memory.space;
  }

  /** Root of the nested page table every vCPU of this VM uses. */
  eptRoot(): HostPhysAddr {
    return this.addrSpace.pageTableRoot();
  }

  memoryRegions(): readonly VmMemoryRegion[] {
    return this.#memory?.regions ?? [];
  }

  get imageLayout(): ImageLayout {
    if (this.#memory === null) throw axErr("BadState", `${this.label} has no memory layout`);
    return this.#memory.layout;
  }

  /** Guest accesses that nothing could serve, since creation. */
  get guestFaultCount(): number {
    return this.#exits.guestFaults;
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
      const observe = this.#deps.onExits;
      if (observe !== undefined) return this.#runObserved(vcpu, observe);
      for (let served = 1; ; served++) {
        const exit = vcpu.run();
        if (!this.#exits.serve(vcpu, exit)) return exit;
        if (this.#status !== VMStatus.Running || served >= this.#exitBudget) return NOTHING;
      }
    } finally {
      this.#leaveRun(vcpu);
    }
  }

  /** `runVcpu`'s loop with the statistics of `onExits`: the clock is read per run of exits. */
  #runObserved(
    vcpu: VCpu<CreateConfig, SetupConfig>,
    observe: NonNullable<AxVMDeps<CreateConfig, SetupConfig>["onExits"]>,
  ): ExitReason {
    const vcpuId = vcpu.vcpuId;
    let runStart = performance.now();
    let kind: ExitKind | null = null;
    let count = 0;
    let served = 0;
    let sampled = 0;
    let sampledMs = 0;
    const flush = (end: number): void => {
      if (kind === null) return;
      const trip = end - runStart;
      const serve = sampled > 0 ? Math.min(trip, (sampledMs / sampled) * served) : 0;
      observe(vcpuId, kind, count, served, serve, trip);
    };
    for (let total = 1; ; total++) {
      const exit = vcpu.run();
      let t = -1;
      if (exit.kind !== kind) {
        t = performance.now();
        if (kind !== null) {
          flush(t);
          runStart = t;
        }
        kind = exit.kind;
        count = served = sampled = 0;
        sampledMs = 0;
      }
      count++;
      if (count % SERVE_SAMPLE === 1) {
        if (t < 0) t = performance.now();
        const ok = this.#exits.serve(vcpu, exit);
        if (!ok) {
          flush(t);
          return exit;
        }
        sampledMs += performance.now() - t;
        sampled++;
      } else if (!this.#exits.serve(vcpu, exit)) {
        flush(performance.now());
        return exit;
      }
      served++;
      if (this.#status !== VMStatus.Running || total >= this.#exitBudget) {
        flush(performance.now());
        return NOTHING;
      }
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
    if (this.#memory === null) throw axErr("BadState", `${this.label} has no address space`);
    return this.#memory.imageLoadRegion(at, size, this.label);
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

  #buildMemory(): void {
    this.#memory = VmMemory.build({
      config: this.config,
      host: this.#host,
      format: this.pageTableFormat,
      populate: this.#deps.populateMemory ?? false,
      log: this.#log,
      label: this.label,
    });
  }

  #releaseMemory(): void {
    this.#memory?.release();
    this.#memory = null;
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
}
