/** ELF e_machine values of the architectures AxVisor.ts runs guests for. */
export const ElfMachine = {
  X86_64: 62,
  AARCH64: 183,
  RISCV: 243,
} as const;
export type ElfMachine = (typeof ElfMachine)[keyof typeof ElfMachine];

const MACHINE_NAMES: Readonly<Record<number, string>> = {
  3: "EM_386 (x86)",
  8: "EM_MIPS",
  20: "EM_PPC",
  21: "EM_PPC64",
  40: "EM_ARM (32-bit Arm)",
  62: "EM_X86_64",
  183: "EM_AARCH64",
  243: "EM_RISCV",
  258: "EM_LOONGARCH",
};

export const machineName = (m: number): string => `${MACHINE_NAMES[m] ?? "machine"} (${m})`;

/** e_type values. */
export const ElfType = { NONE: 0, REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;

/** p_type values this package interprets. */
export const ProgramType = {
  NULL: 0,
  LOAD: 1,
  DYNAMIC: 2,
  INTERP: 3,
  NOTE: 4,
  PHDR: 6,
  TLS: 7,
} as const;

/** p_flags bits. */
export const SegmentFlags = { X: 1, W: 2, R: 4 } as const;

/** sh_type values this package interprets. */
export const SectionType = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  NOBITS: 8,
  DYNSYM: 11,
} as const;

/** sh_flags bits. */
export const SectionFlags = { WRITE: 1, ALLOC: 2, EXECINSTR: 4 } as const;

/** Symbol types (low nibble of st_info). */
export const SymbolType = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, TLS: 6 } as const;

/** Symbol bindings (high nibble of st_info). */
export const SymbolBind = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

/** Section index meaning "not defined in this file". */
export const SHN_UNDEF = 0;
/** Section index of an absolute symbol. */
export const SHN_ABS = 0xfff1;
