export {
  GIC_IIDR_ARM,
  INTID_GROUP_MISMATCH,
  INTID_SPURIOUS,
  LIST_REGISTERS,
  PPI,
  PRIVATE_IRQS,
  SGI_COUNT,
} from "./constants.js";
export { AckGroups, GicCore, type GicCoreOptions, type GicVersion } from "./gic-core.js";
export { loadGicCore, saveGicCore } from "./gic-state.js";
export { GicV2, type GicV2Options } from "./gicv2.js";
export { GICR_STRIDE, GicV3, type GicV3Options } from "./gicv3.js";
export { GicMmioFrame } from "./mmio-frame.js";
export { type GicCpuOutputs, RecordingCpuOutputs } from "./outputs.js";
export { GicSysReg, type GicSysRegContext, type GicSysRegDevice, sysreg } from "./sysreg.js";
export { VirtualCpuInterface, type VirtualCpuWires } from "./virtual-cpu.js";
