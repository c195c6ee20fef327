// The host-neutral face of the app: the VMM, its platforms, shell and consoles, with no Node.js
// module in reach, for hosts other than Node (a web page's worker). The host supplies its files
// with `useHostFiles`; `index.ts` is the Node face (the CLI, the file system installed).
export {
  ExpectEngine,
  type ExpectScript,
  type SendAfter,
  unescapeText,
} from "./console/expect-engine.js";
export {
  CONSOLE_ESCAPE_HELP,
  type ConsoleInput,
  type ConsoleOutput,
  HostConsole,
  type HostConsoleOptions,
} from "./console/host-console.js";
export { type DriveSpec, parseDriveSpec, splitQemuKeyValues } from "./emu/drive-spec.js";
export {
  DEFAULT_MEMORY,
  EMU_OPTIONS,
  type EmuOptions,
  emuHelp,
  KNOWN_MACHINES,
  MAX_HARTS,
  parseEmuArgs,
} from "./emu/emu-options.js";
export { parseMemorySize } from "./emu/size.js";
export { formatHostError, UsageError } from "./errors.js";
export {
  describeOutcome,
  EXIT_STATUS_HELP,
  ExitStatus,
  type ExitStatusCode,
  exitStatusFor,
  type RunOutcome,
} from "./exit-status.js";
export {
  fileError,
  type HostFiles,
  hostFiles,
  type OpenedDisk,
  type OpenedImage,
  useHostFiles,
} from "./host/host-files.js";
export { MemoryFiles } from "./host/memory-files.js";
export { readVmConfig } from "./host/read-vm-config.js";
export { createHostBoard, defaultGuestOf } from "./platform/host-of.js";
export type {
  DefaultGuest,
  EmuDrive,
  EmuFile,
  EmuMachine,
  EmuMachineOptions,
  GuestMemoryAccess,
  HostBoard,
  HostBoardOptions,
  HostIrqController,
  HostPlatform,
  PlacedVm,
  VmArchParts,
  VmBuildContext,
} from "./platform/host-platform.js";
export { PlatformRegistry } from "./platform/registry.js";
export { platforms } from "./platforms/index.js";
export {
  defaultGuestBinary,
  defaultGuestConfig,
  defaultGuestDisk,
} from "./platforms/riscv64-qemu-virt/default-guest.js";
export { DEFAULT_BIOS, resolveBios } from "./platforms/riscv64-qemu-virt/firmware.js";
export { RiscvHostBoard, riscv64QemuVirt } from "./platforms/riscv64-qemu-virt/index.js";
export {
  orderForConstruction,
  type RiscvDeviceWiring,
  RiscvVmDevices,
} from "./platforms/riscv64-qemu-virt/riscv-devices.js";
export { LineEditor } from "./shell/line-editor.js";
export { tokenize } from "./shell/tokenize.js";
export {
  describeVm,
  type ShellSnapshots,
  VmmShell,
  type VmmShellOptions,
} from "./shell/vmm-shell.js";
export { ConsoleMux, type ConsoleMuxOptions } from "./vmm/console-mux.js";
export {
  executeHypercall,
  HyperCallCode,
  type HypercallResult,
  type HypercallVm,
} from "./vmm/hypercall.js";
export {
  IVC_HEADER_BYTES,
  IVC_MAX_BYTES,
  IvcChannels,
  type IvcMapping,
  type IvcVm,
} from "./vmm/ivc.js";
export { parseVmmArgs, type VmmCommandOptions, vmmHelp } from "./vmm/run-options.js";
export { VmConsole } from "./vmm/vm-console.js";
export { loadGuestImages, type VmImageLoader, type VmImagesLoaded } from "./vmm/vm-images.js";
export { type VcpuRunState, type VcpuSlot, type VmEnd, VmInstance } from "./vmm/vm-instance.js";
export { formatVmStats, VcpuStats, VmStats } from "./vmm/vm-stats.js";
export {
  allocatedBytes,
  type CreateVmOptions,
  describeEnd,
  Vmm,
  type VmmOptions,
} from "./vmm/vmm.js";
export { VmmTime, vmmHostServices } from "./vmm/vmm-host-services.js";
export { type LogContext, parseLogLevel, VmmLog, type VmmLogOptions } from "./vmm/vmm-log.js";
export { VmmTerminal, type VmmTerminalOptions } from "./vmm/vmm-terminal.js";
