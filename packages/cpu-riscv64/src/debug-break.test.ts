import { describe, expect, it } from "vitest";
import { CSR } from "./csr-numbers.js";
import * as a from "./testing/asm.js";
import { enterMode } from "./testing/modes.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const CODE = RAM_BASE + 0x1000;
const STVEC = RAM_BASE + 0x9000;

describe("breakpoints owned by a debugger (debugBreakpoints)", () => {
  it("stop the hart at the EBREAK with no trap taken, in any mode; off, EBREAK traps", () => {
    const { hart, bus } = makeHart();
    bus.writeWords(CODE, [a.NOP, a.NOP, a.EBREAK, a.NOP]);
    bus.writeWords(STVEC, [a.NOP, a.NOP]);
    hart.writeCsr(CSR.stvec, BigInt(STVEC));
    hart.writeCsr(CSR.medeleg, 1n << 3n);
    enterMode(hart, bus, 1, CODE);
    hart.debugBreakpoints = true;
    const instret = hart.instret;
    expect(hart.run(100)).toBe("host-trap");
    expect(hart.debugBreakHit).toBe(true);
    expect(hart.getPc()).toBe(BigInt(CODE + 8));
    expect(hart.priv).toBe(1);
    expect(hart.readCsr(CSR.scause)).toBe(0n);
    // The EBREAK did not retire: only the two NOPs did.
    expect(hart.instret - instret).toBe(2);

    hart.debugBreakHit = false;
    hart.debugBreakpoints = false;
    hart.run(1);
    expect(hart.debugBreakHit).toBe(false);
    expect(hart.readCsr(CSR.scause)).toBe(3n);
    expect(hart.readCsr(CSR.sepc)).toBe(BigInt(CODE + 8));
    expect(hart.getPc()).toBe(BigInt(STVEC));
  });
});
