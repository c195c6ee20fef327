import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import type { ImageSource } from "@axvisor/fat32";

/** A disk image opened for a virtio-blk device; `close` flushes what the guest wrote. */
export interface OpenedDisk extends BlockBacking {
  close(): void;
}

/** A FAT32 disk image opened for reading the images of `image_location = "fs"` configs. */
export interface OpenedImage extends ImageSource {
  close(): void;
}

/**
 * The host's files as the VMM sees them: guest images, firmware, disk images. Node.js gives
 * the file system (`node-files.ts`); a web page gives the files the user picked or the page
 * fetched (`memory-files.ts`). Failures throw an Error whose `code` is the errno name
 * (`ENOENT`, `EACCES`, `EISDIR`, ...), so messages read the same on every host.
 */
export interface HostFiles {
  /** "the file system", "the page's files": said in messages about missing files. */
  readonly description: string;
  readFile(path: string): Uint8Array;
  /** The first `bytes` bytes (fewer for a shorter file). */
  readHead(path: string, bytes: number): Uint8Array;
  exists(path: string): boolean;
  /** Whether the file may be written at all (a file without w bits is attached read-only). */
  writable(path: string): boolean;
  openDisk(path: string, options: { readonly readOnly: boolean }): OpenedDisk;
  openImage(path: string): OpenedImage;
}

/** An Error with the errno-like code the VMM's messages are built from. */
export function fileError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

const NO_FILES: HostFiles = {
  description: "a host without files",
  readFile: (path) => {
    throw fileError("ENOENT", `${path}: this host gives the VMM no files`);
  },
  readHead: (path) => NO_FILES.readFile(path),
  exists: () => false,
  writable: () => false,
  openDisk: (path) => {
    throw fileError("ENOENT", `${path}: this host gives the VMM no files`);
  },
  openImage: (path) => {
    throw fileError("ENOENT", `${path}: this host gives the VMM no files`);
  },
};

let current: HostFiles = NO_FILES;

/** The files of the host the VMM runs on (none until the host's entry point installs them). */
export function hostFiles(): HostFiles {
  return current;
}

/** Installs the host's files (the CLI: the file system; a page: its own); returns the old ones. */
export function useHostFiles(files: HostFiles): HostFiles {
  const old = current;
  current = files;
  return old;
}
