import { AxError } from "@axvisor/axerrno";
import { BOOT_GDT, bootGdt, type FlatProtectedEntry } from "./boot-state.js";
import type { E820Entry } from "./e820.js";

/** hvm_start_info.magic ("xEn3" with the high bit of the last byte set). */
export const PVH_START_MAGIC = 0x336e_c578;
/** The Xen ELF note carrying the 32-bit physical entry point. */
const XEN_ELFNOTE_PHYS32_ENTRY = 18;
/** Where the start info, its module list, memory map and strings go. */
export const PVH_START_INFO = 0x6100;
const START_INFO_SIZE = 56;

/** The PVH entry point of an ELF64/ELF32 kernel (its Xen PHYS32_ENTRY note), or null. */
export function findPvhEntry(image: Uint8Array): number | null {
  if (
    image.length < 64 ||
    image[0] !== 0x7f ||
    image[1] !== 0x45 ||
    image[2] !== 0x4c ||
    image[3] !== 0x46
  ) {
    return null;
  }
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const is64 = image[4] === 2;
  const phoff = is64 ? Number(v.getBigUint64(32, true)) : v.getUint32(28, true);
  const phentsize = v.getUint16(is64 ? 54 : 42, true);
  const phnum = v.getUint16(is64 ? 56 : 44, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + phentsize > image.length || v.getUint32(ph, true) !== 4) continue; // PT_NOTE
    const off = is64 ? Number(v.getBigUint64(ph + 8, true)) : v.getUint32(ph + 4, true);
    const size = is64 ? Number(v.getBigUint64(ph + 32, true)) : v.getUint32(ph + 16, true);
    let p = off;
    while (p + 12 <= Math.min(off + size, image.length)) {
      const namesz = v.getUint32(p, true);
      const descsz = v.getUint32(p + 4, true);
      const type = v.getUint32(p + 8, true);
      const name = p + 12;
      const desc = name + ((namesz + 3) & ~3);
      if (
        type === XEN_ELFNOTE_PHYS32_ENTRY &&
        namesz === 4 &&
        String.fromCharCode(image[name]!, image[name + 1]!, image[name + 2]!) === "Xen" &&
        desc + 4 <= image.length
      ) {
        return v.getUint32(desc, true);
      }
      p = desc + ((descsz + 3) & ~3);
    }
  }
  return null;
}

export interface PvhInput {
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline: string;
  readonly e820: readonly E820Entry[];
  readonly rsdp: number;
  /** RAM below 4 GiB (the initrd goes at its top). */
  readonly below4g: number;
  readonly writeRam: (addr: number, bytes: Uint8Array) => void;
}

/**
 * The x86/HVM direct boot ABI ("PVH") QEMU uses for an uncompressed ELF kernel with a Xen
 * PHYS32_ENTRY note (Linux's vmlinux with CONFIG_PVH): PT_LOAD segments at their physical
 * addresses, an hvm_start_info (version 1: command line, initrd as module 0, RSDP, memory
 * map) at 0x6100, and the CPU in flat 32-bit protected mode at the note's entry with
 * EBX = the start info, paging off.
 */
export function loadPvh(input: PvhInput): { entry: FlatProtectedEntry; kernelEnd: number } {
  const image = input.kernel;
  const entry = findPvhEntry(image);
  if (entry === null)
    throw new AxError("InvalidData", "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const is64 = image[4] === 2;
  const phoff = is64 ? Number(v.getBigUint64(32, true)) : v.getUint32(28, true);
  const phentsize = v.getUint16(is64 ? 54 : 42, true);
  const phnum = v.getUint16(is64 ? 56 : 44, true);
  let kernelEnd = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (v.getUint32(ph, true) !== 1) continue;
    const get = (o64: number, o32: number) =>
      is64 ? Number(v.getBigUint64(ph + o64, true)) : v.getUint32(ph + o32, true);
    const offset = get(8, 4);
    const paddr = get(24, 12);
    const filesz = get(32, 16);
    const memsz = get(40, 20);
    if (memsz === 0) continue;
    const seg = new Uint8Array(memsz);
    seg.set(image.subarray(offset, offset + Math.min(filesz, memsz)));
    input.writeRam(paddr, seg);
    kernelEnd = Math.max(kernelEnd, paddr + memsz);
  }

  let initrd: { start: number; size: number } | undefined;
  if (input.initrd !== undefined) {
    const start = Math.floor((input.below4g - input.initrd.length) / 4096) * 4096;
    if (start < kernelEnd)
      throw new AxError("OutOfRange", "the initrd does not fit above the kernel; use a larger -m");
    input.writeRam(start, input.initrd);
    initrd = { start, size: input.initrd.length };
  }

  const cmd = new TextEncoder().encode(`${input.cmdline}\0`);
  const modAt = PVH_START_INFO + START_INFO_SIZE;
  const mapAt = modAt + 32;
  const cmdAt = mapAt + 24 * input.e820.length;
  const buf = new Uint8Array(cmdAt + cmd.length - PVH_START_INFO);
  const b = new DataView(buf.buffer);
  b.setUint32(0, PVH_START_MAGIC, true);
  b.setUint32(4, 1, true);
  b.setUint32(12, initrd !== undefined ? 1 : 0, true);
  b.setBigUint64(16, BigInt(initrd !== undefined ? modAt : 0), true);
  b.setBigUint64(24, BigInt(cmdAt), true);
  b.setBigUint64(32, BigInt(input.rsdp), true);
  b.setBigUint64(40, BigInt(mapAt), true);
  b.setUint32(48, input.e820.length, true);
  if (initrd !== undefined) {
    b.setBigUint64(modAt - PVH_START_INFO, BigInt(initrd.start), true);
    b.setBigUint64(modAt - PVH_START_INFO + 8, BigInt(initrd.size), true);
  }
  input.e820.forEach((e, i) => {
    const at = mapAt - PVH_START_INFO + 24 * i;
    b.setBigUint64(at, BigInt(e.addr), true);
    b.setBigUint64(at + 8, BigInt(e.size), true);
    b.setUint32(at + 16, e.type, true);
  });
  buf.set(cmd, cmdAt - PVH_START_INFO);
  input.writeRam(PVH_START_INFO, buf);
  const gdt = bootGdt();
  input.writeRam(BOOT_GDT, gdt);
  return {
    entry: {
      kind: "protected32",
      eip: entry,
      regs: { ebx: PVH_START_INFO },
      gdtBase: BOOT_GDT,
      gdtLimit: gdt.length - 1,
    },
    kernelEnd,
  };
}
