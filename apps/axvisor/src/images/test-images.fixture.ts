/**
 * Test support: byte-exact guest images built from the format specifications (ELF64 System V
 * ABI, Linux Documentation/riscv/boot-image-header.rst and arm64/booting.rst), and configs.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AxVMCrateConfig, parseAxVMConfig } from "@axvisor/axvmconfig";

export interface ElfSegmentSpec {
  readonly paddr: number;
  readonly data: Uint8Array;
  readonly memsz: number;
}

/** An ELF64 little-endian RISC-V executable with one PT_LOAD per segment. */
export function buildElf(entry: number, segments: readonly ElfSegmentSpec[]): Uint8Array {
  const phoff = 64;
  const dataStart = phoff + 56 * segments.length;
  const total = dataStart + segments.reduce((n, s) => n + s.data.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(entry), true);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setUint16(52, 64, true); // e_ehsize
  v.setUint16(54, 56, true); // e_phentsize
  v.setUint16(56, segments.length, true);
  v.setUint16(58, 64, true); // e_shentsize
  let off = dataStart;
  segments.forEach((s, i) => {
    const ph = phoff + 56 * i;
    v.setUint32(ph, 1, true); // PT_LOAD
    v.setUint32(ph + 4, 7, true); // RWX
    v.setBigUint64(ph + 8, BigInt(off), true);
    v.setBigUint64(ph + 16, BigInt(s.paddr), true);
    v.setBigUint64(ph + 24, BigInt(s.paddr), true);
    v.setBigUint64(ph + 32, BigInt(s.data.length), true);
    v.setBigUint64(ph + 40, BigInt(s.memsz), true);
    v.setBigUint64(ph + 48, 0x1000n, true);
    out.set(s.data, off);
    off += s.data.length;
  });
  return out;
}

/** A RISC-V Linux Image: the 64-byte header, then `body` bytes of 0x13 (nop-ish filler). */
export function buildRiscvImage(textOffset: number, imageSize: number, body: number): Uint8Array {
  const out = new Uint8Array(64 + body).fill(0x13, 64);
  const v = new DataView(out.buffer);
  v.setBigUint64(8, BigInt(textOffset), true);
  v.setBigUint64(16, BigInt(imageSize), true);
  v.setUint32(32, 0x0000_0002, true); // header version 0.2
  out.set(new TextEncoder().encode("RISCV\0\0\0"), 48);
  out.set(new TextEncoder().encode("RSC\x05"), 56);
  return out;
}

/** An arm64 Linux Image (little-endian, 4K pages). */
export function buildArm64Image(textOffset: number, imageSize: number, body: number): Uint8Array {
  const out = new Uint8Array(64 + body).fill(0xd5, 64);
  const v = new DataView(out.buffer);
  v.setBigUint64(8, BigInt(textOffset), true);
  v.setBigUint64(16, BigInt(imageSize), true);
  v.setBigUint64(24, 0x2n, true);
  out.set(new TextEncoder().encode("ARM\x64"), 56);
  return out;
}

/** Bytes 0, 1, 2, ... (mod 251, so no period lines up with a page). */
export function pattern(len: number, seed = 0): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (i + seed) % 251;
  return out;
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), "axvisor-images-"));

export interface ConfigSpec {
  /** Lines for [kernel] besides memory_regions. */
  readonly kernel: string;
  readonly regions?: string;
  readonly devices?: string;
  readonly cpuNum?: number;
}

/**
 * Writes `files` into `dir`, then a config whose [kernel] table is `spec.kernel` (RAM 16 MiB at
 * 0x8000_0000 unless given) and parses it as loadAxVMConfig would.
 */
export function writeConfig(
  dir: string,
  spec: ConfigSpec,
  files: Readonly<Record<string, Uint8Array>> = {},
): AxVMCrateConfig {
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const cpuNum = spec.cpuNum ?? 1;
  const text = `[base]
id = 1
name = "images-test"
vm_type = 1
cpu_num = ${cpuNum}

[kernel]
${spec.kernel}
memory_regions = ${spec.regions ?? "[[0x8000_0000, 0x100_0000, 0xf, 0]]"}

[devices]
${spec.devices ?? "emu_devices = []\npassthrough_devices = []"}
`;
  const path = join(dir, "vm.toml");
  writeFileSync(path, text);
  return parseAxVMConfig(text, { file: path, source: path });
}
