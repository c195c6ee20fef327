/**
 * QEMU 7.2's `virt` machine for aarch64 (hw/arm/virt.c: `base_memmap`, `a15irqmap`),
 * restricted to the devices this board emulates. Guests find everything through the device
 * tree; firmware built for QEMU (U-Boot's qemu_arm64) also hard-codes the flash, UART and RAM.
 */
export const ARM_VIRT = {
  /** Two CFI flash banks: bank 0 holds `-bios` firmware (the CPUs reset to address 0). */
  flash: { base: 0x0, size: 0x0800_0000, bankSize: 0x0400_0000 },
  /** GIC distributor (v2 and v3). */
  gicDist: { base: 0x0800_0000, size: 0x1_0000 },
  /** GICv2 CPU interface. */
  gicCpu: { base: 0x0801_0000, size: 0x1_0000 },
  /** GICv2 virtualization: hypervisor control interface and virtual CPU interface. */
  gicHyp: { base: 0x0803_0000, size: 0x1_0000 },
  gicVcpu: { base: 0x0804_0000, size: 0x1_0000 },
  /** GICv3 redistributors, 0x2_0000 per CPU (room for 123). */
  gicRedist: { base: 0x080a_0000, size: 0x00f6_0000 },
  uart: { base: 0x0900_0000, size: 0x1000 },
  rtc: { base: 0x0901_0000, size: 0x1000 },
  /** 32 virtio-mmio transports. */
  virtio: { base: 0x0a00_0000, size: 0x200, count: 32 },
  /** Main memory. */
  ram: { base: 0x4000_0000 },
} as const;

/** SPI numbers (INTID - 32) of the board's devices. */
export const ARM_VIRT_SPI = {
  uart: 1,
  rtc: 2,
  /** virtio slot n raises SPI 16 + n. */
  virtioFirst: 16,
} as const;

/** The PPIs the generic timer drives (INTIDs) and the GIC's maintenance interrupt. */
export const ARM_VIRT_PPI = {
  /** EL1 physical timer (CNTP), timerLines() bit 0. */
  physTimer: 30,
  /** Virtual timer (CNTV), bit 1. */
  virtTimer: 27,
  /** EL2 physical timer (CNTHP), bit 2. */
  hypTimer: 26,
  /** Secure physical timer (CNTPS), bit 3. */
  secureTimer: 29,
  maintenance: 25,
} as const;

/** INTIDs the GIC implements: 32 private + 256 SPIs (QEMU's NUM_IRQS). */
export const ARM_VIRT_GIC_IRQS = 288;
/** CNTFRQ of QEMU's generic timer: 62.5 MHz. */
export const ARM_VIRT_TIMER_HZ = 62_500_000;
/** The "apb-pclk" fixed clock QEMU gives the PrimeCells: 24 MHz. */
export const ARM_VIRT_APB_CLOCK_HZ = 24_000_000;
export const ARM_VIRT_MAX_CPUS = 8;
/** QEMU's default -m for virt. */
export const ARM_VIRT_DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

/** Address of virtio slot `n`. */
export const armVirtioSlotBase = (n: number): number =>
  ARM_VIRT.virtio.base + n * ARM_VIRT.virtio.size;

/**
 * MPIDR affinity of CPU `n`: QEMU virt puts 8 CPUs per cluster with GICv2 and 16 with GICv3
 * (Aff0 = n mod cluster, Aff1 = n / cluster); with at most 8 CPUs both give Aff0 = n.
 */
export const armVirtCpuAffinity = (n: number, gicVersion: 2 | 3): number => {
  const cluster = gicVersion === 2 ? 8 : 16;
  return ((Math.floor(n / cluster) & 0xff) << 8) | (n % cluster);
};
