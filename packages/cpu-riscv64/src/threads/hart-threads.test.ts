import { allocateRam } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { asm, li32, Program } from "../testing/index.js";
import { runHartsInTurn } from "./hart-group.js";
import { runHartsOnThreads } from "./hart-threads.js";
import { SharedMsip } from "./shared-msip.js";

const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 1 << 20;
const DATA = 0x1_0000;
const { amoaddW, lrW, scW, addi, lw, sw, csrr, csrw, csrrsi, auipc, bne, beq, WFI } = asm;
const [ZERO, T0, T1, T2, T3, S0, A0, A1, A2, T4, T5, T6] = [
  0, 5, 6, 7, 28, 8, 10, 11, 12, 29, 30, 31,
];
const MHARTID = 0xf14;
const MIE = 0x304;

/**
 * Both harts: N AMOADDs on one word, N increments through an LR/SC loop on another, then a
 * join counter. Hart 1 then says it is about to sleep and halts in WFI with MSIE enabled;
 * hart 0 waits for the join and the "sleeping" flag, spins a while (so hart 1 really sleeps),
 * sends hart 1 an IPI through MSIP, and waits until hart 1 says it woke. Both end in WFI
 * with mie = 0.
 * Data: +0 AMO counter, +8 LR/SC counter, +16 join, +24 hart 1 sleeping, +28 hart 1 woke.
 */
function contendedProgram(n: number): Uint8Array {
  const p = new Program();
  p.emit(auipc(S0, DATA >>> 12), ...li32(T0, n), addi(T1, ZERO, 1));
  p.label("amo")
    .emit(amoaddW(ZERO, S0, T1), addi(T0, T0, -1))
    .to("amo", (o) => bne(T0, ZERO, o));
  p.emit(...li32(T0, n), addi(A1, S0, 8));
  p.label("lrsc").emit(lrW(T2, A1), addi(T2, T2, 1), scW(T3, A1, T2));
  p.to("lrsc", (o) => bne(T3, ZERO, o));
  p.emit(addi(T0, T0, -1)).to("lrsc", (o) => bne(T0, ZERO, o));
  p.emit(addi(A2, S0, 16), amoaddW(ZERO, A2, T1), csrr(A0, MHARTID));
  p.to("hart0", (o) => beq(A0, ZERO, o));
  // Hart 1: sleep until the IPI, clear it, report.
  p.emit(csrrsi(ZERO, MIE, 8), sw(T1, S0, 24));
  p.label("sleep").emit(WFI, ...li32(T6, 0x0200_0004), lw(T4, T6, 0));
  p.to("sleep", (o) => beq(T4, ZERO, o));
  p.emit(sw(ZERO, T6, 0), sw(T1, S0, 28));
  p.to("end", (o) => asm.jal(ZERO, o));
  // Hart 0: wait for the join and for hart 1 to go to sleep, let it sleep, wake it.
  p.label("hart0").emit(addi(T5, ZERO, 2));
  p.label("join")
    .emit(lw(T4, A2, 0))
    .to("join", (o) => bne(T4, T5, o));
  p.label("asleep")
    .emit(lw(T4, S0, 24))
    .to("asleep", (o) => beq(T4, ZERO, o));
  p.emit(...li32(T0, 2_000_000));
  p.label("spin")
    .emit(addi(T0, T0, -1))
    .to("spin", (o) => bne(T0, ZERO, o));
  p.emit(...li32(T6, 0x0200_0004), sw(T1, T6, 0));
  p.label("woke")
    .emit(lw(T4, S0, 28))
    .to("woke", (o) => beq(T4, ZERO, o));
  p.label("end")
    .emit(csrw(MIE, ZERO), WFI)
    .to("end", (o) => asm.jal(ZERO, o));
  return p.bytes();
}

function machine(program: Uint8Array) {
  const ram = allocateRam(RAM_SIZE);
  ram.set(program, 0);
  const msip = SharedMsip.allocate(2);
  const words = new Int32Array(ram.buffer, ram.byteOffset + DATA, 8);
  const harts = [0, 1].map((hartId) => ({ hartId, resetPc: RAM_BASE }));
  return { ram, msip, words, harts };
}

function expectCounts(words: Int32Array, n: number): void {
  expect(words[0]).toBe(2 * n); // no AMOADD lost
  expect(words[2]).toBe(2 * n); // no LR/SC increment lost
  expect(words[4]).toBe(2);
  expect(words[7]).toBe(1); // hart 1 woke from its IPI
}

/**
 * Hart 1 takes a reservation (LR) on +0, raises flag +8, waits for flag +12, then tries SC
 * of LR's value + 1 and records SC's result at +16. Hart 0 waits for flag +8, stores `poke`
 * to +0 when it is not 0 (else only touches +4, a different word), then raises +12. One
 * slice covers each hart's whole program, so nothing but the other thread's store can break
 * the reservation.
 */
function reservationProgram(poke: number): Uint8Array {
  const p = new Program();
  p.emit(auipc(S0, DATA >>> 12), addi(T1, ZERO, 1), csrr(A0, MHARTID));
  p.to("hart0", (o) => beq(A0, ZERO, o));
  p.emit(lrW(T2, S0), sw(T1, S0, 8));
  p.label("wait1")
    .emit(lw(T4, S0, 12))
    .to("wait1", (o) => beq(T4, ZERO, o));
  p.emit(addi(T2, T2, 1), scW(T3, S0, T2), sw(T3, S0, 16));
  p.to("end", (o) => asm.jal(ZERO, o));
  p.label("hart0");
  p.label("wait0")
    .emit(lw(T4, S0, 8))
    .to("wait0", (o) => beq(T4, ZERO, o));
  p.emit(addi(T5, ZERO, poke), sw(T5, S0, poke === 0 ? 4 : 0), sw(T1, S0, 12));
  p.label("end")
    .emit(csrw(MIE, ZERO), WFI)
    .to("end", (o) => asm.jal(ZERO, o));
  return p.bytes();
}

describe("harts on worker threads over shared RAM", () => {
  for (const poke of [42, 0]) {
    it(poke === 0
      ? "an LR reservation survives the other thread's store to another word: SC succeeds"
      : "another thread's store to the reserved word breaks an LR reservation: SC fails", async () => {
      const m = machine(reservationProgram(poke));
      m.words[0] = 7;
      await runHartsOnThreads(m.harts, m.ram, RAM_BASE, m.msip, {
        maxInstructions: 20_000_000_000,
        slice: 4_000_000_000,
      });
      if (poke === 0) {
        expect(m.words[4]).toBe(0); // SC succeeded
        expect(m.words[0]).toBe(8);
      } else {
        expect(m.words[4]).toBe(1); // SC failed
        expect(m.words[0]).toBe(42);
      }
    }, 60_000);
  }

  for (const jit of [true, false]) {
    it(`2 threads: 2x1e6 AMOADD and 2x1e6 LR/SC increments lose nothing, an IPI wakes a sleeping hart (JIT ${jit ? "on" : "off"})`, async () => {
      const n = 1_000_000;
      const m = machine(contendedProgram(n));
      const out = await runHartsOnThreads(m.harts, m.ram, RAM_BASE, m.msip, {
        // Hart 0 spin-waits for hart 1 (whose AMOs are interpreted) at JIT speed.
        maxInstructions: 20_000_000_000,
        jit,
      });
      expectCounts(m.words, n);
      expect(out.harts.map((h) => h.hartId)).toEqual([0, 1]);
      for (const h of out.harts) expect(h.instructions).toBeGreaterThan(5 * n);
    }, 60_000);
  }

  it("the same program on one thread, harts in turn, gives the same counts", () => {
    const n = 200_000;
    const m = machine(contendedProgram(n));
    runHartsInTurn(m.harts, m.ram, RAM_BASE, m.msip, {
      maxInstructions: 100_000_000,
      slice: 10_000,
    });
    expectCounts(m.words, n);
  });

  it("a hart that never finishes fails the group with its id, and stops the other", async () => {
    const p = new Program().label("forever").to("forever", (o) => asm.jal(ZERO, o));
    const m = machine(p.bytes());
    await expect(
      runHartsOnThreads(m.harts, m.ram, RAM_BASE, m.msip, { maxInstructions: 2_000_000 }),
    ).rejects.toThrow(/hart [01] did not finish within 2000000 instructions/);
  });

  it("harts waiting for an IPI nobody sends fail on one thread instead of hanging", () => {
    const p = new Program().emit(csrrsi(ZERO, MIE, 8), WFI);
    const m = machine(p.bytes());
    expect(() =>
      runHartsInTurn(m.harts, m.ram, RAM_BASE, m.msip, { maxInstructions: 1_000 }),
    ).toThrow(/harts 0, 1 wait in WFI for an interrupt no running hart can send/);
  });
});
