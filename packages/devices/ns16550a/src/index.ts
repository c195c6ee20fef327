export { ByteQueue } from "./byte-queue.js";
export { type ModemInputs, Ns16550a, type Ns16550aOptions } from "./ns16550a.js";
export * as Ns16550aRegs from "./registers.js";
