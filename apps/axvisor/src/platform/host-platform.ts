import type { Arch } from "@axvisor/arch";
import type { DeviceFactories } from "@axvisor/axdevice";
import type { SavedRecord } from "@axvisor/axdevice-base";
import type { AxResult } from "@axvisor/axerrno";
import type { SnapshotTime } from "@axvisor/axvcpu";
import type { HostServices, RamHostMemory } from "@axvisor/axvisor-api";
import type { ArchBackend, VmDeviceContext } from "@axvisor/axvm";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import type { DebugTarget } from "@axvisor/gdbstub";
import type { MachineClock, MachineExit } from "@axvisor/machine";
import type { VmConsole } from "../vmm/vm-console.js";
import type { VcpuDebugArch } from "./vcpu-debug.js";

/**
 * The contract between the VMM and a platform: an emulated board, its CPUs driven in the
 * mode a hypervisor uses (host-trap mode: TypeScript is HS-mode / EL2 / VMX root), its host
 * interrupt controller, and the per-architecture half of a VM (backend, guest interrupt
 * controller, device models, guest boot information). The VMM core names no architecture:
 * it schedules vCPUs, serves the neutral exits and manages VM lifecycles through this
 * contract, as crosvm's `arch` trait separates its VMM from aarch64/x86_64/riscv64.
 *
 * A platform registers by name (`registerPlatform`); `axvisor run/shell/emu` and `pnpm bench`
 * find it from `platform` in the board config, `--platform`, `-M`, or the VM config's image.
 *
 * Threads: every method is called on the thread that owns the host CPU concerned. State a
 * platform shares between host CPUs (RAM, CPU register files) lives in shared memory
 * (`@axvisor/machine`'s `allocateRam`), so a platform can later run each host CPU on a worker.
 */
export interface HostPlatform {
  /** AxVisor's platform name, e.g. "riscv64-qemu-virt". */
  readonly name: string;
  /** Other names `-M` accepts (QEMU's machine name, e.g. "virt"). */
  readonly aliases: readonly string[];
  readonly arch: Arch;
  /** One line for `--help` and errors. */
  readonly description: string;
  /** Host CPUs the board can have (1..maxCpus). */
  readonly maxCpus: number;
  /** Ticks per second of the board's timer clock (what a MachineClock counts on it). */
  readonly timebaseHz: number;
  /**
   * The board for `axvisor run` / `shell`. Absent while the platform has no hypervisor
   * backend yet (its bare machine already runs under `axvisor emu`): the VMM then says so.
   */
  readonly createHost?: (options: HostBoardOptions) => HostBoard;
  /** The built-in demo guest of this platform (`--default-guest`, `pnpm start`), if it has one. */
  readonly defaultGuest?: () => DefaultGuest;
  /** The bare machine for `axvisor emu` (no hypervisor), built from QEMU-like options. */
  createEmuMachine(options: EmuMachineOptions): EmuMachine;
  /**
   * The firmware file a `-bios` value names (`default` = what QEMU runs on this machine:
   * OpenSBI on riscv virt; none on arm virt; on a PC SeaBIOS, or no firmware when `-kernel`
   * is given, the board then booting the kernel directly as QEMU's linuxboot ROM does),
   * undefined for none. Throws an AxError naming what is missing.
   */
  resolveFirmware(spec: string, hasKernel: boolean): string | undefined;
}

export interface HostBoardOptions {
  readonly cpus: number;
  /** Bytes of host RAM; VM memory and nested page tables come from it. */
  readonly ramSize: number;
  /** Real time by default; an InstructionClock makes runs reproducible. */
  readonly clock?: MachineClock;
  /**
   * The VMs known when the host starts, so a board can fit hardware that cannot change later
   * to them (aarch64: a GICv2 host when a VM asks for a vGICv2).
   */
  readonly vms?: readonly AxVMCrateConfig[];
}

/**
 * The machine the hypervisor runs on, as the VMM sees it. Host CPU `i` is the i-th physical
 * CPU; the VMM runs one vCPU slice at a time on it after `setCurrentCpu(i)`.
 */
export interface HostBoard {
  readonly platform: HostPlatform;
  readonly cpuCount: number;
  /** Host RAM the VMs' memory and their nested page tables are allocated from. */
  readonly memory: RamHostMemory;
  /** The host clock (CPU timers and host timers read it). */
  readonly clock: MachineClock;
  /** Ticks per second of `clock`. */
  readonly timebaseHz: number;
  /** Host interrupts the VMM forwards to VMs (passthrough devices). */
  readonly irq: HostIrqController;
  /** Host CPU `cpu` runs the next `AxVM.runVcpu` (the backends find "their" CPU through it). */
  setCurrentCpu(cpu: number): void;
  /** Instructions host CPU `cpu` has retired so far (guest and host code). */
  retired(cpu: number): number;
  /** The program counter of host CPU `cpu`, for failure reports. */
  pc(cpu: number): bigint;
  /**
   * Puts host CPU `cpu` back into hypervisor mode after a host-side failure in the middle of
   * a guest slice, so the next vCPU bound to it can enter its guest.
   */
  recoverCpu(cpu: number): void;
  /**
   * What a hypervisor does on silicon after it changes a VM's memory (HFENCE.GVMA + FENCE.I,
   * TLBI VMALLS12E1IS + IC IALLUIS, INVEPT): every CPU drops cached guest translations and
   * compiled guest code.
   */
  fenceAll(): void;
  /** Builds the architecture's half of one VM. Throws an AxError naming a bad config. */
  createVm(ctx: VmBuildContext): VmArchParts;
}

/** The board's interrupt controller as the hypervisor uses it for passthrough devices. */
export interface HostIrqController {
  /** Routes board interrupt `irq` to the hypervisor (enabled) or masks it. */
  setEnabled(irq: number, enabled: boolean): void;
  /** The next pending routed interrupt, acknowledged; 0 when none is pending. */
  claim(): number;
  /** Ends the handling of a claimed interrupt (the guest completed it). */
  complete(irq: number): void;
  /** Lets board devices advance with time while no vCPU touches them. */
  poll(): void;
}

/** What the VMM gives a platform to build one VM. */
export interface VmBuildContext {
  readonly config: AxVMCrateConfig;
  readonly host: HostServices;
  readonly console: VmConsole;
  /** Guest instructions per vCPU time slice. */
  readonly sliceInstructions: number;
  /** The VM's virtio-blk disk, instead of opening its disk_path (the demo's in-memory disk). */
  readonly disk?: BlockBacking;
  /** Drives a level-sensitive virtual interrupt of one vCPU (and wakes it when raised). */
  setInterruptLevel(vcpuId: number, vector: number, level: boolean): void;
  /** Ends a vCPU's halt: its virtual interrupt controller made an interrupt pending for it. */
  wakeVcpu(vcpuId: number): void;
  /** The guest completed a host interrupt forwarded to it (passthrough). */
  onHostComplete(irq: number): void;
  /** A one-line notice for the user (e.g. a disk attached read-only). */
  notice(message: string): void;
  /** A device model reporting a guest driver error (virtqueue rule broken). */
  deviceError(device: string, message: string): void;
  /**
   * The guest powered its machine off through a device (an x86 guest's ACPI sleep to S5):
   * the VM stops as "powered off" when the vCPU that did it comes back from its slice.
   */
  powerOff(): void;
}

/** A guest's memory as the platform's VM parts reach it (after `AxVM` exists). */
export interface GuestMemoryAccess {
  read(gpa: number, len: number): AxResult<Uint8Array>;
  write(gpa: number, data: Uint8Array): AxResult<void>;
}

/** What the boot information generator knows once the images are placed. */
export interface PlacedVm {
  /** RAM regions of the VM as mapped (identity-mapped regions may have moved). */
  readonly memory: readonly {
    readonly gpa: number;
    readonly size: number;
    readonly flags: number;
  }[];
  readonly initrd?: { readonly start: number; readonly end: number };
  /** A Linux x86 bzImage kernel's boot sector and setup code (its setup header). */
  readonly kernelSetup?: Uint8Array;
}

/** The architecture's half of one VM. */
export interface VmArchParts<CreateConfig = unknown, SetupConfig = unknown> {
  /** The config as `AxVM.create` should see it (e.g. interrupt controller rows first). */
  readonly config: AxVMCrateConfig;
  readonly backend: ArchBackend<CreateConfig, SetupConfig>;
  readonly deviceFactories: DeviceFactories<VmDeviceContext>;
  /** The hardware VM tag (VMID / VPID) this VM uses, for `vm show`. */
  readonly vmid: number;
  /** Register access, breakpoints and single step for a debugger; absent: not debuggable. */
  readonly debug?: VcpuDebugArch;
  /** Gives the parts access to the VM's memory (SBI/PSCI calls with pointers, DMA). */
  attachMemory(memory: GuestMemoryAccess): void;
  /**
   * The boot information blob the guest finds at entry (a device tree on riscv64 and
   * aarch64, boot_params on x86_64) when the config names none; undefined for none.
   */
  bootInfo(placed: PlacedVm): Uint8Array | undefined;
  /** Where that blob goes when the config names no dtb_load_addr; default: the top of RAM. */
  readonly bootInfoGpa?: number;
  /** Hands a claimed host interrupt to the VM's virtual interrupt controller. */
  forwardHostIrq(irq: number): boolean;
  /** Releases the VMID and closes device files; the VM is being deleted. */
  release(): void;
  /**
   * The architecture's VM-wide state for a snapshot (beyond vCPUs and devices, which answer
   * for themselves): riscv64's SBI HSM states. Absent: this platform cannot snapshot VMs.
   */
  readonly snapshot?: VmArchSnapshot;
}

/** What a platform saves of a VM beyond its vCPUs and devices (see `VmArchParts.snapshot`). */
export interface VmArchSnapshot {
  /** Finishes device I/O (disk writes flushed to the host file) before the state is taken. */
  quiesce(): void;
  /** `time`: the instant the vCPUs are saved at (guest clocks are saved as guest time). */
  save(time: SnapshotTime): SavedRecord;
  /** Puts saved state back on parts built from the same config; throws an AxError naming the problem. */
  load(state: SavedRecord, time: SnapshotTime): void;
}

export interface DefaultGuest {
  readonly config: AxVMCrateConfig;
  readonly disk?: BlockBacking;
}

/** A file given to the bare machine (`-kernel`, `-initrd`, `-bios`, `-dtb`). */
export interface EmuFile {
  readonly name: string;
  readonly data: Uint8Array;
}

/** `axvisor emu`'s request, in QEMU's terms, already read from the command line. */
export interface EmuMachineOptions {
  readonly cpus: number;
  readonly memory: number;
  /** The `-cpu` text (model and properties), interpreted by the platform. */
  readonly cpu?: string;
  /** `-machine` properties beyond the name, e.g. virtualization=on,gic-version=3. */
  readonly machineProps: ReadonlyMap<string, string>;
  readonly firmware?: EmuFile;
  readonly kernel?: EmuFile;
  readonly initrd?: EmuFile;
  readonly dtb?: EmuFile;
  readonly append?: string;
  /** Disks in `-drive` order (virtio-blk on the board's virtio-mmio slots). */
  readonly drives: readonly EmuDrive[];
  /** `-device` texts (e.g. "isa-debug-exit,iobase=0xf4,iosize=0x4"); a platform refuses what it lacks. */
  readonly devices: readonly string[];
  readonly clock?: MachineClock;
  readonly console: (bytes: Uint8Array) => void;
}

export interface EmuDrive {
  readonly backing: BlockBacking;
  readonly onDeviceError: (message: string) => void;
}

/** A running bare machine. */
export interface EmuMachine {
  /** Runs until the guest powers off, `stop()` is called or the emulator faults. */
  run(): Promise<MachineExit>;
  stop(reason: string): void;
  sendInput(bytes: Uint8Array): void;
  /** Instructions executed since power-on (all CPUs). */
  readonly instructions: number;
  /** Host milliseconds spent asleep because every CPU waited. */
  readonly idleMs: number;
  /**
   * Puts the machine under a debugger (`axvisor emu -s`): its CPUs stop at once, each a
   * thread. Absent when the platform cannot debug its CPUs.
   */
  attachDebugger?(): EmuDebugTarget;
}

/** A bare machine as GDB drives it. */
export interface EmuDebugTarget extends DebugTarget {
  /** The run ended (power-off, stop, fault): a waiting debugger hears that the target exited. */
  machineEnded(code: number): void;
}
