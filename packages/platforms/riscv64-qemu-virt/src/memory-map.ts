/**
 * QEMU 7.2's `virt` machine for riscv64 (hw/riscv/virt.c, `virt_memmap` and the IRQ numbers),
 * restricted to the devices this board emulates. Guests find everything through the device
 * tree, but firmware built for QEMU (OpenSBI's generic platform, U-Boot's qemu-riscv) also
 * hard-codes some of these, so they must match exactly.
 */
export const VIRT = {
  /** Mask ROM holding the reset vector; harts start at its base. */
  mrom: { base: 0x1000, size: 0xf000 },
  /** SiFive test finisher (poweroff/reboot). */
  test: { base: 0x10_0000, size: 0x1000 },
  /** Goldfish real-time clock. */
  rtc: { base: 0x10_1000, size: 0x1000 },
  /** Core-local interruptor: msip, mtimecmp, mtime. */
  clint: { base: 0x200_0000, size: 0x1_0000 },
  /** Platform-level interrupt controller; QEMU sizes it for its 512-hart maximum. */
  plic: { base: 0xc00_0000, size: 0x60_0000 },
  /** ns16550a console UART. */
  uart0: { base: 0x1000_0000, size: 0x100 },
  /** First of the virtio-mmio transport slots. */
  virtio: { base: 0x1000_1000, size: 0x1000, count: 8 },
  /** Main memory. */
  dram: { base: 0x8000_0000 },
} as const;

/** PLIC source numbers. */
export const VIRT_IRQ = {
  /** virtio slot n (0-based) raises source 1 + n. */
  virtioFirst: 1,
  uart0: 10,
  rtc: 11,
} as const;

/** Sources the PLIC implements, as QEMU advertises in `riscv,ndev`. */
export const VIRT_PLIC_NDEV = 0x60;
/** PLIC priority bits: QEMU's virt uses 7 levels. */
export const VIRT_PLIC_PRIORITY_MAX = 7;

/** The timebase of `time`/`mtime`: 10 MHz. */
export const VIRT_TIMEBASE_HZ = 10_000_000;

/** The UART input clock QEMU puts in the device tree (3.6864 MHz). */
export const VIRT_UART_CLOCK_HZ = 3_686_400;

export const VIRT_MAX_HARTS = 8;
export const VIRT_DEFAULT_RAM_SIZE = 256 * 1024 * 1024;

/** Address of virtio slot `n`. */
export const virtioSlotBase = (n: number): number => VIRT.virtio.base + n * VIRT.virtio.size;
