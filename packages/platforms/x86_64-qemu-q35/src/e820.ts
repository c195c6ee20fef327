import { PC, splitRam } from "./memory-map.js";

export const E820_RAM = 1;
export const E820_RESERVED = 2;
export const E820_ACPI = 3;

export interface E820Entry {
  readonly addr: number;
  readonly size: number;
  readonly type: number;
}

/**
 * The memory map the guest is told about: conventional memory up to the EBDA, the BIOS area
 * reserved (the ACPI tables live there), RAM from 1 MiB up to the q35 split, the PCIe
 * MMCONFIG window, the ICH9 root complex register block and the firmware ROM below 4 GiB
 * reserved, and RAM above 4 GiB.
 */
export function buildE820(ramSize: number): E820Entry[] {
  const { below4g, above4g } = splitRam(ramSize);
  const map: E820Entry[] = [
    { addr: 0, size: PC.ebda, type: E820_RAM },
    { addr: PC.ebda, size: PC.vgaStart - PC.ebda, type: E820_RESERVED },
    { addr: PC.biosAreaStart, size: PC.biosAreaEnd - PC.biosAreaStart, type: E820_RESERVED },
    { addr: PC.highMemory, size: below4g - PC.highMemory, type: E820_RAM },
    { addr: PC.mmconfig, size: 0x1000_0000, type: E820_RESERVED },
    { addr: 0xfed1_c000, size: 0x4000, type: E820_RESERVED },
    { addr: 0xfffc_0000, size: 0x4_0000, type: E820_RESERVED },
  ];
  if (above4g > 0) map.push({ addr: PC.fourGiB, size: above4g, type: E820_RAM });
  return map;
}

/** The table as QEMU's fw_cfg "etc/e820" file: { u64 address; u64 length; u32 type } LE. */
export function e820FwCfgBytes(map: readonly E820Entry[]): Uint8Array {
  const out = new Uint8Array(20 * map.length);
  const v = new DataView(out.buffer);
  map.forEach((e, i) => {
    v.setBigUint64(20 * i, BigInt(e.addr), true);
    v.setBigUint64(20 * i + 8, BigInt(e.size), true);
    v.setUint32(20 * i + 16, e.type, true);
  });
  return out;
}
