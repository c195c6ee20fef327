import {
  allocatedBytes,
  defaultGuestConfig,
  defaultGuestDisk,
  describeEnd,
  MemoryFiles,
  platforms,
  useHostFiles,
  Vmm,
  VmmLog,
} from "@axvisor/app/core";
import { EXIT_KINDS } from "@axvisor/axvcpu";
import { AxVMConfigError, type AxVMCrateConfig, parseAxVMConfig } from "@axvisor/axvmconfig";
import demoUrl from "../../../../guests/riscv64/demo/demo.bin?url";
import type { FromWorker, ToWorker, VmOp, VmSample, VmView } from "../protocol.js";
import { WebConsole } from "./web-console.js";

/**
 * The VMM's host in a Web Worker: the same Vmm, platform and loaders as the CLI, with the
 * page's files as host files and the page's terminals as consoles. The scheduler runs here,
 * yielding every few milliseconds so that the page's messages (keys, panel commands) are
 * served while guests compute.
 */

const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

/** Where the built-in demo's binary lives among the host files. */
const DEMO_PATH = "/guests/riscv64/demo/demo.bin";
/** The FAT32 disk that `image_location = "fs"` configs read their images from. */
export const FS_DISK_PATH = "/files/fs-disk.img";
const STATS_MS = 500;
const VIEW_MS = 250;

const params = new URLSearchParams(self.location.search);
const cpus = Number(params.get("cpus") ?? 2);
const ramMiB = Number(params.get("ram") ?? 768);

const files = new MemoryFiles();
useHostFiles(files);

const consoles = new Map<number, WebConsole>();
let vmm: Vmm;

function consoleOf(id: number): WebConsole {
  let c = consoles.get(id);
  if (c === undefined) {
    c = new WebConsole(id, vmm, (data) => {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
      post({ t: "output", id, data: bytes }, [bytes.buffer]);
    });
    consoles.set(id, c);
  }
  return c;
}

function views(): VmView[] {
  return vmm.vms.map((vm) => ({
    id: vm.id,
    name: vm.name,
    status: vm.status,
    vcpus: vm.slots.map((s) => ({ state: s.state })),
    memoryBytes: allocatedBytes(vm.config),
    ...(vm.end !== undefined ? { end: describeEnd(vm.end) } : {}),
  }));
}

function samples(): VmSample[] {
  return vmm.vms.map((vm) => {
    let instructions = 0;
    let runMs = 0;
    let haltedMs = 0;
    let waitingMs = 0;
    const exits = EXIT_KINDS.map(() => 0);
    for (const v of vm.stats.vcpus) {
      instructions += v.instructions;
      runMs += v.runMs;
      haltedMs += v.haltedMs;
      waitingMs += v.waitingMs;
      v.exits.forEach((n, i) => {
        exits[i] = (exits[i] ?? 0) + n;
      });
    }
    return { id: vm.id, instructions, runMs, haltedMs, waitingMs, exits };
  });
}

function freeId(): number {
  let id = 1;
  while (vmm.hasVm(id)) id++;
  return id;
}

function createFromToml(m: Extract<ToWorker, { t: "create" }>): number {
  let config: AxVMCrateConfig = parseAxVMConfig(m.toml, { file: m.source, source: m.source });
  if (m.freeId && vmm.hasVm(config.base.id)) {
    config = { ...config, base: { ...config.base, id: freeId() } };
  }
  const vm = vmm.createVm(config);
  consoleOf(vm.id);
  if (m.start) vmm.startVm(vm.id);
  return vm.id;
}

function runOp(op: VmOp, id: number): void {
  switch (op) {
    case "start":
      vmm.startVm(id);
      return;
    case "stop":
      vmm.stopVm(id);
      return;
    case "suspend":
      vmm.suspendVm(id);
      return;
    case "resume":
      vmm.resumeVm(id);
      return;
    case "restart":
      vmm.restartVm(id);
      return;
    case "delete":
      vmm.deleteVm(id);
      consoles.delete(id);
      return;
  }
}

function errorText(e: unknown): string {
  if (e instanceof AxVMConfigError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

async function handle(m: ToWorker): Promise<void> {
  if (m.t === "input") {
    consoles.get(m.id)?.type(m.data);
    return;
  }
  try {
    let id: number | undefined;
    let message = "ok";
    switch (m.t) {
      case "put-file":
        files.put(m.path, m.bytes, { readOnly: m.readOnly });
        message = `${m.path}: ${m.bytes.length} bytes`;
        break;
      case "fetch-file": {
        const res = await fetch(m.url);
        if (!res.ok) throw new Error(`${m.url}: HTTP ${res.status}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        files.put(m.path, bytes, { readOnly: m.readOnly });
        message = `${m.path}: ${bytes.length} bytes`;
        break;
      }
      case "create":
        id = createFromToml(m);
        message = `VM ${id} created`;
        break;
      case "op":
        runOp(m.op, m.id);
        id = m.id;
        break;
    }
    post({ t: "reply", seq: m.seq, ok: true, message, ...(id !== undefined ? { id } : {}) });
  } catch (e) {
    post({ t: "reply", seq: m.seq, ok: false, message: errorText(e) });
  }
  post({ t: "vms", vms: views() });
}

async function main(): Promise<void> {
  const platform = platforms.find("riscv64-qemu-virt");
  if (platform?.createHost === undefined) throw new Error("the riscv64 platform is missing");
  const machine = platform.createHost({ cpus, ramSize: ramMiB << 20 });
  const log = new VmmLog({ level: "info", sink: (line) => post({ t: "log", line }) });
  vmm = new Vmm({
    machine,
    log,
    fsDisk: FS_DISK_PATH,
    onOutput: (vm, bytes) => consoleOf(vm.id).output(bytes),
    onNotice: (message) => post({ t: "log", line: message }),
    onVmEnd: () => post({ t: "vms", vms: views() }),
  });
  self.onmessage = (e: MessageEvent<ToWorker>) => void handle(e.data);

  const res = await fetch(demoUrl);
  if (!res.ok) throw new Error(`the demo guest ${demoUrl}: HTTP ${res.status}`);
  files.put(DEMO_PATH, new Uint8Array(await res.arrayBuffer()), { readOnly: true });
  const demo = vmm.createVm(defaultGuestConfig(DEMO_PATH), { disk: defaultGuestDisk() });
  consoleOf(demo.id);

  post({
    t: "ready",
    host: {
      platform: platform.name,
      cpus,
      ramBytes: ramMiB << 20,
      isolated: (self as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    },
  });
  vmm.startVm(demo.id);
  setInterval(() => post({ t: "vms", vms: views() }), VIEW_MS);
  setInterval(
    () => post({ t: "stats", at: performance.now(), kinds: EXIT_KINDS, vms: samples() }),
    STATS_MS,
  );
  await vmm.run();
}

main().catch((e: unknown) => post({ t: "fatal", message: errorText(e) }));
