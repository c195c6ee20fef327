/**
 * Integers in configs are addresses and sizes. The project keeps addresses as JavaScript
 * numbers, so a config value must be a non-negative integer that a number holds exactly
 * (at most 2^53 - 1). TOML text is parsed with every integer as a bigint, so values beyond that
 * are seen (and rejected) instead of silently rounded.
 */
export const MAX_CONFIG_INTEGER = BigInt(Number.MAX_SAFE_INTEGER);

/** The number for `value`, or the reason it is not a usable unsigned integer. */
export function toUint(value: bigint): number | string {
  if (value < 0n) return `must not be negative, got ${value}`;
  if (value > MAX_CONFIG_INTEGER) {
    const grouped = value.toString(16).replace(/\B(?=(?:[0-9a-f]{4})+$)/g, "_");
    return `0x${grouped} is too large (the limit is 2^53 - 1 = 0x1f_ffff_ffff_ffff)`;
  }
  return Number(value);
}

/**
 * Parses a number typed on the command line: decimal, `0x` hex, `0o` octal or `0b` binary, with
 * optional `_` separators as TOML allows. Returns undefined for anything else.
 */
export function parseUintText(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(0x[0-9a-f](_?[0-9a-f])*|0o[0-7](_?[0-7])*|0b[01](_?[01])*|[0-9](_?[0-9])*)$/.test(t)) {
    return undefined;
  }
  const v = BigInt(t.replaceAll("_", ""));
  return v > MAX_CONFIG_INTEGER ? undefined : Number(v);
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a memory size as QEMU's `-m` reads it: `256M`, `1G`, `512MiB`, `4096K`, or a plain byte
 * count (`0x1000_0000`). Units are binary (K = 1024) whatever the spelling.
 */
export function parseSize(text: string): number | undefined {
  const m = /^\s*([0-9][0-9_]*|0x[0-9a-f_]+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? "").toLowerCase()];
  const n = parseUintText(m[1] ?? "");
  if (unit === undefined || n === undefined) return undefined;
  const bytes = n * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `256 MiB`, `4 KiB`, `1.5 GiB`-free exact form: the largest binary unit that divides evenly. */
export function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ["TiB", 1024 ** 4],
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ];
  for (const [name, unit] of units) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit} ${name}`;
  }
  return `${bytes} bytes`;
}
