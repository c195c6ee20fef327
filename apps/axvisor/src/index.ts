// The Node.js face of the app: everything host-neutral (core.ts), the CLI and its commands,
// and the file system as the VMM's host files.
import { useHostFiles } from "./host/host-files.js";
import { nodeHostFiles } from "./host/node-files.js";

export { runCli } from "./cli.js";
export * from "./core.js";
export { runEmu } from "./emu/emu-command.js";
export { nodeHostFiles } from "./host/node-files.js";
export { type CliIo, processIo } from "./io.js";
export { vcpuThreadRunner } from "./platforms/node.js";
export {
  riscvVcpuThreads,
  runVmOnThreads,
  threadedRunRefusal,
} from "./platforms/riscv64-qemu-virt/threads/threaded-vm.js";
export { runShell } from "./shell/shell-command.js";
export { type HostPlan, memoryToFit, planHost, type VmToCreate } from "./vmm/host-setup.js";
export { openSession, runVmm, type VmmSession } from "./vmm/run-command.js";
export type { ThreadedVm, VcpuThreadRunner } from "./vmm/vcpu-threads.js";

useHostFiles(nodeHostFiles);
