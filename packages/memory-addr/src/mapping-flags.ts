/**
 * Permission and attribute bits of a mapping, with AxVisor's values (page_table_entry's
 * MappingFlags). Plain bit flags so they combine with `|` and test with `&`.
 */
export const MappingFlags = {
  READ: 0x1,
  WRITE: 0x2,
  EXECUTE: 0x4,
  USER: 0x8,
  DEVICE: 0x10,
  UNCACHED: 0x20,
} as const;

export type MappingFlags = number;

export const MAPPING_FLAGS_ALL = 0x3f;

/** `R|W|X|U`-style text for logs and errors. */
export function formatMappingFlags(flags: MappingFlags): string {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(MappingFlags)) {
    if (flags & bit) names.push(name);
  }
  return names.length === 0 ? "EMPTY" : names.join("|");
}

/** True when `granted` allows every access in `requested`. */
export const flagsAllow = (granted: MappingFlags, requested: MappingFlags): boolean =>
  (granted & requested & 0x7) === (requested & 0x7);
