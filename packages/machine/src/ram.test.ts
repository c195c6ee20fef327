import { describe, expect, it } from "vitest";
import {
  adoptedWord,
  adoptRam,
  allocateRam,
  CPU_STATE_SLOTS,
  claimCpuState,
  shareRam,
  wasmRamOf,
} from "./ram.js";

describe("RAM shared with other threads", () => {
  it("adoptRam of shareRam's handle is the same bytes, and state blocks are never handed out twice", () => {
    const ram = allocateRam(1 << 20);
    const shared = shareRam(ram);
    expect(shared).toBeDefined();
    expect(adoptedWord(ram)[0]).toBe(0);
    const again = adoptRam(shared!);
    expect(adoptedWord(ram)[0]).toBe(1);
    expect(adoptedWord(new Uint8Array(8))[0]).toBe(0);
    ram[123] = 0x5a;
    expect(again[123]).toBe(0x5a);
    const offsets = new Set<number>();
    for (let i = 0; i < CPU_STATE_SLOTS; i++) {
      const claim = claimCpuState(i % 2 === 0 ? ram : again);
      expect(claim).toBeDefined();
      offsets.add(claim!.offset);
    }
    expect(offsets.size).toBe(CPU_STATE_SLOTS);
    expect(claimCpuState(ram)).toBeUndefined();
    expect(wasmRamOf(ram)?.nextSlot).toBeGreaterThanOrEqual(CPU_STATE_SLOTS);
  });

  it("RAM that is not a shared wasm memory cannot be shared or adopted", () => {
    expect(shareRam(new Uint8Array(4096))).toBeUndefined();
    const memory = { buffer: new ArrayBuffer(1 << 24) };
    expect(() => adoptRam({ memory, ramSize: 4096 })).toThrow(
      /not a shared RAM made by allocateRam/,
    );
  });
});
