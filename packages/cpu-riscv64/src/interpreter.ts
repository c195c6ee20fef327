/**
 * The interpreter: decodes and executes RV64GC instructions from the hart's fetch page, enters
 * compiled code at block boundaries (the JIT tier), and hands memory accesses to the hart's
 * software TLB and load/store unit (hart.ts) and everything else to alu/csr/system/trap/fpu.
 */
import { executeOp, executeOp32 } from "./alu.js";
import { executeAmo } from "./atomics.js";
import { csrInstruction } from "./csr.js";
import { executeFp } from "./fpu/index.js";
import type { Hart } from "./hart.js";
import { EXIT_SIDE } from "./hart-state.js";
import { CONTINUATION_WEIGHT, type Jit } from "./jit/jit.js";
import { PAUSE } from "./jit/region.js";
import { RVC_TABLE } from "./rvc.js";
import { executeSystem } from "./system.js";
import { takeException } from "./trap.js";
import { TRAP } from "./trap-signal.js";

const TWO32 = 4294967296;

/**
 * Interpreted instructions without a taken branch after which the interpreter offers the
 * JIT the current PC as an entry point anyway (as a continuation). Without it, long
 * straight-line code (unrolled crypto such as the kernel's BLAKE2s, which spans pages) is
 * counted only at its one entry and then only a region at a time, and runs interpreted for
 * thousands of calls: 4.4M of the 18.7M instructions the Linux boot interpreted.
 */
const STRAIGHT_RUN = 64;

/**
 * At a block boundary (h.pc is a branch or jump target): runs compiled code from there for
 * as long as it keeps reaching compiled entry points, within `budget` instructions, and leaves
 * in h.pc the PC where the interpreter goes on; jitRetired holds the instructions retired.
 * The PC travels in h.pc, not as an argument or result: a kernel address is no small integer,
 * and passing one across a call V8 does not inline allocates a heap number each time.
 */
export function runCompiled(h: Hart, jit: Jit, budget: number, weight = 1): void {
  if (budget <= 0) {
    h.jitRetired = 0;
    return;
  }
  if (jit.cold(h.pc, weight)) {
    h.jitRetired = 0;
    h.jitSideExit = false;
    return;
  }
  const k = jit.enter(budget, weight);
  if (k < 0) {
    h.jitRetired = 0;
    h.jitSideExit = false;
    return;
  }
  h.jitRetired = k;
  h.jitSideExit = jit.exitKind() === EXIT_SIDE;
  h.pc = jit.exitPc();
}

export function execute(h: Hart, limit: number): number {
  const x = h.x;
  const r16 = h.r16;
  // Compiled code does not check triggers: none runs while one is armed.
  const jit = h.triggers.armed ? null : h.jit;
  // Resuming where compiled code stopped for the end of the last slice: go straight back in.
  let resume = jit !== null;
  const base = h.instret;
  let n = 0;
  let traps = 0;
  let pc = h.pc;
  // n when the interpreter last offered the JIT an entry point.
  let mark = 0;
  if (resume) {
    resume = false;
    runCompiled(h, jit!, limit, 1);
    pc = h.pc;
    n += h.jitRetired;
    resume = h.jitSideExit;
    mark = n;
  }
  for (;;) {
    try {
      while (n < limit) {
        h.pc = pc;
        let insn: number;
        let len = 4;
        const fo = pc - h.fetchVa;
        if (fo >= 0 && fo < 4094) {
          const k = (h.fetchOff + fo) >>> 1;
          const p = r16[k]!;
          if ((p & 3) === 3) insn = p | (r16[k + 1]! << 16);
          else {
            len = 2;
            insn = RVC_TABLE[p]!;
            if (insn === 0) h.fault(2, p, 0, 0, false);
          }
        } else {
          insn = h.fetchSlow(pc);
          if (h.trapDeferred) {
            n++;
            traps++;
            pc = takeDeferredTrap(h);
            if (h.hostTrapped) return finish(h, base, n, traps);
            continue;
          }
          len = h.insnLen;
        }
        h.insn = insn;
        h.insnLen = len;
        const rd = (insn >> 7) & 31;
        const rs1 = (insn >> 15) & 31;
        let npc = pc + len;
        switch (insn & 0x7f) {
          case 0x13: {
            // OP-IMM
            const imm = insn >> 20;
            const al = x[rs1 * 2]!;
            const ah = x[rs1 * 2 + 1]!;
            let lo: number;
            let hi: number;
            switch ((insn >> 12) & 7) {
              case 0:
                lo = (al + imm) | 0;
                hi = (ah + (imm >> 31) + (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
                break;
              case 1: {
                if (insn >>> 26 !== 0) h.illegal();
                const sh = imm & 63;
                if (sh === 0) {
                  lo = al;
                  hi = ah;
                } else if (sh < 32) {
                  hi = (ah << sh) | (al >>> (32 - sh));
                  lo = al << sh;
                } else {
                  hi = al << (sh - 32);
                  lo = 0;
                }
                break;
              }
              case 2: {
                const ih = imm >> 31;
                lo = ah < ih || (ah === ih && al >>> 0 < imm >>> 0) ? 1 : 0;
                hi = 0;
                break;
              }
              case 3: {
                const ih = imm >> 31;
                lo = ah >>> 0 < ih >>> 0 || (ah === ih && al >>> 0 < imm >>> 0) ? 1 : 0;
                hi = 0;
                break;
              }
              case 4:
                lo = al ^ imm;
                hi = ah ^ (imm >> 31);
                break;
              case 5: {
                const f6 = insn >>> 26;
                const sh = imm & 63;
                if (f6 === 0) {
                  if (sh === 0) {
                    lo = al;
                    hi = ah;
                  } else if (sh < 32) {
                    lo = (al >>> sh) | (ah << (32 - sh));
                    hi = ah >>> sh;
                  } else {
                    lo = ah >>> (sh - 32);
                    hi = 0;
                  }
                } else if (f6 === 0x10) {
                  if (sh === 0) {
                    lo = al;
                    hi = ah;
                  } else if (sh < 32) {
                    lo = (al >>> sh) | (ah << (32 - sh));
                    hi = ah >> sh;
                  } else {
                    lo = ah >> (sh - 32);
                    hi = ah >> 31;
                  }
                } else return h.illegal();
                break;
              }
              case 6:
                lo = al | imm;
                hi = ah | (imm >> 31);
                break;
              default:
                lo = al & imm;
                hi = ah & (imm >> 31);
                break;
            }
            if (rd !== 0) {
              x[rd * 2] = lo;
              x[rd * 2 + 1] = hi;
            }
            break;
          }
          case 0x1b: {
            // OP-IMM-32
            const al = x[rs1 * 2]!;
            const f3 = (insn >> 12) & 7;
            const sh = (insn >> 20) & 31;
            let lo: number;
            if (f3 === 0) lo = (al + (insn >> 20)) | 0;
            else if (f3 === 1 && insn >>> 25 === 0) lo = al << sh;
            else if (f3 === 5 && insn >>> 25 === 0) lo = al >>> sh;
            else if (f3 === 5 && insn >>> 25 === 0x20) lo = al >> sh;
            else return h.illegal();
            if (rd !== 0) {
              x[rd * 2] = lo;
              x[rd * 2 + 1] = lo >> 31;
            }
            break;
          }
          case 0x33: {
            const rs2 = (insn >> 20) & 31;
            const f7 = insn >>> 25;
            const f3 = (insn >> 12) & 7;
            // ADD/SUB/logic inline (the common ones); shifts, compares and M in alu.ts.
            if ((f7 === 0 && (f3 === 0 || f3 >= 4) && f3 !== 5) || (f7 === 0x20 && f3 === 0)) {
              const al = x[rs1 * 2]!;
              const ah = x[rs1 * 2 + 1]!;
              const bl = x[rs2 * 2]!;
              const bh = x[rs2 * 2 + 1]!;
              let lo: number;
              let hi: number;
              if (f3 === 0) {
                if (f7 === 0) {
                  lo = (al + bl) | 0;
                  hi = (ah + bh + (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
                } else {
                  lo = (al - bl) | 0;
                  hi = (ah - bh - (al >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
                }
              } else if (f3 === 4) {
                lo = al ^ bl;
                hi = ah ^ bh;
              } else if (f3 === 6) {
                lo = al | bl;
                hi = ah | bh;
              } else {
                lo = al & bl;
                hi = ah & bh;
              }
              if (rd !== 0) {
                x[rd * 2] = lo;
                x[rd * 2 + 1] = hi;
              }
            } else if (
              !executeOp(x, insn, rd, x[rs1 * 2]!, x[rs1 * 2 + 1]!, x[rs2 * 2]!, x[rs2 * 2 + 1]!)
            ) {
              h.illegal();
            }
            break;
          }
          case 0x3b: {
            const rs2 = (insn >> 20) & 31;
            const f7 = insn >>> 25;
            if ((f7 === 0 || f7 === 0x20) && ((insn >> 12) & 7) === 0) {
              // ADDW/SUBW inline; the rest in alu.ts
              const r =
                f7 === 0 ? (x[rs1 * 2]! + x[rs2 * 2]!) | 0 : (x[rs1 * 2]! - x[rs2 * 2]!) | 0;
              if (rd !== 0) {
                x[rd * 2] = r;
                x[rd * 2 + 1] = r >> 31;
              }
            } else if (!executeOp32(x, insn, rd, x[rs1 * 2]!, x[rs2 * 2]!)) h.illegal();
            break;
          }
          case 0x37:
            if (rd !== 0) {
              x[rd * 2] = insn & 0xfffff000;
              x[rd * 2 + 1] = insn >> 31;
            }
            break;
          case 0x17:
            if (rd !== 0) {
              const v = pc + (insn & 0xfffff000);
              x[rd * 2] = v | 0;
              x[rd * 2 + 1] = Math.floor(v / TWO32) | 0;
            }
            break;
          case 0x6f: {
            const imm =
              ((insn >> 31) << 20) |
              (insn & 0xff000) |
              (((insn >> 20) & 1) << 11) |
              (((insn >> 21) & 0x3ff) << 1);
            if (rd !== 0) {
              x[rd * 2] = npc | 0;
              x[rd * 2 + 1] = Math.floor(npc / TWO32) | 0;
            }
            npc = pc + imm;
            if (jit !== null) {
              n++;
              h.pc = pc + imm;
              runCompiled(h, jit, limit - n);
              pc = h.pc;
              n += h.jitRetired;
              resume = h.jitSideExit;
              mark = n;
              continue;
            }
            break;
          }
          case 0x67: {
            if (((insn >> 12) & 7) !== 0) h.illegal();
            let t = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0) + (insn >> 20);
            t -= t & 1;
            if (rd !== 0) {
              x[rd * 2] = npc | 0;
              x[rd * 2 + 1] = Math.floor(npc / TWO32) | 0;
            }
            npc = t;
            if (jit !== null) {
              n++;
              h.pc = t;
              runCompiled(h, jit, limit - n);
              pc = h.pc;
              n += h.jitRetired;
              resume = h.jitSideExit;
              mark = n;
              continue;
            }
            break;
          }
          case 0x63: {
            const rs2 = (insn >> 20) & 31;
            const al = x[rs1 * 2]!;
            const ah = x[rs1 * 2 + 1]!;
            const bl = x[rs2 * 2]!;
            const bh = x[rs2 * 2 + 1]!;
            let take: boolean;
            switch ((insn >> 12) & 7) {
              case 0:
                take = al === bl && ah === bh;
                break;
              case 1:
                take = al !== bl || ah !== bh;
                break;
              case 4:
                take = ah < bh || (ah === bh && al >>> 0 < bl >>> 0);
                break;
              case 5:
                take = !(ah < bh || (ah === bh && al >>> 0 < bl >>> 0));
                break;
              case 6:
                take = ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0);
                break;
              case 7:
                take = !(ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0));
                break;
              default:
                return h.illegal();
            }
            if (take) {
              npc =
                pc +
                (((insn >> 31) << 12) |
                  (((insn >> 7) & 1) << 11) |
                  (((insn >> 25) & 0x3f) << 5) |
                  (((insn >> 8) & 0xf) << 1));
              if (jit !== null) {
                n++;
                h.pc = npc;
                runCompiled(h, jit, limit - n);
                pc = h.pc;
                n += h.jitRetired;
                resume = h.jitSideExit;
                mark = n;
                continue;
              }
            }
            break;
          }
          case 0x03: {
            const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0) + (insn >> 20);
            let lo: number;
            let hi: number;
            switch ((insn >> 12) & 7) {
              case 0:
                lo = (h.lbu(va) << 24) >> 24;
                hi = lo >> 31;
                break;
              case 1:
                lo = (h.lhu(va) << 16) >> 16;
                hi = lo >> 31;
                break;
              case 2:
                lo = h.lw(va) | 0;
                hi = lo >> 31;
                break;
              case 3:
                lo = h.ld(va);
                hi = h.hi;
                break;
              case 4:
                lo = h.lbu(va) & 0xff;
                hi = 0;
                break;
              case 5:
                lo = h.lhu(va) & 0xffff;
                hi = 0;
                break;
              case 6:
                lo = h.lw(va) | 0;
                hi = 0;
                break;
              default:
                return h.illegal();
            }
            if (h.trapDeferred) {
              n++;
              traps++;
              pc = takeDeferredTrap(h);
              if (h.hostTrapped) return finish(h, base, n, traps);
              continue;
            }
            if (rd !== 0) {
              x[rd * 2] = lo;
              x[rd * 2 + 1] = hi;
            }
            break;
          }
          case 0x23: {
            const rs2 = (insn >> 20) & 31;
            const imm = ((insn >> 25) << 5) | ((insn >> 7) & 31);
            const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0) + imm;
            switch ((insn >> 12) & 7) {
              case 0:
                h.sb(va, x[rs2 * 2]! & 0xff);
                break;
              case 1:
                h.sh(va, x[rs2 * 2]! & 0xffff);
                break;
              case 2:
                h.sw(va, x[rs2 * 2]!);
                break;
              case 3:
                h.sd(va, x[rs2 * 2]!, x[rs2 * 2 + 1]!);
                break;
              default:
                return h.illegal();
            }
            if (h.trapDeferred) {
              n++;
              traps++;
              pc = takeDeferredTrap(h);
              if (h.hostTrapped) return finish(h, base, n, traps);
              continue;
            }
            break;
          }
          case 0x0f:
            // FENCE: the hart executes in order, nothing to order. FENCE.I: the interpreter
            // fetches straight from RAM; compiled code is checked against RAM again.
            if (((insn >> 12) & 7) > 1) h.illegal();
            if (((insn >> 12) & 7) === 1) h.jit?.fenceI();
            else if (insn === PAUSE && h.pauseExit) {
              n++;
              h.pc = npc;
              h.paused = true;
              return finish(h, base, n, traps);
            }
            break;
          case 0x2f:
            executeAmo(h, insn, rd, rs1);
            break;
          case 0x73: {
            if (((insn >> 12) & 7) !== 0 && ((insn >> 12) & 7) !== 4) {
              syncCounters(h, base + n - traps);
              csrInstruction(h, insn);
            } else {
              if (executeSystem(h, insn, rd, rs1)) {
                // xRET set the PC and the mode: re-check interrupts before going on.
                n++;
                h.sliceBreak = false;
                return finish(h, base, n, traps);
              }
              if (h.wfiExit) {
                n++;
                h.pc = npc;
                return finish(h, base, n, traps);
              }
            }
            if (h.sliceBreak) {
              h.sliceBreak = false;
              n++;
              h.pc = npc;
              return finish(h, base, n, traps);
            }
            break;
          }
          case 0x07: {
            if (!h.fpEnabled()) h.illegal();
            const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0) + (insn >> 20);
            const f3 = (insn >> 12) & 7;
            if (f3 === 2) {
              const v = h.lw(va);
              if (h.trapDeferred) {
                n++;
                traps++;
                pc = takeDeferredTrap(h);
                if (h.hostTrapped) return finish(h, base, n, traps);
                continue;
              }
              h.f[rd * 2] = v;
              h.f[rd * 2 + 1] = -1;
            } else if (f3 === 3) {
              const v = h.ld(va);
              if (h.trapDeferred) {
                n++;
                traps++;
                pc = takeDeferredTrap(h);
                if (h.hostTrapped) return finish(h, base, n, traps);
                continue;
              }
              h.f[rd * 2] = v;
              h.f[rd * 2 + 1] = h.hi;
            } else h.illegal();
            h.markFsDirty();
            break;
          }
          case 0x27: {
            if (!h.fpEnabled()) h.illegal();
            const rs2 = (insn >> 20) & 31;
            const imm = ((insn >> 25) << 5) | ((insn >> 7) & 31);
            const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0) + imm;
            const f3 = (insn >> 12) & 7;
            if (f3 === 2) h.sw(va, h.f[rs2 * 2]!);
            else if (f3 === 3) h.sd(va, h.f[rs2 * 2]!, h.f[rs2 * 2 + 1]!);
            else h.illegal();
            if (h.trapDeferred) {
              n++;
              traps++;
              pc = takeDeferredTrap(h);
              if (h.hostTrapped) return finish(h, base, n, traps);
              continue;
            }
            break;
          }
          case 0x53:
          case 0x43:
          case 0x47:
          case 0x4b:
          case 0x4f:
            if (!h.fpEnabled()) h.illegal();
            if (!executeFp(h, insn)) h.illegal();
            x[0] = 0;
            x[1] = 0;
            h.markFsDirty();
            break;
          default:
            h.illegal();
        }
        pc = npc;
        n++;
        if (resume || (n - mark >= STRAIGHT_RUN && jit !== null)) {
          resume = false;
          h.pc = pc;
          runCompiled(h, jit!, limit - n, CONTINUATION_WEIGHT);
          pc = h.pc;
          n += h.jitRetired;
          resume = h.jitSideExit;
          mark = n;
        }
      }
      h.pc = pc;
      return finish(h, base, n, traps);
    } catch (e) {
      if (e !== TRAP) throw e;
      takeException(h);
      h.misalignedVa = Number.NaN;
      n++;
      traps++;
      pc = h.pc;
      if (h.hostTrapped) return finish(h, base, n, traps);
    }
  }
}

/**
 * Takes the trap a load or store recorded without throwing (Hart.trapDeferred) exactly as the
 * run loop takes a thrown one; returns the PC to go on at.
 */
function takeDeferredTrap(h: Hart): number {
  h.trapDeferred = false;
  takeException(h);
  return h.pc;
}

/** Ends a slice of n instructions, `traps` of which trapped and so did not retire. */
function finish(h: Hart, base: number, n: number, traps: number): number {
  syncCounters(h, base + n - traps);
  return n;
}

/** Brings instret up to `now`; mcountinhibit freezes mcycle/minstret via their offsets. */
function syncCounters(h: Hart, now: number): void {
  const delta = now - h.instret;
  h.instret = now;
  if (h.mcountinhibit & 1) h.mcycleOff -= delta;
  if (h.mcountinhibit & 4) h.minstretOff -= delta;
}
