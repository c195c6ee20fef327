export { AxVmDevices } from "./ax-vm-devices.js";
export { MMIO_BUS, PORT_BUS, SYSREG_BUS } from "./bus-kinds.js";
export { type BusKind, DeviceBus, type RegisteredDevice } from "./device-bus.js";
export {
  type DeviceFactories,
  type DeviceFactory,
  type DeviceSet,
  isDeviceSet,
} from "./device-factory.js";
export { IvcChannelAllocator } from "./ivc-channel-allocator.js";
export { type RangeEntry, RangeMap } from "./range-map.js";
