import type { SharedRam } from "@axvisor/machine";

/** What a vCPU worker is given: its host CPU's share of one riscv64 VM. */
export interface VcpuWorkerData {
  /** This worker's index (= the emulated host CPU it is). */
  readonly worker: number;
  readonly workers: number;
  readonly ram: SharedRam;
  readonly ramBase: number;
  readonly state: SharedArrayBuffer;
  readonly mailbox: SharedArrayBuffer;
  readonly vmId: number;
  readonly vmid: number;
  /** Guest hart id of each vCPU, by vCPU id. */
  readonly hartIds: readonly number[];
  /** The worker (host CPU) of each vCPU, by vCPU id. */
  readonly placement: readonly number[];
  /** The vCPUs this worker runs. */
  readonly vcpus: readonly number[];
  /** Host-physical root of the VM's G-stage tables. */
  readonly eptRoot: number;
  readonly gstageLevels: 3 | 4;
  readonly sstc: boolean;
  readonly slice: number | undefined;
  readonly dtbAddr: number;
  /** The boot vCPU's entry state, as the main thread loaded it. */
  readonly boot: { readonly pc: bigint; readonly a0: bigint; readonly a1: bigint };
  /** The host clock: `ticks` at `wallMs` (timeOrigin + now() on the main thread). */
  readonly clock: { readonly ticks: number; readonly wallMs: number; readonly hz: number };
  readonly jit: boolean | undefined;
  /**
   * Guest-physical [start, end) of the devices whose byte stores are posted: the worker
   * sends them without waiting for the main thread (see `PostedWrite`).
   */
  readonly postedWrites: readonly (readonly [number, number])[];
  /**
   * The console UART's LSR as the main thread last published it (`LineStatusWord`), so a
   * worker answers the guest's transmit polls without a round trip; undefined: no 16550.
   */
  readonly lineStatus: { readonly addr: number; readonly word: SharedArrayBuffer } | undefined;
}

/**
 * The Int32 words of `VcpuWorkerData.lineStatus`. `lsr`: LSR as a read would return it, or
 * -1 while a read would change the UART (pending line errors); the main thread stores it
 * after everything it serves for the VM and whenever a device interrupt line moves.
 * `served`: how many posted stores (`Header.posted` counts those sent) it has served. A
 * worker answers an LSR read from `lsr` only while every posted store is served, so the
 * value is what the UART would answer at that moment.
 */
export const LineStatusWord = { lsr: 0, served: 1, words: 2 } as const;
export const LINE_STATUS_UNKNOWN = -1;

/**
 * A request a worker blocks on while the main thread serves it: what must be serialised
 * (device MMIO, the console, the VM's frame allocator).
 */
export type WorkerCall =
  | {
      readonly op: "mmio-read";
      readonly vcpu: number;
      readonly addr: number;
      readonly width: number;
      readonly signExtend: boolean;
    }
  | {
      readonly op: "mmio-write";
      readonly vcpu: number;
      readonly addr: number;
      readonly width: number;
      readonly data: bigint;
    }
  | {
      readonly op: "page-fault";
      readonly vcpu: number;
      readonly addr: number;
      readonly flags: number;
    }
  | { readonly op: "console-read"; readonly max: number };

/**
 * A byte store to a device whose stores cannot fail and return nothing the guest waits for
 * (the 16550 UART: THR, IER, LCR, ...): the worker goes on at once. The main thread serves a
 * worker's messages in the order it sent them, so a later call of the same vCPU (an LSR
 * read) sees the store done, exactly as on one thread; another vCPU sees it as if it had
 * been made a moment later.
 */
export interface PostedWrite {
  readonly vcpu: number;
  readonly addr: number;
  readonly data: number;
}

/** What a worker tells the main thread. */
export type VcpuWorkerMessage =
  | { readonly kind: "ready" }
  /** Guest console output (SBI putchar/DBCN); nothing waits for it. */
  | { readonly kind: "console"; readonly seq: number; readonly bytes: Uint8Array }
  | { readonly kind: "posted"; readonly seq: number; readonly write: PostedWrite }
  | { readonly kind: "call"; readonly seq: number; readonly call: WorkerCall }
  /** The guest powered off (SRST shutdown), with SRST's reason. */
  | { readonly kind: "poweroff"; readonly reason: number }
  /** The VM cannot go on: a guest or host failure on this worker, in one line. */
  | { readonly kind: "crashed"; readonly message: string }
  | { readonly kind: "left"; readonly instructions: number };

/** The reply area of a worker's mailbox (Int32 words, then bytes). */
export const Mailbox = {
  /** 0 while a call is outstanding, 1 once answered. */
  done: 0,
  ok: 1,
  lo: 2,
  hi: 3,
  /** Bytes in the data area (console input, or the error message of a failed call). */
  length: 4,
  dataAt: 32,
  bytes: 32 + 4096,
} as const;
