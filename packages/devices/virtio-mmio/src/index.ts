export type { VirtioDeviceBackend, VirtioDeviceHost } from "./backend.js";
export { type BlockBacking, MemoryBlockBacking } from "./blk/block-backing.js";
export {
  BlkConfig,
  SECTOR_SIZE,
  VIRTIO_BLK_F_BLK_SIZE,
  VIRTIO_BLK_F_FLUSH,
  VIRTIO_BLK_F_RO,
  VIRTIO_BLK_F_SEG_MAX,
  VIRTIO_BLK_ID_BYTES,
  VIRTIO_BLK_S_IOERR,
  VIRTIO_BLK_S_OK,
  VIRTIO_BLK_S_UNSUPP,
  VIRTIO_BLK_T_FLUSH,
  VIRTIO_BLK_T_GET_ID,
  VIRTIO_BLK_T_IN,
  VIRTIO_BLK_T_OUT,
  VirtioBlk,
  type VirtioBlkOptions,
} from "./blk/virtio-blk.js";
export { ConfigSpace } from "./config-space.js";
export {
  CONSOLE_RECEIVEQ,
  CONSOLE_TRANSMITQ,
  ConsoleConfig,
  VIRTIO_CONSOLE_F_EMERG_WRITE,
  VIRTIO_CONSOLE_F_SIZE,
  VirtioConsole,
  type VirtioConsoleOptions,
} from "./console/virtio-console.js";
export {
  feature,
  INT_CONFIG_CHANGE,
  INT_USED_BUFFER,
  MmioReg,
  Status,
  VIRTIO_F_EVENT_IDX,
  VIRTIO_F_INDIRECT_DESC,
  VIRTIO_F_VERSION_1,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VERSION,
  VIRTIO_VENDOR_QEMU,
  VirtioDeviceId,
} from "./constants.js";
export { DmaFault, type DmaMemory, dmaRead, dmaWrite } from "./dma.js";
export {
  buildVirtioSlots,
  EmptyVirtioSlot,
  type VirtioSlot,
  type VirtioSlotFactory,
  type VirtioSlotLayout,
  virtioBlkSlot,
} from "./slots.js";
export { type VirtioMmioOptions, VirtioMmioTransport } from "./transport.js";
export {
  DescriptorChain,
  type GuestBuffer,
  VIRTQ_AVAIL_F_NO_INTERRUPT,
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
  Virtqueue,
  VirtqueueError,
  type VirtqueueFeatures,
  type VirtqueueLayout,
} from "./virtqueue.js";
