/**
 * One fuzz case under the hypervisor: a fresh VMM on a one-hart host runs the fuzzed VM beside
 * a canary VM. The canary counts in its own memory and holds a secret; the fuzzed VM runs for a
 * budget of instructions (guest time comes from the instruction count, so every run of a case
 * is the same run). Findings: the host throws or logs an error, a VM crashes (a host-side
 * failure), the run does not end, the canary stops or its memory changes, the fuzzed VM's
 * G-stage reaches the canary's memory, or the canary's secret shows up in the memory the fuzzed
 * VM's G-stage maps.
 */
import {
  createHostBoard,
  platforms,
  type VmEnd,
  type VmImageLoader,
  Vmm,
  VmmLog,
} from "@axvisor/app";
import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { MemoryBlockBacking } from "@axvisor/device-virtio-mmio";
import { MappingFlags } from "@axvisor/memory-addr";
import type { Finding } from "./finding.js";
import { INSTRUCTIONS_PER_TICK, VmmInstructionClock } from "./instruction-clock.js";
import { findInGstage, gstageMap, gstageReach, overlap, reachOf } from "./isolation.js";

const ENTRY = 0x8020_0000;
const RAM = 0x8000_0000;
const VM_RAM = 4 << 20;
const CANARY_ID = 1;
const FUZZ_ID = 2;
/** The canary (riscv64, no RVC): auipc t0, 0; 1: ld t1, 0x100(t0); addi t1, t1, 1; sd t1, 0x100(t0); j 1b */
const CANARY_CODE = [0x00000297, 0x1002b303, 0x00130313, 0x1062b023, 0xff5ff06f];
const COUNTER = ENTRY + 0x100;
const SECRET = ENTRY + 0x200;
/** Wall-clock limit for one case: past it the case counts as a hang. */
const HANG_MS = 30_000;

export interface HypervisorCaseOptions {
  /** Instructions the fuzzed VM and the canary share before the case ends (default 100 000). */
  readonly budget?: number;
  /** 64 bytes the canary keeps in its memory. */
  readonly secret: Uint8Array;
}

export interface HypervisorCaseResult {
  readonly findings: Finding[];
  /** How the fuzzed VM ended: poweroff, stopped (budget) or crashed. */
  readonly end: VmEnd | undefined;
  readonly instructions: number;
  readonly canaryCount: number;
}

function vmConfig(
  id: number,
  name: string,
  devices: AxVMCrateConfig["devices"]["emuDevices"],
): AxVMCrateConfig {
  const rwxu = MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE | MappingFlags.USER;
  return {
    base: { id, name, vmType: VmType.RTOS, cpuNum: 1, physCpuIds: [0] },
    kernel: {
      entryPoint: ENTRY,
      kernelPath: `${name}.bin`,
      kernelLoadAddr: ENTRY,
      imageLocation: "memory",
      memoryRegions: [{ gpa: RAM, size: VM_RAM, flags: rwxu, mapType: VmMemMappingType.MapAlloc }],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: [
        {
          name: "plic",
          baseGpa: 0x0c00_0000,
          length: 0x60_0000,
          irqId: 0,
          emuType: EmulatedDeviceType.PPPTGlobal,
          cfgList: [2],
        },
        ...devices,
      ],
      passthroughDevices: [],
      passthroughAddresses: [],
      excludedDevices: [],
    },
    source: `/fuzz/${name}.toml`,
  };
}

const FUZZ_DEVICES: AxVMCrateConfig["devices"]["emuDevices"] = [
  {
    name: "uart",
    baseGpa: 0x1000_0000,
    length: 0x100,
    irqId: 10,
    emuType: EmulatedDeviceType.Console,
    cfgList: [],
  },
  {
    name: "virtio-blk",
    baseGpa: 0x1000_1000,
    length: 0x1000,
    irqId: 1,
    emuType: EmulatedDeviceType.VirtioBlk,
    cfgList: [],
  },
];

/** Runs `image` as the fuzzed VM beside the canary. Never throws: a host exception is a finding. */
export async function runUnderHypervisor(
  image: Uint8Array,
  options: HypervisorCaseOptions,
): Promise<HypervisorCaseResult> {
  const findings: Finding[] = [];
  const budget = options.budget ?? 100_000;
  const clock = new VmmInstructionClock();
  // The fuzzer's guest code is riscv64 (later arches join with their own generators).
  const machine = createHostBoard(platforms.get("riscv64-qemu-virt"), {
    cpus: 1,
    ramSize: 32 << 20,
    clock,
  });
  const canaryImage = new Uint8Array(0x240);
  const cv = new DataView(canaryImage.buffer);
  CANARY_CODE.forEach((w, i) => {
    cv.setUint32(i * 4, w, true);
  });
  canaryImage.set(options.secret, SECRET - ENTRY);
  const loadImages: VmImageLoader = (vm, config) => {
    const bytes = config.base.id === CANARY_ID ? canaryImage : image;
    const w = vm.writeGuest(ENTRY, bytes.subarray(0, Math.min(bytes.length, RAM + VM_RAM - ENTRY)));
    if (!w.ok) throw w.error;
    return { entry: ENTRY, summary: [] };
  };
  // Resolved when the case has an outcome: the fuzzed VM ended or a finding came in.
  let wake = () => {};
  const settled = new Promise<void>((r) => {
    wake = r;
  });
  let fuzzEnd: VmEnd | undefined;
  let canaryEnd: VmEnd | undefined;
  let isolationChecked = false;
  const vmm = new Vmm({
    machine,
    log: new VmmLog({
      level: "error",
      sink: (line) => {
        findings.push({ kind: "host-error", detail: `VMM logged an error: ${line}` });
        wake();
      },
    }),
    loadImages,
    sliceInstructions: 5_000,
    onVmEnd: (vm, end) => {
      if (vm.id === FUZZ_ID) {
        fuzzEnd = end;
        // The fuzzed VM's memory and tables are still in place here.
        checkIsolation();
        // Stop at once: the canary would otherwise run on for as long as the host takes to
        // notice, and the case's instruction count would depend on host load.
        vmm.quit();
        wake();
      } else canaryEnd = end;
    },
  });
  clock.attach(() => vmm.instructions);

  const checkIsolation = () => {
    if (isolationChecked || !vmm.hasVm(FUZZ_ID) || !vmm.hasVm(CANARY_ID)) return;
    isolationChecked = true;
    const fuzz = vmm.vm(FUZZ_ID).axvm;
    const canary = vmm.vm(CANARY_ID).axvm;
    const fuzzMap = gstageMap(machine.memory, fuzz.eptRoot());
    const shared = overlap(reachOf(fuzzMap), gstageReach(machine.memory, canary.eptRoot()));
    if (shared !== null) {
      findings.push({
        kind: "isolation",
        detail: `the fuzzed VM's G-stage reaches host memory 0x${shared[0].start.toString(16)}..0x${shared[0].end.toString(16)}, which the canary's reaches too (0x${shared[1].start.toString(16)}..)`,
      });
    }
    const at = findInGstage(machine.memory, fuzzMap, options.secret.subarray(0, 32));
    if (at !== null) {
      findings.push({
        kind: "isolation",
        detail: `the canary's secret is in the fuzzed VM's memory at GPA 0x${at.toString(16)}`,
      });
    }
  };

  let loop: Promise<void> | undefined;
  try {
    const canary = vmm.createVm(vmConfig(CANARY_ID, "canary", []));
    vmm.startVm(canary.id);
    const fuzz = vmm.createVm(vmConfig(FUZZ_ID, "fuzzed", FUZZ_DEVICES), {
      disk: new MemoryBlockBacking(new Uint8Array(64 * 1024)),
    });
    vmm.startVm(fuzz.id);
    vmm.time.registerTimer(vmm.time.ticksToNanos(Math.ceil(budget / INSTRUCTIONS_PER_TICK)), () => {
      if (vmm.hasVm(FUZZ_ID) && fuzzEnd === undefined) {
        checkIsolation();
        vmm.stopVm(FUZZ_ID);
      }
    });
    loop = vmm.run().catch((e: unknown) => {
      findings.push({ kind: "host-error", detail: `the VMM loop failed: ${describe(e)}` });
      wake();
    });
    if (fuzzEnd === undefined && findings.length === 0) {
      const hang = setTimeout(() => {
        findings.push({ kind: "hang", detail: `the case did not end within ${HANG_MS / 1000} s` });
        wake();
      }, HANG_MS);
      await settled;
      clearTimeout(hang);
    }
  } catch (e) {
    findings.push({ kind: "host-error", detail: `host exception: ${describe(e)}` });
  }
  const instructions = vmm.instructions;
  let canaryCount = 0;
  try {
    if (fuzzEnd?.kind === "crashed") {
      findings.push({
        kind: "host-error",
        detail: `the fuzzed VM crashed (a host-side failure): ${fuzzEnd.message}`,
      });
    }
    if (canaryEnd !== undefined) {
      findings.push({
        kind: "canary",
        detail: `the canary VM ended: ${JSON.stringify(canaryEnd)}`,
      });
    } else if (vmm.hasVm(CANARY_ID)) {
      const canary = vmm.vm(CANARY_ID).axvm;
      const counter = canary.readGuest(COUNTER, 8);
      canaryCount = counter.ok
        ? Number(new DataView(counter.value.buffer, counter.value.byteOffset).getBigUint64(0, true))
        : -1;
      if (canaryCount <= 0)
        findings.push({
          kind: "canary",
          detail: `the canary did not run (counter ${canaryCount})`,
        });
      const code = canary.readGuest(ENTRY, CANARY_CODE.length * 4);
      const secret = canary.readGuest(SECRET, options.secret.length);
      if (!code.ok || !sameBytes(code.value, canaryImage.subarray(0, CANARY_CODE.length * 4))) {
        findings.push({ kind: "canary", detail: "the canary's code changed" });
      }
      if (!secret.ok || !sameBytes(secret.value, options.secret)) {
        findings.push({ kind: "canary", detail: "the canary's secret changed" });
      }
    }
  } catch (e) {
    findings.push({ kind: "host-error", detail: `host exception while checking: ${describe(e)}` });
  }
  try {
    vmm.shutdown();
    await loop;
  } catch (e) {
    findings.push({ kind: "host-error", detail: `host exception at shutdown: ${describe(e)}` });
  }
  return { findings, end: fuzzEnd, instructions, canaryCount };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
