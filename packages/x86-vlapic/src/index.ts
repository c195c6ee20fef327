export { GuestClockOffset } from "./guest-clock.js";
export {
  VirtualLapic,
  type VirtualLapicOptions,
  type VirtualLapicWiring,
} from "./virtual-lapic.js";
export { X86_APIC, X86VmInterrupts, type X86VmInterruptsOptions } from "./vm-interrupts.js";
