import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { MappingFlags } from "@axvisor/memory-addr";
import { createHostBoard } from "../../platform/host-of.js";
import type { HostBoard } from "../../platform/host-platform.js";
import { platforms } from "../../platforms/index.js";
import type { VmImageLoader } from "../vm-images.js";
import type { VmEnd, VmInstance } from "../vm-instance.js";
import { Vmm } from "../vmm.js";
import { VmmLog } from "../vmm-log.js";

/** The repository root, from this file (apps/axvisor/src/vmm/test-support). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");
export const GUESTS = resolve(REPO_ROOT, "guests/riscv64");
export const SHARED_GUESTS = resolve(REPO_ROOT, "../shared/guests");

export interface TestVmm {
  readonly vmm: Vmm;
  readonly machine: HostBoard;
  /** Console text of each VM so far. */
  readonly output: Map<number, string>;
  readonly ends: Map<number, VmEnd>;
  readonly notices: string[];
  readonly logs: string[];
  /** Resolves with the VM's output once `pattern` appears in it; rejects after `ms`. */
  waitFor(vmId: number, pattern: RegExp, ms?: number): Promise<string>;
  /**
   * When (performance.now()) the output that completed the first match of `pattern` arrived,
   * exact where waitFor is up to a poll late; undefined while it has not appeared.
   */
  seenAt(vmId: number, pattern: RegExp): number | undefined;
  /** Resolves when the VM has stopped. */
  waitEnd(vmId: number, ms?: number): Promise<VmEnd>;
  /** Stops the scheduler and every VM. */
  close(): Promise<void>;
}

/** A VMM on a fresh host machine, running in this process, recording what the guests print. */
export function startTestVmm(
  options: {
    harts?: number;
    ramMiB?: number;
    loadImages?: VmImageLoader;
    fsDisk?: string;
    /** The host platform; riscv64-qemu-virt (guests/riscv64) by default. */
    platform?: string;
    /** The VMs the host is built for (HostBoardOptions.vms). */
    vms?: readonly AxVMCrateConfig[];
    /**
     * Called as output leaves the VMM, with the VM's console text so far: a test reads the
     * VM's state at the instant a marker arrives (waitFor sees it up to a poll late).
     */
    onOutput?: (vm: VmInstance, text: string) => void;
  } = {},
): TestVmm {
  const machine = createHostBoard(platforms.get(options.platform ?? "riscv64-qemu-virt"), {
    cpus: options.harts ?? 2,
    ramSize: (options.ramMiB ?? 256) << 20,
    ...(options.vms !== undefined ? { vms: options.vms } : {}),
  });
  const output = new Map<number, string>();
  const ends = new Map<number, VmEnd>();
  const notices: string[] = [];
  const logs: string[] = [];
  const decoder = new TextDecoder();
  /** Per VM: when each piece of output arrived and the output's length after it. */
  const arrivals = new Map<number, { at: number; length: number }[]>();
  const vmm = new Vmm({
    machine,
    log: new VmmLog({ level: "warn", sink: (l) => logs.push(l) }),
    onOutput: (vm: VmInstance, bytes) => {
      const text = (output.get(vm.id) ?? "") + decoder.decode(bytes);
      output.set(vm.id, text);
      const times = arrivals.get(vm.id) ?? [];
      times.push({ at: performance.now(), length: text.length });
      arrivals.set(vm.id, times);
      options.onOutput?.(vm, text);
    },
    onNotice: (m) => notices.push(m),
    onVmEnd: (vm, end) => ends.set(vm.id, end),
    ...(options.loadImages !== undefined ? { loadImages: options.loadImages } : {}),
    ...(options.fsDisk !== undefined ? { fsDisk: options.fsDisk } : {}),
  });
  const running = vmm.run();
  const poll = <T>(what: () => T | undefined, ms: number, describe: () => string): Promise<T> =>
    new Promise((resolvePromise, reject) => {
      const start = performance.now();
      const tick = () => {
        const v = what();
        if (v !== undefined) return resolvePromise(v);
        if (performance.now() - start > ms) return reject(new Error(describe()));
        setTimeout(tick, 20);
      };
      tick();
    });
  return {
    vmm,
    machine,
    output,
    ends,
    notices,
    logs,
    waitFor: (vmId, pattern, ms = 30_000) =>
      poll(
        () => {
          const text = output.get(vmId) ?? "";
          return pattern.test(text) ? text : undefined;
        },
        ms,
        () =>
          `VM ${vmId}: ${pattern} did not appear within ${ms} ms; output so far:\n${(output.get(vmId) ?? "").slice(-2000)}\nlogs:\n${logs.slice(-20).join("\n")}`,
      ),
    seenAt: (vmId, pattern) => {
      const m = pattern.exec(output.get(vmId) ?? "");
      if (m === null) return undefined;
      const end = m.index + m[0].length;
      return arrivals.get(vmId)?.find((a) => a.length >= end)?.at;
    },
    waitEnd: (vmId, ms = 30_000) =>
      poll(
        () => ends.get(vmId),
        ms,
        () =>
          `VM ${vmId} did not stop within ${ms} ms; output:\n${(output.get(vmId) ?? "").slice(-2000)}`,
      ),
    close: async () => {
      vmm.shutdown();
      await running;
    },
  };
}

/** A config for one of the project's own guests (guests/riscv64/<name>/<name>.bin). */
export function ownGuestConfig(options: {
  guest: string;
  id?: number;
  name?: string;
  cpus?: number;
  memMiB?: number;
  cmdline?: string;
  /** Extra emulated devices after the PLIC (default: none). */
  devices?: AxVMCrateConfig["devices"]["emuDevices"];
  /** An IVC channel window for hypercalls 3-6. */
  ivc?: { gpa: number; size: number };
}): AxVMCrateConfig {
  const cpus = options.cpus ?? 1;
  const dir = resolve(GUESTS, options.guest);
  const rwxu = MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE | MappingFlags.USER;
  const emu: AxVMCrateConfig["devices"]["emuDevices"] = [
    {
      name: "plic",
      baseGpa: 0x0c00_0000,
      length: 0x60_0000,
      irqId: 0,
      emuType: EmulatedDeviceType.PPPTGlobal,
      cfgList: [2 * cpus],
    },
    ...(options.devices ?? []),
  ];
  if (options.ivc !== undefined) {
    emu.push({
      name: "ivc",
      baseGpa: options.ivc.gpa,
      length: options.ivc.size,
      irqId: 0,
      emuType: EmulatedDeviceType.IVCChannel,
      cfgList: [],
    });
  }
  return {
    base: {
      id: options.id ?? 1,
      name: options.name ?? options.guest,
      vmType: VmType.RTOS,
      cpuNum: cpus,
      physCpuIds: Array.from({ length: cpus }, (_, i) => i),
    },
    kernel: {
      entryPoint: 0x8020_0000,
      kernelPath: `${options.guest}.bin`,
      kernelLoadAddr: 0x8020_0000,
      imageLocation: "memory",
      ...(options.cmdline !== undefined ? { cmdline: options.cmdline } : {}),
      memoryRegions: [
        {
          gpa: 0x8000_0000,
          size: (options.memMiB ?? 16) << 20,
          flags: rwxu,
          mapType: VmMemMappingType.MapAlloc,
        },
      ],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: emu,
      passthroughDevices: [],
      passthroughAddresses: [],
      excludedDevices: [],
    },
    source: resolve(dir, `${options.guest}.toml`),
  };
}
