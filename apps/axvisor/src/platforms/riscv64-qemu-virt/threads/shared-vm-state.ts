import { type GuestConsole, HsmState, RiscvVmContext } from "@axvisor/riscv-vcpu";

/**
 * The words the threads of one threaded VM share (an Int32Array over a SharedArrayBuffer):
 * a header, then one block per vCPU, then each guest hart's SBI HSM state and pending remote
 * fences. Whoever changes a vCPU's block bumps the wake word of the worker that runs it and
 * `Atomics.notify`s it, so a halted worker (in `Atomics.wait`) looks again.
 */
export const Header = {
  /** 1: every worker leaves its loop (the VM ended or the VMM stops it). */
  stop: 0,
  /** 1 once every worker has built its hart: they start together. */
  go: 1,
  /** The next sequence number of worker messages (the VM-wide order the main thread keeps). */
  seq: 2,
  /** Device stores the workers posted, VM-wide (the main thread counts those it served). */
  posted: 3,
  /** First of the workers' wake words (one per worker). */
  wake: 4,
} as const;

/** Workers a VM may have (the header holds this many wake words). */
export const MAX_WORKERS = 12;
const HEADER_WORDS = Header.wake + MAX_WORKERS;

/** Offsets inside a vCPU's block. */
export const VcpuWord = {
  /** VcpuRun: what the vCPU is doing. */
  run: 0,
  /** Virtual interrupts waiting to be injected: bit v = scause interrupt number v. */
  pending: 1,
  /** VSEIP level as the vPLIC on the main thread last set it (0 / 1). */
  external: 2,
  /** Start address and argument of an SBI hart_start, as lo/hi 32-bit halves. */
  entryLo: 3,
  entryHi: 4,
  argLo: 5,
  argHi: 6,
} as const;
const VCPU_WORDS = 8;

/** A vCPU's run state in the shared words. */
export const VcpuRun = { Stopped: 0, StartRequested: 1, Running: 2 } as const;

/** The layout for a VM with `vcpus` vCPUs (and as many guest harts). */
export class SharedVmState {
  readonly words: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly vcpus: number,
  ) {
    this.words = new Int32Array(buffer);
  }

  static allocate(vcpus: number): SharedVmState {
    const bytes = 4 * (HEADER_WORDS + vcpus * VCPU_WORDS + 2 * vcpus);
    return new SharedVmState(new SharedArrayBuffer(bytes), vcpus);
  }

  vcpuWord(vcpu: number, word: number): number {
    return HEADER_WORDS + vcpu * VCPU_WORDS + word;
  }

  hsmWord(hartIndex: number): number {
    return HEADER_WORDS + this.vcpus * VCPU_WORDS + 2 * hartIndex;
  }

  get stopped(): boolean {
    return Atomics.load(this.words, Header.stop) !== 0;
  }

  /** Tells every worker to leave its loop and wakes them. */
  stopAll(workers: number): void {
    Atomics.store(this.words, Header.stop, 1);
    Atomics.notify(this.words, Header.go);
    for (let w = 0; w < workers; w++) this.wakeWorker(w);
  }

  /** Lets the workers run (they wait for it after building their harts). */
  release(): void {
    Atomics.store(this.words, Header.go, 1);
    Atomics.notify(this.words, Header.go);
  }

  /** Sleeps until `release` or `stopAll`. */
  awaitRelease(): void {
    while (Atomics.load(this.words, Header.go) === 0 && !this.stopped) {
      Atomics.wait(this.words, Header.go, 0, 100);
    }
  }

  wakeWorker(worker: number): void {
    const i = Header.wake + worker;
    Atomics.add(this.words, i, 1);
    Atomics.notify(this.words, i);
  }

  /** Sleeps until the worker's wake word moves from `seen`, or `ms` passed. */
  waitWorker(worker: number, seen: number, ms: number): void {
    Atomics.wait(this.words, Header.wake + worker, seen, ms);
  }

  wakeSeq(worker: number): number {
    return Atomics.load(this.words, Header.wake + worker);
  }
}

/**
 * A VM's SBI state with the HSM states and pending remote fences in shared words, so every
 * worker sees a hart_start, hart_stop or remote fence another worker's vCPU made (the guest
 * polls hart_get_status across harts; Linux waits on it when it brings CPUs up).
 */
export class SharedRiscvVmContext extends RiscvVmContext {
  readonly #state: SharedVmState;
  readonly #index = new Map<number, number>();

  constructor(
    vmId: number,
    vmid: number,
    console: GuestConsole,
    state: SharedVmState,
    /** Guest hart id of each vCPU, by vCPU id. */
    hartIds: readonly number[],
  ) {
    super(vmId, vmid, console);
    this.#state = state;
    hartIds.forEach((hartId, vcpuId) => {
      this.#index.set(hartId, vcpuId);
      this.defineHart(hartId, vcpuId, vcpuId === 0);
    });
  }

  /** Puts every hart in its power-on state (the main thread, before any worker runs). */
  initialise(): void {
    for (const [, i] of this.#index) {
      Atomics.store(
        this.#state.words,
        this.#state.hsmWord(i),
        i === 0 ? HsmState.Started : HsmState.Stopped,
      );
      Atomics.store(this.#state.words, this.#state.hsmWord(i) + 1, 0);
    }
  }

  override hsmState(hartId: number): HsmState | undefined {
    const i = this.#index.get(hartId);
    if (i === undefined) return undefined;
    return Atomics.load(this.#state.words, this.#state.hsmWord(i)) as HsmState;
  }

  override setHsmState(hartId: number, state: HsmState): void {
    const i = this.#index.get(hartId);
    if (i !== undefined) Atomics.store(this.#state.words, this.#state.hsmWord(i), state);
  }

  override requestFence(hartId: number, fence: number): void {
    const i = this.#index.get(hartId);
    if (i !== undefined) Atomics.or(this.#state.words, this.#state.hsmWord(i) + 1, fence);
  }

  override takeFences(hartId: number): number {
    const i = this.#index.get(hartId);
    if (i === undefined) return 0;
    return Atomics.exchange(this.#state.words, this.#state.hsmWord(i) + 1, 0);
  }
}
