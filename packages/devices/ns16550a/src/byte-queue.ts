/**
 * A growable FIFO of bytes in a ring buffer: O(1) push and shift, so a host that pastes
 * megabytes into the console does not make each guest read copy the backlog.
 */
export class ByteQueue {
  #buf: Uint8Array;
  #head = 0;
  #length = 0;

  constructor(initialCapacity = 64) {
    this.#buf = new Uint8Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  push(byte: number): void {
    if (this.#length === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#length) % this.#buf.length] = byte;
    this.#length++;
  }

  /** The oldest byte, removed; undefined when empty. */
  shift(): number | undefined {
    if (this.#length === 0) return undefined;
    const byte = this.#buf[this.#head]!;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#length--;
    return byte;
  }

  /** The queued bytes, oldest first. */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#length; i++)
      out.push(this.#buf[(this.#head + i) % this.#buf.length]!);
    return out;
  }

  clear(): void {
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const next = new Uint8Array(this.#buf.length * 2);
    for (let i = 0; i < this.#length; i++) {
      next[i] = this.#buf[(this.#head + i) % this.#buf.length]!;
    }
    this.#buf = next;
    this.#head = 0;
  }
}
