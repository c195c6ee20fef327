export {
  type ArmArchBackend,
  type ArmArchBackendOptions,
  createArmArchBackend,
  DEFAULT_DTB_ADDR,
} from "./arch-backend.js";
export {
  decodeDataAbortIss,
  decodeSysRegIss,
  ExceptionClass,
  faultIpa,
  ICC_SGI1R_EL1_ADDR,
  sysRegIssAddr,
} from "./esr.js";
export type { GuestPhysMemory } from "./guest-memory.js";
export { readGuestVirtual, type Stage1Regs, translateGuestVirtual } from "./guest-walk.js";
export { GUEST_HCR, HcrEl2 } from "./hcr.js";
export { ArmHostCpus, ArmPhysCpu } from "./host-cpus.js";
export { type DecodedAccess, decodeLoadStore } from "./mmio-decode.js";
export {
  AffinityState,
  PSCI_VERSION_1_1,
  PsciError,
  PsciFn,
  SMCCC_VERSION_1_1,
  SmcccFn,
} from "./psci.js";
export { ArmVCpu, type ArmVCpuCreateConfig, VTIMER_PPI } from "./vcpu.js";
export { type VirtualInterrupts, VirtualIrqLine } from "./virtual-interrupts.js";
export { ArmVmContext } from "./vm-context.js";
export { ArmVmidAllocator } from "./vmid.js";
