export {
  DeliveryMode,
  type InterruptMessage,
  IOAPIC_BASE,
  IOAPIC_PINS,
  IOAPIC_SIZE,
  IOAPIC_VERSION,
  IoApic,
  type IoApicOptions,
} from "./ioapic.js";
