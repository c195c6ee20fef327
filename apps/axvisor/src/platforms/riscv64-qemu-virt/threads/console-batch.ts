/**
 * A worker's SBI console output gathered into one message while nothing else is numbered in
 * the VM-wide order (see `InOrder`): a guest printing through SBI putchar makes one call per
 * byte, and a message per byte cost both threads more than printing itself.
 *
 * Bytes join the open message only while the VM's order counter still stands right after its
 * number. Output another vCPU made after this one's (ordered by the guest's own lock, whose
 * release follows this vCPU's console call) took a number first, so it moves the counter and
 * the next byte starts a new message: the console shows the bytes as the guest ordered them.
 * The owner must `flush` before sending any other message and when its vCPU's run ends, so
 * a message numbered after the open one never waits long for it.
 */
export class ConsoleBatch {
  #seq = -1;
  #bytes = new Uint8Array(256);
  #length = 0;

  constructor(
    /** Takes the next number of the VM-wide order. */
    private readonly order: () => number,
    /** The number the next `order()` would return. */
    private readonly next: () => number,
    private readonly send: (seq: number, bytes: Uint8Array) => void,
    /** Bytes one message carries at most. */
    private readonly limit = 4096,
  ) {}

  write(bytes: Uint8Array): void {
    if (this.#seq >= 0 && (this.next() !== this.#seq + 1 || this.#length >= this.limit)) {
      this.flush();
    }
    if (this.#seq < 0) this.#seq = this.order();
    const need = this.#length + bytes.length;
    if (need > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(need, 2 * this.#bytes.length));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(bytes, this.#length);
    this.#length = need;
  }

  /** Sends the open message, if any. */
  flush(): void {
    if (this.#seq < 0) return;
    this.send(this.#seq, this.#bytes.slice(0, this.#length));
    this.#seq = -1;
    this.#length = 0;
  }

  /** Whether bytes wait to be sent. */
  get open(): boolean {
    return this.#seq >= 0;
  }
}
