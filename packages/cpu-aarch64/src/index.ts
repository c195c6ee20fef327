export { allocateRam } from "@axvisor/machine";
export { Aarch64Cpu, EC } from "./cpu.js";
export type { Aarch64Jit, JitOptions } from "./jit/jit.js";
export { SysReg, sysreg } from "./sysreg-encoding.js";
export { HCR } from "./sysregs.js";
export { LINE_CNTHP, LINE_CNTP, LINE_CNTV } from "./timer.js";
export type {
  CpuModel,
  CpuOptions,
  FirmwareHandler,
  PhysBus,
  RunExit,
  SysRegAccessContext,
  SysRegDevice,
  TimeSource,
  TrapKind,
} from "./types.js";
