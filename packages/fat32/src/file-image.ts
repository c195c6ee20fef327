/** File-backed images for Node: sparse creation and positional reads and writes. */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import type { ImageSource, ImageTarget } from "./image-io.js";

export class FileImage implements ImageSource, ImageTarget {
  private constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** Creates (or truncates) `path` as a sparse file of `size` bytes. */
  static create(path: string, size: number): FileImage {
    const fd = openSync(path, "w+");
    ftruncateSync(fd, size);
    return new FileImage(fd, size);
  }

  static openRead(path: string): FileImage {
    const fd = openSync(path, "r");
    return new FileImage(fd, fstatSync(fd).size);
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, Math.min(length, this.size - offset)));
    let done = 0;
    while (done < out.length) {
      const n = readSync(this.fd, out, done, out.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length)
      done += writeSync(this.fd, data, done, data.length - done, offset + done);
  }

  close(): void {
    closeSync(this.fd);
  }
}
