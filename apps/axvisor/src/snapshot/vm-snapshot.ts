/**
 * Saving a whole VM to a snapshot file and bringing it back, in this process or another:
 * `vm snapshot ID FILE`, `vm restore FILE` and `axvisor run --restore FILE`. The VMM core
 * names no architecture here either: vCPUs (`ArchVCpu.saveState`), devices
 * (`BaseDeviceOps.saveState`) and the platform's VM-wide state (`VmArchParts.snapshot`) each
 * save themselves; this module adds RAM, the disk attachment, the console and the scheduler's
 * view, and packs it all into the file format of snapshot-file.ts.
 */

import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Arch } from "@axvisor/arch";
import {
  EmulatedDeviceType,
  type SavedRecord,
  StateReader,
  savedBytes,
} from "@axvisor/axdevice-base";
import { AxError, axErr } from "@axvisor/axerrno";
import { VMStatus } from "@axvisor/axvm";
import { type AxVMCrateConfig, resolveConfigPath, VmMemMappingType } from "@axvisor/axvmconfig";
import { type BlockBacking, MemoryBlockBacking } from "@axvisor/device-virtio-mmio";
import type { VmInstance } from "../vmm/vm-instance.js";
import type { Vmm } from "../vmm/vmm.js";
import { decodeSnapshot, encodeSnapshot, type SnapshotSectionInput } from "./snapshot-file.js";

const PAGE = 4096;
const TEXT = new TextEncoder();
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The disk a snapshot records: a host file by path and content hash, or the disk's bytes. */
type DiskRecord =
  | {
      readonly kind: "file";
      readonly path: string;
      readonly size: number;
      readonly sha256: string;
      readonly readOnly: boolean;
    }
  | { readonly kind: "memory"; readonly size: number; readonly readOnly: boolean };

export interface RestoreOptions {
  /** The file name, for messages. */
  readonly file: string;
  /** Use the disk file even when its contents changed since the snapshot. */
  readonly forceDisk?: boolean;
}

function json(value: unknown): Uint8Array {
  return TEXT.encode(JSON.stringify(value));
}

function hasVirtioBlk(config: AxVMCrateConfig): boolean {
  return config.devices.emuDevices.some((r) => r.emuType === EmulatedDeviceType.VirtioBlk);
}

/** SHA-256 of a host file, read in 1 MiB pieces. */
export function fileSha256(path: string): { sha256: string; size: number } {
  const fd = openSync(path, "r");
  try {
    const hash = createHash("sha256");
    const buf = new Uint8Array(1 << 20);
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, size);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
    return { sha256: hash.digest("hex"), size };
  } finally {
    closeSync(fd);
  }
}

function readWholeDisk(disk: BlockBacking): Uint8Array {
  const out = new Uint8Array(disk.size);
  disk.read(0, out);
  return out;
}

/** Why this VM cannot be snapshotted, or undefined when it can. */
function unsnapshottable(vmm: Vmm, vm: VmInstance): string | undefined {
  if (vm.parts.snapshot === undefined) {
    return `the ${vmm.machine.platform.name} platform cannot snapshot VMs yet`;
  }
  if (vm.status !== VMStatus.Running && vm.status !== VMStatus.Suspended) {
    return `it is ${vm.status}; only a running or suspended VM has state to save`;
  }
  const d = vm.config.devices;
  if (d.passthroughDevices.length > 0 || d.passthroughAddresses.length > 0) {
    return "it has passthrough devices, whose state is in host hardware";
  }
  if (d.emuDevices.some((r) => r.emuType === EmulatedDeviceType.IVCChannel)) {
    return "it has IVC channels, which share host memory with other VMs";
  }
  const reserved = vm.config.kernel.memoryRegions.findIndex(
    (r) => r.mapType === VmMemMappingType.MapReserved,
  );
  if (reserved >= 0) return `memory region ${reserved} is host memory (map_type reserved)`;
  for (let i = 0; i < vm.axvm.vcpuNum; i++) {
    if (vm.axvm.vcpu(i).arch.saveState === undefined) {
      return `the ${vmm.machine.platform.arch} vCPUs cannot save their state yet`;
    }
  }
  return undefined;
}

/** RAM as the snapshot keeps it: per region, which pages exist, which are non-zero, their bytes. */
function captureRam(vmm: Vmm, vm: VmInstance): Uint8Array {
  const chunks: Uint8Array[] = [];
  const regions = vm.axvm.memoryRegions();
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, regions.length, true);
  chunks.push(head);
  const space = vm.axvm.addrSpace;
  for (const r of regions) {
    const pages = Math.ceil(r.size / PAGE);
    const bitmapBytes = Math.ceil(pages / 8);
    const meta = new Uint8Array(16 + 2 * bitmapBytes);
    const mv = new DataView(meta.buffer);
    mv.setFloat64(0, r.gpa, true);
    mv.setFloat64(8, r.size, true);
    const present = meta.subarray(16, 16 + bitmapBytes);
    const nonzero = meta.subarray(16 + bitmapBytes);
    const data: Uint8Array[] = [];
    for (let p = 0; p < pages; p++) {
      const at = r.gpa + p * PAGE;
      const host = space.translate(at);
      if (host === null) continue;
      present[p >> 3]! |= 1 << (p & 7);
      const view = vmm.machine.memory.hostBuffer(host, PAGE);
      if (isZero(view)) continue;
      nonzero[p >> 3]! |= 1 << (p & 7);
      data.push(view.slice());
    }
    chunks.push(meta, ...data);
  }
  return concat(chunks);
}

function isZero(page: Uint8Array): boolean {
  if (page.byteOffset % 4 === 0) {
    const words = new Int32Array(page.buffer, page.byteOffset, page.length >> 2);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
  return page.every((b) => b === 0);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Takes a snapshot of a running or suspended VM, between guest instructions (the VMM runs
 * shell commands between slices, so every vCPU is unbound): devices are quiesced and disk
 * writes flushed first. The VM keeps running afterwards. Throws an AxError naming why a VM
 * cannot be saved.
 */
export function snapshotVm(vmm: Vmm, id: number): Uint8Array {
  const vm = vmm.vm(id);
  const why = unsnapshottable(vmm, vm);
  if (why !== undefined)
    throw axErr("Unsupported", `cannot snapshot VM ${id} "${vm.name}": ${why}`);
  const arch = vm.parts.snapshot!;
  arch.quiesce();
  vm.console.flush();
  const time = { hostTicks: vm.restoredAt ?? vmm.host.time.currentTicks() };
  const axvm = vm.axvm;

  const vcpus: SavedRecord[] = [];
  for (let i = 0; i < axvm.vcpuNum; i++) vcpus.push(axvm.vcpu(i).arch.saveState!(time));
  const devices = (["mmio", "ports", "sysRegs"] as const).flatMap((bus) =>
    axvm.devices[bus].devices().map((d) => ({
      bus,
      name: d.name,
      start: d.start,
      state: d.device.saveState?.() ?? null,
    })),
  );

  let disk: DiskRecord | null = null;
  let diskData: Uint8Array | undefined;
  if (hasVirtioBlk(vm.config)) {
    if (vm.disk !== undefined) {
      disk = { kind: "memory", size: vm.disk.size, readOnly: vm.disk.readOnly };
      diskData = readWholeDisk(vm.disk);
    } else if (vm.config.kernel.diskPath !== undefined) {
      const path = resolveConfigPath(vm.config, vm.config.kernel.diskPath);
      const { sha256, size } = fileSha256(path);
      const readOnly = (statSync(path).mode & 0o222) === 0;
      disk = { kind: "file", path, size, sha256, readOnly };
    }
  }

  const sections: SnapshotSectionInput[] = [
    {
      name: "meta",
      data: json({
        platform: vmm.machine.platform.name,
        vm: { id: vm.id, name: vm.name },
        savedAt: "axvisor.ts",
      }),
    },
    { name: "config", data: json(vm.config) },
    {
      name: "vm",
      data: json({
        suspended: vm.status === VMStatus.Suspended,
        restarts: vm.restarts,
        slots: vm.slots.map((s) => ({ started: s.started, lastHart: s.lastHart })),
        halted: vm.slots.filter((s) => axvm.isHalted(s.vcpuId)).map((s) => s.vcpuId),
      }),
    },
    { name: "vcpus", data: json(vcpus) },
    { name: "arch", data: json(arch.save(time)) },
    { name: "devices", data: json(devices) },
    { name: "console", data: json({ sbiInput: savedBytes(vm.console.sbiInput) }) },
    { name: "disk", data: json(disk) },
    ...(diskData !== undefined ? [{ name: "disk-data", data: diskData, compress: true }] : []),
    { name: "ram", data: captureRam(vmm, vm), compress: true },
  ];
  return encodeSnapshot(vmm.machine.platform.arch, sections);
}

/** A snapshot read and checked far enough to plan a host for it (`run --restore`). */
export interface OpenedSnapshot {
  readonly file: string;
  readonly arch: Arch;
  readonly platform: string;
  readonly config: AxVMCrateConfig;
  readonly sections: ReadonlyMap<string, Uint8Array>;
}

function parseSection(
  sections: ReadonlyMap<string, Uint8Array>,
  name: string,
  file: string,
): unknown {
  const bytes = sections.get(name);
  if (bytes === undefined) {
    throw axErr("InvalidData", `snapshot ${file} is corrupt: it has no "${name}" section`);
  }
  try {
    return JSON.parse(UTF8.decode(bytes));
  } catch (e) {
    throw axErr(
      "InvalidData",
      `snapshot ${file} is corrupt: section "${name}" is not JSON (${(e as Error).message})`,
    );
  }
}

function asRecord(value: unknown, what: string): SavedRecord {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw axErr("InvalidData", `${what} is not a record`);
  }
  return value as SavedRecord;
}

/** Reads and checks a snapshot file's container (magic, version, checksum, architecture). */
export function openSnapshot(
  bytes: Uint8Array,
  hostArch: Arch | null,
  file: string,
): OpenedSnapshot {
  const decoded = decodeSnapshot(bytes, hostArch, file);
  const meta = new StateReader(
    asRecord(parseSection(decoded.sections, "meta", file), `snapshot ${file}: meta`),
    `snapshot ${file}`,
  );
  const config = asRecord(
    parseSection(decoded.sections, "config", file),
    `snapshot ${file}: config`,
  ) as unknown as AxVMCrateConfig;
  if (typeof config.base?.id !== "number" || !Array.isArray(config.kernel?.memoryRegions)) {
    throw axErr("InvalidData", `snapshot ${file} is corrupt: its VM config is incomplete`);
  }
  return {
    file,
    arch: decoded.arch,
    platform: meta.string("platform"),
    config,
    sections: decoded.sections,
  };
}

/**
 * Brings a VM back from a snapshot into this VMM, running (or suspended, as it was saved):
 * the VM is rebuilt from the saved config without loading images, then its RAM, devices,
 * vCPUs, platform state and console are put back, and the harts drop every cached
 * translation and compiled block. A disk file whose contents changed since the snapshot is
 * refused unless `forceDisk`. Throws a one-line AxError; nothing is left behind on failure.
 */
export function restoreVm(vmm: Vmm, snap: OpenedSnapshot, options: RestoreOptions): VmInstance {
  const file = options.file;
  const platform = vmm.machine.platform;
  if (snap.arch !== platform.arch) {
    throw axErr(
      "Unsupported",
      `snapshot ${file} holds a ${snap.arch} VM; this host is ${platform.arch} and restores only ${platform.arch} VMs`,
    );
  }
  if (snap.platform !== platform.name) {
    throw axErr(
      "Unsupported",
      `snapshot ${file} was taken on ${snap.platform}; this host is ${platform.name}`,
    );
  }
  const config = snap.config;
  const id = config.base.id;
  if (vmm.hasVm(id)) {
    throw axErr(
      "AlreadyExists",
      `snapshot ${file} holds VM ${id}, and VM ${id} "${vmm.vm(id).name}" exists (delete it first)`,
    );
  }
  const s = snap.sections;
  const diskRec = parseSection(s, "disk", file) as DiskRecord | null;
  let disk: BlockBacking | undefined;
  if (diskRec !== null && diskRec.kind === "memory") {
    const data = s.get("disk-data");
    if (data === undefined || data.length !== diskRec.size) {
      throw axErr("InvalidData", `snapshot ${file} is corrupt: its disk contents are missing`);
    }
    disk = new MemoryBlockBacking(data.slice(), { readOnly: diskRec.readOnly });
  } else if (diskRec !== null && diskRec.kind === "file") {
    checkDiskFile(diskRec, config, file, options.forceDisk === true);
  }

  const vm = vmm.createVm(config, { restoring: true, ...(disk !== undefined ? { disk } : {}) });
  try {
    loadState(vmm, vm, snap, file);
  } catch (e) {
    vmm.deleteVm(id);
    if (e instanceof AxError) {
      throw new AxError(e.kind, `snapshot ${file}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  return vm;
}

function checkDiskFile(
  rec: DiskRecord & { kind: "file" },
  config: AxVMCrateConfig,
  file: string,
  force: boolean,
): void {
  const path =
    config.kernel.diskPath !== undefined
      ? resolveConfigPath(config, config.kernel.diskPath)
      : rec.path;
  let now: { sha256: string; size: number };
  try {
    now = fileSha256(path);
  } catch (e) {
    throw axErr(
      "NotFound",
      `snapshot ${file}: its disk ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if ((now.sha256 !== rec.sha256 || now.size !== rec.size) && !force) {
    throw axErr(
      "InvalidData",
      `snapshot ${file}: disk ${path} changed since the snapshot (SHA-256 differs); restore with --force-disk to use it anyway`,
    );
  }
}

function loadState(vmm: Vmm, vm: VmInstance, snap: OpenedSnapshot, file: string): void {
  const s = snap.sections;
  const axvm = vm.axvm;
  const time = { hostTicks: vmm.host.time.currentTicks() };
  vm.restoredAt = time.hostTicks;

  const ram = s.get("ram");
  if (ram === undefined) throw axErr("InvalidData", `snapshot ${file} is corrupt: it has no RAM`);
  restoreRam(vm, ram);

  const devices = parseSection(s, "devices", file);
  const live = (["mmio", "ports", "sysRegs"] as const).flatMap((bus) =>
    axvm.devices[bus].devices().map((d) => ({ bus, d })),
  );
  if (!Array.isArray(devices) || devices.length !== live.length) {
    throw axErr(
      "InvalidData",
      `the saved device list does not match the VM's ${live.length} devices`,
    );
  }
  devices.forEach((raw, i) => {
    const r = new StateReader(asRecord(raw, `device ${i}`), `device ${i}`);
    const { bus, d } = live[i]!;
    if (
      r.string("bus") !== bus ||
      r.string("name") !== d.name ||
      r.int("start", 0, Number.MAX_SAFE_INTEGER) !== d.start
    ) {
      throw axErr(
        "InvalidData",
        `saved device ${i} is "${r.string("name")}" at 0x${r.int("start", 0, Number.MAX_SAFE_INTEGER).toString(16)}, the VM has "${d.name}" at 0x${d.start.toString(16)}`,
      );
    }
    const state = (raw as SavedRecord).state;
    if (state === null) return;
    if (d.device.loadState === undefined) {
      throw axErr("InvalidData", `device "${d.name}" has saved state but cannot load it`);
    }
    d.device.loadState(asRecord(state, `device "${d.name}" state`));
  });

  const vcpus = parseSection(s, "vcpus", file);
  if (!Array.isArray(vcpus) || vcpus.length !== axvm.vcpuNum) {
    throw axErr(
      "InvalidData",
      `the snapshot has ${Array.isArray(vcpus) ? vcpus.length : "no"} vCPUs, the VM ${axvm.vcpuNum}`,
    );
  }
  vcpus.forEach((v, i) => {
    const arch = axvm.vcpu(i).arch;
    if (arch.loadState === undefined) {
      throw axErr("Unsupported", `the ${vmm.machine.platform.arch} vCPUs cannot load state yet`);
    }
    arch.loadState(asRecord(v, `vCPU ${i}`), time);
  });

  const parts = vm.parts.snapshot;
  if (parts === undefined) {
    throw axErr("Unsupported", `the ${vmm.machine.platform.name} platform cannot restore VMs yet`);
  }
  parts.load(asRecord(parseSection(s, "arch", file), "platform state"), time);

  const console = new StateReader(asRecord(parseSection(s, "console", file), "console"), "console");
  vm.console.sbiInput = console.bytes("sbiInput");

  const st = new StateReader(asRecord(parseSection(s, "vm", file), "vm"), "VM state");
  const slots = st.records("slots", vm.config.base.cpuNum).map((r) => ({
    started: r.bool("started"),
    lastHart: r.int("lastHart", -1, 1024),
  }));
  vmm.startRestored(vm.id, {
    slots,
    halted: st.ints("halted", undefined, 0, vm.config.base.cpuNum - 1),
    suspended: st.bool("suspended"),
    restarts: st.int("restarts"),
  });
}

function restoreRam(vm: VmInstance, ram: Uint8Array): void {
  const bad = (why: string) => axErr("InvalidData", `saved RAM: ${why}`);
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  const regions = vm.axvm.memoryRegions();
  if (ram.length < 4 || view.getUint32(0, true) !== regions.length) {
    throw bad(`the VM has ${regions.length} memory regions, the snapshot a different number`);
  }
  let at = 4;
  const zero = new Uint8Array(PAGE);
  for (const r of regions) {
    if (at + 16 > ram.length) throw bad("truncated");
    const gpa = view.getFloat64(at, true);
    const size = view.getFloat64(at + 8, true);
    if (gpa !== r.gpa || size !== r.size) {
      throw bad(
        `region 0x${gpa.toString(16)}+0x${size.toString(16)} is at 0x${r.gpa.toString(16)}+0x${r.size.toString(16)} in this VM`,
      );
    }
    const pages = Math.ceil(size / PAGE);
    const bitmapBytes = Math.ceil(pages / 8);
    const present = ram.subarray(at + 16, at + 16 + bitmapBytes);
    const nonzero = ram.subarray(at + 16 + bitmapBytes, at + 16 + 2 * bitmapBytes);
    at += 16 + 2 * bitmapBytes;
    for (let p = 0; p < pages; p++) {
      if (((present[p >> 3] ?? 0) & (1 << (p & 7))) === 0) continue;
      let data: Uint8Array = zero;
      if (((nonzero[p >> 3] ?? 0) & (1 << (p & 7))) !== 0) {
        if (at + PAGE > ram.length) throw bad("truncated");
        data = ram.subarray(at, at + PAGE);
        at += PAGE;
      }
      const w = vm.axvm.writeGuest(r.gpa + p * PAGE, data);
      if (!w.ok) throw bad(`page 0x${(r.gpa + p * PAGE).toString(16)}: ${w.error.message}`);
    }
  }
  if (at !== ram.length) throw bad(`${ram.length - at} bytes left over`);
}
