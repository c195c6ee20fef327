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
  /**
   * A CSR as a number (the 64-bit value taken as signed: addresses sign-extended, exact below
   * 2^53 in magnitude) and its low word in `csrLo`: the world switch's CSR access, no BigInt.
   */
  readCsrNum(num: number): number;
  /** Low 32 bits (int32) of the CSR `readCsrNum` read last. */
  readonly csrLo: number;
  /**
   * High 32 bits (int32) of the CSR `readCsrNum` read last: with `csrLo`, the exact value of a
   * CSR too wide for a number (vsatp, hgatp), which bind and unbind move without BigInt.
   */
  readonly csrHi: number;
  writeCsrNum(num: number, value: number): void;
  /**
   * A CSR write from its two 32-bit halves (int32 each): what the world switch passes an
   * address in, since a kernel address as one number is a heap-allocated double at a call.
   */
  writeCsrWords(num: number, lo: number, hi: number): void;
  writeCsr(num: number, value: bigint): void;
  getPc(): bigint;
  setPc(value: bigint): void;
  /** The effect of `sret` executed in HS-mode. */
  enterGuest(): void;
  /**
   * Runs the guest for at most `budget` instructions: "budget" when they ran out (or PAUSE
   * ended the run early, see `pauseExit`), "wfi" at a WFI with nothing pending, "host-trap"
   * at a trap into HS-mode.
   */
  run(budget: number): "budget" | "wfi" | "host-trap";
  /** PAUSE (Zihintpause) ends `run` with "budget" (set at bind for the bound vCPU). */
  pauseExit?: boolean;
  /** Instructions retired so far. */
  readonly instret: number;
  /**
   * Drops every cached translation: what HFENCE.VVMA / HFENCE.GVMA executed by HS-mode
   * software achieve (a hart may cache more finely; flushing all is always correct).
   */
  flushTlb(): void;
  /**
   * HFENCE.GVMA of one guest-physical page, after the hypervisor mapped it (the hart may
   * cache that an access there faulted).
   */
  fenceGuestPage?(gpa: number): void;
  /** Drops decoded instructions (FENCE.I on behalf of another hart), if the hart caches any. */
  fenceI?(): void;
  /** Drops the LR reservation so the next SC fails. */
  clearReservation?(): void;
}
