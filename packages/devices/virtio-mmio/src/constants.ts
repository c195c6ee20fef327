/** Values from the virtio 1.2 specification (OASIS), §2 and §4.2 (virtio over MMIO). */

export const VIRTIO_MMIO_MAGIC = 0x7472_6976; // "virt" in little-endian
export const VIRTIO_MMIO_VERSION = 2;
/** QEMU's vendor id ("QEMU" in little-endian). */
export const VIRTIO_VENDOR_QEMU = 0x554d_4551;

/** MMIO register offsets (§4.2.2). */
export const MmioReg = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceId: 0x008,
  VendorId: 0x00c,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  QueueReady: 0x044,
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptAck: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
  ShmSel: 0x0ac,
  ShmLenLow: 0x0b0,
  ShmLenHigh: 0x0b4,
  ShmBaseLow: 0x0b8,
  ShmBaseHigh: 0x0bc,
  ConfigGeneration: 0x0fc,
  Config: 0x100,
} as const;

/** Device status bits (§2.1). */
export const Status = {
  Acknowledge: 1,
  Driver: 2,
  DriverOk: 4,
  FeaturesOk: 8,
  DeviceNeedsReset: 64,
  Failed: 128,
} as const;

/** InterruptStatus bits (§4.2.2). */
export const INT_USED_BUFFER = 1;
export const INT_CONFIG_CHANGE = 2;

/** Reserved (device-independent) feature bits (§6). */
export const VIRTIO_F_INDIRECT_DESC = 28n;
export const VIRTIO_F_EVENT_IDX = 29n;
export const VIRTIO_F_VERSION_1 = 32n;

export const feature = (bit: bigint): bigint => 1n << bit;

/** Virtio device ids (§5). */
export const VirtioDeviceId = {
  Net: 1,
  Block: 2,
  Console: 3,
  Entropy: 4,
} as const;
