import type { Arch } from "@axvisor/arch";
import { armStage2Codec } from "./arm-stage2-pte.js";
import type { EntryCodec } from "./entry-codec.js";
import { eptCodec } from "./ept-pte.js";
import { riscvCodec } from "./riscv-pte.js";

/**
 * The table formats this package writes.
 * - `sv39`, `sv48`: RISC-V satp/vsatp tables (sign-extended 39/48-bit virtual addresses).
 * - `sv39x4`, `sv48x4`: RISC-V hgatp G-stage tables: 41/50-bit guest-physical addresses, the
 *   root widened by 2 index bits to 2048 entries (16 KiB, 16 KiB aligned).
 * - `arm-s2-l3`: ARMv8 stage 2, 4 KiB granule, 40-bit IPA starting at level 1; the initial
 *   lookup uses two concatenated level-1 tables (8 KiB, 8 KiB aligned).
 * - `arm-s2-l4`: ARMv8 stage 2, 4 KiB granule, 48-bit IPA starting at level 0.
 * - `ept-l4`: Intel EPT with a 4-level walk, 48-bit guest-physical addresses.
 */
export type PageTableFormat =
  | "sv39"
  | "sv48"
  | "sv39x4"
  | "sv48x4"
  | "arm-s2-l3"
  | "arm-s2-l4"
  | "ept-l4";

export const PAGE_TABLE_FORMATS: readonly PageTableFormat[] = [
  "sv39",
  "sv48",
  "sv39x4",
  "sv48x4",
  "arm-s2-l3",
  "arm-s2-l4",
  "ept-l4",
];

export interface FormatInfo {
  readonly format: PageTableFormat;
  readonly arch: Arch;
  /** Number of table levels walked. */
  readonly levels: number;
  /** Extra index bits of the root table beyond 9 (the x4 widening, ARM concatenation). */
  readonly rootExtraBits: number;
  /** Width of the input address: 12 + 9 * levels + rootExtraBits. */
  readonly inputBits: number;
  /** Input addresses are sign-extended from bit inputBits-1 (satp-style virtual addresses). */
  readonly signExtended: boolean;
  /** Output (physical) address width the entry can hold, capped at 53 (JS numbers). */
  readonly outputBits: number;
  /** 4 KiB frames in the root table; the root is aligned to its own size. */
  readonly rootFrames: number;
  /** RISC-V: the MODE field value for satp/hgatp (8 = Sv39[x4], 9 = Sv48[x4]). */
  readonly riscvMode?: number;
  /** ARM: VTCR_EL2.T0SZ and SL0 (4 KiB granule) matching this table shape. */
  readonly vtcr?: { readonly t0sz: number; readonly sl0: number };
  /** x86: EPTP bits 5:3, the page-walk length minus one. */
  readonly eptWalkLengthMinus1?: number;
}

interface FormatDef extends Omit<FormatInfo, "inputBits" | "rootFrames"> {
  readonly makeCodec: (opts: { svpbmt: boolean }) => EntryCodec;
}

const DEFS: Record<PageTableFormat, FormatDef> = {
  sv39: {
    format: "sv39",
    arch: "riscv64",
    levels: 3,
    rootExtraBits: 0,
    signExtended: true,
    outputBits: 53,
    riscvMode: 8,
    makeCodec: ({ svpbmt }) => riscvCodec({ gStage: false, svpbmt }),
  },
  sv48: {
    format: "sv48",
    arch: "riscv64",
    levels: 4,
    rootExtraBits: 0,
    signExtended: true,
    outputBits: 53,
    riscvMode: 9,
    makeCodec: ({ svpbmt }) => riscvCodec({ gStage: false, svpbmt }),
  },
  sv39x4: {
    format: "sv39x4",
    arch: "riscv64",
    levels: 3,
    rootExtraBits: 2,
    signExtended: false,
    outputBits: 53,
    riscvMode: 8,
    makeCodec: ({ svpbmt }) => riscvCodec({ gStage: true, svpbmt }),
  },
  sv48x4: {
    format: "sv48x4",
    arch: "riscv64",
    levels: 4,
    rootExtraBits: 2,
    signExtended: false,
    outputBits: 53,
    riscvMode: 9,
    makeCodec: ({ svpbmt }) => riscvCodec({ gStage: true, svpbmt }),
  },
  "arm-s2-l3": {
    format: "arm-s2-l3",
    arch: "aarch64",
    levels: 3,
    rootExtraBits: 1,
    signExtended: false,
    outputBits: 48,
    // 40-bit IPA: T0SZ = 64 - 40; SL0 = 1 starts the walk at level 1 with a 4 KiB granule.
    vtcr: { t0sz: 24, sl0: 1 },
    makeCodec: () => armStage2Codec(),
  },
  "arm-s2-l4": {
    format: "arm-s2-l4",
    arch: "aarch64",
    levels: 4,
    rootExtraBits: 0,
    signExtended: false,
    outputBits: 48,
    // 48-bit IPA: T0SZ = 16; SL0 = 2 starts the walk at level 0.
    vtcr: { t0sz: 16, sl0: 2 },
    makeCodec: () => armStage2Codec(),
  },
  "ept-l4": {
    format: "ept-l4",
    arch: "x86_64",
    levels: 4,
    rootExtraBits: 0,
    signExtended: false,
    outputBits: 52,
    eptWalkLengthMinus1: 3,
    makeCodec: () => eptCodec(),
  },
};

export function isPageTableFormat(s: string): s is PageTableFormat {
  return Object.hasOwn(DEFS, s);
}

function def(format: PageTableFormat): FormatDef {
  if (!isPageTableFormat(format)) {
    throw new RangeError(
      `unknown page-table format "${format}" (known: ${PAGE_TABLE_FORMATS.join(", ")})`,
    );
  }
  return DEFS[format];
}

export function formatInfo(format: PageTableFormat): FormatInfo {
  const { makeCodec: _, ...d } = def(format);
  return {
    ...d,
    inputBits: 12 + 9 * d.levels + d.rootExtraBits,
    rootFrames: 2 ** d.rootExtraBits,
  };
}

export function formatCodec(format: PageTableFormat, opts: { svpbmt: boolean }): EntryCodec {
  return def(format).makeCodec(opts);
}
