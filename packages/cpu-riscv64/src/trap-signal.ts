/**
 * Thrown (as one preallocated instance, so no allocation and no stack capture per trap) when
 * an instruction raises a synchronous exception. The hart records the cause in its own fields
 * before throwing, and its run loop catches this and enters the trap handler.
 */
export class TrapSignal extends Error {
  constructor() {
    super("RISC-V trap");
    this.name = "TrapSignal";
  }
}

export const TRAP: TrapSignal = new TrapSignal();
