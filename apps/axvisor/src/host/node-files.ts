import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { FileBlockBacking } from "@axvisor/device-virtio-mmio/node";
import { FileImage } from "@axvisor/fat32/node";
import type { HostFiles } from "./host-files.js";

/** The host adapter of Node.js: the VMM's files are the file system's. */
export const nodeHostFiles: HostFiles = {
  description: "the file system",
  readFile: (path) => new Uint8Array(readFileSync(path)),
  readHead(path, bytes) {
    const fd = openSync(path, "r");
    try {
      const buf = new Uint8Array(bytes);
      const n = readSync(fd, buf, 0, bytes, 0);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  },
  exists: (path) => existsSync(path),
  writable: (path) => (statSync(path).mode & 0o222) !== 0,
  openDisk: (path, options) => FileBlockBacking.open(path, options),
  openImage: (path) => FileImage.openRead(path),
};
