import {
  type AccessWidth,
  formatGpa,
  formatHex,
  formatMappingFlags,
  type GuestPhysAddr,
  type MappingFlags,
  type Port,
  type SysRegAddr,
} from "@axvisor/memory-addr";

/**
 * Why `ArchVCpu.run()` returned: AxVisor's `AxVCpuExitReason`, one variant per member.
 *
 * Register-sized values (hypercall arguments, data, CPU ids) are 64-bit unsigned bigints;
 * addresses are branded numbers; interrupt vectors are plain numbers because they are small
 * interrupt ids that the interrupt-injection API also takes as numbers.
 */
export type ExitReason =
  | HypercallExit
  | MmioReadExit
  | MmioWriteExit
  | SysRegReadExit
  | SysRegWriteExit
  | IoReadExit
  | IoWriteExit
  | ExternalInterruptExit
  | NestedPageFaultExit
  | HaltExit
  | CpuUpExit
  | CpuDownExit
  | SystemDownExit
  | NothingExit
  | FailEntryExit
  | SendIpiExit;

export type ExitKind = ExitReason["kind"];

/** A guest hypercall (RISC-V SBI extension 0x485643, ARM `hvc`, x86 `vmcall`). */
export interface HypercallExit {
  readonly kind: "Hypercall";
  readonly nr: bigint;
  /** The six argument registers, in order. */
  readonly args: readonly bigint[];
}

/** A load from an emulated (unmapped) guest-physical address. */
export interface MmioReadExit {
  readonly kind: "MmioRead";
  readonly addr: GuestPhysAddr;
  readonly width: AccessWidth;
  /** Destination general-purpose register, in the backend's `setGpr` index space. */
  readonly reg: number;
  /** Width of the destination register view (ARM `w` registers are 4 bytes). */
  readonly regWidth: AccessWidth;
  /** The load instruction sign-extends (RISC-V `lb/lh/lw`, ARM `ldrs*`). */
  readonly signExtend: boolean;
}

/** A store to an emulated guest-physical address; `data` holds the stored bytes, unmasked. */
export interface MmioWriteExit {
  readonly kind: "MmioWrite";
  readonly addr: GuestPhysAddr;
  readonly width: AccessWidth;
  readonly data: bigint;
}

/** A trapped system-register read (RISC-V CSR, x86 MSR, ARM `mrs`). */
export interface SysRegReadExit {
  readonly kind: "SysRegRead";
  readonly addr: SysRegAddr;
  /** Destination register (unused on x86, where MSR reads land in edx:eax). */
  readonly reg: number;
}

export interface SysRegWriteExit {
  readonly kind: "SysRegWrite";
  readonly addr: SysRegAddr;
  readonly value: bigint;
}

/** An x86 `in`; the result goes to al/ax/eax. */
export interface IoReadExit {
  readonly kind: "IoRead";
  readonly port: Port;
  readonly width: AccessWidth;
}

export interface IoWriteExit {
  readonly kind: "IoWrite";
  readonly port: Port;
  readonly width: AccessWidth;
  readonly data: bigint;
}

/** A host interrupt arrived while the guest ran. */
export interface ExternalInterruptExit {
  readonly kind: "ExternalInterrupt";
  readonly vector: number;
}

/** A nested (G-stage / stage-2 / EPT) page fault that is not an emulated-device access. */
export interface NestedPageFaultExit {
  readonly kind: "NestedPageFault";
  readonly addr: GuestPhysAddr;
  /** The attempted access: READ, WRITE or EXECUTE. */
  readonly accessFlags: MappingFlags;
}

/** The guest is idle until an interrupt arrives (e.g. RISC-V SBI HSM `hart_suspend`). */
export interface HaltExit {
  readonly kind: "Halt";
}

/** Start another vCPU (PSCI CPU_ON, SBI HSM `hart_start`, x86 SIPI). */
export interface CpuUpExit {
  readonly kind: "CpuUp";
  /** Target as the guest names it: MPIDR, hart id or APIC id. */
  readonly targetCpu: bigint;
  readonly entryPoint: GuestPhysAddr;
  readonly arg: bigint;
}

/** This vCPU powers off (PSCI CPU_OFF, SBI HSM `hart_stop`). */
export interface CpuDownExit {
  readonly kind: "CpuDown";
  readonly state: bigint;
}

/** What a guest asked for when it brought the whole VM down. */
export type SystemResetType = "shutdown" | "cold-reboot" | "warm-reboot";

/**
 * The whole VM powers off or reboots (SBI SRST, PSCI SYSTEM_OFF/SYSTEM_RESET, an x86 reset or
 * triple fault). The backend decodes the guest's request, so the VMM reads no registers.
 */
export interface SystemDownExit {
  readonly kind: "SystemDown";
  readonly resetType: SystemResetType;
  /**
   * Why, in SBI SRST's numbering: 0 no reason, 1 system failure (a triple fault is one),
   * 0xE000_0000.. vendor-specific. Architectures without a reason report 0.
   */
  readonly reason: number;
}

/** Handled inside the backend (or end of a time slice): a scheduling point for the VMM. */
export interface NothingExit {
  readonly kind: "Nothing";
}

/** Entering the guest failed. */
export interface FailEntryExit {
  readonly kind: "FailEntry";
  readonly hardwareEntryFailureReason: bigint;
}

/** A software-generated interrupt between vCPUs (ARM ICC_SGI1R_EL1 and the like). */
export interface SendIpiExit {
  readonly kind: "SendIPI";
  /** ARM: Aff3.Aff2.Aff1.0 of the target cluster. */
  readonly targetCpu: bigint;
  /** ARM: bitmask of Aff0 values within the cluster. */
  readonly targetCpuAux: bigint;
  readonly sendToAll: boolean;
  readonly sendToSelf: boolean;
  readonly vector: number;
  /**
   * The vCPU ids (of this VM) that receive it, resolved by the backend from the fields above
   * in its architecture's terms (MPIDR affinities, APIC ids and shorthands, hart masks), so
   * the VMM injects without knowing how the architecture names CPUs.
   */
  readonly targetVcpus: readonly number[];
}

/** Every exit kind once, in AxVisor's declaration order (a compile error if one is missing). */
export const EXIT_KINDS = [
  "Hypercall",
  "MmioRead",
  "MmioWrite",
  "SysRegRead",
  "SysRegWrite",
  "IoRead",
  "IoWrite",
  "ExternalInterrupt",
  "NestedPageFault",
  "Halt",
  "CpuUp",
  "CpuDown",
  "SystemDown",
  "Nothing",
  "FailEntry",
  "SendIPI",
] as const satisfies readonly ExitKind[];

// Fails to compile if EXIT_KINDS misses a kind of the union.
type MissingKinds = Exclude<ExitKind, (typeof EXIT_KINDS)[number]>;
const everyKindListed: [MissingKinds] extends [never] ? true : MissingKinds = true;
void everyKindListed;

/** The exit variant with the given kind. */
export type ExitOf<K extends ExitKind> = Extract<ExitReason, { kind: K }>;

/**
 * The default branch of an exhaustive `switch`: it only type-checks when every case is
 * handled, and throws if a value of an unexpected kind still arrives at run time.
 */
export function assertNever(value: never, what = "value"): never {
  const kind = (value as { kind?: unknown } | null)?.kind;
  throw new TypeError(`unexpected ${what}: ${kind === undefined ? String(value) : String(kind)}`);
}

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** One line describing an exit, for logs and error messages. */
export function formatExitReason(exit: ExitReason): string {
  switch (exit.kind) {
    case "Hypercall":
      return `Hypercall nr=${hex64(exit.nr)} args=[${exit.args.map(hex64).join(", ")}]`;
    case "MmioRead":
      return (
        `MmioRead ${formatGpa(exit.addr)} width=${exit.width} -> reg ${exit.reg}` +
        ` (${exit.regWidth * 8}-bit${exit.signExtend ? ", sign-extended" : ""})`
      );
    case "MmioWrite":
      return `MmioWrite ${formatGpa(exit.addr)} width=${exit.width} data=${hex64(exit.data)}`;
    case "SysRegRead":
      return `SysRegRead ${formatHex(exit.addr)} -> reg ${exit.reg}`;
    case "SysRegWrite":
      return `SysRegWrite ${formatHex(exit.addr)} value=${hex64(exit.value)}`;
    case "IoRead":
      return `IoRead port=${formatHex(exit.port)} width=${exit.width}`;
    case "IoWrite":
      return `IoWrite port=${formatHex(exit.port)} width=${exit.width} data=${hex64(exit.data)}`;
    case "ExternalInterrupt":
      return `ExternalInterrupt vector=${exit.vector}`;
    case "NestedPageFault":
      return `NestedPageFault ${formatGpa(exit.addr)} access=${formatMappingFlags(exit.accessFlags)}`;
    case "Halt":
    case "Nothing":
      return exit.kind;
    case "SystemDown":
      return `SystemDown ${exit.resetType}${exit.reason !== 0 ? ` reason=${formatHex(exit.reason)}` : ""}`;
    case "CpuUp":
      return (
        `CpuUp target=${hex64(exit.targetCpu)} entry=${formatGpa(exit.entryPoint)}` +
        ` arg=${hex64(exit.arg)}`
      );
    case "CpuDown":
      return `CpuDown state=${hex64(exit.state)}`;
    case "FailEntry":
      return `FailEntry reason=${hex64(exit.hardwareEntryFailureReason)}`;
    case "SendIPI":
      return (
        `SendIPI vector=${exit.vector} target=${hex64(exit.targetCpu)}` +
        ` aux=${hex64(exit.targetCpuAux)}${exit.sendToAll ? " all" : ""}` +
        `${exit.sendToSelf ? " self" : ""} -> vCPUs [${exit.targetVcpus.join(", ")}]`
      );
    default:
      return assertNever(exit, "exit reason");
  }
}
