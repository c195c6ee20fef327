/**
 * Runs handlers in the order of their sequence numbers, whatever order they arrive in: the
 * main thread gets worker messages on one port per worker, and ports do not keep an order
 * among themselves, while the numbers (taken with one atomic counter) do.
 */
export class InOrder {
  #next = 0;
  readonly #waiting = new Map<number, () => void>();

  /** Runs `handler` once every lower number has run (now, or when the last one arrives). */
  run(seq: number, handler: () => void): void {
    this.#waiting.set(seq, handler);
    for (
      let h = this.#waiting.get(this.#next);
      h !== undefined;
      h = this.#waiting.get(this.#next)
    ) {
      this.#waiting.delete(this.#next);
      this.#next++;
      h();
    }
  }

  /** Numbers that arrived ahead of a lower one still on its way. */
  get held(): number {
    return this.#waiting.size;
  }
}
