/** The page and block sizes every supported format can map: 4 KiB, 2 MiB and 1 GiB. */
export enum PageSize {
  Size4K = 0x1000,
  Size2M = 0x20_0000,
  Size1G = 0x4000_0000,
}

/**
 * The table level whose leaves have this size. Levels count up from the table that maps
 * 4 KiB pages (level 0), the RISC-V convention: a leaf at level n maps 4 KiB << 9n bytes.
 */
export function pageSizeLevel(size: PageSize): number {
  switch (size) {
    case PageSize.Size4K:
      return 0;
    case PageSize.Size2M:
      return 1;
    case PageSize.Size1G:
      return 2;
    default:
      throw new RangeError(`not a page size: ${size}`);
  }
}

/** Bytes covered by one entry of a table at `level` (0 = 4 KiB). */
const SPANS = [2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39, 2 ** 48];
export const levelSpan = (level: number): number => SPANS[level] ?? 2 ** (12 + 9 * level);

export function isPageSize(size: number): size is PageSize {
  return size === PageSize.Size4K || size === PageSize.Size2M || size === PageSize.Size1G;
}

/** `4 KiB` / `2 MiB` / `1 GiB` for messages. */
export function formatPageSize(size: number): string {
  if (size >= 0x4000_0000) return `${size / 0x4000_0000} GiB`;
  if (size >= 0x10_0000) return `${size / 0x10_0000} MiB`;
  return `${size / 0x400} KiB`;
}
