/**
 * Test helpers to put a hart into a given privilege mode the architectural way: an MRET
 * executed from a scratch location with mepc/MPP/MPV prepared.
 */
import type { Hart } from "../hart.js";
import { MRET } from "./asm.js";
import { RAM_BASE, type TestBus } from "./test-machine.js";

/** Scratch address of the MRET used to switch modes (last page of the first 64 KiB). */
export const MODE_SWITCH_PC = RAM_BASE + 0xfff0;

/** Enters `priv` (0 U, 1 S, 3 M), with V=`virt`, at `pc`, from M-mode. */
export function enterMode(hart: Hart, bus: TestBus, priv: 0 | 1 | 3, pc: number, virt = false) {
  if (hart.priv !== 3) throw new Error("enterMode needs the hart in M-mode");
  bus.writeWords(MODE_SWITCH_PC, [MRET]);
  const mstatus = hart.readCsr(0x300);
  const mpv = 1n << 39n;
  let v = (mstatus & ~(3n << 11n) & ~mpv) | (BigInt(priv) << 11n);
  if (virt) v |= mpv;
  hart.writeCsr(0x300, v);
  hart.writeCsr(0x341, BigInt(pc));
  hart.setPc(BigInt(MODE_SWITCH_PC));
  hart.run(1);
  if (hart.priv !== priv || hart.virt !== virt) throw new Error("enterMode: mode switch failed");
}
