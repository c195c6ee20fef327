export { Pl011, type Pl011Options } from "./pl011.js";
export * as Pl011Regs from "./registers.js";
