/**
 * What an emulated CPU needs from the machine around it. A board (or a test machine)
 * implements these; the CPU reads and writes `ram` directly on its fast paths and calls
 * `load`/`store` for everything outside RAM.
 */
export interface PhysBus {
  /** Main RAM. Its byteOffset must be a multiple of 8 (CPUs keep aligned views on it). */
  readonly ram: Uint8Array;
  /** Physical address of ram[0], e.g. 0x8000_0000 on riscv64 virt, 0x4000_0000 on arm virt. */
  readonly ramBase: number;
  /** Device or ROM read outside RAM; null means nothing is there (the CPU's bus error). */
  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null;
  /** Device write outside RAM; false means nothing is there (the CPU's bus error). */
  store(paddr: number, width: 1 | 2 | 4 | 8, value: bigint): boolean;
}

/** A free-running platform counter (riscv `time`, arm CNTPCT, x86 TSC source), in ticks. */
export interface TimeSource {
  now(): number;
}
