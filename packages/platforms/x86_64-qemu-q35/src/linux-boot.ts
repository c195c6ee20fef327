import { AxError } from "@axvisor/axerrno";
import { BOOT_GDT, bootGdt, type FlatProtectedEntry } from "./boot-state.js";
import type { E820Entry } from "./e820.js";

/** "HdrS" at 0x202 marks a bzImage with a setup header. */
const HDRS = 0x5372_6448;
/** Where the loader puts boot_params ("zero page") and the command line. */
export const ZERO_PAGE = 0x7000;
export const CMDLINE_ADDR = 0x2_0000;
/** Protected-mode kernel load address (bzImage, LOADED_HIGH). */
export const KERNEL_ADDR = 0x10_0000;
/** QEMU's type_of_loader. */
const LOADER_TYPE = 0xb0;
const MIN_PROTOCOL = 0x206;
const E820_MAX_ENTRIES_ZEROPAGE = 128;

/** Fields of the setup header this loader uses. */
export interface SetupHeader {
  readonly protocol: number;
  readonly setupSects: number;
  readonly loadFlags: number;
  readonly code32Start: number;
  readonly initrdAddrMax: number;
  readonly cmdlineSize: number;
  readonly initSize: number;
  readonly prefAddress: number;
  readonly relocatable: boolean;
  readonly xloadflags: number;
}

/** Parses a bzImage's setup header; null if the file is not a bzImage. */
export function parseSetupHeader(image: Uint8Array): SetupHeader | null {
  if (image.length < 0x264) return null;
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (v.getUint32(0x202, true) !== HDRS) return null;
  const protocol = v.getUint16(0x206, true);
  const sects = image[0x1f1]!;
  return {
    protocol,
    setupSects: sects === 0 ? 4 : sects,
    loadFlags: image[0x211]!,
    code32Start: v.getUint32(0x214, true),
    initrdAddrMax: protocol >= 0x203 ? v.getUint32(0x22c, true) : 0x37ff_ffff,
    cmdlineSize: protocol >= 0x206 ? v.getUint32(0x238, true) : 255,
    initSize: protocol >= 0x20a ? v.getUint32(0x260, true) : 0,
    prefAddress: protocol >= 0x20a ? Number(v.getBigUint64(0x258, true)) : KERNEL_ADDR,
    relocatable: protocol >= 0x205 && image[0x234] !== 0,
    xloadflags: protocol >= 0x20c ? v.getUint16(0x236, true) : 0,
  };
}

/** Bytes of the real-mode part (boot sector + setup) before the protected-mode kernel. */
export const setupBytes = (hdr: SetupHeader): number => (hdr.setupSects + 1) * 512;

const protocolText = (p: number) =>
  `${(p >> 8).toString()}.${(p & 0xff).toString().padStart(2, "0")}`;

/**
 * Parses and checks a bzImage a loader is about to boot: a setup header of protocol 2.06 or
 * later, LOADED_HIGH, the setup sectors and the protected-mode part (syssize) inside the
 * file. Throws an AxError naming the problem in one line; `name` says which file.
 */
export function checkBzImage(image: Uint8Array, name: string): SetupHeader {
  const hdr = parseSetupHeader(image);
  if (hdr === null) {
    throw new AxError(
      "InvalidData",
      image.length < 0x264 && image.length >= 0x206
        ? `${name}: truncated bzImage: ${image.length} bytes, shorter than its setup header`
        : `${name}: not a Linux bzImage (no HdrS setup header)`,
    );
  }
  if (hdr.protocol < MIN_PROTOCOL) {
    throw new AxError(
      "Unsupported",
      `${name}: boot protocol ${protocolText(hdr.protocol)} is older than 2.06`,
    );
  }
  if ((hdr.loadFlags & 1) === 0)
    throw new AxError("Unsupported", `${name}: zImage (not LOADED_HIGH) kernels are not supported`);
  const setup = setupBytes(hdr);
  if (setup >= image.length) {
    throw new AxError(
      "InvalidData",
      `${name}: corrupt bzImage: setup_sects ${hdr.setupSects} puts the kernel past the end of the ${image.length}-byte file`,
    );
  }
  const sys = new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(0x1f4, true);
  if (image.length - setup < sys * 16) {
    throw new AxError(
      "InvalidData",
      `${name}: truncated bzImage: the protected-mode kernel has ${image.length - setup} bytes, the header says ${sys * 16}`,
    );
  }
  return hdr;
}

export interface ZeroPageInput {
  /** The bzImage (at least its setup sectors): the setup header is copied from it. */
  readonly setup: Uint8Array;
  readonly cmdlineAddr: number;
  readonly initrd?: { readonly start: number; readonly end: number };
  readonly e820: readonly E820Entry[];
  /** The RSDP's address (boot_params.acpi_rsdp_addr, protocol 2.14+); 0 for none. */
  readonly rsdp: number;
}

/**
 * boot_params (the "zero page") as a boot loader hands it to the 32-bit entry: the image's
 * setup header, type_of_loader, the command line and initrd pointers, the RSDP and the e820
 * table.
 */
export function buildZeroPage(o: ZeroPageInput): Uint8Array {
  const image = o.setup;
  const hdr = parseSetupHeader(image);
  if (hdr === null) throw new AxError("InvalidData", "not a Linux bzImage (no HdrS header)");
  const zp = new Uint8Array(4096);
  const v = new DataView(zp.buffer);
  const hdrEnd = 0x202 + image[0x201]!;
  zp.set(image.subarray(0x1f1, Math.min(hdrEnd, setupBytes(hdr), image.length)), 0x1f1);
  zp[0x210] = LOADER_TYPE;
  v.setUint32(0x228, o.cmdlineAddr, true);
  if (o.initrd !== undefined) {
    v.setUint32(0x218, o.initrd.start, true);
    v.setUint32(0x21c, o.initrd.end - o.initrd.start, true);
  }
  if (hdr.protocol >= 0x20e && o.rsdp !== 0) v.setBigUint64(0x070, BigInt(o.rsdp), true);
  const e820 = o.e820.slice(0, E820_MAX_ENTRIES_ZEROPAGE);
  zp[0x1e8] = e820.length;
  e820.forEach((e, i) => {
    v.setBigUint64(0x2d0 + 20 * i, BigInt(e.addr), true);
    v.setBigUint64(0x2d0 + 20 * i + 8, BigInt(e.size), true);
    v.setUint32(0x2d0 + 20 * i + 16, e.type, true);
  });
  return zp;
}

export interface LinuxBootInput {
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline: string;
  /** RAM below 4 GiB (the initrd goes at its top). */
  readonly below4g: number;
  readonly e820: readonly E820Entry[];
  readonly rsdp: number;
  readonly writeRam: (addr: number, bytes: Uint8Array) => void;
}

export interface LinuxBootResult {
  readonly entry: FlatProtectedEntry;
  readonly header: SetupHeader;
  readonly kernel: { readonly start: number; readonly end: number };
  readonly initrd?: { readonly start: number; readonly end: number };
  readonly zeroPage: Uint8Array;
}

/**
 * Linux's 32-bit boot protocol, as a boot loader without a BIOS uses it: the protected-mode
 * kernel at 1 MiB, boot_params at 0x7000 (the image's setup header, the e820 table, the
 * command line and initrd pointers, the RSDP), the initrd at the top of low RAM below
 * initrd_addr_max, and the CPU in flat 32-bit protected mode at code32_start with
 * ESI = boot_params. (QEMU enters the real-mode setup code through its option ROM and BIOS
 * services instead; the kernel reaches the same state either way.)
 */
export function loadLinux(input: LinuxBootInput): LinuxBootResult {
  const image = input.kernel;
  const hdr = checkBzImage(image, "the kernel");
  const pm = image.subarray(setupBytes(hdr));
  const kernelEnd = KERNEL_ADDR + Math.max(pm.length, hdr.initSize);
  input.writeRam(KERNEL_ADDR, pm);

  const cmd = new TextEncoder().encode(input.cmdline);
  if (cmd.length > hdr.cmdlineSize) {
    throw new AxError(
      "InvalidInput",
      `command line of ${cmd.length} bytes exceeds the kernel's ${hdr.cmdlineSize}`,
    );
  }
  const cmdBytes = new Uint8Array(cmd.length + 1);
  cmdBytes.set(cmd);
  input.writeRam(CMDLINE_ADDR, cmdBytes);

  let initrd: { start: number; end: number } | undefined;
  if (input.initrd !== undefined) {
    const max = Math.min(hdr.initrdAddrMax, input.below4g - 1);
    const start = Math.floor((max + 1 - input.initrd.length) / 4096) * 4096;
    if (start < kernelEnd) {
      throw new AxError(
        "OutOfRange",
        `the initrd (${input.initrd.length} bytes) does not fit above the kernel; use a larger -m`,
      );
    }
    input.writeRam(start, input.initrd);
    initrd = { start, end: start + input.initrd.length };
  }

  const zp = buildZeroPage({
    setup: image,
    cmdlineAddr: CMDLINE_ADDR,
    ...(initrd !== undefined ? { initrd } : {}),
    e820: input.e820,
    rsdp: input.rsdp,
  });
  input.writeRam(ZERO_PAGE, zp);
  const gdt = bootGdt();
  input.writeRam(BOOT_GDT, gdt);
  return {
    entry: {
      kind: "protected32",
      eip: hdr.code32Start || KERNEL_ADDR,
      regs: { esi: ZERO_PAGE },
      gdtBase: BOOT_GDT,
      gdtLimit: gdt.length - 1,
    },
    header: hdr,
    kernel: { start: KERNEL_ADDR, end: KERNEL_ADDR + pm.length },
    ...(initrd !== undefined ? { initrd } : {}),
    zeroPage: zp,
  };
}
