/** fw_cfg item selectors (QEMU's docs/specs/fw_cfg.txt). */
export const FwCfgKey = {
  signature: 0x00,
  id: 0x01,
  uuid: 0x02,
  ramSize: 0x03,
  noGraphic: 0x04,
  nbCpus: 0x05,
  machineId: 0x06,
  kernelAddr: 0x07,
  kernelSize: 0x08,
  kernelCmdline: 0x09,
  initrdAddr: 0x0a,
  initrdSize: 0x0b,
  bootDevice: 0x0c,
  numa: 0x0d,
  bootMenu: 0x0e,
  maxCpus: 0x0f,
  kernelEntry: 0x10,
  kernelData: 0x11,
  initrdData: 0x12,
  cmdlineAddr: 0x13,
  cmdlineSize: 0x14,
  cmdlineData: 0x15,
  setupAddr: 0x16,
  setupSize: 0x17,
  setupData: 0x18,
  fileDir: 0x19,
  fileFirst: 0x20,
  /** x86-specific items (the arch-local bit 15 set). */
  acpiTables: 0x8000,
  smbiosEntries: 0x8001,
  irq0Override: 0x8002,
  e820Table: 0x8003,
  hpet: 0x8004,
} as const;

/** Selector bits: write access (ignored, as on QEMU 2.4+) and the arch-local range. */
export const FW_CFG_WRITE = 0x4000;
export const FW_CFG_ARCH_LOCAL = 0x8000;

/** FW_CFG_ID feature bits. */
export const FW_CFG_VERSION_TRADITIONAL = 1;
export const FW_CFG_VERSION_DMA = 2;

/** DMA control bits. */
export const DmaControl = {
  error: 0x01,
  read: 0x02,
  skip: 0x04,
  select: 0x08,
  write: 0x10,
} as const;

/** What a 64-bit read of the DMA address register returns: "QEMU CFG" big-endian. */
export const FW_CFG_DMA_SIGNATURE = 0x5145_4d55_2043_4647n;

/** Length of a file name in the directory, NUL-padded. */
export const FW_CFG_MAX_FILE_PATH = 56;
