export {
  createRiscvArchBackend,
  DEFAULT_DTB_ADDR,
  type RiscvArchBackend,
  type RiscvArchBackendOptions,
} from "./arch-backend.js";
export { Csr as RiscvCsr, VsIrq } from "./csr.js";
export type { GuestPhysMemory } from "./guest-memory.js";
export { readGuestVirtual, translateGuestVirtual } from "./guest-walk.js";
export { RiscvHostCpus, RiscvPhysCpu } from "./host-cpus.js";
export type { HostHart } from "./host-hart.js";
export {
  type DecodedAccess,
  decodeCompressed,
  decodeFetched,
  decodeHtinst,
  decodeStandard,
} from "./mmio-decode.js";
export {
  HsmState,
  SBI_IMPL_ID,
  SBI_IMPL_VERSION,
  SBI_SPEC_VERSION,
  SbiEid,
  SbiError,
} from "./sbi/consts.js";
export {
  dispatchSbi,
  type SbiCaller,
  type SbiOutcome,
  SUPPORTED_EXTENSIONS,
  type SystemResetKind,
} from "./sbi/dispatch.js";
export { RiscvVCpu, type RiscvVCpuCreateConfig } from "./vcpu.js";
export { type GuestConsole, PendingFence, RiscvVmContext } from "./vm-context.js";
export { VmidAllocator } from "./vmid.js";
