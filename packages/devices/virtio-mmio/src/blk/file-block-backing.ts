import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import type { BlockBacking } from "./block-backing.js";

/**
 * A disk image file, read and written through its file descriptor so guest writes reach the
 * file (flush = fsync). Synchronous I/O: the emulated machine waits for its disk like a VM
 * exit waits in a simple VMM.
 */
export class FileBlockBacking implements BlockBacking {
  readonly path: string;
  readonly readOnly: boolean;
  readonly size: number;
  #fd: number | null;
  #dirty = false;

  private constructor(path: string, fd: number, size: number, readOnly: boolean) {
    this.path = path;
    this.#fd = fd;
    this.size = size;
    this.readOnly = readOnly;
  }

  /** Opens an image; throws an Error naming the file when it cannot be opened or is not a file. */
  static open(path: string, options: { readOnly?: boolean } = {}): FileBlockBacking {
    const readOnly = options.readOnly ?? false;
    let fd: number;
    try {
      fd = openSync(path, readOnly ? "r" : "r+");
    } catch (e) {
      throw new Error(`cannot open disk image ${path}: ${(e as Error).message}`, { cause: e });
    }
    const st = fstatSync(fd);
    if (!st.isFile() && !st.isBlockDevice()) {
      closeSync(fd);
      throw new Error(`disk image ${path} is not a regular file`);
    }
    return new FileBlockBacking(path, fd, st.size, readOnly);
  }

  read(offset: number, into: Uint8Array): void {
    const fd = this.#openFd();
    let done = 0;
    while (done < into.length) {
      const n = readSync(fd, into, done, into.length - done, offset + done);
      if (n === 0) {
        // A file that shrank under us: the rest reads as zeros.
        into.fill(0, done);
        return;
      }
      done += n;
    }
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error(`disk image ${this.path} is open read-only`);
    const fd = this.#openFd();
    let done = 0;
    while (done < data.length) {
      done += writeSync(fd, data, done, data.length - done, offset + done);
    }
    this.#dirty = true;
  }

  flush(): void {
    if (this.readOnly) return;
    fsyncSync(this.#openFd());
    this.#dirty = false;
  }

  /** Whether writes happened since the last flush (they are in the host's page cache only). */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Flushes what the guest wrote since its last flush, then closes: every way the VMM ends a
   * VM (stop, delete, shutdown on Ctrl-A x or a signal) goes through here.
   */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      if (this.#dirty) fsyncSync(fd);
      this.#dirty = false;
    } finally {
      closeSync(fd);
    }
  }

  #openFd(): number {
    if (this.#fd === null) throw new Error(`disk image ${this.path} is closed`);
    return this.#fd;
  }
}
