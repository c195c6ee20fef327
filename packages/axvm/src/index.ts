export type { ArchBackend, VCpuPlacement } from "./arch-backend.js";
export {
  AxVM,
  type AxVMDeps,
  type GuestFaultAction,
  type GuestFaultEvent,
  type ImageLayout,
  type RunVcpuOptions,
  type VmMemoryRegion,
} from "./ax-vm.js";
export { loadResult } from "./load-result.js";
export {
  type PassthroughPlan,
  type PassthroughWindow,
  planPassthrough,
} from "./passthrough-plan.js";
export type { GuestMemory, VmDeviceContext } from "./vm-device-context.js";
export { checkVmTransition, VM_TRANSITIONS, type VMOperation, VMStatus } from "./vm-status.js";
