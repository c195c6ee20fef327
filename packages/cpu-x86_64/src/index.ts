export { X86Cpu, type X86RegName } from "./cpu.js";
export { cpuid } from "./cpuid.js";
export { CS, DS, ES, FS, GS, LDTR, SS, TR } from "./regs.js";
export type {
  CpuModel,
  InterruptController,
  PhysBus,
  PortIo,
  RunExit,
  SegmentState,
  TimeSource,
  X86CpuOptions,
} from "./types.js";
export { slotOf as vmcsSlot, V as VmcsField } from "./vmcs-fields.js";
