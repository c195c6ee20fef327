/** The q35 board's fixed addresses, ports and interrupt lines. */
export const PC = {
  /** Conventional memory ends where the EBDA starts (639 KiB), as SeaBIOS reserves it. */
  ebda: 0x9_fc00,
  /** The legacy hole: VGA window and BIOS area. */
  vgaStart: 0xa_0000,
  biosAreaStart: 0xe_0000,
  biosAreaEnd: 0x10_0000,
  /** ACPI tables go at the start of the BIOS area (RSDP first, 16-byte aligned). */
  acpiBase: 0xe_0000,
  acpiSize: 0x1_0000,
  highMemory: 0x10_0000,
  /** q35 puts RAM above this in high memory when there is more than `lowmemSplitThreshold`. */
  lowmemSplit: 0x8000_0000,
  lowmemSplitThreshold: 0xb000_0000,
  /** PCIe MMCONFIG window (not announced: no MCFG, so Linux uses 0xCF8/0xCFC). */
  mmconfig: 0xb000_0000,
  ioapic: 0xfec0_0000,
  hpet: 0xfed0_0000,
  lapic: 0xfee0_0000,
  /** virtio-mmio slots: 8 windows of 0x200 bytes (announced on the kernel command line). */
  virtioBase: 0xfeb0_0000,
  virtioSize: 0x200,
  virtioCount: 8,
  fourGiB: 0x1_0000_0000,
} as const;

export const PC_PORT = {
  com1: 0x3f8,
  pic1: 0x20,
  pic2: 0xa0,
  pit: 0x40,
  portB: 0x61,
  kbdData: 0x60,
  kbdStatus: 0x64,
  cmos: 0x70,
  post: 0x80,
  elcr: 0x4d0,
  fwCfg: 0x510,
  pciConfigAddress: 0xcf8,
  resetControl: 0xcf9,
  pciConfigData: 0xcfc,
  /** ICH9 ACPI PM block (PMBASE 0x600): PM1a event, control, timer, GPE0. */
  pmBase: 0x600,
} as const;

/** ISA IRQ lines of the board's devices. */
export const PC_IRQ = {
  pit: 0,
  com1: 4,
  rtc: 8,
  sci: 9,
  /** virtio-mmio slot n uses IOAPIC pin virtioFirst + n. */
  virtioFirst: 16,
} as const;

/** The board clock's rate: the board's time is in nanoseconds. */
export const PC_TIMEBASE_HZ = 1_000_000_000;
export const PC_DEFAULT_RAM_SIZE = 256 << 20;
export const PC_MAX_CPUS = 8;

export function virtioSlotBase(n: number): number {
  return PC.virtioBase + n * PC.virtioSize;
}

/** How q35 splits RAM below and above 4 GiB. */
export function splitRam(ramSize: number): { below4g: number; above4g: number } {
  if (ramSize >= PC.lowmemSplitThreshold) {
    return { below4g: PC.lowmemSplit, above4g: ramSize - PC.lowmemSplit };
  }
  return { below4g: ramSize, above4g: 0 };
}
