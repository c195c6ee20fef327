import { describe, expect, it } from "vitest";
import { planRegion, type RegionPlan } from "./region.js";

/** Instructions that make pages full of branches, jumps, RVC code and non-compilable stops. */
const POOL = [
  0x00a50463, // beq a0, a0, +8
  0xfe050ee3, // beqz a0, -4
  0x0080006f, // j +8
  0xff9ff06f, // j -8
  0x00008067, // ret
  0x00b50533, // add a0, a0, a1
  0x0005b503, // ld a0, 0(a1)
  0x00a5b023, // sd a0, 0(a1)
  0x00000073, // ecall (stops a block)
  0x30200073, // mret (stops a block)
  0x4501, // c.li a0, 0
  0x0001, // c.nop
  0xbfdd, // c.j -10
  0xc119, // c.beqz a0, +6
  0x8082, // c.ret
];

function randomPage(seed: number): Uint16Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  const half = new Uint16Array(2048);
  for (let i = 0; i < 2048; ) {
    const w = POOL[next() % POOL.length]!;
    half[i++] = w & 0xffff;
    if ((w & 3) === 3 && i < 2048) half[i++] = w >>> 16;
  }
  return half;
}

function plan(half: Uint16Array, entry: number, max: number): RegionPlan | undefined {
  return planRegion((off) => half[off >>> 1] ?? 0, entry, max);
}

describe("region planning", () => {
  it("a plan depends only on the page and the entry, not on what was planned before", () => {
    const pages = [randomPage(1), randomPage(2), randomPage(3)];
    const entries = [0, 2, 6, 100, 1000, 2048, 4000, 4094];
    const first = new Map<string, string>();
    for (const [p, half] of pages.entries()) {
      for (const e of entries) first.set(`${p}:${e}`, JSON.stringify(plan(half, e, 256)));
    }
    // Plans of other pages and entries, with small size limits, in between.
    for (let e = 0; e < 4096; e += 6) plan(randomPage(99 + e), e, 1 + (e % 20));
    for (const [p, half] of [...pages.entries()].reverse()) {
      for (const e of entries) {
        expect(JSON.stringify(plan(half, e, 256)), `page ${p} entry ${e}`).toBe(
          first.get(`${p}:${e}`),
        );
      }
    }
  });

  it("blocks are ordered, contiguous, start at the entry and fall only into block starts", () => {
    let plans = 0;
    const problems: string[] = [];
    for (let seed = 10; seed < 30; seed++) {
      const half = randomPage(seed);
      for (let entry = 0; entry < 4096; entry += 46) {
        const p = plan(half, entry, 1 + (seed % 3) * 60);
        if (p === undefined) continue;
        plans++;
        const where = `seed ${seed} entry ${entry}`;
        const starts = p.blocks.map((b) => b.start);
        if (starts.some((s, i) => i > 0 && s <= starts[i - 1]!)) problems.push(`${where}: order`);
        if (!starts.includes(entry)) problems.push(`${where}: no block at the entry`);
        for (const b of p.blocks) {
          let off = b.start;
          for (const i of b.insns) {
            if (i.off !== off) problems.push(`${where}: gap at ${off}`);
            off += i.len;
          }
          if (off > 4096) problems.push(`${where}: past the page`);
          if (b.end.kind === "fall" && !starts.includes(b.end.next)) {
            problems.push(`${where}: falls into ${b.end.next}, no block there`);
          }
          if (b.end.kind === "exit" && b.end.at !== off)
            problems.push(`${where}: exit at ${b.end.at}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(plans).toBeGreaterThan(300);
  });
});
