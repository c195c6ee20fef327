/**
 * SBI STA (steal-time accounting, SBI 2.0 chapter 16) for one virtual hart: the shared memory
 * the guest registers with `set_shmem`, and the steal time the VMM's scheduler reports (time
 * the vCPU was runnable but had no host hart). The record is rewritten just before the vCPU
 * runs again, so the guest never sees it change under its feet and an idle vCPU costs nothing.
 *
 * Record (64 bytes, little-endian): u32 sequence at 0 (odd while an update is in progress),
 * u32 flags at 4 (zero), u64 steal in nanoseconds at 8, u8 preempted at 16, zero padding.
 */
import type { GuestPhysMemory } from "../guest-memory.js";
import { SbiError } from "./consts.js";

export const STA_RECORD_BYTES = 64;
const SEQUENCE = 0;
const STEAL = 8;
/** `shmem_phys_lo` and `_hi` both all-ones: stop reporting. */
const U64_ONES = (1n << 64n) - 1n;

export class StealTime {
  /** Guest-physical address of the record, or null while reporting is off. */
  #shmem: number | null = null;
  /** Steal time reported so far, in nanoseconds. */
  #total = 0;
  /** Steal time not yet written into the record. */
  #unpublished = 0;

  get shmem(): number | null {
    return this.#shmem;
  }

  get totalNanos(): number {
    return this.#total;
  }

  /** `sbi_sta_set_shmem(lo, hi, flags)`: returns the SBI error code. */
  setShmem(memory: GuestPhysMemory, lo: bigint, hi: bigint, flags: bigint): number {
    if (flags !== 0n) return SbiError.InvalidParam;
    const lo64 = BigInt.asUintN(64, lo);
    const hi64 = BigInt.asUintN(64, hi);
    if (lo64 === U64_ONES && hi64 === U64_ONES) {
      this.#shmem = null;
      return SbiError.Success;
    }
    // On RV64 the address is shmem_phys_lo alone; hi must be zero (a 128-bit address).
    if (hi64 !== 0n) return SbiError.InvalidAddress;
    if ((lo64 & 63n) !== 0n) return SbiError.InvalidParam;
    if (lo64 > BigInt(Number.MAX_SAFE_INTEGER)) return SbiError.InvalidAddress;
    const at = Number(lo64);
    if (!memory.write(at, new Uint8Array(STA_RECORD_BYTES)).ok) return SbiError.InvalidAddress;
    this.#shmem = at;
    this.#total = 0;
    this.#unpublished = 0;
    return SbiError.Success;
  }

  /** The scheduler kept this runnable vCPU off the host harts for `nanos`. */
  /** The record's place and the time not yet published, for a VM snapshot. */
  save(): { shmem: number | null; total: number; unpublished: number } {
    return { shmem: this.#shmem, total: this.#total, unpublished: this.#unpublished };
  }

  load(state: { shmem: number | null; total: number; unpublished: number }): void {
    this.#shmem = state.shmem;
    this.#total = state.total;
    this.#unpublished = state.unpublished;
  }

  add(nanos: number): void {
    if (this.#shmem === null || !(nanos > 0)) return;
    this.#unpublished += nanos;
  }

  /**
   * Writes the record if steal time accrued since the last write, with the sequence protocol:
   * sequence to odd, steal, sequence to even. A record the guest unmapped turns reporting off.
   */
  publish(memory: GuestPhysMemory): void {
    const at = this.#shmem;
    if (at === null || this.#unpublished === 0) return;
    this.#total += Math.round(this.#unpublished);
    this.#unpublished = 0;
    const seq = memory.read(at + SEQUENCE, 4);
    if (!seq.ok) {
      this.#shmem = null;
      return;
    }
    const view = new DataView(seq.value.buffer, seq.value.byteOffset, 4);
    const before = view.getUint32(0, true);
    const u32 = new Uint8Array(4);
    const u32View = new DataView(u32.buffer);
    // An odd value the guest left there must not make the update look finished.
    const odd = (before | 1) >>> 0;
    u32View.setUint32(0, odd, true);
    memory.write(at + SEQUENCE, u32);
    const steal = new Uint8Array(8);
    new DataView(steal.buffer).setBigUint64(0, BigInt(this.#total), true);
    memory.write(at + STEAL, steal);
    u32View.setUint32(0, (odd + 1) >>> 0, true);
    memory.write(at + SEQUENCE, u32);
  }

  /** VM restart: the registration does not survive a reset. */
  reset(): void {
    this.#shmem = null;
    this.#total = 0;
    this.#unpublished = 0;
  }
}
