import {
  createHostBoard,
  describeEnd,
  memoryToFit,
  platforms,
  type VmEnd,
  Vmm,
  VmmLog,
} from "@axvisor/app";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { BENCH_END, BENCH_START, type Job, type JobResult, secondsText } from "../job.js";
import { MarkerWatch } from "../markers.js";

type X86Job = Extract<Job, { kind: "vmm-x86" }>;

/** The x86 bench guest's VM: the image at 0x8000 (its entry, flat real mode), 64 KiB of RAM. */
function x86GuestConfig(image: string): AxVMCrateConfig {
  return {
    base: { id: 1, name: "x86-bench", vmType: VmType.RTOS, cpuNum: 1 },
    kernel: {
      entryPoint: 0x8000,
      kernelPath: image,
      kernelLoadAddr: 0x8000,
      imageLocation: "memory",
      memoryRegions: [
        {
          gpa: 0,
          size: 0x1_0000,
          // R|W|X, as a config's flags 0x7.
          flags: 0x7,
          mapType: VmMemMappingType.MapAlloc,
        },
      ],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: [],
      passthroughDevices: [],
      passthroughAddresses: [],
      excludedDevices: [],
    },
  };
}

/** One x86 guest under the hypervisor on the x86_64 host platform, timed by its markers. */
export async function runVmmX86(job: X86Job): Promise<JobResult> {
  const config = x86GuestConfig(job.image);
  const machine = createHostBoard(platforms.get("x86_64-qemu-q35"), {
    cpus: 1,
    ramSize: memoryToFit([config]),
  });
  const watch = new MarkerWatch([BENCH_START, BENCH_END]);
  let end: VmEnd | undefined;
  let changed: () => void = () => {};
  // The loop's CPU time too: on a shared machine its wall time also counts other processes.
  let cpuAtStart: number | undefined;
  let cpuAtEnd: number | undefined;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const vmm = new Vmm({
    machine,
    log: new VmmLog({ level: "warn", sink: (line) => process.stderr.write(`${line}\n`) }),
    onOutput: (_vm, bytes) => {
      watch.feed(bytes, performance.now(), 0);
      if (cpuAtStart === undefined && watch.has(BENCH_START)) cpuAtStart = cpuMs();
      if (cpuAtEnd === undefined && watch.has(BENCH_END)) cpuAtEnd = cpuMs();
      changed();
    },
    onVmEnd: (_vm, e) => {
      end = e;
      changed();
    },
  });
  const t0 = performance.now();
  const vm = vmm.createVm(config);
  vmm.startVm(vm.id);
  const loop = vmm.run();
  const r = await new Promise<"done" | "timeout">((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), job.timeoutMs);
    changed = () => {
      if (watch.has(BENCH_END) || end !== undefined) {
        clearTimeout(timer);
        resolve("done");
      }
    };
  });
  vmm.quit();
  await loop;
  const first = watch.firstByte?.timeMs;
  const start = watch.hit(BENCH_START)?.timeMs;
  const stop = watch.hit(BENCH_END)?.timeMs;
  if (first === undefined || start === undefined || stop === undefined) {
    const why =
      r === "timeout"
        ? `timeout after ${secondsText(job.timeoutMs)}`
        : `VM ${end === undefined ? "stopped" : describeEnd(end)}`;
    return { ok: false, why: `${why} (no ${BENCH_END})` };
  }
  return {
    ok: true,
    figures: {
      firstByteMs: first - t0,
      loopMs: stop - start,
      loopCpuMs: (cpuAtEnd ?? Number.NaN) - (cpuAtStart ?? Number.NaN),
    },
  };
}
