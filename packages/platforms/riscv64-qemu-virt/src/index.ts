/** Moved to @axvisor/machine (every board returns it); re-exported for 0.1 users. */

/** Moved to @axvisor/device-virtio-mmio (every board uses them); re-exported for 0.1 users. */
export {
  EmptyVirtioSlot,
  type VirtioSlotFactory,
  virtioBlkSlot,
} from "@axvisor/device-virtio-mmio";
export type { MachineExit } from "@axvisor/machine";
export {
  applyChosen,
  type BootFile,
  type BootImages,
  type BootLayout,
  fdtLoadAddress,
  loadBootImages,
  type RamWriter,
  resetRomFor,
} from "./boot.js";
export { buildVirtDeviceTree, type VirtDeviceTreeOptions } from "./device-tree.js";
export { Htif, type HtifHost, type HtifMemory } from "./htif.js";
export { VIRT_MMU_TYPE, virtIsaString } from "./isa.js";
export {
  VirtMachine,
  type VirtMachineOptions,
} from "./machine.js";
export {
  VIRT,
  VIRT_DEFAULT_RAM_SIZE,
  VIRT_IRQ,
  VIRT_MAX_HARTS,
  VIRT_PLIC_NDEV,
  VIRT_PLIC_PRIORITY_MAX,
  VIRT_TIMEBASE_HZ,
  VIRT_UART_CLOCK_HZ,
  virtioSlotBase,
} from "./memory-map.js";
export {
  buildResetRom,
  encodeAddi,
  encodeAuipc,
  encodeCsrrs,
  encodeJalr,
  encodeLd,
  FW_DYNAMIC_INFO_MAGIC,
  FW_DYNAMIC_INFO_VERSION,
  FW_DYNAMIC_NEXT_MODE_M,
  FW_DYNAMIC_NEXT_MODE_S,
  FW_DYNAMIC_NEXT_MODE_U,
  type FwDynamicInfo,
  RESET_VEC_FDT_ADDR_OFFSET,
  RESET_VEC_FW_DYNAMIC_OFFSET,
  RESET_VEC_START_ADDR_OFFSET,
  type ResetRomParams,
  resetStubInstructions,
} from "./reset-rom.js";
