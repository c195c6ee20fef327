import { UsageError } from "../errors.js";

const UNITS: Record<string, number> = {
  "": 1024 * 1024, // QEMU: a bare -m number is MiB
  B: 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** Parses a QEMU memory size: `256M`, `1G`, `512` (MiB), `1.5G`, `size=256M`. */
export function parseMemorySize(text: string, option = "-m"): number {
  const s = text.startsWith("size=") ? text.slice(5) : text;
  const m = /^(\d+(?:\.\d+)?)\s*([bBkKmMgGtT]?)(?:i?[bB])?$/.exec(s.trim());
  if (m === null) {
    throw new UsageError(`${option}: bad size '${text}' (examples: 256M, 1G, 512)`);
  }
  const bytes = Number(m[1]) * UNITS[(m[2] ?? "").toUpperCase()]!;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`${option}: size '${text}' is not a whole number of bytes`);
  }
  return bytes;
}
