import { MemoryBlockBacking } from "@axvisor/device-virtio-mmio";
import { fileError, type HostFiles, type OpenedDisk, type OpenedImage } from "./host-files.js";

interface Entry {
  bytes: Uint8Array;
  readOnly: boolean;
}

/**
 * Files held in memory under absolute POSIX paths: a web page's host adapter (images and disks
 * the user picked or dropped, guests the page fetched). A disk opened writable is changed in
 * place, so a VM that restarts sees what it wrote.
 */
export class MemoryFiles implements HostFiles {
  readonly description = "the page's files";
  readonly #files = new Map<string, Entry>();

  put(path: string, bytes: Uint8Array, options: { readonly readOnly?: boolean } = {}): void {
    this.#files.set(path, { bytes, readOnly: options.readOnly ?? false });
  }

  remove(path: string): boolean {
    return this.#files.delete(path);
  }

  list(): { path: string; size: number; readOnly: boolean }[] {
    return [...this.#files].map(([path, e]) => ({
      path,
      size: e.bytes.length,
      readOnly: e.readOnly,
    }));
  }

  #get(path: string): Entry {
    const e = this.#files.get(path);
    if (e === undefined) throw fileError("ENOENT", `${path}: no such file`);
    return e;
  }

  readFile(path: string): Uint8Array {
    return this.#get(path).bytes.slice();
  }

  readHead(path: string, bytes: number): Uint8Array {
    return this.#get(path).bytes.slice(0, bytes);
  }

  exists(path: string): boolean {
    return this.#files.has(path);
  }

  writable(path: string): boolean {
    return !this.#get(path).readOnly;
  }

  openDisk(path: string, options: { readonly readOnly: boolean }): OpenedDisk {
    const e = this.#get(path);
    if (!options.readOnly && e.readOnly) throw fileError("EACCES", `${path}: read-only`);
    const disk = new MemoryBlockBacking(e.bytes, { readOnly: options.readOnly });
    return Object.assign(disk, { close() {} });
  }

  openImage(path: string): OpenedImage {
    const bytes = this.#get(path).bytes;
    return {
      size: bytes.length,
      read: (offset, length) => bytes.slice(offset, offset + length),
      close() {},
    };
  }
}
