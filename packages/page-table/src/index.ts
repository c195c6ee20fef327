export { ArmS2Desc, ArmS2MemAttr, armStage2Codec } from "./arm-stage2-pte.js";
export { type EntryCodec, type EntryWords, high32, low32 } from "./entry-codec.js";
export { EptEntry, EptMemType, eptCodec } from "./ept-pte.js";
export {
  type FormatInfo,
  formatCodec,
  formatInfo,
  isPageTableFormat,
  PAGE_TABLE_FORMATS,
  type PageTableFormat,
} from "./format.js";
export { formatPageSize, isPageSize, levelSpan, PageSize, pageSizeLevel } from "./page-size.js";
export {
  type PageMapping,
  PageTable64,
  type PageTableOptions,
  type WalkEntry,
} from "./page-table64.js";
export type { PagingHandler } from "./paging-handler.js";
export { type RiscvCodecOptions, RiscvPte, riscvCodec } from "./riscv-pte.js";
