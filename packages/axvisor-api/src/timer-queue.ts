import type { TimerCallback, TimerToken } from "./host-services.js";

interface Entry {
  readonly deadline: number;
  /** Registration order; breaks deadline ties so equal deadlines fire first-come first-served. */
  readonly seq: number;
  readonly callback: TimerCallback;
  cancelled: boolean;
}

const before = (a: Entry, b: Entry): boolean =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);

/**
 * One-shot timers ordered by deadline: the building block behind `HostTime.registerTimer`.
 * A binary min-heap; cancellation marks the entry and leaves it for the heap to discard, so
 * both register and cancel are O(log n) at worst.
 *
 * The queue has no clock: its owner calls `fireDue(now)` when time advances, and programs its
 * next wake-up from `nextDeadline()`.
 */
export class TimerQueue {
  private readonly heap: Entry[] = [];
  private readonly live = new Map<number, Entry>();
  private nextSeq = 1;

  /** Number of pending (not fired, not cancelled) timers. */
  get size(): number {
    return this.live.size;
  }

  add(deadlineNanos: number, callback: TimerCallback): TimerToken {
    if (Number.isNaN(deadlineNanos)) throw new RangeError("timer deadline is NaN");
    const entry: Entry = {
      deadline: deadlineNanos,
      seq: this.nextSeq++,
      callback,
      cancelled: false,
    };
    this.live.set(entry.seq, entry);
    this.push(entry);
    return entry.seq as TimerToken;
  }

  /** True when the timer was pending and is now cancelled. */
  cancel(token: TimerToken): boolean {
    const entry = this.live.get(token);
    if (entry === undefined) return false;
    entry.cancelled = true;
    this.live.delete(token);
    return true;
  }

  /** The earliest pending deadline, or null when nothing is pending. */
  nextDeadline(): number | null {
    this.dropCancelledTop();
    return this.heap[0]?.deadline ?? null;
  }

  /**
   * Fires, in deadline order, every timer due at `now` (deadline <= now) that was pending when
   * the call started; returns how many fired. Timers a callback registers wait for the next
   * call even if already due, so a callback that re-arms itself at `now` cannot loop forever.
   * A callback may cancel timers that have not fired yet. If a callback throws, the timers not
   * yet fired stay pending and the exception propagates.
   */
  fireDue(now: number): number {
    const due: Entry[] = [];
    while (this.heap.length > 0 && this.heap[0]!.deadline <= now) {
      const e = this.pop()!;
      if (!e.cancelled) due.push(e);
    }
    let fired = 0;
    let i = 0;
    try {
      for (; i < due.length; i++) {
        const e = due[i]!;
        if (e.cancelled) continue;
        this.live.delete(e.seq);
        fired++;
        e.callback(now);
      }
    } finally {
      for (i++; i < due.length; i++) {
        const e = due[i]!;
        if (!e.cancelled) this.push(e);
      }
    }
    return fired;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
    return top;
  }
}
