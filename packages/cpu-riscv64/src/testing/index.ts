/**
 * Test support for code that drives the hart: an instruction encoder, a minimal test
 * machine, hand-built page tables and a mode-switch helper. Imported as
 * `@axvisor/cpu-riscv64/testing`.
 */
export * as asm from "./asm.js";
export { HeldCompileQueue } from "./held-compile-queue.js";
export { enterMode, MODE_SWITCH_PC } from "./modes.js";
export { PageTables, PTE } from "./page-tables.js";
export { li32, Program } from "./program.js";
export {
  ManualClock,
  MMIO_BASE,
  type MmioAccess,
  makeHart,
  RAM_BASE,
  TestBus,
} from "./test-machine.js";
