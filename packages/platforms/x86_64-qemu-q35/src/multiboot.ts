import { AxError } from "@axvisor/axerrno";
import { BOOT_GDT, bootGdt, type FlatProtectedEntry } from "./boot-state.js";
import type { E820Entry } from "./e820.js";

export const MULTIBOOT_HEADER_MAGIC = 0x1bad_b002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2bad_b002;
/** Header flags. */
const MBH_AOUT_KLUDGE = 1 << 16;
/** Info flags QEMU sets. */
const MBI_MEMORY = 1 << 0;
const MBI_BOOTDEV = 1 << 1;
const MBI_CMDLINE = 1 << 2;
const MBI_MODS = 1 << 3;
const MBI_MEM_MAP = 1 << 6;
const MBI_BOOT_LOADER_NAME = 1 << 9;
const MBI_SIZE = 0x58;
/** Where QEMU's multiboot option ROM leaves the memory map and the info structure. */
export const MULTIBOOT_MMAP_ADDR = 0x9000;
export const MULTIBOOT_INFO_ADDR = 0x9500;

export interface MultibootHeader {
  readonly offset: number;
  readonly flags: number;
  readonly headerAddr: number;
  readonly loadAddr: number;
  readonly loadEndAddr: number;
  readonly bssEndAddr: number;
  readonly entryAddr: number;
}

/** Finds the multiboot header in the first 8 KiB (4-byte aligned, valid checksum), or null. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader | null {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const limit = Math.min(8192, image.length) - 12;
  for (let off = 0; off <= limit; off += 4) {
    if (v.getUint32(off, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = v.getUint32(off + 4, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + v.getUint32(off + 8, true)) & 0xffff_ffff) >>> 0 !== 0)
      continue;
    const field = (i: number) =>
      off + 12 + 4 * i + 4 <= image.length ? v.getUint32(off + 12 + 4 * i, true) : 0;
    return {
      offset: off,
      flags,
      headerAddr: field(0),
      loadAddr: field(1),
      loadEndAddr: field(2),
      bssEndAddr: field(3),
      entryAddr: field(4),
    };
  }
  return null;
}

export interface MultibootModule {
  readonly data: Uint8Array;
  /** The module's string (QEMU: the -initrd entry, file name and arguments). */
  readonly cmdline: string;
}

export interface MultibootInput {
  readonly kernel: Uint8Array;
  /** The kernel's command line (QEMU: the kernel file name, a space and -append). */
  readonly cmdline: string;
  readonly modules: readonly MultibootModule[];
  readonly e820: readonly E820Entry[];
  readonly writeRam: (addr: number, bytes: Uint8Array) => void;
}

export interface MultibootResult {
  readonly entry: FlatProtectedEntry;
  readonly header: MultibootHeader;
  readonly kernel: { readonly start: number; readonly end: number };
  readonly mbiAddr: number;
  readonly modules: ReadonlyArray<{ readonly start: number; readonly end: number }>;
}

const pageUp = (a: number) => Math.ceil(a / 4096) * 4096;

/** Loads an ELF32 image's PT_LOAD segments at their physical addresses. */
function loadElf32(image: Uint8Array, writeRam: MultibootInput["writeRam"]) {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image[4] !== 1)
    throw new AxError("Unsupported", "multiboot: only ELF32 kernels can be loaded (this is ELF64)");
  if (v.getUint16(18, true) !== 3)
    throw new AxError("Unsupported", "multiboot: the ELF is not for i386");
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 32 > image.length || v.getUint32(ph, true) !== 1) continue;
    const offset = v.getUint32(ph + 4, true);
    const paddr = v.getUint32(ph + 12, true);
    const filesz = v.getUint32(ph + 16, true);
    const memsz = v.getUint32(ph + 20, true);
    if (memsz === 0) continue;
    const seg = new Uint8Array(memsz);
    seg.set(image.subarray(offset, offset + Math.min(filesz, memsz)));
    writeRam(paddr, seg);
    start = Math.min(start, paddr);
    end = Math.max(end, paddr + memsz);
  }
  if (end === 0) throw new AxError("InvalidData", "multiboot: the ELF has nothing to load");
  return { start, end, entry: v.getUint32(24, true) };
}

/**
 * A multiboot (v1) kernel loaded as QEMU's -kernel does: an ELF32's segments at their
 * physical addresses, or the a.out kludge's load range from the header; modules page-aligned
 * after the kernel, then their strings and list; the memory map at 0x9000 and the info
 * structure at 0x9500 (memory, boot device, command line, modules, memory map, boot loader
 * name "qemu"), where QEMU's option ROM leaves them. The CPU starts in flat
 * 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the info structure.
 */
export function loadMultiboot(input: MultibootInput): MultibootResult {
  const image = input.kernel;
  const hdr = findMultibootHeader(image);
  if (hdr === null) throw new AxError("InvalidData", "no multiboot header in the first 8 KiB");
  // Bits 0-1 are honoured by loading as QEMU does, bit 2 (video mode) is ignored as QEMU ignores it.
  if (hdr.flags & 0xfff8) {
    throw new AxError(
      "Unsupported",
      `multiboot header requests unsupported features (flags 0x${hdr.flags.toString(16)})`,
    );
  }
  let kernel: { start: number; end: number };
  let entry: number;
  const isElf = image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
  if (hdr.flags & MBH_AOUT_KLUDGE || !isElf) {
    if ((hdr.flags & MBH_AOUT_KLUDGE) === 0)
      throw new AxError("InvalidData", "multiboot: not an ELF and no a.out kludge addresses");
    const fileOff = hdr.offset - (hdr.headerAddr - hdr.loadAddr);
    if (fileOff < 0)
      throw new AxError("InvalidData", "multiboot: header_addr is below load_addr's file offset");
    const loadLen = hdr.loadEndAddr === 0 ? image.length - fileOff : hdr.loadEndAddr - hdr.loadAddr;
    const memEnd =
      hdr.bssEndAddr === 0
        ? hdr.loadAddr + loadLen
        : Math.max(hdr.bssEndAddr, hdr.loadAddr + loadLen);
    const seg = new Uint8Array(memEnd - hdr.loadAddr);
    seg.set(image.subarray(fileOff, fileOff + loadLen));
    input.writeRam(hdr.loadAddr, seg);
    kernel = { start: hdr.loadAddr, end: memEnd };
    entry = hdr.entryAddr;
  } else {
    const r = loadElf32(image, input.writeRam);
    kernel = { start: r.start, end: r.end };
    entry = r.entry;
  }

  let cursor = pageUp(kernel.end);
  const modules: Array<{ start: number; end: number }> = [];
  for (const m of input.modules) {
    input.writeRam(cursor, m.data);
    modules.push({ start: cursor, end: cursor + m.data.length });
    cursor = pageUp(cursor + m.data.length);
  }

  // Strings and the module list in a buffer after the modules; the memory map and the
  // info structure in low memory where QEMU's option ROM builds them.
  const enc = new TextEncoder();
  const strings: Uint8Array[] = [];
  const bufAddr = cursor;
  let tail = bufAddr;
  const addString = (str: string) => {
    const b = enc.encode(`${str}\0`);
    const at = tail;
    strings.push(b);
    tail += b.length;
    return at;
  };
  const cmdlineAt = addString(input.cmdline);
  const loaderAt = addString("qemu");
  const modCmdAt = input.modules.map((m) => addString(m.cmdline));
  tail = Math.ceil(tail / 4) * 4;
  const modsAt = tail;
  tail += 16 * modules.length;
  const buf = new Uint8Array(tail - bufAddr);
  const bv = new DataView(buf.buffer);
  let s = 0;
  for (const b of strings) {
    buf.set(b, s);
    s += b.length;
  }
  modules.forEach((m, i) => {
    const at = modsAt - bufAddr + 16 * i;
    bv.setUint32(at, m.start, true);
    bv.setUint32(at + 4, m.end, true);
    bv.setUint32(at + 8, modCmdAt[i]!, true);
  });
  input.writeRam(bufAddr, buf);

  const mmap = new Uint8Array(24 * input.e820.length);
  const mv = new DataView(mmap.buffer);
  input.e820.forEach((e, i) => {
    // Each entry starts with its size, not counting the size field itself.
    mv.setUint32(24 * i, 20, true);
    mv.setBigUint64(24 * i + 4, BigInt(e.addr), true);
    mv.setBigUint64(24 * i + 12, BigInt(e.size), true);
    mv.setUint32(24 * i + 20, e.type, true);
  });
  if (MULTIBOOT_MMAP_ADDR + mmap.length > MULTIBOOT_INFO_ADDR) {
    throw new AxError("OutOfRange", "multiboot: the memory map is too long");
  }
  input.writeRam(MULTIBOOT_MMAP_ADDR, mmap);

  // mem_lower: conventional memory below the EBDA; mem_upper: the RAM run from 1 MiB.
  const low = input.e820.find((e) => e.addr === 0 && e.type === 1);
  const upper = input.e820.find((e) => e.addr === 0x10_0000 && e.type === 1);
  const mbi = new Uint8Array(MBI_SIZE);
  const v = new DataView(mbi.buffer);
  v.setUint32(
    0,
    MBI_MEMORY | MBI_BOOTDEV | MBI_CMDLINE | MBI_MODS | MBI_MEM_MAP | MBI_BOOT_LOADER_NAME,
    true,
  );
  v.setUint32(4, Math.floor((low?.size ?? 0) / 1024), true);
  v.setUint32(8, Math.floor((upper?.size ?? 0) / 1024), true);
  v.setUint32(12, 0x8000_ffff, true);
  v.setUint32(16, cmdlineAt, true);
  v.setUint32(20, modules.length, true);
  v.setUint32(24, modsAt, true);
  v.setUint32(44, mmap.length, true);
  v.setUint32(48, MULTIBOOT_MMAP_ADDR, true);
  v.setUint32(64, loaderAt, true);
  input.writeRam(MULTIBOOT_INFO_ADDR, mbi);
  const mbiAddr = MULTIBOOT_INFO_ADDR;
  const gdt = bootGdt();
  input.writeRam(BOOT_GDT, gdt);
  return {
    entry: {
      kind: "protected32",
      eip: entry,
      regs: { eax: MULTIBOOT_BOOTLOADER_MAGIC, ebx: mbiAddr },
      gdtBase: BOOT_GDT,
      gdtLimit: gdt.length - 1,
    },
    header: hdr,
    kernel,
    mbiAddr,
    modules,
  };
}
