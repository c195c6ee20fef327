/**
 * The field names of each table, in the order a config file lists them. Rows of the array
 * fields are positional, so their column names only appear in messages and comments.
 */
export const BASE_FIELDS = ["id", "name", "vm_type", "cpu_num", "phys_cpu_ids", "phys_cpu_sets"];

export const KERNEL_FIELDS = [
  "entry_point",
  "image_location",
  "kernel_path",
  "kernel_load_addr",
  "bios_path",
  "bios_load_addr",
  "dtb_path",
  "dtb_load_addr",
  "ramdisk_path",
  "ramdisk_load_addr",
  "cmdline",
  "disk_path",
  "memory_regions",
];

export const DEVICES_FIELDS = [
  "emu_devices",
  "passthrough_devices",
  "passthrough_addresses",
  "excluded_devices",
  "interrupt_mode",
];

export const TABLES: Record<string, readonly string[]> = {
  base: BASE_FIELDS,
  kernel: KERNEL_FIELDS,
  devices: DEVICES_FIELDS,
};

export const MEMORY_REGION_COLUMNS = ["gpa", "size", "flags", "map_type"];
export const EMU_DEVICE_COLUMNS = ["name", "base_gpa", "length", "irq_id", "emu_type", "cfg_list"];
export const PASSTHROUGH_DEVICE_COLUMNS = ["name", "base_gpa", "base_hpa", "length", "irq_id"];
export const PASSTHROUGH_ADDRESS_COLUMNS = ["base_gpa", "length"];

/** interrupt_mode spellings AxVisor accepts, each mapped to its canonical name. */
export const INTERRUPT_MODE_ALIASES: Record<string, "no_irq" | "emu" | "passthrough"> = {
  no_irq: "no_irq",
  no: "no_irq",
  none: "no_irq",
  emu: "emu",
  emulated: "emu",
  passthrough: "passthrough",
  pt: "passthrough",
};

/** The table a field belongs to, for a field written in the wrong place. */
export function tableOfField(field: string): string | undefined {
  for (const [table, fields] of Object.entries(TABLES)) {
    if (fields.includes(field)) return table;
  }
  return undefined;
}
