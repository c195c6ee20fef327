// The Node.js adapter of this package: image files on the host's file system. Everything
// else (create, read, geometry, MemoryImage) is in the main entry and runs in any JavaScript host.
export { FileImage } from "./file-image.js";
