import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createHostBoard,
  describeEnd,
  platforms,
  runVmOnThreads,
  type VmEnd,
  Vmm,
  VmmLog,
} from "@axvisor/app";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import type { JobResult } from "../job.js";

/** guests/riscv64/parallel-test/parallel-test.bin, from src/jobs or dist/jobs alike. */
export const PARALLEL_GUEST = fileURLToPath(
  new URL("../../../../guests/riscv64/parallel-test/parallel-test.bin", import.meta.url),
);

const PASS = /PARALLEL-TEST PASS 2 (\d+)/;

/** The parallel guest's config: 2 vCPUs on host CPUs 0 and 1, `iterations` per hart. */
export function parallelGuestToml(image: string, iterations: number): string {
  return `[base]
id = 1
name = "parallel"
vm_type = 1
cpu_num = 2
phys_cpu_ids = [0, 1]
phys_cpu_sets = [1, 2]

[kernel]
entry_point = 0x8020_0000
image_location = "memory"
kernel_path = "${image}"
kernel_load_addr = 0x8020_0000
memory_regions = [[0x8000_0000, 0x100_0000, 0xf, 0]]
cmdline = "par.n=${iterations}"

[devices]
interrupt_mode = "emu"
emu_devices = [["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [4]]]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`;
}

/**
 * Runs the parallel guest to its power-off under the riscv64 hypervisor, its 2 vCPUs on the
 * VMM's scheduler loop (threads 1) or on 2 worker threads. Figures: ms (wall, from the moment
 * the vCPUs can run to the VM's power-off), cpu_ms (the process meanwhile), startup_ms (with
 * threads: creating the workers and building their harts, before that), instructions (guest
 * instructions retired, both vCPUs).
 */
export async function runVmmParallel(job: {
  readonly threads: 1 | 2;
  readonly iterations: number;
  readonly timeoutMs: number;
}): Promise<JobResult> {
  const dir = mkdtempSync(join(tmpdir(), "axvisor-parallel-"));
  try {
    const path = join(dir, "parallel.toml");
    writeFileSync(path, parallelGuestToml(PARALLEL_GUEST, job.iterations));
    const config = await loadAxVMConfig(path);
    const machine = createHostBoard(platforms.get("riscv64-qemu-virt"), {
      cpus: 2,
      ramSize: 64 << 20,
      vms: [config],
    });
    let output = "";
    let ended: (end: VmEnd) => void = () => {};
    const end = new Promise<VmEnd>((r) => {
      ended = r;
    });
    const decoder = new TextDecoder();
    const vmm = new Vmm({
      machine,
      log: new VmmLog({ level: "warn", sink: (l) => process.stderr.write(`${l}\n`) }),
      onOutput: (_vm, bytes) => {
        output += decoder.decode(bytes);
      },
      onVmEnd: (_vm, e) => ended(e),
    });
    const vm = vmm.createVm(config);
    const loop = vmm.run();
    const c0 = process.cpuUsage();
    const created = performance.now();
    vmm.startVm(vm.id);
    const threaded = job.threads === 2 ? runVmOnThreads(vmm, vm, 2) : undefined;
    // The workers are the host CPUs: their creation is reported apart, as for parallel.emu.
    const t0 = (await threaded?.started) ?? created;
    const cpu0 = threaded === undefined ? c0 : process.cpuUsage();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      end,
      new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), job.timeoutMs);
      }),
    ]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearTimeout(timer);
    threaded?.stop();
    await threaded?.done;
    const instructions = threaded?.instructions ?? vmm.instructions;
    vmm.shutdown();
    await loop;
    if (outcome === "timeout") return { ok: false, why: `no power-off within ${job.timeoutMs} ms` };
    const pass = PASS.exec(output);
    if (outcome.kind !== "poweroff" || outcome.reason !== 0 || pass === null) {
      return {
        ok: false,
        why: `the parallel guest did not pass: VM ${describeEnd(outcome)}; output ${JSON.stringify(output.slice(-200))}`,
      };
    }
    return {
      ok: true,
      figures: {
        ms,
        cpu_ms: (cpu.user + cpu.system) / 1000,
        startup_ms: t0 - created,
        instructions,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
