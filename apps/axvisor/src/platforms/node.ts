/**
 * The platforms' Node-only parts: they need `node:worker_threads`, which the host-neutral core
 * (and so a browser build) never loads. The only file that names them, as `index.ts` is for
 * the platforms themselves.
 */
import type { HostPlatform } from "../platform/host-platform.js";
import type { VcpuThreadRunner } from "../vmm/vcpu-threads.js";
import { riscv64QemuVirt } from "./riscv64-qemu-virt/index.js";
import { riscvVcpuThreads } from "./riscv64-qemu-virt/threads/threaded-vm.js";

const threadRunners = new Map<string, VcpuThreadRunner>([[riscv64QemuVirt.name, riscvVcpuThreads]]);

/** The runner of `platform` for vCPUs on worker threads, if it has one. */
export function vcpuThreadRunner(platform: HostPlatform): VcpuThreadRunner | undefined {
  return threadRunners.get(platform.name);
}
