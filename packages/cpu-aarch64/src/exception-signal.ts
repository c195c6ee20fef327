/**
 * Thrown (one preallocated instance: no allocation or stack capture per exception) once an
 * instruction's synchronous exception has been entered; the run loop catches it and goes on
 * at the vector (or returns "host-trap").
 */
export class Exc extends Error {
  constructor() {
    super("AArch64 synchronous exception");
    this.name = "Exc";
  }
}

export const EXC: Exc = new Exc();
