import { AxError, axErr } from "@axvisor/axerrno";
import { CurrentVCpu, type ExitReason, type SystemResetType } from "@axvisor/axvcpu";
import { type HostServices, type HostVmm, type Logger, logger } from "@axvisor/axvisor-api";
import { AxVM, VMStatus } from "@axvisor/axvm";
import { type AxVMCrateConfig, VmMemMappingType } from "@axvisor/axvmconfig";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { IdleSleep, nextMacrotask } from "@axvisor/machine";
import { type GuestPhysAddr, gpa } from "@axvisor/memory-addr";
import type { HostBoard, VmArchParts } from "../platform/host-platform.js";
import { HostIrqRouter } from "./host-irq-router.js";
import { executeHypercall, type HypercallVm } from "./hypercall.js";
import { IvcChannels } from "./ivc.js";
import { RoundRobin } from "./round-robin.js";
import { VmConsole } from "./vm-console.js";
import { VmDebugger } from "./vm-debugger.js";
import { loadGuestImages, type VmImageLoader } from "./vm-images.js";
import { type VcpuSlot, type VmEnd, VmInstance } from "./vm-instance.js";
import type { VcpuStats } from "./vm-stats.js";
import { VmmTime, vmmHostServices } from "./vmm-host-services.js";
import type { VmmLog } from "./vmm-log.js";

export interface VmmOptions {
  /** The board the VMM runs on, built by its platform (`HostPlatform.createHost`). */
  readonly machine: HostBoard;
  readonly log: VmmLog;
  /** Guest console output, as the VM produced it. */
  readonly onOutput?: (vm: VmInstance, bytes: Uint8Array) => void;
  /** One-line notices for the user (a disk attached read-only, a VM that stopped). */
  readonly onNotice?: (message: string) => void;
  /** A VM stopped: powered off, stopped by the user, or crashed. */
  readonly onVmEnd?: (vm: VmInstance, end: VmEnd) => void;
  /** Loads the images of a VM (default: host files or a FAT32 disk, generated DTB). */
  readonly loadImages?: VmImageLoader;
  /** The FAT32 disk image that `image_location = "fs"` configs read their images from. */
  readonly fsDisk?: string;
  /** Guest instructions per vCPU time slice (default 100 000). */
  readonly sliceInstructions?: number;
}

export interface CreateVmOptions {
  /** The VM's virtio-blk disk, instead of opening its disk_path. */
  readonly disk?: BlockBacking;
  /** Build it for a snapshot restore: no images are loaded (the snapshot brings RAM). */
  readonly restoring?: boolean;
}

/** The scheduler's view of a restored VM (see `Vmm.startRestored`). */
export interface RestoredSchedule {
  readonly slots: readonly { readonly started: boolean; readonly lastHart: number }[];
  readonly halted: readonly number[];
  readonly suspended: boolean;
  readonly restarts: number;
}

/** Let Node serve stdin, timers and the shell at least this often while guests compute. */
const YIELD_INTERVAL_MS = 10;
/** Longest idle sleep; a wake-up (input, an interrupt, a shell command) ends it early. */
const MAX_IDLE_MS = 1000;
/** With passthrough interrupts the board must be polled while every vCPU sleeps. */
const PASSTHROUGH_POLL_MS = 20;
const DEFAULT_SLICE = 100_000;

/**
 * The VMM (AxVisor's `vmm` module): the VM registry, the lifecycle operations the shell and
 * the command line use, and the scheduler that runs every runnable vCPU of every VM on the
 * host's harts and serves the exits the VMs do not serve themselves.
 *
 * Everything runs on one thread. The scheduler round-robins runnable vCPUs over the harts
 * (one slice each per round), fires host timers between slices, sleeps with `setTimeout`
 * when every vCPU waits, and yields to the event loop every few milliseconds so console
 * input and shell commands are served while guests run (AxVisor's shell waited for every
 * VM to stop first: §11.22). A VM that fails on the host side is stopped alone.
 */
/** Where a VM's virtual interrupts go when its vCPUs run outside the scheduler. */
export interface InterruptRoute {
  inject(vcpuId: number, vector: number): void;
  setLevel(vcpuId: number, vector: number, level: boolean): void;
}

export class Vmm {
  readonly machine: HostBoard;
  readonly host: HostServices;
  readonly time: VmmTime;
  readonly ivc: IvcChannels;
  readonly log: VmmLog;

  readonly #opts: VmmOptions;
  readonly #log: Logger;
  readonly #vms = new Map<number, VmInstance>();
  readonly #loadImages: VmImageLoader;
  readonly #slice: number;
  readonly #irqs: HostIrqRouter;
  readonly #policy = new RoundRobin();
  #currentHart = -1;
  #currentVm = 0;
  #currentVcpu = 0;
  #running = false;
  #quit = false;
  readonly #sleep = new IdleSleep();
  /** When the vCPUs' halted / waiting time was last charged. */
  #accountedAt = 0;
  /** The vCPUs that ran a slice in this round of the loop, and the host time of those slices. */
  readonly #roundRan: VcpuStats[] = [];
  #roundSliceMs = 0;
  /** Guest instructions retired by all host CPUs while the scheduler ran. */
  instructions = 0;
  /** The "current vCPU" record of each host CPU (host services ask it who is running). */
  readonly #current: CurrentVCpu[];
  /** VMs whose vCPUs run elsewhere: where their interrupts go. */
  readonly #routes = new Map<number, InterruptRoute>();

  constructor(options: VmmOptions) {
    this.#opts = options;
    this.machine = options.machine;
    this.log = options.log;
    this.#log = logger(options.log, "axvisor::vmm");
    this.#loadImages = options.loadImages ?? loadGuestImages;
    this.#slice = options.sliceInstructions ?? DEFAULT_SLICE;
    this.time = new VmmTime(options.machine.clock, options.machine.timebaseHz, () => this.wake());
    this.host = vmmHostServices({
      memory: options.machine.memory,
      time: this.time,
      vmm: this.#hostVmm(),
      hostCpuNum: options.machine.cpuCount,
      log: options.log,
    });
    this.ivc = new IvcChannels(options.machine.memory);
    this.#irqs = new HostIrqRouter(options.machine.irq);
    this.#current = Array.from({ length: options.machine.cpuCount }, (_, i) => new CurrentVCpu(i));
    options.log.setContext({
      cpu: () => Math.max(this.#currentHart, 0),
      vm: () => this.#currentVm,
    });
  }

  // --- registry ------------------------------------------------------------------------

  get vms(): readonly VmInstance[] {
    return [...this.#vms.values()].sort((a, b) => a.id - b.id);
  }

  vm(id: number): VmInstance {
    const vm = this.#vms.get(id);
    if (vm === undefined) {
      const ids = this.vms.map((v) => v.id);
      throw axErr(
        "NotFound",
        `no VM ${id} (${ids.length === 0 ? "there are no VMs" : `VMs: ${ids.join(", ")}`})`,
      );
    }
    return vm;
  }

  hasVm(id: number): boolean {
    return this.#vms.has(id);
  }

  /**
   * The host time (`performance.now()`) up to which every started vCPU's halted and waiting
   * time has been charged; run time of slices since then is in each `unaccountedRunMs`.
   */
  get statsAccountedAt(): number {
    return this.#accountedAt;
  }

  /** Bytes of host RAM the VMs' memory regions may take in total (page tables need the rest). */
  get memoryCapacity(): number {
    const total = this.machine.memory.stats().total * 4096;
    return total - Math.ceil(total / 64) - (4 << 20);
  }

  /** Host RAM promised to VMs: the sum of their allocated memory regions. */
  get memoryCommitted(): number {
    let n = 0;
    for (const vm of this.#vms.values()) n += allocatedBytes(vm.config);
    return n;
  }

  // --- lifecycle -----------------------------------------------------------------------

  /**
   * Builds a VM from its config and loads its images: status Loaded, ready for `startVm`.
   * Throws an AxError naming the problem (duplicate id, memory the host cannot give,
   * overlapping regions or devices, images that are missing or do not fit).
   */
  createVm(config: AxVMCrateConfig, options: CreateVmOptions = {}): VmInstance {
    const { id, name } = config.base;
    const other = this.#vms.get(id);
    if (other !== undefined) {
      throw axErr("AlreadyExists", `VM id ${id} is already used by "${other.name}"`);
    }
    this.#checkPlacement(config);
    const need = allocatedBytes(config);
    if (this.memoryCommitted + need > this.memoryCapacity) {
      throw axErr(
        "NoMemory",
        `VM ${id} "${name}" needs ${mib(need)} of RAM but the host has ${mib(this.memoryCapacity - this.memoryCommitted)} left (${mib(this.machine.memory.stats().total * 4096)} in all; use --memory)`,
      );
    }
    this.#irqs.check(config);

    let inst: VmInstance | undefined;
    const console = new VmConsole(
      (bytes) => {
        if (inst !== undefined) this.#opts.onOutput?.(inst, bytes);
      },
      () => {
        if (inst !== undefined) this.#wakeHalted(inst);
      },
    );
    const parts: VmArchParts = this.machine.createVm({
      config,
      host: this.host,
      console,
      sliceInstructions: this.#slice,
      setInterruptLevel: (vcpu, vector, level) => {
        if (inst !== undefined) this.setInterruptLevel(inst.id, vcpu, vector, level);
      },
      wakeVcpu: (vcpu) => {
        const vm = inst === undefined ? undefined : this.#liveVm(inst.id, vcpu);
        if (vm !== undefined) this.#wakeVcpu(vm, vcpu);
      },
      onHostComplete: (irq) => this.#irqs.complete(irq),
      notice: (m) => this.#opts.onNotice?.(`VM ${id} "${name}": ${m}`),
      deviceError: (dev, m) => this.#log.warn(`VM ${id} "${name}": device ${dev}: ${m}`),
      powerOff: () => {
        if (inst !== undefined) inst.powerOffRequested = true;
      },
      ...(options.disk !== undefined ? { disk: options.disk } : {}),
    });
    let axvm: AxVM;
    try {
      axvm = AxVM.create(parts.config, {
        host: this.host,
        arch: parts.backend,
        deviceFactories: parts.deviceFactories,
        onExits: (vcpuId, kind, count, _served, serveMs, roundTripMs) =>
          inst?.stats.vcpus[vcpuId]?.recordExits(kind, count, serveMs, roundTripMs),
        onGuestFault: (e) => {
          const s = inst?.stats.vcpus[e.vcpuId];
          if (s !== undefined) s.guestFaults++;
        },
      }) as AxVM;
    } catch (e) {
      parts.release();
      throw e;
    }
    parts.attachMemory({
      read: (at, len) => axvm.readGuest(at, len),
      write: (at, data) => axvm.writeGuest(at, data),
    });
    inst = new VmInstance({
      config,
      axvm,
      parts,
      console,
      ...(options.disk !== undefined ? { disk: options.disk } : {}),
    });
    try {
      if (options.restoring !== true) this.#load(inst);
      axvm.markLoaded();
    } catch (e) {
      axvm.shutdown();
      axvm.destroy();
      parts.release();
      this.machine.fenceAll();
      if (e instanceof AxError && !e.message.startsWith(`VM ${id} `)) {
        throw new AxError(e.kind, `VM ${id} "${name}": ${e.message}`, { cause: e });
      }
      throw e;
    }
    this.#vms.set(id, inst);
    this.#irqs.claim(inst);
    this.#log.info(
      `VM ${id} "${name}" created: ${config.base.cpuNum} vCPU(s), ${mib(need)} RAM, VMID ${parts.vmid}`,
    );
    return inst;
  }

  /** Loaded -> Running; a Stopped VM boots again from fresh memory (a cold start). */
  startVm(id: number): void {
    const vm = this.vm(id);
    if (vm.status === VMStatus.Stopped) {
      this.restartVm(id);
      return;
    }
    vm.axvm.boot();
    vm.slots = vm.freshSlots();
    vm.end = undefined;
    this.#log.info(`VM ${id} "${vm.name}" started`);
    this.wake();
  }

  /**
   * Loaded -> Running for a VM whose state a snapshot restore has put back: its vCPUs keep
   * their restored registers (no boot protocol), and the scheduler's records (which vCPUs are
   * powered on, halted, where they last ran) come from the snapshot. Every hart drops cached
   * translations and compiled code, as after any change of guest memory behind its back.
   */
  startRestored(id: number, saved: RestoredSchedule): void {
    const vm = this.vm(id);
    vm.axvm.boot();
    vm.slots = vm.freshSlots();
    saved.slots.forEach((s, i) => {
      const slot = vm.slots[i];
      if (slot === undefined) return;
      slot.started = s.started;
      slot.lastHart = s.lastHart < this.machine.cpuCount ? s.lastHart : -1;
    });
    for (const v of saved.halted) vm.axvm.haltVcpu(v);
    if (saved.suspended) vm.axvm.suspend();
    vm.end = undefined;
    vm.restarts = saved.restarts;
    this.machine.fenceAll();
    this.#log.info(`VM ${id} "${vm.name}" restored${saved.suspended ? " (suspended)" : ""}`);
    this.wake();
  }

  stopVm(id: number): void {
    const vm = this.vm(id);
    if (vm.status === VMStatus.Stopped) {
      throw axErr("BadState", `VM ${id} "${vm.name}" is already stopped`);
    }
    this.#end(vm, { kind: "stopped" });
  }

  suspendVm(id: number): void {
    const vm = this.vm(id);
    vm.axvm.suspend();
    this.#log.info(`VM ${id} "${vm.name}" suspended`);
  }

  resumeVm(id: number): void {
    const vm = this.vm(id);
    vm.axvm.resume();
    this.#log.info(`VM ${id} "${vm.name}" resumed`);
    this.wake();
  }

  /**
   * A fresh boot: memory released and rebuilt, devices reset, vCPUs recreated, images loaded
   * again. From Running, Suspended or Stopped.
   */
  restartVm(id: number): void {
    const vm = this.vm(id);
    if (vm.status === VMStatus.Loaded) {
      this.startVm(id);
      return;
    }
    this.ivc.forgetVm(id);
    this.#disposeVcpus(vm);
    try {
      vm.axvm.restart(() => this.#load(vm));
    } catch (e) {
      if (vm.status === VMStatus.Loading) {
        vm.axvm.shutdown();
        this.#end(vm, { kind: "crashed", message: `restart failed: ${errorMessage(e)}` });
      }
      throw e;
    }
    vm.slots = vm.freshSlots();
    vm.end = undefined;
    vm.restarts++;
    vm.debug?.applyTrapping();
    vm.console.resetInput();
    this.#log.info(`VM ${id} "${vm.name}" restarted`);
    this.wake();
  }

  /** Stops the VM if needed and frees everything it holds. */
  deleteVm(id: number): void {
    const vm = this.vm(id);
    if (vm.status !== VMStatus.Stopped) this.#end(vm, { kind: "stopped" });
    vm.axvm.destroy();
    vm.parts.release();
    this.machine.fenceAll();
    this.#irqs.release(vm);
    this.#vms.delete(id);
    this.#log.info(`VM ${id} "${vm.name}" deleted`);
  }

  /**
   * Attaches a debugger to a VM and holds the VM stopped (GDB's attach stop); its other
   * vCPUs and the other VMs are unaffected. Throws when the platform cannot debug its vCPUs
   * or a debugger is attached already.
   */
  attachDebugger(id: number, hooks: { onKill?: () => void } = {}): VmDebugger {
    const vm = this.vm(id);
    const arch = vm.parts.debug;
    if (arch === undefined) {
      throw axErr("Unsupported", `the ${this.machine.platform.name} platform cannot debug VMs`);
    }
    if (vm.debug !== undefined) throw axErr("ResourceBusy", `VM ${id} has a debugger attached`);
    const dbg = new VmDebugger(vm, arch, {
      wake: () => this.wake(),
      fenceAll: () => this.machine.fenceAll(),
      kill: () => {
        if (vm.status !== VMStatus.Stopped) this.stopVm(id);
        hooks.onKill?.();
      },
      detached: () => {
        if (vm.debug === dbg) vm.debug = undefined;
      },
    });
    vm.debug = dbg;
    this.#log.info(`VM ${id} "${vm.name}": debugger attached, VM stopped`);
    return dbg;
  }

  /** Console input for a VM (its UART, virtio-console or SBI console). */
  sendInput(id: number, data: Uint8Array | string): void {
    this.vm(id).console.type(data);
  }

  /**
   * Queues virtual interrupt `vector` (in the architecture's numbering) on a vCPU and wakes it
   * if it waits.
   */
  injectInterrupt(vmId: number, vcpuId: number, vector: number): void {
    const vm = this.#liveVm(vmId, vcpuId);
    if (vm === undefined) return;
    const route = this.#routes.get(vmId);
    if (route !== undefined) {
      route.inject(vcpuId, vector);
      return;
    }
    // AxVM ends the vCPU's halt; the scheduler may be asleep waiting for exactly this.
    vm.axvm.injectInterruptToVcpu(vcpuId, vector);
    this.wake();
  }

  /** Raises or lowers a level-sensitive virtual interrupt line; raising wakes the vCPU. */
  setInterruptLevel(vmId: number, vcpuId: number, vector: number, level: boolean): void {
    const vm = this.#liveVm(vmId, vcpuId);
    if (vm === undefined) return;
    const route = this.#routes.get(vmId);
    if (route !== undefined) {
      route.setLevel(vcpuId, vector, level);
      return;
    }
    vm.axvm.vcpu(vcpuId).setInterruptLevel(vector, level);
    if (level) this.#wakeVcpu(vm, vcpuId);
  }

  /**
   * Sends a VM's virtual interrupts (from its devices, IPIs, the shell) to `route` instead of
   * the vCPU objects here: its vCPUs run on worker threads (`runVmOnThreads`). undefined
   * restores the default.
   */
  routeInterrupts(vmId: number, route: InterruptRoute | undefined): void {
    if (route === undefined) this.#routes.delete(vmId);
    else this.#routes.set(vmId, route);
  }

  #liveVm(vmId: number, vcpuId: number): VmInstance | undefined {
    const vm = this.#vms.get(vmId);
    if (vm === undefined) return undefined;
    if (vm.status !== VMStatus.Running && vm.status !== VMStatus.Suspended) return undefined;
    if (vcpuId < 0 || vcpuId >= vm.axvm.vcpuNum) return undefined;
    return vm;
  }

  /** Cancels what the vCPUs hold on the host (timers), before a stop or a restart. */
  #disposeVcpus(vm: VmInstance): void {
    for (let i = 0; i < vm.axvm.vcpuNum; i++) vm.axvm.vcpu(i).dispose();
  }

  /**
   * A vCPU's own timer came due (an Sstc guest's vstimecmp): the hart raises the interrupt
   * from the comparison, so the vCPU only has to run again.
   */
  notifyVcpuTimerExpired(vmId: number, vcpuId: number): void {
    const vm = this.#vms.get(vmId);
    if (vm === undefined || vm.status !== VMStatus.Running) return;
    this.#wakeVcpu(vm, vcpuId);
  }

  /** Ends a halt (the VM's halt model) and the scheduler's idle sleep. */
  #wakeVcpu(vm: VmInstance, vcpuId: number): void {
    if (vm.axvm.isHalted(vcpuId)) {
      vm.axvm.wakeVcpu(vcpuId);
      this.wake();
    }
  }

  // --- the scheduler -------------------------------------------------------------------

  /**
   * Runs the VMs until `quit()`. Resolves when the loop has stopped; rejects only on a bug in
   * the VMM itself (a failing VM is stopped and reported through `onVmEnd`).
   */
  async run(): Promise<void> {
    if (this.#running) throw axErr("ResourceBusy", "the VMM is already running");
    this.#running = true;
    this.#quit = false;
    try {
      let lastYield = performance.now();
      this.#accountedAt = lastYield;
      let roundAt = lastYield;
      let idleMs = 0;
      while (!this.#quit) {
        const now = performance.now();
        this.#chargeBetweenSlices(now - roundAt - idleMs);
        roundAt = now;
        idleMs = 0;
        this.time.fireDue();
        this.#irqs.poll();
        const roundStart = this.time.currentTimeNanos();
        const round = this.#policy.round(
          this.#vms.values(),
          this.machine.cpuCount,
          (vm, slot, cpu) => this.#runSlice(vm, slot, cpu),
        );
        const ran = round !== null;
        if (round !== null && round.waited.length > 0) {
          this.#accountSteal(round.waited, this.time.currentTimeNanos() - roundStart);
        }
        this.#accountTime(false);
        if (this.#quit) break;
        if (!ran) {
          const sleptAt = performance.now();
          await this.#idle();
          this.#accountTime(true);
          lastYield = performance.now();
          idleMs = lastYield - sleptAt;
        } else if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await nextMacrotask();
          lastYield = performance.now();
        }
      }
    } finally {
      this.#running = false;
      for (const vm of this.#vms.values()) vm.console.flush();
    }
  }

  get running(): boolean {
    return this.#running;
  }

  /** Ends `run()` after the current slice. */
  quit(): void {
    this.#quit = true;
    this.wake();
  }

  /** Ends an idle sleep early (something may have become runnable). */
  wake(): void {
    this.#sleep.wake();
  }

  /** Stops every VM and frees them (the VMM is shutting down). */
  shutdown(): void {
    for (const vm of this.vms) {
      try {
        this.deleteVm(vm.id);
      } catch (e) {
        this.#log.error(`VM ${vm.id}: ${errorMessage(e)}`);
      }
    }
    this.quit();
  }

  /**
   * Steal time (SBI STA, ARM PV time, KVM steal time): a vCPU that was runnable but got no
   * host CPU this round waited the whole round; its backend reports it to the guest.
   */
  #accountSteal(waited: readonly (readonly [VmInstance, VcpuSlot])[], nanos: number): void {
    if (!(nanos > 0)) return;
    for (const [vm, slot] of waited) vm.axvm.vcpu(slot.vcpuId).addStealTime(nanos);
  }

  #runSlice(vm: VmInstance, slot: VcpuSlot, h: number): void {
    const machine = this.machine;
    machine.setCurrentCpu(h);
    this.#currentHart = h;
    this.#currentVm = vm.id;
    this.#currentVcpu = slot.vcpuId;
    const before = machine.retired(h);
    const stats = vm.stats.vcpus[slot.vcpuId];
    vm.restoredAt = undefined;
    const t0 = performance.now();
    stats?.beginSlice(t0);
    try {
      const exit = vm.axvm.runVcpu(slot.vcpuId, { cpu: this.#current[h]! });
      slot.lastHart = h;
      const t1 = performance.now();
      this.#handleExit(vm, slot, h, exit);
      // AxVM counted the exit; serving it here is part of its cost. (The Nothing AxVM returns
      // after its exit budget is not an exit; its microseconds are the slice's switch cost.)
      if (exit.kind !== "Nothing") stats?.addServeTime(exit.kind, performance.now() - t1);
      if (vm.debug !== undefined && vm.slots[slot.vcpuId] === slot) {
        vm.debug.afterSlice(slot.vcpuId);
      }
    } catch (e) {
      const pc = machine.pc(h);
      machine.recoverCpu(h);
      this.#crash(vm, slot.vcpuId, h, pc, e);
    } finally {
      const n = machine.retired(h) - before;
      this.instructions += n;
      if (stats !== undefined) {
        const ms = performance.now() - t0;
        stats.instructions += n;
        stats.endSlice(ms);
        this.#roundRan.push(stats);
        this.#roundSliceMs += ms;
      }
      vm.console.flush();
      this.#currentHart = -1;
      this.#currentVm = 0;
      this.#currentVcpu = 0;
    }
  }

  #handleExit(vm: VmInstance, slot: VcpuSlot, h: number, exit: ExitReason): void {
    if (vm.powerOffRequested) {
      // A device took the machine down during the slice (ACPI S5): whatever the vCPU did
      // after it does not matter.
      vm.powerOffRequested = false;
      this.#systemDown(vm, "shutdown", 0);
      return;
    }
    switch (exit.kind) {
      case "Nothing":
        return;
      case "Halt":
        vm.axvm.haltVcpu(slot.vcpuId);
        return;
      case "CpuUp":
        this.#cpuUp(vm, exit.targetCpu, exit.entryPoint, exit.arg);
        return;
      case "CpuDown":
        slot.started = false;
        this.#log.debug(`VM ${vm.id} vCPU ${slot.vcpuId} stopped itself (hart_stop)`);
        return;
      case "SystemDown":
        this.#systemDown(vm, exit.resetType, exit.reason);
        return;
      case "Hypercall": {
        const r = executeHypercall(this.#hypercallVm(vm), this.ivc, exit.nr, exit.args);
        vm.axvm.vcpu(slot.vcpuId).setReturnValue(r.value);
        if (r.error !== undefined) {
          this.#log.debug(`VM ${vm.id} vCPU ${slot.vcpuId}: hypercall ${exit.nr}: ${r.error}`);
        }
        return;
      }
      case "ExternalInterrupt":
        this.#irqs.service();
        return;
      case "SendIPI":
        // The backend resolved the architecture's target encoding to vCPU ids.
        for (const i of exit.targetVcpus) this.injectInterrupt(vm.id, i, exit.vector);
        return;
      case "FailEntry":
        this.#end(vm, {
          kind: "crashed",
          message: `vCPU ${slot.vcpuId} could not enter the guest (reason ${exit.hardwareEntryFailureReason})`,
        });
        return;
      default:
        // Device and memory exits are the VM's own business; one that comes back here found
        // nothing to serve it and was already reported by the VM.
        this.#log.warn(`VM ${vm.id} vCPU ${slot.vcpuId} on hart ${h}: unserved exit ${exit.kind}`);
        return;
    }
  }

  #cpuUp(vm: VmInstance, target: bigint, entry: GuestPhysAddr, arg: bigint): void {
    const id = vm.axvm.vcpuIdForPhysCpu(target);
    const slot = id === undefined ? undefined : vm.slots[id];
    if (id === undefined || slot === undefined) {
      this.#log.warn(`VM ${vm.id}: CPU up names CPU ${target}, which has no vCPU`);
      return;
    }
    if (slot.started) {
      this.#log.warn(`VM ${vm.id}: CPU up of vCPU ${id}, which is already ${slot.state}`);
      return;
    }
    const vcpu = vm.axvm.vcpu(id);
    vcpu.setEntry(entry);
    vcpu.setStartArgs(target, arg);
    slot.started = true;
    this.#log.debug(`VM ${vm.id}: vCPU ${id} (hart ${target}) starts at 0x${entry.toString(16)}`);
  }

  #systemDown(vm: VmInstance, resetType: SystemResetType, reason: number): void {
    if (resetType !== "shutdown") {
      this.#log.info(`VM ${vm.id} "${vm.name}": ${resetType} requested`);
      try {
        this.restartVm(vm.id);
      } catch (e) {
        this.#opts.onNotice?.(`VM ${vm.id} "${vm.name}": reboot failed: ${errorMessage(e)}`);
      }
      return;
    }
    this.#end(vm, { kind: "poweroff", reason });
  }

  /** Guest instructions per vCPU slice (`VmmOptions.sliceInstructions`). */
  get sliceInstructions(): number {
    return this.#slice;
  }

  /**
   * Ends a VM whose vCPUs ran outside this scheduler (on worker threads: `runVmOnThreads`),
   * the way its own exits would have.
   */
  endVm(id: number, end: VmEnd): void {
    const vm = this.#vms.get(id);
    if (vm === undefined || vm.status === VMStatus.Stopped) return;
    if (end.kind === "crashed") this.#log.error(`VM ${vm.id} "${vm.name}" failed: ${end.message}`);
    this.#routes.delete(id);
    this.#end(vm, end);
  }

  #crash(vm: VmInstance, vcpuId: number, h: number, pc: bigint, e: unknown): void {
    const message = `vCPU ${vcpuId} on hart ${h} at pc 0x${pc.toString(16)}: ${errorMessage(e)}`;
    this.#log.error(`VM ${vm.id} "${vm.name}" failed: ${message}`);
    if (e instanceof Error && e.stack !== undefined) this.#log.debug(e.stack);
    if (vm.status !== VMStatus.Stopped) this.#end(vm, { kind: "crashed", message });
  }

  #end(vm: VmInstance, end: VmEnd): void {
    this.ivc.forgetVm(vm.id);
    this.#disposeVcpus(vm);
    const s = vm.status;
    if (s !== VMStatus.Stopped && s !== VMStatus.Stopping) vm.axvm.shutdown();
    for (const slot of vm.slots) slot.started = false;
    vm.end = end;
    vm.console.flush();
    vm.debug?.vmEnded(end);
    this.#log.info(`VM ${vm.id} "${vm.name}" stopped: ${describeEnd(end)}`);
    this.#opts.onVmEnd?.(vm, end);
  }

  /**
   * The loop's time in the last round that was neither a slice nor an idle sleep (timers,
   * interrupts, scheduling, console, time accounting, yielding to the event loop) is work
   * done to run the vCPUs of that round: each gets an equal share as run time, a switch cost
   * its next slice's first exit pays. So the VMM's busy time is all some vCPU's run time, and
   * an exit-bound guest's exits cost what the wall clock says.
   */
  #chargeBetweenSlices(roundMs: number): void {
    const ran = this.#roundRan;
    if (ran.length > 0) {
      const share = Math.max(0, roundMs - this.#roundSliceMs) / ran.length;
      for (const s of ran) s.chargeBetweenSlices(share);
      ran.length = 0;
    }
    this.#roundSliceMs = 0;
  }

  /**
   * Charges the host time since the last call to each started vCPU of each running VM:
   * halted, or runnable but waiting for a host CPU (its own slices excluded: they are run
   * time). After an idle sleep nothing was runnable, so the sleep counts as halted. A VM a
   * debugger holds is charged nothing.
   */
  #accountTime(afterIdle: boolean): void {
    const now = performance.now();
    const dt = now - this.#accountedAt;
    this.#accountedAt = now;
    for (const vm of this.#vms.values()) {
      if (vm.status !== VMStatus.Running || vm.debug?.stopped === true) continue;
      for (const slot of vm.slots) {
        const s = vm.stats.vcpus[slot.vcpuId];
        if (s === undefined || !slot.started) continue;
        // Its own run time (a slice that ended in WFI, its share of the VMM's work) is not
        // time it sat halted or waited.
        const idle = Math.max(0, dt - s.unaccountedRunMs);
        if (afterIdle || slot.state === "halted") s.haltedMs += idle;
        else s.waitingMs += idle;
        s.unaccountedRunMs = 0;
      }
    }
  }

  #wakeHalted(vm: VmInstance): void {
    if (vm.status !== VMStatus.Running && vm.status !== VMStatus.Suspended) return;
    for (const s of vm.slots) this.#wakeVcpu(vm, s.vcpuId);
  }

  async #idle(): Promise<void> {
    const ns = this.time.nanosToNextDeadline();
    let ms = ns === null ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, ns / 1e6);
    if (this.#irqs.active) ms = Math.min(ms, PASSTHROUGH_POLL_MS);
    if (ms <= 0) return;
    await this.#sleep.sleep(ms);
  }

  // --- image loading -------------------------------------------------------------------

  #load(vm: VmInstance): void {
    const config = vm.config;
    const loaded = this.#loadImages(vm.axvm, config, {
      arch: this.machine.platform.arch,
      bootInfo: (placed) => vm.parts.bootInfo(placed),
      ...(vm.parts.bootInfoGpa !== undefined ? { bootInfoGpa: vm.parts.bootInfoGpa } : {}),
      ...(this.#opts.fsDisk !== undefined ? { disk: this.#opts.fsDisk } : {}),
    });
    const boot = vm.axvm.vcpu(0);
    boot.setEntry(gpa(loaded.entry));
    // The boot protocol's registers (riscv a0/a1, arm x0, x86 rsi), set by the backend.
    boot.setStartArgs(BigInt(config.base.physCpuIds?.[0] ?? 0), BigInt(loaded.dtb ?? 0));
    vm.imageSummary = [...loaded.summary];
    this.machine.fenceAll();
  }

  #checkPlacement(config: AxVMCrateConfig): void {
    const harts = this.machine.cpuCount;
    const all = (1n << BigInt(harts)) - 1n;
    config.base.physCpuSets?.forEach((set, i) => {
      if ((BigInt(set) & all) === 0n) {
        throw axErr(
          "InvalidInput",
          `VM ${config.base.id} "${config.base.name}": phys_cpu_sets[${i}] = 0x${set.toString(16)} names no hart of this host (it has ${harts}; use --cpus)`,
        );
      }
    });
  }

  #hypercallVm(vm: VmInstance): HypercallVm {
    const a = vm.axvm;
    return {
      id: vm.id,
      allocIvcChannel: (size) => a.allocIvcChannel(size),
      releaseIvcChannel: (base, size) => a.releaseIvcChannel(base, size),
      mapRegion: (at, hpa, size, flags) => {
        a.mapRegion(at, hpa, size, flags);
        // Harts may cache that the guest found nothing there (a negative G-stage entry).
        this.machine.fenceAll();
      },
      unmapRegion: (at, size) => {
        a.unmapRegion(at, size);
        this.machine.fenceAll();
      },
      readGuest: (at, len) => a.readGuest(at, len),
      writeGuest: (at, data) => a.writeGuest(at, data),
    };
  }

  // --- host services -------------------------------------------------------------------

  #hostVmm(): HostVmm {
    return {
      currentVmId: () => this.#currentVm,
      currentVcpuId: () => this.#currentVcpu,
      vcpuNum: (vmId) => this.#vms.get(vmId)?.axvm.vcpuNum ?? 0,
      activeVcpus: (vmId) => {
        const vm = this.#vms.get(vmId);
        let mask = 0n;
        vm?.slots.forEach((s, i) => {
          if (s.started) mask |= 1n << BigInt(i);
        });
        return mask;
      },
      injectInterrupt: (vmId, vcpuId, vector) => this.injectInterrupt(vmId, vcpuId, vector),
      injectInterruptToCpus: (vmId, mask, vector) => {
        for (let i = 0; mask >> BigInt(i) !== 0n; i++) {
          if ((mask >> BigInt(i)) & 1n) this.injectInterrupt(vmId, i, vector);
        }
      },
      notifyVcpuTimerExpired: (vmId, vcpuId) => this.notifyVcpuTimerExpired(vmId, vcpuId),
    };
  }
}

/** Host RAM a config's memory regions take (reserved regions are the host's own memory). */
export function allocatedBytes(config: AxVMCrateConfig): number {
  let n = 0;
  for (const r of config.kernel.memoryRegions) {
    if (r.mapType !== VmMemMappingType.MapReserved) n += r.size;
  }
  return n;
}

const mib = (n: number): string =>
  n >= 1 << 20
    ? `${(n / (1 << 20)).toFixed(n % (1 << 20) === 0 ? 0 : 1)} MiB`
    : `${Math.ceil(n / 1024)} KiB`;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function describeEnd(end: VmEnd): string {
  switch (end.kind) {
    case "poweroff":
      return end.reason === 0
        ? "powered off"
        : `powered off, reason ${end.reason}${end.reason === 1 ? " (system failure)" : ""}`;
    case "stopped":
      return "stopped by the user";
    case "crashed":
      return `host-side failure: ${end.message}`;
  }
}
