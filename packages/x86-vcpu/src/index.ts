export {
  createX86ArchBackend,
  type X86ArchBackend,
  type X86ArchBackendOptions,
} from "./arch-backend.js";
export { EventType, EXIT_ENTRY_FAILURE, ExitCode, hasErrorCode, Vector } from "./exit-codes.js";
export {
  GPR_EDX_EAX,
  GPR_HIGH8,
  GPR_LOW8,
  GPR_LOW16,
  GPR_RAX,
  GPR_RCX,
  GPR_RDI,
  GPR_RDX,
  GPR_RSI,
  GPR_RSP,
  gprBase,
  mergeGpr,
} from "./gpr.js";
export {
  type GuestPaging,
  type GuestPhysMemory,
  readGuestLinear,
  translateGuestLinear,
} from "./guest-walk.js";
export { HOST_PREEMPT_VECTOR, VpidAllocator, X86HostCpus, X86PhysCpu } from "./host-cpus.js";
export { SimpleInterruptQueue, type X86InterruptSource } from "./interrupts.js";
export {
  type DecodedMmio,
  type DecodeMode,
  decodeMmio,
  type UndecodableMmio,
} from "./mmio-decode.js";
export { MmioDecodeCache } from "./mmio-decode-cache.js";
export { type MsrPolicy, PASSTHROUGH_MSRS, READ_ONLY_MSRS, writeMsrBitmap } from "./msr-bitmap.js";
export { PM1A_CONTROL_PORT, X86VCpu, type X86VCpuCreateConfig } from "./vcpu.js";
export { X86VmContext } from "./vm-context.js";
