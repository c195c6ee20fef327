import type { SavedRecord } from "@axvisor/axdevice-base";
import type { HostServices } from "@axvisor/axvisor-api";
import type { GuestPhysAddr, HostPhysAddr } from "@axvisor/memory-addr";
import type { ExitReason } from "./exit-reason.js";
import type { GuestFault } from "./guest-fault.js";

/**
 * The per-architecture vCPU (AxVisor's `AxArchVCpu`): a world switch onto the (emulated)
 * hardware plus trap decoding. `CreateConfig` is what the factory needs to build one,
 * `SetupConfig` what `setup` takes before the first bind.
 *
 * Calls arrive in the order the `VCpu` state machine allows; a backend may throw an
 * `AxError` from any of them, which puts the `VCpu` into the Invalid state.
 */
export interface ArchVCpu<CreateConfig = unknown, SetupConfig = unknown> {
  /** Guest entry point: before `setup`, and again for a secondary CPU started by `CpuUp`. */
  setEntry(entry: GuestPhysAddr): void;
  /** Root of the nested page table (hgatp / VTTBR_EL2 / EPTP). */
  setEptRoot(root: HostPhysAddr): void;
  /** Last initialisation before the first `bind`. */
  setup(config: SetupConfig): void;
  /**
   * Runs the guest until an exit the backend does not handle itself. Synchronous: a backend
   * returns `{ kind: "Nothing" }` at the end of its time slice so a single-threaded VMM can
   * schedule other vCPUs. The exit is valid until the next `run`: a backend may rewrite one
   * record per exit kind rather than allocate an exit per trap (callers that keep an exit
   * longer copy it).
   */
  run(): ExitReason;
  /** Attaches the vCPU to the current physical CPU (loads its "sticky" state). */
  bind(): void;
  /** Detaches it (saves that state). */
  unbind(): void;
  /** Writes a general-purpose register, in the architecture's register numbering. */
  setGpr(index: number, value: bigint): void;
  getGpr?(index: number): bigint;
  /**
   * The registers a CPU finds at its entry point, set by the architecture's boot protocol so
   * the VMM never writes registers by number. For the boot vCPU `arg` is the boot-information
   * address (device tree, boot_params; 0 when there is none); for a vCPU started by `CpuUp`
   * it is the exit's `arg`. Where each architecture puts them (AxVisor's convention):
   *
   * - riscv64: a0 = `cpuId` (the hart id), a1 = `arg` (DTB or SBI HSM opaque);
   * - aarch64: x0 = `arg` (DTB or PSCI CPU_ON context id); `cpuId` (the MPIDR) is not a register;
   * - x86_64: rsi = `arg` (Linux boot_params) for the boot vCPU; an AP started by SIPI gets none.
   */
  setStartArgs(cpuId: bigint, arg: bigint): void;
  /**
   * Queues an edge (message-like) virtual interrupt; delivered when the guest can take it.
   * `vector` is in the architecture's own numbering (riscv scause interrupt number, ARM INTID,
   * x86 vector).
   */
  injectInterrupt(vector: number): void;
  /**
   * Drives a level-sensitive virtual interrupt line (riscv VSEIP from a vPLIC, an ARM PPI/SPI
   * line, an x86 LINT): it stays pending while raised and is withdrawn when lowered.
   */
  setInterruptLevel(vector: number, level: boolean): void;
  /**
   * Releases what the vCPU holds on the host (its host timers, wake-ups) when its VM stops,
   * restarts or is deleted. Idempotent.
   */
  dispose(): void;
  /**
   * The vCPU was runnable but waited `nanos` for a host CPU. Backends with a steal-time
   * interface (SBI STA, ARM PV time, KVM's steal-time MSR) report it to the guest.
   */
  addStealTime?(nanos: number): void;
  /** Writes the hypercall / SBI return-value register (a0 / x0 / rax). */
  setReturnValue(value: bigint): void;
  /**
   * Makes the access reported by the latest exit fault inside the guest, as a bus error would
   * on hardware (see `GuestFault`). Optional: without it the VMM falls back to read-as-zero /
   * write-ignored.
   */
  injectFault?(fault: GuestFault): void;
  /**
   * The VM just mapped the guest-physical page at `gpa` (a lazily allocated frame on first
   * touch) while this vCPU is bound: the architecture's fence for that page (RISC-V HFENCE.GVMA,
   * ARM TLBI IPAS2E1, INVEPT), for hardware that may cache the page's earlier absence.
   */
  guestPageMapped?(gpa: GuestPhysAddr): void;
  /**
   * The vCPU's whole architectural state for a VM snapshot, taken while it is unbound (between
   * slices): registers, guest CSRs / system registers, the hypervisor state it owns (virtual
   * interrupt pending bits, guest privilege), timers and firmware-call state. Times are
   * saved relative to guest time at `time.hostTicks`, so a restore on a clock that reads
   * differently neither fires a burst of stale timers nor loses one. Absent: the
   * architecture cannot snapshot its vCPUs yet.
   */
  saveState?(time: SnapshotTime): SavedRecord;
  /**
   * Puts back what `saveState` returned, on an unbound vCPU of a VM built from the same config,
   * at host time `time.hostTicks` (guest time continues from where it was saved). Throws an
   * AxError (InvalidData) naming the field that does not fit.
   */
  loadState?(state: SavedRecord, time: SnapshotTime): void;
  /** The configuration the factory built this vCPU from, for diagnostics. */
  readonly createConfig?: CreateConfig;
}

/**
 * Builds one backend vCPU (AxVisor's `AxArchVCpu::new`). The host services come in here,
 * never from globals, so two VMMs can share a process.
 */
export type ArchVCpuFactory<CreateConfig, SetupConfig> = (
  vmId: number,
  vcpuId: number,
  createConfig: CreateConfig,
  host: HostServices,
) => ArchVCpu<CreateConfig, SetupConfig>;

/** The instant a snapshot is taken or restored at, the same for every vCPU of the VM. */
export interface SnapshotTime {
  /** The host clock, in the ticks of `HostServices.time`. */
  readonly hostTicks: number;
}
