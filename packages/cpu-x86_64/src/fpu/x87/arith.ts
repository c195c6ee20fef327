/**
 * The six two-operand x87 arithmetic operations by their ModRM.reg number (D8/DC numbering):
 * 0 add, 1 mul, 4 sub (dst - src), 5 subr (src - dst), 6 div (dst / src), 7 divr (src / dst).
 */
import * as softx80Module from "./softx80.js";

// Module-local bindings for the hot paths: a bundler's module-namespace indirection for
// imported names (vitest's, for one) costs more than the arithmetic itself.
const { addExt, divExt, mulExt } = softx80Module;

export interface Operand {
  se: number;
  hi: number;
  lo: number;
}

export function arith(op: number, d: Operand, s: Operand, pc: number, rc: number): void {
  switch (op) {
    case 0:
      addExt(d.se, d.hi, d.lo, s.se, s.hi, s.lo, false, pc, rc);
      return;
    case 1:
      mulExt(d.se, d.hi, d.lo, s.se, s.hi, s.lo, pc, rc);
      return;
    case 4:
      addExt(d.se, d.hi, d.lo, s.se, s.hi, s.lo, true, pc, rc);
      return;
    case 5:
      addExt(s.se, s.hi, s.lo, d.se, d.hi, d.lo, true, pc, rc);
      return;
    case 6:
      divExt(d.se, d.hi, d.lo, s.se, s.hi, s.lo, pc, rc);
      return;
    default:
      divExt(s.se, s.hi, s.lo, d.se, d.hi, d.lo, pc, rc);
      return;
  }
}
