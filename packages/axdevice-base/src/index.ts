export type {
  BaseDeviceOps,
  BaseMmioDeviceOps,
  BasePortDeviceOps,
  BaseSysRegDeviceOps,
  DeviceAccess,
} from "./device-ops.js";
export {
  EmulatedDeviceType,
  emulatedDeviceTypeFromCode,
  emulatedDeviceTypeName,
  isRemovable,
} from "./emulated-device-type.js";
export { type IrqLine, irqLine, NO_IRQ, RecordingIrqLine } from "./irq-line.js";
export {
  type SavedRecord,
  type SavedState,
  type Snapshottable,
  StateReader,
  savedBytes,
  savedU64,
} from "./saved-state.js";
