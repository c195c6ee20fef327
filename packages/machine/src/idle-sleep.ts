/**
 * A sleep that something else can cut short: run loops (the bare board's, the VMM's) sleep
 * while every CPU waits and are woken early by input, an interrupt or a stop request.
 */
export class IdleSleep {
  #wake: (() => void) | undefined;

  /** Resolves after `ms` milliseconds, or at once when `wake()` is called meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}
