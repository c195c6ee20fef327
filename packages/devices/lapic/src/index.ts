export { ApicBus, Shorthand } from "./apic-bus.js";
export type { ApicMessage } from "./apic-message.js";
export {
  type ExtIntSource,
  LocalApic,
  type LocalApicHost,
  type LocalApicOptions,
} from "./local-apic.js";
export {
  APIC_BASE_BSP,
  APIC_BASE_EN,
  APIC_BASE_EXTD,
  APIC_DEFAULT_BASE,
  APIC_VERSION,
  DeliveryMode,
  LVT_MASKED,
  Lvt,
  MSR_APIC_BASE,
  MSR_TSC_DEADLINE,
  MSR_X2APIC_FIRST,
  MSR_X2APIC_LAST,
  Reg,
} from "./registers.js";
