import { AxError } from "@axvisor/axerrno";
import { hpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { RamHostMemory } from "./ram-host-memory.js";

describe("RamHostMemory", () => {
  const make = () =>
    new RamHostMemory({ ram: new Uint8Array(0x10_0000), ramBase: hpa(0x8000_0000) });

  it("gives views into RAM at host-physical addresses, not copies", () => {
    const m = make();
    m.hostBuffer(hpa(0x8000_1004), 4).set([1, 2, 3, 4]);
    expect(m.ram[0x1004]).toBe(1);
    expect(m.ram[0x1007]).toBe(4);
    m.ram[0xf_ffff] = 0xaa;
    expect(m.hostBuffer(hpa(0x800f_ffff), 1)[0]).toBe(0xaa);
  });

  it("throws BadAddress for spans that leave RAM", () => {
    const m = make();
    for (const [pa, len] of [
      [0x7fff_ffff, 1],
      [0x800f_fffc, 8],
      [0x8010_0000, 1],
      [0x8000_0000, -1],
    ] as const) {
      let caught: unknown;
      try {
        m.hostBuffer(hpa(pa), len);
      } catch (e) {
        caught = e;
      }
      expect(AxError.is(caught, "BadAddress")).toBe(true);
      expect((caught as Error).message).toMatch(/outside RAM/);
    }
    expect(m.hostBuffer(hpa(0x8010_0000), 0).length).toBe(0);
  });

  it("zeroes frames when it allocates them", () => {
    const m = make();
    m.ram.fill(0xff);
    const f = m.allocFrame()!;
    expect(m.hostBuffer(f, 0x1000).every((b) => b === 0)).toBe(true);
    // Only the frame itself was cleared.
    expect(m.hostBuffer(hpa(f + 0x1000), 1)[0]).toBe(0xff);
    const run = m.allocContiguousFrames(4, 0x4000)!;
    expect(run % 0x4000).toBe(0);
    expect(m.hostBuffer(run, 0x4000).every((b) => b === 0)).toBe(true);
    expect(m.stats().used).toBe(5);
  });

  it("with a zero pool, zeroes only frames handed out before, and always returns zeros", () => {
    const m = new RamHostMemory({
      ram: new Uint8Array(0x10_0000),
      ramBase: hpa(0x8000_0000),
      poolIsZero: true,
    });
    const a = m.allocFrame()!;
    const run = m.allocContiguousFrames(4, 0x4000)!;
    m.hostBuffer(a, 0x1000).fill(0x5a);
    m.hostBuffer(run, 0x4000).fill(0xa5);
    m.deallocFrame(a);
    m.deallocContiguousFrames(run, 4);
    // A run mixing used and never-used frames: the used ones come back zeroed.
    const all = m.allocContiguousFrames(16, 0x1000)!;
    expect(all).toBe(a);
    expect(m.hostBuffer(all, 0x1_0000).every((b) => b === 0)).toBe(true);
    m.hostBuffer(all, 0x1_0000).fill(1);
    m.deallocContiguousFrames(all, 16);
    for (let i = 0; i < 16; i++) {
      const f = m.allocFrame()!;
      expect(m.hostBuffer(f, 0x1000).every((b) => b === 0)).toBe(true);
    }
    // A never-used frame is not written (a host stray write there would survive: the pool
    // really must be zero, which is what the option promises).
    m.ram[0x8_0000] = 7;
    const fresh = m.allocContiguousFrames(1, 0x8_0000)!;
    expect(fresh).toBe(0x8008_0000);
    expect(m.ram[0x8_0000]).toBe(7);
  });

  it("allocates only from its pool", () => {
    const m = new RamHostMemory({
      ram: new Uint8Array(0x10_0000),
      ramBase: hpa(0x8000_0000),
      pool: { start: hpa(0x8008_0000), size: 0x2000 },
    });
    expect(m.allocFrame()).toBe(0x8008_0000);
    expect(m.allocFrame()).toBe(0x8008_1000);
    expect(m.allocFrame()).toBeNull();
    expect(() => m.deallocFrame(hpa(0x8000_0000))).toThrow(/outside the frame pool/);
    expect(
      () =>
        new RamHostMemory({
          ram: new Uint8Array(0x1000),
          ramBase: hpa(0),
          pool: { start: hpa(0), size: 0x2000 },
        }),
    ).toThrow(/outside RAM/);
  });
});
