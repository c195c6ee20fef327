import { ImageFormatError } from "./image-error.js";

/** Compression formats a kernel or firmware file commonly arrives in. */
export type Compression = "gzip" | "xz" | "zstd" | "bzip2" | "lz4" | "efi-zboot";

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

/**
 * The compression of `bytes`, or undefined when they are not a known compressed stream.
 * EFI zboot is the "MZ ... zimg" self-decompressing kernel newer distributions ship.
 */
export function detectCompression(bytes: Uint8Array): Compression | undefined {
  // gzip: magic plus method 8 (deflate), the only method in use.
  if (startsWith(bytes, [0x1f, 0x8b, 0x08])) return "gzip";
  if (startsWith(bytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (startsWith(bytes, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd";
  const level = bytes[3] ?? 0;
  if (startsWith(bytes, [0x42, 0x5a, 0x68]) && level >= 0x31 && level <= 0x39) return "bzip2";
  if (startsWith(bytes, [0x04, 0x22, 0x4d, 0x18])) return "lz4";
  if (startsWith(bytes, [0x4d, 0x5a]) && startsWith(bytes, [0x7a, 0x69, 0x6d, 0x67], 4)) {
    return "efi-zboot";
  }
  return undefined;
}

const HOW_TO: Record<Compression, string> = {
  gzip: "decompress it first (gunzip, or zlib.gunzipSync)",
  xz: "decompress it first (unxz)",
  zstd: "decompress it first (unzstd)",
  bzip2: "decompress it first (bunzip2)",
  lz4: "decompress it first (lz4 -d)",
  "efi-zboot": "extract the payload (it is an EFI zboot image) and decompress it first",
};

/** Throws a "compressed image" error naming the format when `bytes` are compressed. */
export function assertNotCompressed(bytes: Uint8Array, name: string): void {
  const c = detectCompression(bytes);
  if (c !== undefined) {
    throw new ImageFormatError(
      "compressed",
      `${name}: compressed image (${c}); ${HOW_TO[c]} before loading it`,
    );
  }
}
