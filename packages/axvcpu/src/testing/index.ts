export {
  type ArchCall,
  type ArchOp,
  ScriptedArchVCpu,
  type ScriptedArchVCpuOptions,
  ScriptedVCpuFactory,
  type ScriptStep,
} from "./scripted-arch-vcpu.js";
