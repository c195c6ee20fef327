export type { ArchVCpu, ArchVCpuFactory, SnapshotTime } from "./arch-vcpu.js";
export { CurrentVCpu, formatVCpu, type VCpuIdentity } from "./current-vcpu.js";
export {
  assertNever,
  type CpuDownExit,
  type CpuUpExit,
  EXIT_KINDS,
  type ExitKind,
  type ExitOf,
  type ExitReason,
  type ExternalInterruptExit,
  type FailEntryExit,
  formatExitReason,
  type HaltExit,
  type HypercallExit,
  type IoReadExit,
  type IoWriteExit,
  type MmioReadExit,
  type MmioWriteExit,
  type NestedPageFaultExit,
  type NothingExit,
  type SendIpiExit,
  type SysRegReadExit,
  type SysRegWriteExit,
  type SystemDownExit,
  type SystemResetType,
} from "./exit-reason.js";
export type { AccessExit, GuestFault } from "./guest-fault.js";
export { type ArchPerCpu, type ArchPerCpuFactory, PerCpu } from "./percpu.js";
export { VCpu, type VCpuOptions } from "./vcpu.js";
export { VCpuState, vcpuStateName } from "./vcpu-state.js";
