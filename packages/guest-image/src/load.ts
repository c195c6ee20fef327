import type { Elf64Image } from "./elf.js";

/** Where the loader puts bytes: guest RAM, a VM's address space, a test buffer. */
export type WriteMemory = (paddr: number, bytes: Uint8Array) => void;

/** What a load placed in memory. */
export interface LoadedImage {
  readonly entry: number;
  /** Lowest and end (exclusive) address written, bss included. */
  readonly low: number;
  readonly high: number;
}

export interface LoadElfOptions {
  /**
   * Use p_vaddr instead of p_paddr as the target address (for images linked with
   * identical VMA/LMA this makes no difference).
   */
  useVaddr?: boolean;
  /** Added to every target address and the entry (relocating a position-independent image). */
  bias?: number;
}

/** bss is zeroed in chunks so a huge memsz does not allocate a huge buffer at once. */
const ZERO_CHUNK = 64 * 1024;

/** Writes `len` zero bytes at `paddr` through `write`. */
export function zeroFill(write: WriteMemory, paddr: number, len: number): void {
  if (len <= 0) return;
  const zeros = new Uint8Array(Math.min(len, ZERO_CHUNK));
  for (let done = 0; done < len; done += zeros.length) {
    const n = Math.min(zeros.length, len - done);
    write(paddr + done, n === zeros.length ? zeros : zeros.subarray(0, n));
  }
}

/**
 * Copies every PT_LOAD segment through `write` (filesz bytes from the file, then memsz -
 * filesz zero bytes for bss) and returns the entry and the span written.
 */
export function loadElf(
  elf: Elf64Image,
  write: WriteMemory,
  options: LoadElfOptions = {},
): LoadedImage {
  const bias = options.bias ?? 0;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const seg of elf.segments) {
    const at = (options.useVaddr ? seg.vaddr : seg.paddr) + bias;
    if (seg.filesz > 0) write(at, seg.data);
    zeroFill(write, at + seg.filesz, seg.memsz - seg.filesz);
    low = Math.min(low, at);
    high = Math.max(high, at + seg.memsz);
  }
  if (low === Number.POSITIVE_INFINITY) low = high = elf.entry + bias;
  return { entry: elf.entry + bias, low, high };
}

/** Copies a raw binary to `loadAddr`; its entry is its first byte. */
export function loadRaw(bytes: Uint8Array, loadAddr: number, write: WriteMemory): LoadedImage {
  if (bytes.length > 0) write(loadAddr, bytes);
  return { entry: loadAddr, low: loadAddr, high: loadAddr + bytes.length };
}
