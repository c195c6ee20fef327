import { emulatedDeviceTypeName } from "@axvisor/axdevice-base";
import { formatHex, formatMappingFlags } from "@axvisor/memory-addr";
import { formatSize } from "./integer.js";
import {
  type AxVMCrateConfig,
  type EmulatedDeviceConfig,
  type PassThroughAddressConfig,
  type PassThroughDeviceConfig,
  VmMemMappingType,
  VmType,
} from "./types.js";

export interface ToTomlOptions {
  /** Explain every field in a comment above it (default true). */
  comments?: boolean;
  /** Comment lines put at the top of the file (without the leading "# "). */
  header?: readonly string[];
}

/** A TOML basic string. JSON's escapes are TOML's, except that TOML also forbids a raw DEL. */
export const tomlString = (s: string): string => JSON.stringify(s).replaceAll("\x7f", "\\u007f");

const hex = formatHex;
/** Small counts read best in decimal, addresses and masks in hex. */
const num = (n: number): string => (n < 0x1000 ? String(n) : hex(n));
const list = (items: readonly string[]): string => `[${items.join(", ")}]`;

/**
 * Serialises a config to AxVisor's TOML layout: `[base]`, `[kernel]`, `[devices]`, positional
 * rows, addresses in `0x8000_0000` form. `parseAxVMConfig(toToml(c))` gives back `c` (without
 * `source`).
 */
export function toToml(config: AxVMCrateConfig, options: ToTomlOptions = {}): string {
  const withComments = options.comments ?? true;
  const out: string[] = [];
  const comment = (...lines: string[]) => {
    if (withComments) for (const l of lines) out.push(l === "" ? "#" : `# ${l}`);
  };
  const field = (key: string, value: string, ...explain: string[]) => {
    comment(...explain);
    out.push(`${key} = ${value}`);
  };
  const rows = (key: string, items: readonly string[], columns: string, ...explain: string[]) => {
    comment(...explain);
    if (items.length === 0) {
      out.push(`${key} = []`);
      return;
    }
    out.push(`${key} = [`);
    if (withComments) out.push(`  # ${columns}`);
    for (const item of items) out.push(`  ${item}`);
    out.push("]");
  };

  for (const line of options.header ?? []) out.push(line === "" ? "#" : `# ${line}`);
  if ((options.header ?? []).length > 0) out.push("");

  const { base, kernel, devices } = config;
  out.push("[base]");
  field("id", String(base.id), "VM id, unique among the VMs the hypervisor runs.");
  field("name", tomlString(base.name), "Name the VMM uses in its logs and shell.");
  field(
    "vm_type",
    String(base.vmType),
    `Guest type: 0 HostVM, 1 RTOS, 2 Linux (this one: ${VmType[base.vmType]}).`,
  );
  field("cpu_num", String(base.cpuNum), "Number of vCPUs.");
  if (base.physCpuIds !== undefined) {
    field(
      "phys_cpu_ids",
      list(base.physCpuIds.map(num)),
      "Hardware id each vCPU reports (hartid, MPIDR, APIC id), one per vCPU.",
    );
  }
  if (base.physCpuSets !== undefined) {
    field(
      "phys_cpu_sets",
      list(base.physCpuSets.map((m) => `0b${m.toString(2)}`)),
      "Physical CPUs each vCPU may run on: one bitmask per vCPU (bit n = pCPU n).",
    );
  }

  out.push("", "[kernel]");
  field("entry_point", hex(kernel.entryPoint), "Guest-physical address where every vCPU starts.");
  field(
    "image_location",
    tomlString(kernel.imageLocation),
    '"memory": image paths are files on the machine running the VMM, relative ones',
    "resolved from this file's folder; \"fs\": paths inside the hypervisor's root filesystem.",
  );
  field("kernel_path", tomlString(kernel.kernelPath), "The kernel image.");
  field(
    "kernel_load_addr",
    hex(kernel.kernelLoadAddr),
    "Guest-physical address the kernel image is copied to.",
  );
  const pair = (what: string, path: string | undefined, addr: number | undefined, why: string) => {
    if (path !== undefined) field(`${what}_path`, tomlString(path), why);
    if (addr !== undefined) {
      field(
        `${what}_load_addr`,
        hex(addr),
        path === undefined
          ? `Where the ${what === "dtb" ? "device tree the VMM generates" : what} is placed.`
          : `Where it is loaded.`,
      );
    }
  };
  pair("bios", kernel.biosPath, kernel.biosLoadAddr, "Firmware run before the kernel.");
  pair(
    "dtb",
    kernel.dtbPath,
    kernel.dtbLoadAddr,
    "A device tree blob to give the guest instead of a generated one.",
  );
  pair("ramdisk", kernel.ramdiskPath, kernel.ramdiskLoadAddr, "Initial ramdisk (initramfs).");
  if (kernel.cmdline !== undefined) {
    field(
      "cmdline",
      tomlString(kernel.cmdline),
      "Kernel command line (the DT's /chosen/bootargs).",
    );
  }
  if (kernel.diskPath !== undefined) {
    field("disk_path", tomlString(kernel.diskPath), "Disk image behind the guest's block device.");
  }
  rows(
    "memory_regions",
    kernel.memoryRegions.map(
      (m) =>
        `${list([hex(m.gpa), hex(m.size), hex(m.flags), String(m.mapType)])},${
          withComments
            ? ` # ${formatSize(m.size)} ${formatMappingFlags(m.flags)} ${VmMemMappingType[m.mapType]}`
            : ""
        }`,
    ),
    "[gpa, size, flags, map_type]",
    "Guest RAM; the first region is the main memory. flags are MappingFlags (R=1 W=2 X=4",
    "U=8 DEVICE=0x10 UNCACHED=0x20); map_type 0 MapAlloc (allocated, mapped at gpa),",
    "1 MapIdentical (allocated, mapped at gpa = hpa), 2 MapReserved (host range gpa -> gpa).",
  );

  out.push("", "[devices]");
  field(
    "interrupt_mode",
    tomlString(devices.interruptMode),
    '"no_irq" (no interrupts), "emu" (emulated interrupt controller) or "passthrough".',
  );
  rows(
    "emu_devices",
    devices.emuDevices.map(
      (d) => `${emuRow(d)},${withComments ? ` # ${emulatedDeviceTypeName(d.emuType)}` : ""}`,
    ),
    "[name, base_gpa, length, irq_id, emu_type, cfg_list]",
    "Devices the VMM emulates. emu_type codes: 0x1 interrupt controller, 0x2 console,",
    "0xa IVC channel, 0x20-0x22 GIC partial passthrough, 0x30 PLIC ([context_num]),",
    "0xe1-0xe3 virtio block/net/console.",
  );
  rows(
    "passthrough_devices",
    devices.passthroughDevices.map((d) => `${ptRow(d)},`),
    "[name, base_gpa, base_hpa, length, irq_id]",
    "Host devices mapped into the guest. A name-only row names a device-tree node.",
  );
  rows(
    "passthrough_addresses",
    devices.passthroughAddresses.map((a) => `${ptAddrRow(a)},`),
    "[base_gpa, length]",
    "Extra host address windows mapped into the guest at the same address.",
  );
  rows(
    "excluded_devices",
    devices.excludedDevices.map((paths) => `${list(paths.map(tomlString))},`),
    '["/device-tree/path", ...]',
    "Device-tree nodes kept away from the guest when everything else passes through.",
  );
  out.push("");
  return out.join("\n");
}

const emuRow = (d: EmulatedDeviceConfig): string =>
  list([
    tomlString(d.name),
    hex(d.baseGpa),
    hex(d.length),
    String(d.irqId),
    hex(d.emuType),
    list(d.cfgList.map(num)),
  ]);

/** Name-only rows stay name-only, as AxVisor writes them. */
const ptRow = (d: PassThroughDeviceConfig): string =>
  d.baseGpa === 0 && d.baseHpa === 0 && d.length === 0 && d.irqId === 0
    ? list([tomlString(d.name)])
    : list([tomlString(d.name), hex(d.baseGpa), hex(d.baseHpa), hex(d.length), String(d.irqId)]);

const ptAddrRow = (a: PassThroughAddressConfig): string => list([hex(a.baseGpa), hex(a.length)]);
