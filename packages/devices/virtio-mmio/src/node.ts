// The Node.js adapter of this package: a virtio-blk disk backed by a host file (node:fs).
// The device models in the main entry run in any JavaScript host.
export { FileBlockBacking } from "./blk/file-block-backing.js";
