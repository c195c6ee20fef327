export { type BoardDevice, virtBoardDevices } from "./board-devices.js";
export { buildGuestDeviceTree, buildGuestFdt, type GuestFdtOptions } from "./build-guest-fdt.js";
export { guestDevicesFromConfig } from "./config-devices.js";
export type {
  GuestClint,
  GuestDeviceNode,
  GuestDeviceSet,
  GuestFdtValue,
  GuestPlic,
} from "./guest-device-node.js";
