import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Arch } from "@axvisor/arch";
import { axErr } from "@axvisor/axerrno";
import type { VmInstance } from "../vmm/vm-instance.js";
import type { Vmm } from "../vmm/vmm.js";
import { type OpenedSnapshot, openSnapshot, restoreVm, snapshotVm } from "./vm-snapshot.js";

function ioError(verb: string, path: string, e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file" : (code ?? (e as Error).message);
  throw axErr(code === "ENOENT" ? "NotFound" : "Io", `cannot ${verb} snapshot ${path}: ${why}`);
}

/**
 * Saves VM `id` to `path` (written to a temporary name and renamed, so an existing snapshot
 * is never left half-overwritten). Returns the file's size.
 */
export function saveSnapshotFile(vmm: Vmm, id: number, path: string): number {
  const bytes = snapshotVm(vmm, id);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    ioError("write", path, e);
  }
  return bytes.length;
}

/** Reads and checks a snapshot file for this VMM's architecture (no VM is touched yet). */
export function readSnapshotFile(path: string, arch: Arch | null): OpenedSnapshot {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    ioError("read", path, e);
  }
  return openSnapshot(bytes, arch, path);
}

/** `vm restore FILE`, `run --restore FILE`: the VM of a snapshot file, running again. */
export function restoreSnapshotFile(
  vmm: Vmm,
  path: string,
  options: { forceDisk?: boolean } = {},
): VmInstance {
  const snap = readSnapshotFile(path, vmm.machine.platform.arch);
  return restoreVm(vmm, snap, {
    file: path,
    ...(options.forceDisk === true ? { forceDisk: true } : {}),
  });
}
