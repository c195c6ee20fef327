import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { formatHex, MappingFlags } from "@axvisor/memory-addr";
import {
  bootGdt,
  buildAcpiTables,
  buildZeroPage,
  E820_ACPI,
  E820_RAM,
  E820_RESERVED,
  type E820Entry,
  parseSetupHeader,
} from "@axvisor/platform-x86_64-qemu-q35";
import type { PlacedVm } from "../../platform/host-platform.js";

/**
 * Where a Linux VM's boot information goes (one blob, guest-physical): boot_params at 0x7000
 * (where QEMU's loader puts it; RSI at entry), the command line at 0x8000, the boot GDT
 * (__BOOT_CS 0x10, __BOOT_DS 0x18) at 0x9000 and the ACPI tables from 0x9100, in a page the
 * e820 map marks as ACPI data. Everything sits in conventional memory below the EBDA.
 */
export const VM_LINUX_BOOT = {
  zeroPage: 0x7000,
  cmdline: 0x8000,
  gdt: 0x9000,
  acpi: 0x9100,
  end: 0xa000,
} as const;

/** Conventional memory ends here on a PC (EBDA, VGA hole and BIOS area above). */
const EBDA = 0x9_fc00;
const HIGH_MEMORY = 0x10_0000;

export interface VmLinuxBootInput {
  readonly config: AxVMCrateConfig;
  readonly placed: PlacedVm;
  readonly apicIds: readonly number[];
  readonly ioapicId: number;
}

/** The virtio-mmio windows of the config, as Linux's `virtio_mmio.device=` parameters. */
export function virtioMmioParams(config: AxVMCrateConfig): string[] {
  return config.devices.emuDevices
    .filter((d) => d.emuType >= EmulatedDeviceType.VirtioBlk && d.emuType <= 0xef)
    .map((d) => `virtio_mmio.device=${d.length}@0x${d.baseGpa.toString(16)}:${d.irqId}`);
}

/**
 * The VM's e820 map: its RAM regions, with the ACPI page, the EBDA and the legacy hole
 * (0x9FC00-0x100000) cut out and described as QEMU does, and its device windows
 * (passthrough devices, virtio-mmio) reserved.
 */
export function vmE820(config: AxVMCrateConfig, placed: PlacedVm): E820Entry[] {
  const special: E820Entry[] = [
    { addr: VM_LINUX_BOOT.gdt, size: VM_LINUX_BOOT.end - VM_LINUX_BOOT.gdt, type: E820_ACPI },
    { addr: EBDA, size: HIGH_MEMORY - EBDA, type: E820_RESERVED },
  ];
  const out: E820Entry[] = [];
  for (const r of placed.memory) {
    if ((r.flags & MappingFlags.DEVICE) !== 0) {
      out.push({ addr: r.gpa, size: r.size, type: E820_RESERVED });
      continue;
    }
    // RAM minus the special ranges, which are listed once below where they overlap RAM.
    let pieces = [{ start: r.gpa, end: r.gpa + r.size }];
    for (const s of special) {
      pieces = pieces.flatMap((p) =>
        s.addr >= p.end || s.addr + s.size <= p.start
          ? [p]
          : [
              { start: p.start, end: Math.max(p.start, s.addr) },
              { start: Math.min(p.end, s.addr + s.size), end: p.end },
            ].filter((q) => q.end > q.start),
      );
    }
    for (const p of pieces) out.push({ addr: p.start, size: p.end - p.start, type: E820_RAM });
  }
  out.push(...special);
  for (const d of config.devices.passthroughDevices) {
    if (d.length > 0) out.push({ addr: d.baseGpa, size: d.length, type: E820_RESERVED });
  }
  for (const d of config.devices.emuDevices) {
    if (d.emuType >= EmulatedDeviceType.VirtioBlk && d.emuType <= 0xef && d.length > 0) {
      out.push({ addr: d.baseGpa, size: d.length, type: E820_RESERVED });
    }
  }
  return out.sort((a, b) => a.addr - b.addr);
}

/**
 * The boot information of a Linux VM (the blob for VM_LINUX_BOOT.zeroPage): boot_params
 * with the image's setup header, e820, command line and initrd; the boot GDT; ACPI tables
 * (RSDP, XSDT/RSDT, FADT, FACS, DSDT, MADT with one local APIC per vCPU, the vIOAPIC with GSI
 * base 0 and IRQ0 -> GSI2). No HPET and no PM timer: the guest's clock is the TSC, whose rate
 * CPUID leaf 0x15 states, with the vLAPIC's TSC-deadline timer.
 */
export function buildVmLinuxBootInfo(o: VmLinuxBootInput): Uint8Array {
  const { config, placed } = o;
  const setup = placed.kernelSetup;
  const hdr = setup === undefined ? null : parseSetupHeader(setup);
  if (setup === undefined || hdr === null) {
    throw axErr("InvalidData", "the kernel has no Linux setup header");
  }
  const name = `VM ${config.base.id} "${config.base.name}"`;
  const cmdline = [config.kernel.cmdline ?? "", ...virtioMmioParams(config)]
    .filter((s) => s.length > 0)
    .join(" ");
  const cmd = new TextEncoder().encode(cmdline);
  const room = Math.min(hdr.cmdlineSize, VM_LINUX_BOOT.gdt - VM_LINUX_BOOT.cmdline - 1);
  if (cmd.length > room) {
    throw axErr(
      "InvalidInput",
      `${name}: the command line has ${cmd.length} bytes; the kernel takes at most ${room}`,
    );
  }
  if (placed.initrd !== undefined && placed.initrd.end - 1 > hdr.initrdAddrMax) {
    throw axErr(
      "InvalidInput",
      `${name}: the ramdisk ends at ${formatHex(placed.initrd.end)}, above the kernel's initrd_addr_max ${formatHex(hdr.initrdAddrMax)}`,
    );
  }
  const acpi = buildAcpiTables({
    base: VM_LINUX_BOOT.acpi,
    apicIds: o.apicIds,
    ioapicId: o.ioapicId,
    pmTimer: false,
  });
  if (VM_LINUX_BOOT.acpi + acpi.bytes.length > VM_LINUX_BOOT.end) {
    throw axErr("InvalidInput", `${name}: ${o.apicIds.length} vCPUs: the ACPI tables do not fit`);
  }
  const zeroPage = buildZeroPage({
    setup,
    cmdlineAddr: VM_LINUX_BOOT.cmdline,
    ...(placed.initrd !== undefined ? { initrd: placed.initrd } : {}),
    e820: vmE820(config, placed),
    rsdp: acpi.rsdp,
  });
  const blob = new Uint8Array(VM_LINUX_BOOT.end - VM_LINUX_BOOT.zeroPage);
  const at = (gpa: number) => gpa - VM_LINUX_BOOT.zeroPage;
  blob.set(zeroPage, 0);
  blob.set(cmd, at(VM_LINUX_BOOT.cmdline));
  blob.set(bootGdt(), at(VM_LINUX_BOOT.gdt));
  blob.set(acpi.bytes, at(acpi.base));
  return blob;
}
