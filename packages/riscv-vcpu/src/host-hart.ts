/**
 * The part of the emulated hart (`@axvisor/cpu-riscv64`'s `Hart`) that the backend drives,
 * written as a structural interface so the backend states exactly which hardware features it
 * relies on — the same ones a hypervisor uses on silicon: CSRs, `sret` into V=1 and traps
 * back into HS-mode.
 */
export interface HostHart {
  /** TypeScript acts as the HS-mode software: traps into HS-mode end `run`. */
  hostTrapMode: boolean;
  /** Integer and FP register files, lo/hi Int32 pairs (register i at [2i], [2i+1]). */
  readonly x: Int32Array;
  readonly f: Int32Array;
  fflags: number;
  frm: number;
  readonly priv: number;
  readonly virt: boolean;
  readCsr(num: number): bigint;
  writeCsr(num: number, value: bigint): void;
  getPc(): bigint;
  setPc(value: bigint): void;
  /** The effect of `sret` executed in HS-mode. */
  enterGuest(): void;
  run(budget: number): "budget" | "wfi" | "host-trap";
  /** Instructions retired so far. */
  readonly instret: number;
  /**
   * Drops every cached translation: what HFENCE.VVMA / HFENCE.GVMA executed by HS-mode
   * software achieve (a hart may cache more finely; flushing all is always correct).
   */
  flushTlb(): void;
  /** Drops decoded instructions (FENCE.I on behalf of another hart), if the hart caches any. */
  fenceI?(): void;
  /** Drops the LR reservation so the next SC fails. */
  clearReservation?(): void;
}
