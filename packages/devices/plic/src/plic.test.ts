import { AxError } from "@axvisor/axerrno";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { Plic, qemuVirtContext } from "./plic.js";

const BASE = 0x0c00_0000;
// Offsets from the PLIC specification.
const PRIORITY = (src: number) => 4 * src;
const PENDING = (word: number) => 0x1000 + 4 * word;
const ENABLE = (ctx: number, word: number) => 0x2000 + 0x80 * ctx + 4 * word;
const THRESHOLD = (ctx: number) => 0x20_0000 + 0x1000 * ctx;
const CLAIM = (ctx: number) => 0x20_0004 + 0x1000 * ctx;

function makePlic(numContexts = 4) {
  const events: [number, boolean][] = [];
  const plic = new Plic({
    base: BASE,
    numContexts,
    setContextLine: (ctx, level) => events.push([ctx, level]),
  });
  const at = (off: number) => (BASE + off) as GuestPhysAddr;
  const r = (off: number) => Number(plic.handleRead(at(off), AccessWidth.Dword));
  const w = (off: number, v: number) => plic.handleWrite(at(off), AccessWidth.Dword, BigInt(v));
  const enable = (ctx: number, ...srcs: number[]) => {
    for (const s of srcs) w(ENABLE(ctx, s >> 5), r(ENABLE(ctx, s >> 5)) | (1 << (s & 31)));
  };
  const level = (ctx: number) => plic.contextLevel(ctx);
  return { plic, events, r, w, at, enable, level };
}

describe("Plic layout", () => {
  it("uses QEMU virt's window and context order (hart0 M, hart0 S, hart1 M, hart1 S)", () => {
    const { plic } = makePlic();
    expect(plic.addressRange()).toEqual({ start: 0x0c00_0000, end: 0x0c60_0000 });
    expect(plic.numSources).toBe(96);
    expect([
      qemuVirtContext(0, "M"),
      qemuVirtContext(0, "S"),
      qemuVirtContext(1, "M"),
      qemuVirtContext(1, "S"),
    ]).toEqual([0, 1, 2, 3]);
  });

  it("rejects configurations the window cannot hold", () => {
    const cb = () => {};
    expect(
      () => new Plic({ base: BASE, size: 0x20_1000, numContexts: 2, setContextLine: cb }),
    ).toThrow(/2 contexts/);
    expect(
      () => new Plic({ base: BASE, numSources: 1024, numContexts: 1, setContextLine: cb }),
    ).toThrow(/numSources/);
  });

  it("faults accesses that are not aligned 32-bit words", () => {
    const { plic, at } = makePlic();
    expect(() => plic.handleRead(at(PRIORITY(1)), AccessWidth.Byte)).toThrow(AxError);
    expect(() => plic.handleRead(at(CLAIM(0)), AccessWidth.Qword)).toThrow(AxError);
    expect(() => plic.handleWrite(at(PRIORITY(1) + 2), AccessWidth.Dword, 1n)).toThrow(AxError);
  });

  it("rejects source and context numbers that do not exist", () => {
    const { plic } = makePlic();
    expect(() => plic.sourceLine(0)).toThrow(/source 0/);
    expect(() => plic.sourceLine(97)).toThrow(/1\.\.96/);
    expect(() => plic.claim(4)).toThrow(/context 4/);
  });
});

describe("Plic registers", () => {
  it("keeps 3 priority bits per source; source 0 and sources past 96 read 0", () => {
    const { r, w } = makePlic();
    w(PRIORITY(10), 7);
    w(PRIORITY(11), 0xff);
    w(PRIORITY(0), 5);
    w(PRIORITY(96), 2); // Linux writes every source 1..riscv,ndev
    w(PRIORITY(97), 3);
    expect([
      r(PRIORITY(10)),
      r(PRIORITY(11)),
      r(PRIORITY(0)),
      r(PRIORITY(96)),
      r(PRIORITY(97)),
    ]).toEqual([7, 7, 0, 2, 0]);
  });

  it("only lets real sources be enabled", () => {
    const { r, w } = makePlic();
    w(ENABLE(1, 0), 0xffff_ffff);
    w(ENABLE(1, 3), 0xffff_ffff); // sources 96..127: only 96 exists
    w(ENABLE(1, 4), 0xffff_ffff); // beyond the sources
    expect(r(ENABLE(1, 0)) >>> 0).toBe(0xffff_fffe);
    expect(r(ENABLE(1, 3))).toBe(0x1);
    expect(r(ENABLE(1, 4))).toBe(0);
    expect(r(ENABLE(0, 0))).toBe(0); // per-context: context 0 is untouched
  });

  it("shows pending sources in the read-only pending words", () => {
    const { plic, r, w } = makePlic();
    plic.sourceLine(10).setLevel(true);
    plic.sourceLine(33).setLevel(true);
    w(PENDING(0), 0); // ignored
    expect(r(PENDING(0))).toBe(1 << 10);
    expect(r(PENDING(1))).toBe(1 << 1);
  });

  it("masks thresholds to the priority width", () => {
    const { r, w } = makePlic();
    w(THRESHOLD(3), 0x1f);
    expect(r(THRESHOLD(3))).toBe(7);
  });
});

describe("Plic interrupt delivery", () => {
  it("raises a context only for enabled sources above its threshold", () => {
    const { plic, events, w, enable, level } = makePlic();
    w(PRIORITY(10), 1);
    enable(1, 10);
    plic.sourceLine(10).setLevel(true);
    expect(events).toEqual([[1, true]]);
    expect([level(0), level(1), level(2), level(3)]).toEqual([false, true, false, false]);
    w(THRESHOLD(1), 1); // priority must exceed the threshold
    expect(level(1)).toBe(false);
    w(THRESHOLD(1), 0);
    expect(level(1)).toBe(true);
    expect(events).toEqual([
      [1, true],
      [1, false],
      [1, true],
    ]);
  });

  it("never delivers a priority-0 source", () => {
    const { plic, r, enable, level } = makePlic();
    enable(0, 5);
    plic.sourceLine(5).setLevel(true);
    expect(plic.isPending(5)).toBe(true);
    expect(level(0)).toBe(false);
    expect(r(CLAIM(0))).toBe(0);
  });

  it("claims by priority, then lowest id, and honours the threshold", () => {
    const { plic, r, w, enable, level } = makePlic();
    w(PRIORITY(3), 2);
    w(PRIORITY(5), 5);
    w(PRIORITY(7), 5);
    enable(1, 3, 5, 7);
    for (const s of [7, 3, 5]) plic.sourceLine(s).setLevel(true);
    w(THRESHOLD(1), 2);
    expect(r(CLAIM(1))).toBe(5);
    expect(r(CLAIM(1))).toBe(7);
    expect(level(1)).toBe(false); // source 3 (priority 2) does not beat threshold 2
    expect(r(CLAIM(1))).toBe(0);
    w(THRESHOLD(1), 1);
    expect(level(1)).toBe(true);
    expect(r(CLAIM(1))).toBe(3);
    expect(r(CLAIM(1))).toBe(0);
  });

  it("lets one context claim a source enabled for several; the others see it gone", () => {
    const { plic, r, w, enable, level } = makePlic();
    w(PRIORITY(8), 1);
    enable(1, 8);
    enable(3, 8);
    plic.sourceLine(8).setLevel(true);
    expect([level(1), level(3)]).toEqual([true, true]);
    expect(r(CLAIM(3))).toBe(8);
    expect([level(1), level(3)]).toEqual([false, false]);
    expect(r(CLAIM(1))).toBe(0);
  });
});

describe("Plic gateway (level-triggered)", () => {
  it("does not re-pend a claimed source until it is completed", () => {
    const { plic, r, w, enable, level } = makePlic();
    const line = plic.sourceLine(10);
    w(PRIORITY(10), 1);
    enable(1, 10);
    line.setLevel(true);
    expect(r(CLAIM(1))).toBe(10);
    expect(plic.isInService(10)).toBe(true);
    line.setLevel(false);
    line.setLevel(true); // a new edge while in service is held back by the gateway
    expect(plic.isPending(10)).toBe(false);
    expect(level(1)).toBe(false);
    w(CLAIM(1), 10); // complete: the line is still high, so it pends again
    expect(plic.isInService(10)).toBe(false);
    expect(plic.isPending(10)).toBe(true);
    expect(level(1)).toBe(true);
    expect(r(CLAIM(1))).toBe(10);
    line.setLevel(false);
    w(CLAIM(1), 10); // line low at completion: nothing pends
    expect(plic.isPending(10)).toBe(false);
    expect(level(1)).toBe(false);
  });

  it("keeps a source pending after its line drops (the handler finds nothing to do)", () => {
    const { plic, r, w, enable } = makePlic();
    w(PRIORITY(4), 1);
    enable(0, 4);
    plic.sourceLine(4).setLevel(true);
    plic.sourceLine(4).setLevel(false);
    expect(plic.isPending(4)).toBe(true);
    expect(r(CLAIM(0))).toBe(4);
  });

  it("ignores completions for sources not enabled in that context or not in service", () => {
    const { plic, r, w, enable } = makePlic();
    w(PRIORITY(6), 1);
    enable(1, 6);
    plic.sourceLine(6).setLevel(true);
    expect(r(CLAIM(1))).toBe(6);
    w(CLAIM(0), 6); // context 0 does not have source 6 enabled
    expect(plic.isInService(6)).toBe(true);
    w(CLAIM(1), 9); // not in service
    w(CLAIM(1), 0);
    w(CLAIM(1), 1000);
    expect(plic.isInService(6)).toBe(true);
    w(CLAIM(1), 6);
    expect(plic.isInService(6)).toBe(false);
  });

  it("accepts a completion after the source was disabled only if re-enabled (Linux's eoi)", () => {
    const { plic, r, w, enable } = makePlic();
    w(PRIORITY(2), 1);
    enable(1, 2);
    plic.sourceLine(2).setLevel(true);
    expect(r(CLAIM(1))).toBe(2);
    w(ENABLE(1, 0), 0);
    w(CLAIM(1), 2);
    expect(plic.isInService(2)).toBe(true);
    enable(1, 2);
    w(CLAIM(1), 2);
    expect(plic.isInService(2)).toBe(false);
  });
});

describe("Plic reset()", () => {
  it("clears registers and in-service state but sees lines still held high", () => {
    const { plic, r, w, enable, events } = makePlic();
    w(PRIORITY(10), 3);
    enable(1, 10);
    w(THRESHOLD(1), 1);
    plic.sourceLine(10).setLevel(true);
    expect(r(CLAIM(1))).toBe(10);
    plic.reset();
    expect([r(PRIORITY(10)), r(ENABLE(1, 0)), r(THRESHOLD(1))]).toEqual([0, 0, 0]);
    expect(plic.isInService(10)).toBe(false);
    expect(plic.isPending(10)).toBe(true);
    expect(events).toEqual([
      [1, true],
      [1, false],
    ]);
  });
});

describe("Plic snapshot", () => {
  it("a PLIC loaded from saved state claims and completes as the original would", () => {
    const a = makePlic();
    a.w(PRIORITY(3), 2);
    a.w(PRIORITY(5), 1);
    a.enable(1, 3, 5);
    a.plic.setSourceLevel(3, true);
    a.plic.setSourceLevel(5, true);
    expect(a.r(CLAIM(1))).toBe(3); // 3 in service, 5 pending
    const saved = a.plic.saveState();

    const b = makePlic();
    b.plic.loadState(saved);
    expect(b.events).toEqual([]); // loading drives no context line
    expect(b.plic.saveState()).toEqual(saved);
    expect(b.level(1)).toBe(true);
    expect(b.plic.isInService(3)).toBe(true);
    expect(b.r(CLAIM(1))).toBe(5);
    b.w(CLAIM(1), 3); // completing 3, still high, makes it pending again
    expect(b.plic.isPending(3)).toBe(true);
  });

  it("refuses the state of a PLIC of another size", () => {
    const saved = makePlic(4).plic.saveState();
    expect(() => makePlic(2).plic.loadState(saved)).toThrow(
      "PLIC: the snapshot has 96 sources and 4 contexts, this one 96 and 2",
    );
  });
});
