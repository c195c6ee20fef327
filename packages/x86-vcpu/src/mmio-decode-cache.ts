import {
  type DecodedMmio,
  type DecodeMode,
  decodeMmio,
  type UndecodableMmio,
} from "./mmio-decode.js";

/** Slots of the cache, direct-mapped by the instruction's linear address. */
const SLOTS = 64;
/** The longest x86 instruction. */
const MAX_LENGTH = 15;

/**
 * Decoded MMIO instructions by guest linear RIP, for the EPT-violation exit a device-polling
 * guest makes over and over from the same few instructions.
 *
 * A hit is validated by content: the slot keeps the instruction's bytes and the decode mode,
 * and is used only when the bytes the exit fetched now (through the guest's current page
 * tables, whatever CR3 or PTE changed since) equal them over the decoded length. A decode is a
 * function of those bytes and the mode alone, so a guest that rewrites the instruction, remaps
 * the page or switches address space gets a fresh decode, and nothing has to be flushed.
 */
export class MmioDecodeCache {
  private readonly lin = new Float64Array(SLOTS).fill(-1);
  private readonly mode = new Int8Array(SLOTS);
  private readonly bytes = new Uint8Array(SLOTS * MAX_LENGTH);
  private readonly decoded: (DecodedMmio | null)[] = new Array<DecodedMmio | null>(SLOTS).fill(
    null,
  );
  /** Exits answered from the cache / decoded afresh (for tests and statistics). */
  hits = 0;
  misses = 0;

  /**
   * The decode of the instruction at guest linear `lin` whose bytes are `code[at..at+avail)`
   * (`avail` ≤ 15; fewer where the fetch stops at the end of mapped memory).
   */
  decode(
    code: Uint8Array,
    at: number,
    avail: number,
    lin: number,
    mode: DecodeMode,
  ): DecodedMmio | UndecodableMmio {
    const slot = lin & (SLOTS - 1);
    const m = (mode.long ? 2 : 0) | (mode.default32 ? 1 : 0);
    const hit = this.decoded[slot];
    if (hit !== null && hit !== undefined && this.lin[slot] === lin && this.mode[slot] === m) {
      const n = hit.length;
      if (n <= avail) {
        const base = slot * MAX_LENGTH;
        const bytes = this.bytes;
        let k = 0;
        while (k < n && bytes[base + k] === code[at + k]) k++;
        if (k === n) {
          this.hits++;
          return hit;
        }
      }
    }
    this.misses++;
    const d = decodeMmio(code.subarray(at, at + Math.min(avail, MAX_LENGTH)), mode);
    if (d.kind === "unsupported") return d;
    this.lin[slot] = lin;
    this.mode[slot] = m;
    this.decoded[slot] = d;
    this.bytes.set(code.subarray(at, at + d.length), slot * MAX_LENGTH);
    return d;
  }
}
