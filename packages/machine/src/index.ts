export { BoardBus } from "./board-bus.js";
export { BoardDebugger, type DebuggableCpu, type DebugStopReason } from "./board-debugger.js";
export { InstructionClock, type MachineClock, RealTimeClock } from "./clock.js";
export {
  type CompiledModuleHandler,
  type CompileQueue,
  type CompileQueueOptions,
  openCompileQueue,
} from "./compile-queue.js";
export { IdleSleep } from "./idle-sleep.js";
export type { MachineExit } from "./machine-exit.js";
export { nextMacrotask } from "./next-macrotask.js";
export type { PhysBus, TimeSource } from "./phys-bus.js";
export {
  adoptedWord,
  adoptRam,
  allocateRam,
  CPU_STATE_BYTES,
  CPU_STATE_SLOTS,
  claimCpuState,
  type SharedRam,
  shareRam,
  type WasmRam,
  wasmRamOf,
} from "./ram.js";
export { type DmaMemory, type ExternalWriteObserver, RamDma } from "./ram-dma.js";
export { Rom } from "./rom.js";
export { BoardRunLoop, type RunLoopBoard } from "./run-loop.js";
export {
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
  type WasmTable,
  wasmApi,
} from "./wasm-api.js";
export {
  Bytes,
  FnBody,
  type FnType,
  type Locals,
  ModuleWriter,
  Op,
  ValType,
  VOID,
} from "./wasm-writer.js";
