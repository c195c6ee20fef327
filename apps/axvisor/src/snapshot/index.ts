export {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_MAGIC,
  SNAPSHOT_VERSION,
} from "./snapshot-file.js";
export { readSnapshotFile, restoreSnapshotFile, saveSnapshotFile } from "./snapshot-io.js";
export { type OpenedSnapshot, openSnapshot, restoreVm, snapshotVm } from "./vm-snapshot.js";
