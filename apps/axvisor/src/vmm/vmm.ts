import { AxError, axErr } from "@axvisor/axerrno";
import type { ExitReason } from "@axvisor/axvcpu";
import { type HostServices, type HostVmm, type Logger, logger } from "@axvisor/axvisor-api";
import { AxVM, VMStatus } from "@axvisor/axvm";
import { type AxVMCrateConfig, VmMemMappingType } from "@axvisor/axvmconfig";
import {
  PLIC_CLAIM_OFFSET,
  PLIC_CONTEXT_BASE,
  PLIC_CONTEXT_STRIDE,
  PLIC_ENABLE_BASE,
  PLIC_ENABLE_STRIDE,
  PLIC_PRIORITY_BASE,
} from "@axvisor/device-plic";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { AccessWidth, type GuestPhysAddr, gpa } from "@axvisor/memory-addr";
import { VIRT } from "@axvisor/platform-riscv64-qemu-virt";
import {
  createRiscvArchBackend,
  RiscvCsr,
  RiscvVmContext,
  SbiEid,
  VmidAllocator,
} from "@axvisor/riscv-vcpu";
import type { HostMachine } from "./host-machine.js";
import { executeHypercall, type HypercallVm } from "./hypercall.js";
import { IvcChannels } from "./ivc.js";
import { orderForConstruction, RiscvVmDevices } from "./riscv-devices.js";
import { VmConsole } from "./vm-console.js";
import { loadGuestImages, type VmImageLoader } from "./vm-images.js";
import { type VcpuSlot, type VmEnd, VmInstance } from "./vm-instance.js";
import { VmmTime, vmmHostServices } from "./vmm-host-services.js";
import type { VmmLog } from "./vmm-log.js";

export interface VmmOptions {
  readonly machine: HostMachine;
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
}

/** Let Node serve stdin, timers and the shell at least this often while guests compute. */
const YIELD_INTERVAL_MS = 10;
/** Longest idle sleep; a wake-up (input, an interrupt, a shell command) ends it early. */
const MAX_IDLE_MS = 1000;
/** With passthrough interrupts the board must be polled while every vCPU sleeps. */
const PASSTHROUGH_POLL_MS = 20;
const DEFAULT_SLICE = 100_000;
/** The board PLIC context passthrough interrupts are routed to: hart 0's S-mode context. */
const HOST_IRQ_CONTEXT = 1;
const SEIE = 1n << 9n;

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
export class Vmm {
  readonly machine: HostMachine;
  readonly host: HostServices;
  readonly time: VmmTime;
  readonly ivc: IvcChannels;
  readonly log: VmmLog;

  readonly #opts: VmmOptions;
  readonly #log: Logger;
  readonly #vms = new Map<number, VmInstance>();
  readonly #vmids = new VmidAllocator();
  readonly #loadImages: VmImageLoader;
  /** Guests get Sstc (timer writes without an exit) when every host hart has it. */
  get #guestSstc(): boolean {
    return this.machine.cpus.cpus.every((c) => (c.hart as { hasSstc?: boolean }).hasSstc === true);
  }
  readonly #slice: number;
  /** Passthrough interrupts: board PLIC source -> the VM that owns it. */
  readonly #irqOwners = new Map<number, VmInstance>();
  /** Sources claimed on the board and forwarded, waiting for the guest's completion. */
  readonly #claimed = new Set<number>();
  #rr = 0;
  #currentHart = -1;
  #currentVm = 0;
  #currentVcpu = 0;
  #running = false;
  #quit = false;
  #wake: (() => void) | undefined;
  /** Guest instructions retired by all harts while the scheduler ran. */
  instructions = 0;

  constructor(options: VmmOptions) {
    this.#opts = options;
    this.machine = options.machine;
    this.log = options.log;
    this.#log = logger(options.log, "axvisor::vmm");
    this.#loadImages = options.loadImages ?? loadGuestImages;
    this.#slice = options.sliceInstructions ?? DEFAULT_SLICE;
    this.time = new VmmTime(options.machine.clock, () => this.wake());
    this.host = vmmHostServices({
      memory: options.machine.memory,
      time: this.time,
      vmm: this.#hostVmm(),
      hostCpuNum: options.machine.hartCount,
      log: options.log,
    });
    this.ivc = new IvcChannels(options.machine.memory);
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
    this.#checkPassthroughIrqs(config);

    let inst: VmInstance | undefined;
    const console = new VmConsole(
      (bytes) => {
        if (inst !== undefined) this.#opts.onOutput?.(inst, bytes);
      },
      () => {
        if (inst !== undefined) this.#wakeHalted(inst);
      },
    );
    const devices = new RiscvVmDevices({
      console,
      setGuestExternal: (vcpu, level) => {
        if (inst === undefined) return;
        if (level) this.injectInterrupt(inst.id, vcpu, 9);
        else inst.archVcpu(vcpu)?.clearInterrupt(9);
      },
      onHostComplete: (irq) => this.#completeHostIrq(irq),
      notice: (m) => this.#opts.onNotice?.(`VM ${id} "${name}": ${m}`),
      deviceError: (dev, m) => this.#log.warn(`VM ${id} "${name}": device ${dev}: ${m}`),
      ...(options.disk !== undefined ? { disk: options.disk } : {}),
    });
    const vmid = this.#vmids.allocate();
    const context = new RiscvVmContext(id, vmid, console);
    const backend = createRiscvArchBackend({
      cpus: this.machine.cpus,
      vm: context,
      sliceInstructions: this.#slice,
      guestSstc: this.#guestSstc,
    });
    let axvm: AxVM<ReturnType<typeof backend.createConfig>, void>;
    try {
      axvm = AxVM.create(orderForConstruction(config), {
        host: this.host,
        arch: backend,
        deviceFactories: devices.factories(),
      });
    } catch (e) {
      this.#vmids.release(vmid);
      devices.close();
      throw e;
    }
    context.memory = {
      read: (at, len) => axvm.readGuest(at, len),
      write: (at, data) => axvm.writeGuest(at, data),
    };
    inst = new VmInstance({ config, axvm, backend, context, console, devices, vmid });
    try {
      this.#load(inst);
      axvm.markLoaded();
    } catch (e) {
      axvm.shutdown();
      axvm.destroy();
      this.#vmids.release(vmid);
      this.#fenceHarts();
      devices.close();
      if (e instanceof AxError && !e.message.startsWith(`VM ${id} `)) {
        throw new AxError(e.kind, `VM ${id} "${name}": ${e.message}`, { cause: e });
      }
      throw e;
    }
    this.#vms.set(id, inst);
    this.#claimPassthroughIrqs(inst);
    this.#log.info(
      `VM ${id} "${name}" created: ${config.base.cpuNum} vCPU(s), ${mib(need)} RAM, VMID ${vmid}`,
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
    for (const v of vm.backend.vcpus.values()) v.dispose();
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
    vm.console.resetInput();
    this.#log.info(`VM ${id} "${vm.name}" restarted`);
    this.wake();
  }

  /** Stops the VM if needed and frees everything it holds. */
  deleteVm(id: number): void {
    const vm = this.vm(id);
    if (vm.status !== VMStatus.Stopped) this.#end(vm, { kind: "stopped" });
    vm.axvm.destroy();
    this.#vmids.release(vm.vmid);
    this.#fenceHarts();
    vm.devices.close();
    this.#releasePassthroughIrqs(vm);
    this.#vms.delete(id);
    this.#log.info(`VM ${id} "${vm.name}" deleted`);
  }

  /** Console input for a VM (its UART, virtio-console or SBI console). */
  sendInput(id: number, data: Uint8Array | string): void {
    this.vm(id).console.type(data);
  }

  /** Queues virtual interrupt `vector` (1, 5, 9) on a vCPU and wakes it if it waits. */
  injectInterrupt(vmId: number, vcpuId: number, vector: number): void {
    const vm = this.#vms.get(vmId);
    if (vm === undefined) return;
    if (vm.status !== VMStatus.Running && vm.status !== VMStatus.Suspended) return;
    if (vcpuId < 0 || vcpuId >= vm.axvm.vcpuNum) return;
    vm.axvm.injectInterruptToVcpu(vcpuId, vector);
    this.#wakeVcpu(vm, vcpuId);
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

  #wakeVcpu(vm: VmInstance, vcpuId: number): void {
    const slot = vm.slots[vcpuId];
    if (slot?.state === "halted") {
      slot.state = "runnable";
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
      while (!this.#quit) {
        this.time.fireDue();
        this.#pollBoard();
        const ran = this.#round();
        if (this.#quit) break;
        if (!ran) {
          await this.#idle();
          lastYield = performance.now();
        } else if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
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
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
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

  /** One round: each hart runs one slice of a runnable vCPU. False when nothing could run. */
  #round(): boolean {
    const runnable: [VmInstance, VcpuSlot][] = [];
    for (const vm of this.#vms.values()) {
      if (vm.status !== VMStatus.Running) continue;
      for (const s of vm.slots) if (s.state === "runnable") runnable.push([vm, s]);
    }
    if (runnable.length === 0) return false;
    const harts = this.machine.hartCount;
    const busy = new Array<boolean>(harts).fill(false);
    const start = this.#rr++ % runnable.length;
    const roundStart = this.time.currentTimeNanos();
    const ran = new Set<VcpuSlot>();
    let used = 0;
    for (let k = 0; k < runnable.length && used < harts; k++) {
      const [vm, slot] = runnable[(start + k) % runnable.length]!;
      // An earlier slice of this round may have stopped, halted or restarted it.
      if (
        vm.status !== VMStatus.Running ||
        slot.state !== "runnable" ||
        vm.slots[slot.vcpuId] !== slot
      ) {
        continue;
      }
      const h = pickHart(slot, busy);
      if (h < 0) continue;
      busy[h] = true;
      used++;
      ran.add(slot);
      this.#runSlice(vm, slot, h);
    }
    this.#accountSteal(runnable, ran, this.time.currentTimeNanos() - roundStart);
    return true;
  }

  /** SBI STA: a vCPU that was runnable but got no hart this round waited the whole round. */
  #accountSteal(runnable: [VmInstance, VcpuSlot][], ran: Set<VcpuSlot>, nanos: number): void {
    if (!(nanos > 0) || ran.size === runnable.length) return;
    for (const [vm, slot] of runnable) {
      if (!ran.has(slot)) vm.archVcpu(slot.vcpuId)?.addStealTime(nanos);
    }
  }

  #runSlice(vm: VmInstance, slot: VcpuSlot, h: number): void {
    this.machine.cpus.setCurrent(h);
    this.#currentHart = h;
    this.#currentVm = vm.id;
    this.#currentVcpu = slot.vcpuId;
    const hart = this.machine.hart(h);
    const before = hart.instret;
    try {
      const exit = vm.axvm.runVcpu(slot.vcpuId, { cpu: this.machine.current[h]! });
      slot.lastHart = h;
      this.#handleExit(vm, slot, h, exit);
    } catch (e) {
      const pc = hart.getPc();
      this.machine.recoverHart(h);
      this.#crash(vm, slot.vcpuId, h, pc, e);
    } finally {
      this.instructions += hart.instret - before;
      vm.console.flush();
      this.#currentHart = -1;
      this.#currentVm = 0;
      this.#currentVcpu = 0;
    }
  }

  #handleExit(vm: VmInstance, slot: VcpuSlot, h: number, exit: ExitReason): void {
    switch (exit.kind) {
      case "Nothing":
        return;
      case "Halt":
        slot.state = "halted";
        return;
      case "CpuUp":
        this.#cpuUp(vm, exit.targetCpu, exit.entryPoint, exit.arg);
        return;
      case "CpuDown":
        slot.state = "stopped";
        this.#log.debug(`VM ${vm.id} vCPU ${slot.vcpuId} stopped itself (hart_stop)`);
        return;
      case "SystemDown":
        this.#systemDown(vm, slot.vcpuId);
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
        this.#serviceHostIrqs();
        return;
      case "SendIPI": {
        const ids: number[] = [];
        for (let i = 0; i < vm.axvm.vcpuNum; i++) {
          const self = i === slot.vcpuId;
          if (
            exit.sendToAll
              ? !self || exit.sendToSelf
              : self
                ? exit.sendToSelf
                : BigInt(i) === exit.targetCpu
          ) {
            ids.push(i);
          }
        }
        for (const i of ids) this.injectInterrupt(vm.id, i, Number(exit.vector));
        return;
      }
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
      this.#log.warn(`VM ${vm.id}: hart_start names hart ${target}, which has no vCPU`);
      return;
    }
    if (slot.state !== "stopped") {
      this.#log.warn(`VM ${vm.id}: hart_start of vCPU ${id}, which is already ${slot.state}`);
      return;
    }
    const vcpu = vm.axvm.vcpu(id);
    vcpu.setEntry(entry);
    vcpu.setGpr(10, target);
    vcpu.setGpr(11, arg);
    slot.state = "runnable";
    this.#log.debug(`VM ${vm.id}: vCPU ${id} (hart ${target}) starts at 0x${entry.toString(16)}`);
  }

  #systemDown(vm: VmInstance, vcpuId: number): void {
    const arch = vm.archVcpu(vcpuId);
    const kind = arch?.lastReset.kind ?? "shutdown";
    if (kind !== "shutdown") {
      this.#log.info(`VM ${vm.id} "${vm.name}": ${kind} requested`);
      try {
        this.restartVm(vm.id);
      } catch (e) {
        this.#opts.onNotice?.(`VM ${vm.id} "${vm.name}": reboot failed: ${errorMessage(e)}`);
      }
      return;
    }
    // SRST passes its reset reason in a1 (0 none, 1 system failure); the legacy call has none.
    const eid = arch === undefined ? 0n : arch.getGpr(17) & 0xffff_ffffn;
    const reason =
      eid === BigInt(SbiEid.Srst) && arch !== undefined
        ? Number(arch.getGpr(11) & 0xffff_ffffn)
        : 0;
    this.#end(vm, { kind: "poweroff", reason });
  }

  #crash(vm: VmInstance, vcpuId: number, h: number, pc: bigint, e: unknown): void {
    const message = `vCPU ${vcpuId} on hart ${h} at pc 0x${pc.toString(16)}: ${errorMessage(e)}`;
    this.#log.error(`VM ${vm.id} "${vm.name}" failed: ${message}`);
    if (e instanceof Error && e.stack !== undefined) this.#log.debug(e.stack);
    if (vm.status !== VMStatus.Stopped) this.#end(vm, { kind: "crashed", message });
  }

  #end(vm: VmInstance, end: VmEnd): void {
    this.ivc.forgetVm(vm.id);
    for (const v of vm.backend.vcpus.values()) v.dispose();
    const s = vm.status;
    if (s !== VMStatus.Stopped && s !== VMStatus.Stopping) vm.axvm.shutdown();
    for (const slot of vm.slots) slot.state = "stopped";
    vm.end = end;
    vm.console.flush();
    this.#log.info(`VM ${vm.id} "${vm.name}" stopped: ${describeEnd(end)}`);
    this.#opts.onVmEnd?.(vm, end);
  }

  #wakeHalted(vm: VmInstance): void {
    let any = false;
    for (const s of vm.slots) {
      if (s.state === "halted") {
        s.state = "runnable";
        any = true;
      }
    }
    if (any) this.wake();
  }

  async #idle(): Promise<void> {
    const ns = this.time.nanosToNextDeadline();
    let ms = ns === null ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, ns / 1e6);
    if (this.#irqOwners.size > 0) ms = Math.min(ms, PASSTHROUGH_POLL_MS);
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  // --- image loading -------------------------------------------------------------------

  #load(vm: VmInstance): void {
    const config = vm.config;
    const hartIds =
      config.base.physCpuIds ?? Array.from({ length: config.base.cpuNum }, (_, i) => i);
    // The loader only uses the VM's memory, which does not depend on the backend's types.
    const loaded = this.#loadImages(vm.axvm as unknown as AxVM, config, {
      hartIds,
      sstc: this.#guestSstc,
      ...(this.#opts.fsDisk !== undefined ? { disk: this.#opts.fsDisk } : {}),
    });
    const boot = vm.axvm.vcpu(0);
    boot.setEntry(gpa(loaded.entry));
    // The RISC-V boot protocol: a0 = hart id, a1 = the device tree (0 when there is none).
    boot.setGpr(10, BigInt(hartIds[0] ?? 0));
    boot.setGpr(11, BigInt(loaded.dtb ?? 0));
    vm.imageSummary = [...loaded.summary];
    this.#fenceHarts();
  }

  /**
   * What HFENCE.GVMA and FENCE.I on every hart do on silicon after the hypervisor changes a
   * VM's memory: the harts cache guest translations per VMID and compiled guest code, and both
   * outlive rewrites of the same hgatp, so removing stage-2 mappings, reusing a VMID or
   * loading new images must drop them.
   */
  #fenceHarts(): void {
    for (let i = 0; i < this.machine.hartCount; i++) {
      const hart = this.machine.hart(i);
      hart.flushTlb();
      hart.fenceI();
    }
  }

  #checkPlacement(config: AxVMCrateConfig): void {
    const harts = this.machine.hartCount;
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
      mapRegion: (at, hpa, size, flags) => a.mapRegion(at, hpa, size, flags),
      unmapRegion: (at, size) => {
        a.unmapRegion(at, size);
        this.#fenceHarts();
      },
      readGuest: (at, len) => a.readGuest(at, len),
      writeGuest: (at, data) => a.writeGuest(at, data),
    };
  }

  // --- passthrough interrupts ------------------------------------------------------------

  #checkPassthroughIrqs(config: AxVMCrateConfig): void {
    for (const d of config.devices.passthroughDevices) {
      if (d.irqId <= 0) continue;
      const owner = this.#irqOwners.get(d.irqId);
      if (owner !== undefined) {
        throw axErr(
          "ResourceBusy",
          `VM ${config.base.id} "${config.base.name}": passthrough device "${d.name}" wants host interrupt ${d.irqId}, which VM ${owner.id} "${owner.name}" owns`,
        );
      }
    }
  }

  #plicWrite(offset: number, value: number): void {
    this.machine.board.plic.handleWrite(
      gpa(VIRT.plic.base + offset),
      AccessWidth.Dword,
      BigInt(value >>> 0),
    );
  }

  #plicRead(offset: number): number {
    return Number(
      this.machine.board.plic.handleRead(gpa(VIRT.plic.base + offset), AccessWidth.Dword),
    );
  }

  #setHostIrqEnabled(irq: number, on: boolean): void {
    const enableWord =
      PLIC_ENABLE_BASE + HOST_IRQ_CONTEXT * PLIC_ENABLE_STRIDE + 4 * Math.floor(irq / 32);
    const bit = 1 << (irq % 32);
    const old = this.#plicRead(enableWord);
    this.#plicWrite(enableWord, on ? old | bit : old & ~bit);
    this.#plicWrite(PLIC_PRIORITY_BASE + 4 * irq, on ? 1 : 0);
  }

  /** Routes the VM's passthrough interrupts from the board PLIC to hart 0's S-mode context. */
  #claimPassthroughIrqs(vm: VmInstance): void {
    const irqs = vm.config.devices.passthroughDevices
      .filter((d) => d.irqId > 0)
      .map((d) => d.irqId);
    if (irqs.length === 0) return;
    this.#plicWrite(PLIC_CONTEXT_BASE + HOST_IRQ_CONTEXT * PLIC_CONTEXT_STRIDE, 0);
    for (const irq of irqs) {
      this.#irqOwners.set(irq, vm);
      this.#setHostIrqEnabled(irq, true);
    }
    const hart = this.machine.hart(0);
    hart.writeCsr(RiscvCsr.sie, hart.readCsr(RiscvCsr.sie) | SEIE);
  }

  #releasePassthroughIrqs(vm: VmInstance): void {
    for (const [irq, owner] of [...this.#irqOwners]) {
      if (owner !== vm) continue;
      this.#irqOwners.delete(irq);
      this.#setHostIrqEnabled(irq, false);
      if (this.#claimed.delete(irq)) this.#completeOnBoard(irq);
    }
  }

  /** Board devices advance with time even while no vCPU touches them. */
  #pollBoard(): void {
    if (this.#irqOwners.size === 0) return;
    const board = this.machine.board;
    board.clint.update(this.machine.clock.now());
    board.rtc.update();
    this.#serviceHostIrqs();
  }

  /** Claims pending host interrupts and forwards each to the vPLIC of the VM that owns it. */
  #serviceHostIrqs(): void {
    const claim = PLIC_CONTEXT_BASE + HOST_IRQ_CONTEXT * PLIC_CONTEXT_STRIDE + PLIC_CLAIM_OFFSET;
    for (;;) {
      const irq = this.#plicRead(claim);
      if (irq === 0) return;
      const owner = this.#irqOwners.get(irq);
      const vplic = owner?.devices.vplic;
      const live =
        owner !== undefined &&
        (owner.status === VMStatus.Running || owner.status === VMStatus.Suspended);
      if (vplic === undefined || !live) {
        this.#completeOnBoard(irq);
        continue;
      }
      this.#claimed.add(irq);
      vplic.forwardHostIrq(irq);
    }
  }

  #completeHostIrq(irq: number): void {
    if (this.#claimed.delete(irq)) this.#completeOnBoard(irq);
  }

  #completeOnBoard(irq: number): void {
    this.#plicWrite(
      PLIC_CONTEXT_BASE + HOST_IRQ_CONTEXT * PLIC_CONTEXT_STRIDE + PLIC_CLAIM_OFFSET,
      irq,
    );
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
          if (s.state !== "stopped") mask |= 1n << BigInt(i);
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

/** The hart a vCPU runs on this round: where it ran last if free, else the first free one. */
function pickHart(slot: VcpuSlot, busy: readonly boolean[]): number {
  const ok = (h: number) =>
    !busy[h] && (slot.allowed === null || ((slot.allowed >> BigInt(h)) & 1n) !== 0n);
  if (slot.lastHart >= 0 && ok(slot.lastHart)) return slot.lastHart;
  for (let h = 0; h < busy.length; h++) if (ok(h)) return h;
  return -1;
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
