/** Every board returns @axvisor/machine's MachineExit. */

export type { VirtioSlotFactory } from "@axvisor/device-virtio-mmio";
export type { MachineExit } from "@axvisor/machine";
export {
  ACPI_PM,
  type AcpiBlob,
  type AcpiTablesOptions,
  acpiTable,
  buildAcpiTables,
  buildDsdt,
  buildFacs,
  buildFadt,
  buildHpetTable,
  buildMadt,
  buildRsdp,
  checksum,
  fixChecksum,
  type MadtOptions,
  pkgLength,
} from "./acpi.js";
export {
  ACPI_LOADER_FILE,
  ACPI_RSDP_FILE,
  ACPI_TABLES_FILE,
  type AcpiFwCfgFiles,
  buildAcpiFwCfgFiles,
} from "./acpi-loader.js";
export { AcpiPm, PM_TIMER_HZ } from "./acpi-pm.js";
export {
  BOOT_CS,
  BOOT_DS,
  BOOT_GDT,
  type BootEntry,
  bootGdt,
  FLAT_CODE32_ATTR,
  FLAT_DATA32_ATTR,
  type FlatProtectedEntry,
  type ResetVectorEntry,
} from "./boot-state.js";
export { CpuBus } from "./cpu-bus.js";
export {
  buildE820,
  E820_ACPI,
  E820_RAM,
  E820_RESERVED,
  type E820Entry,
  e820FwCfgBytes,
} from "./e820.js";
export {
  buildZeroPage,
  CMDLINE_ADDR,
  checkBzImage,
  KERNEL_ADDR,
  type LinuxBootInput,
  type LinuxBootResult,
  loadLinux,
  parseSetupHeader,
  type SetupHeader,
  setupBytes,
  ZERO_PAGE,
  type ZeroPageInput,
} from "./linux-boot.js";
export {
  type BootFile,
  type PcBootImages,
  PcMachine,
  type PcMachineOptions,
  type PcRawLoad,
} from "./machine.js";
export {
  PC,
  PC_DEFAULT_RAM_SIZE,
  PC_IRQ,
  PC_MAX_CPUS,
  PC_PORT,
  PC_TIMEBASE_HZ,
  splitRam,
  virtioSlotBase,
} from "./memory-map.js";
export {
  findMultibootHeader,
  loadMultiboot,
  MULTIBOOT_BOOTLOADER_MAGIC,
  MULTIBOOT_HEADER_MAGIC,
  MULTIBOOT_INFO_ADDR,
  MULTIBOOT_MMAP_ADDR,
  type MultibootHeader,
  type MultibootInput,
  type MultibootModule,
  type MultibootResult,
} from "./multiboot.js";
export { devfn, PciFunction, PciHost } from "./pci-host.js";
export { PortBus } from "./port-bus.js";
export { Kbd8042Reset, MmioOnPorts, PostPort } from "./port-devices.js";
export { findPvhEntry, loadPvh, PVH_START_INFO, PVH_START_MAGIC, type PvhInput } from "./pvh.js";
