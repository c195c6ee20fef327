import { ByteReader } from "./byte-reader.js";
import { ElfType, machineName, ProgramType, SectionType, SHN_UNDEF } from "./elf-constants.js";
import { hex, ImageFormatError } from "./image-error.js";

/** One program header, as in the file. */
export interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
}

/** A PT_LOAD segment: `data` views the file's `filesz` bytes; memsz - filesz bytes are bss. */
export interface LoadSegment extends ProgramHeader {
  readonly data: Uint8Array;
}

/** One section header with its name resolved through .shstrtab. */
export interface SectionHeader {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

/**
 * One symbol. `value` is the full 64-bit st_value (bigint: absolute symbols and high-half
 * addresses do not fit a number); use `symbolAddress()` to get an address as a number.
 */
export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: number;
  readonly type: number;
  readonly bind: number;
  readonly sectionIndex: number;
}

export interface Elf64Image {
  /** The file name used in error messages. */
  readonly name: string;
  readonly type: number;
  readonly machine: number;
  readonly flags: number;
  readonly entry: number;
  readonly programHeaders: readonly ProgramHeader[];
  /** The PT_LOAD segments in file order (empty ones with memsz 0 are dropped). */
  readonly segments: readonly LoadSegment[];
  readonly sections: readonly SectionHeader[];
  /** Symbols of .symtab (or .dynsym when the file is stripped), without the null symbol. */
  readonly symbols: readonly ElfSymbol[];
}

export interface ParseElfOptions {
  /** Name of the file for error messages (default "ELF image"). */
  name?: string;
  /** Refuse files for another architecture (an ElfMachine value). */
  machine?: number;
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;

/** True when the bytes start with the ELF magic "\x7fELF". */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  );
}

/**
 * Parses a little-endian ELF64 executable: header, program headers, PT_LOAD segments,
 * section headers and symbols. Throws ImageFormatError naming the problem for anything that
 * is not a loadable ELF64 LE executable (for the given machine, if one is asked for).
 */
export function parseElf64(bytes: Uint8Array, options: ParseElfOptions = {}): Elf64Image {
  const name = options.name ?? "ELF image";
  const r = new ByteReader(bytes, name);
  checkIdent(r);
  r.need(0, EHDR_SIZE, "the ELF64 header");

  const type = r.u16(16, "e_type");
  const machine = r.u16(18, "e_machine");
  const version = r.u32(20, "e_version");
  if (version !== 1) {
    throw new ImageFormatError("bad-version", `${name}: e_version is ${version}, expected 1`);
  }
  if (type !== ElfType.EXEC && type !== ElfType.DYN) {
    const what =
      type === ElfType.REL
        ? "a relocatable object (.o)"
        : type === ElfType.CORE
          ? "a core dump"
          : `of type ${type}`;
    throw new ImageFormatError(
      "not-executable",
      `${name}: the ELF file is ${what}, not an executable (ET_EXEC or ET_DYN)`,
    );
  }
  if (options.machine !== undefined && machine !== options.machine) {
    throw new ImageFormatError(
      "wrong-machine",
      `${name}: wrong machine: the ELF file is for ${machineName(machine)}, expected ${machineName(options.machine)}`,
    );
  }
  const entry = r.u64Number(24, "e_entry");
  const phoff = r.u64Number(32, "e_phoff");
  const shoff = r.u64Number(40, "e_shoff");
  const flags = r.u32(48, "e_flags");
  const phentsize = r.u16(54, "e_phentsize");
  const phnum = r.u16(56, "e_phnum");
  const shentsize = r.u16(58, "e_shentsize");
  const shnum = r.u16(60, "e_shnum");
  const shstrndx = r.u16(62, "e_shstrndx");

  const programHeaders = readProgramHeaders(r, phoff, phentsize, phnum);
  const segments = programHeaders
    .filter((ph) => ph.type === ProgramType.LOAD && ph.memsz > 0)
    .map((ph) => ({ ...ph, data: bytes.subarray(ph.offset, ph.offset + ph.filesz) }));
  const sections = readSections(r, shoff, shentsize, shnum, shstrndx);
  const symbols = readSymbols(r, sections);
  return { name, type, machine, flags, entry, programHeaders, segments, sections, symbols };
}

function checkIdent(r: ByteReader): void {
  if (!isElf(r.bytes)) {
    throw new ImageFormatError(
      "not-elf",
      `${r.name}: not an ELF file (no \\x7fELF magic at offset 0)`,
    );
  }
  const cls = r.u8(4, "EI_CLASS");
  if (cls !== 2) {
    throw new ImageFormatError(
      "not-64-bit",
      `${r.name}: not a 64-bit ELF file (EI_CLASS ${cls}${cls === 1 ? ", ELFCLASS32" : ""})`,
    );
  }
  const data = r.u8(5, "EI_DATA");
  if (data !== 1) {
    throw new ImageFormatError(
      "not-little-endian",
      `${r.name}: not a little-endian ELF file (EI_DATA ${data}${data === 2 ? ", big-endian" : ""})`,
    );
  }
  const ver = r.u8(6, "EI_VERSION");
  if (ver !== 1) {
    throw new ImageFormatError("bad-version", `${r.name}: EI_VERSION is ${ver}, expected 1`);
  }
}

function readProgramHeaders(
  r: ByteReader,
  phoff: number,
  phentsize: number,
  phnum: number,
): ProgramHeader[] {
  if (phnum === 0) return [];
  if (phentsize < PHDR_SIZE) {
    throw new ImageFormatError(
      "program-header-out-of-range",
      `${r.name}: e_phentsize is ${phentsize}, smaller than an ELF64 program header (${PHDR_SIZE})`,
    );
  }
  if (phoff + phnum * phentsize > r.length) {
    throw new ImageFormatError(
      "program-header-out-of-range",
      `${r.name}: program header table out of range: ${phnum} entries of ${phentsize} bytes at ` +
        `${hex(phoff)} end past the file end (${hex(r.length)})`,
    );
  }
  const out: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const what = (f: string) => `program header ${i} ${f}`;
    const ph: ProgramHeader = {
      type: r.u32(o, what("p_type")),
      flags: r.u32(o + 4, what("p_flags")),
      offset: r.u64Number(o + 8, what("p_offset")),
      vaddr: r.u64Number(o + 16, what("p_vaddr")),
      paddr: r.u64Number(o + 24, what("p_paddr")),
      filesz: r.u64Number(o + 32, what("p_filesz")),
      memsz: r.u64Number(o + 40, what("p_memsz")),
      align: r.u64Number(o + 48, what("p_align")),
    };
    if (ph.type === ProgramType.LOAD) {
      if (ph.offset + ph.filesz > r.length) {
        throw new ImageFormatError(
          "segment-out-of-range",
          `${r.name}: PT_LOAD segment ${i} out of range: file bytes ${hex(ph.offset)}..` +
            `${hex(ph.offset + ph.filesz)} end past the file end (${hex(r.length)}); truncated file?`,
        );
      }
      if (ph.filesz > ph.memsz) {
        throw new ImageFormatError(
          "segment-out-of-range",
          `${r.name}: PT_LOAD segment ${i} has p_filesz ${hex(ph.filesz)} larger than p_memsz ${hex(ph.memsz)}`,
        );
      }
      if (ph.paddr + ph.memsz > Number.MAX_SAFE_INTEGER) {
        throw new ImageFormatError(
          "address-too-large",
          `${r.name}: PT_LOAD segment ${i} at paddr ${hex(ph.paddr)} + ${hex(ph.memsz)} reaches beyond 2^53`,
        );
      }
    }
    out.push(ph);
  }
  return out;
}

function readSections(
  r: ByteReader,
  shoff: number,
  shentsize: number,
  shnum: number,
  shstrndx: number,
): SectionHeader[] {
  // A file without section headers (stripped by objcopy --strip-sections) is still loadable.
  if (shoff === 0 || shnum === 0) return [];
  if (shentsize < SHDR_SIZE || shoff + shnum * shentsize > r.length) {
    throw new ImageFormatError(
      "section-out-of-range",
      `${r.name}: section header table out of range: ${shnum} entries of ${shentsize} bytes at ` +
        `${hex(shoff)} (file is ${hex(r.length)} bytes)`,
    );
  }
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const what = (f: string) => `section header ${i} ${f}`;
    raw.push({
      nameOff: r.u32(o, what("sh_name")),
      type: r.u32(o + 4, what("sh_type")),
      flags: Number(r.u64(o + 8, what("sh_flags")) & 0xffffffffn),
      addr: r.u64Number(o + 16, what("sh_addr")),
      offset: r.u64Number(o + 24, what("sh_offset")),
      size: r.u64Number(o + 32, what("sh_size")),
      link: r.u32(o + 40, what("sh_link")),
      info: r.u32(o + 44, what("sh_info")),
      addralign: r.u64Number(o + 48, what("sh_addralign")),
      entsize: r.u64Number(o + 56, what("sh_entsize")),
    });
  }
  for (const [i, s] of raw.entries()) {
    if (
      s.type !== SectionType.NOBITS &&
      s.type !== SectionType.NULL &&
      s.offset + s.size > r.length
    ) {
      throw new ImageFormatError(
        "section-out-of-range",
        `${r.name}: section ${i} out of range: bytes ${hex(s.offset)}..${hex(s.offset + s.size)} ` +
          `end past the file end (${hex(r.length)})`,
      );
    }
  }
  const strtab = shstrndx !== SHN_UNDEF ? raw[shstrndx] : undefined;
  return raw.map((s) => {
    const { nameOff, ...rest } = s;
    const secName =
      strtab === undefined
        ? ""
        : r.cString(strtab.offset + nameOff, strtab.offset + strtab.size, "section name");
    return { name: secName, ...rest };
  });
}

function readSymbols(r: ByteReader, sections: readonly SectionHeader[]): ElfSymbol[] {
  const symtab =
    sections.find((s) => s.type === SectionType.SYMTAB) ??
    sections.find((s) => s.type === SectionType.DYNSYM);
  if (symtab === undefined) return [];
  const strtab = sections[symtab.link];
  if (strtab === undefined || strtab.type !== SectionType.STRTAB) {
    throw new ImageFormatError(
      "section-out-of-range",
      `${r.name}: symbol table ${symtab.name} links to section ${symtab.link}, which is not a string table`,
    );
  }
  const entsize = symtab.entsize === 0 ? SYM_SIZE : symtab.entsize;
  if (entsize < SYM_SIZE) {
    throw new ImageFormatError(
      "section-out-of-range",
      `${r.name}: symbol table entry size ${entsize} is smaller than an ELF64 symbol (${SYM_SIZE})`,
    );
  }
  const count = Math.floor(symtab.size / entsize);
  const out: ElfSymbol[] = [];
  // Entry 0 is the reserved null symbol.
  for (let i = 1; i < count; i++) {
    const o = symtab.offset + i * entsize;
    const what = (f: string) => `symbol ${i} ${f}`;
    const nameOff = r.u32(o, what("st_name"));
    const info = r.u8(o + 4, what("st_info"));
    out.push({
      name:
        nameOff === 0
          ? ""
          : r.cString(strtab.offset + nameOff, strtab.offset + strtab.size, what("name")),
      type: info & 0xf,
      bind: info >> 4,
      sectionIndex: r.u16(o + 6, what("st_shndx")),
      value: r.u64(o + 8, what("st_value")),
      size: Number(r.u64(o + 16, what("st_size"))),
    });
  }
  return out;
}

/**
 * The defined symbol called `name` (a global one wins over locals of the same name), or
 * undefined.
 */
export function findSymbol(elf: Elf64Image, name: string): ElfSymbol | undefined {
  let found: ElfSymbol | undefined;
  for (const s of elf.symbols) {
    if (s.name !== name || s.sectionIndex === SHN_UNDEF) continue;
    if (s.bind !== 0) return s;
    found ??= s;
  }
  return found;
}

/** The address of symbol `name` as a number; throws naming the symbol if it is absent. */
export function symbolAddress(elf: Elf64Image, name: string): number {
  const s = findSymbol(elf, name);
  if (s === undefined) {
    throw new ImageFormatError(
      "symbol-not-found",
      `${elf.name}: no symbol "${name}"${elf.symbols.length === 0 ? " (the file has no symbol table; stripped?)" : ""}`,
    );
  }
  if (s.value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ImageFormatError(
      "address-too-large",
      `${elf.name}: symbol "${name}" is at ${hex(s.value)}, beyond 2^53`,
    );
  }
  return Number(s.value);
}

/** The section called `name`, or undefined. */
export function findSection(elf: Elf64Image, name: string): SectionHeader | undefined {
  return elf.sections.find((s) => s.name === name);
}
