/**
 * FAT directory names: 8.3 short names, the long-file-name (VFAT) entries that carry any other
 * name, and the checksum that binds the two.
 */
import { axErr } from "@axvisor/axerrno";

const SHORT_CHARS = /^[A-Z0-9$%'\-_@~`!(){}^#&]+$/;
/** Characters a long name may not contain (Windows and the VFAT spec agree), besides controls. */
const FORBIDDEN_LONG = /["*/:<>?\\|]/;
const hasControl = (s: string): boolean =>
  [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

export function validateLongName(name: string): void {
  if (name.length === 0 || name.length > 255) {
    throw axErr("InvalidInput", `file name must be 1..255 characters: "${name}"`);
  }
  if (
    name === "." ||
    name === ".." ||
    FORBIDDEN_LONG.test(name) ||
    hasControl(name) ||
    /[ .]$/.test(name)
  ) {
    throw axErr("InvalidInput", `"${name}" is not a valid FAT file name`);
  }
}

/**
 * The 11-byte short name when `name` is itself a valid 8.3 name (any case), else null.
 * `lowerBase` / `lowerExt` say whether to set the NT case bits that keep a lower-case 8.3 name
 * lower case without a long-name entry.
 */
export function exactShortName(
  name: string,
): { short: Uint8Array; lowerBase: boolean; lowerExt: boolean } | null {
  const dot = name.lastIndexOf(".");
  const base = dot === -1 ? name : name.slice(0, dot);
  const ext = dot === -1 ? "" : name.slice(dot + 1);
  if (base.length === 0 || base.length > 8 || ext.length > 3 || base.includes(".")) return null;
  const upperBase = base.toUpperCase();
  const upperExt = ext.toUpperCase();
  if (!SHORT_CHARS.test(upperBase) || (ext && !SHORT_CHARS.test(upperExt))) return null;
  const mixed = (s: string) => s !== s.toUpperCase() && s !== s.toLowerCase();
  if (mixed(base) || mixed(ext)) return null;
  return {
    short: shortBytes(upperBase, upperExt),
    lowerBase: base !== upperBase,
    lowerExt: ext !== upperExt,
  };
}

function shortBytes(base: string, ext: string): Uint8Array {
  const out = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < base.length; i++) out[i] = base.charCodeAt(i);
  for (let i = 0; i < ext.length; i++) out[8 + i] = ext.charCodeAt(i);
  if (out[0] === 0xe5) out[0] = 0x05; // 0xE5 marks a deleted entry; the spec escapes it as 0x05
  return out;
}

/**
 * A short alias "BASIS~N.EXT" for a long name, unique among `taken` (keys are 11-char strings).
 */
export function generateShortAlias(name: string, taken: Set<string>): Uint8Array {
  const clean = (s: string) =>
    s
      .toUpperCase()
      .replace(/[ .]/g, "")
      .replace(/[^A-Z0-9$%'\-_@~`!(){}^#&]/g, "_");
  const dot = name.lastIndexOf(".");
  const base = clean(dot > 0 ? name.slice(0, dot) : name) || "FILE";
  const ext = clean(dot > 0 ? name.slice(dot + 1) : "").slice(0, 3);
  for (let n = 1; n < 1_000_000; n++) {
    const tail = `~${n}`;
    const candidate = shortBytes(base.slice(0, 8 - tail.length) + tail, ext);
    const key = String.fromCharCode(...candidate);
    if (!taken.has(key)) return candidate;
  }
  throw axErr("StorageFull", `no short alias left for "${name}"`);
}

/** The checksum of an 11-byte short name, stored in each of its long-name entries. */
export function shortNameChecksum(short: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + (short[i] ?? 0)) & 0xff;
  return sum;
}

/** Offsets of the 13 UCS-2 characters inside a long-name entry. */
export const LFN_CHAR_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30] as const;
export const ATTR_LONG_NAME = 0x0f;

/** The long-name entries for `name`, in on-disk order (last fragment first). */
export function longNameEntries(name: string, checksum: number): Uint8Array[] {
  const units: number[] = [];
  for (let i = 0; i < name.length; i++) units.push(name.charCodeAt(i));
  const count = Math.ceil(units.length / 13);
  const entries: Uint8Array[] = [];
  for (let seq = count; seq >= 1; seq--) {
    const e = new Uint8Array(32);
    e[0] = seq | (seq === count ? 0x40 : 0);
    e[11] = ATTR_LONG_NAME;
    e[13] = checksum;
    LFN_CHAR_OFFSETS.forEach((off, k) => {
      const idx = (seq - 1) * 13 + k;
      // After the name: one NUL terminator, then 0xFFFF padding.
      const unit = idx < units.length ? (units[idx] as number) : idx === units.length ? 0 : 0xffff;
      e[off] = unit & 0xff;
      e[off + 1] = unit >> 8;
    });
    entries.push(e);
  }
  return entries;
}

/** Decodes an 11-byte short name (with NT case bits) to "name.ext". */
export function decodeShortName(raw: Uint8Array, ntCase: number): string {
  let base = String.fromCharCode(...raw.subarray(0, 8)).trimEnd();
  let ext = String.fromCharCode(...raw.subarray(8, 11)).trimEnd();
  if (base.charCodeAt(0) === 0x05) base = `\u00e5${base.slice(1)}`;
  if (ntCase & 0x08) base = base.toLowerCase();
  if (ntCase & 0x10) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}
