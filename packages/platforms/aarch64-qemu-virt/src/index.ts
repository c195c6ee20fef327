export {
  type ArmBootImages,
  type ArmBootLayout,
  type ArmBootMemory,
  applyChosen,
  type BootFile,
  deviceTreeFits,
  loadArmBootImages,
} from "./boot.js";
export { CfiFlash, type CfiFlashOptions } from "./cfi-flash.js";
export { type ArmVirtDeviceTreeOptions, buildArmVirtDeviceTree } from "./device-tree.js";
export {
  compareKernelLogs,
  explainKernelLogDifferences,
  type KernelLogDifference,
  type KnownKernelLogDifference,
  LINUX_LOG_DIFFERENCES,
  normaliseKernelLogLine,
  stripKernelLogLine,
} from "./kernel-log.js";
export { type ArmMachineExit, ArmVirtMachine, type ArmVirtMachineOptions } from "./machine.js";
export {
  ARM_VIRT,
  ARM_VIRT_APB_CLOCK_HZ,
  ARM_VIRT_DEFAULT_RAM_SIZE,
  ARM_VIRT_GIC_IRQS,
  ARM_VIRT_MAX_CPUS,
  ARM_VIRT_PPI,
  ARM_VIRT_SPI,
  ARM_VIRT_TIMER_HZ,
  armVirtCpuAffinity,
  armVirtioSlotBase,
} from "./memory-map.js";
export {
  PSCI_VERSION_1_1,
  type PsciBoard,
  type PsciCaller,
  PsciFn,
  PsciRet,
  SMCCC_VERSION_1_0,
  servePsci,
} from "./psci.js";
