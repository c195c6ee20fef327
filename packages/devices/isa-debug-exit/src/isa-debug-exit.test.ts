import type { AccessWidth, Port } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { IsaDebugExit } from "./isa-debug-exit.js";

describe("IsaDebugExit", () => {
  it("turns a write of V into exit status (V << 1) | 1 on its port range", () => {
    const seen: number[] = [];
    const d = new IsaDebugExit({ iobase: 0xf4, iosize: 4, onExit: (s) => seen.push(s) });
    expect(d.addressRange()).toEqual({ start: 0xf4, end: 0xf7 });
    d.handleWrite(0xf4 as Port, 1 as AccessWidth, 0n);
    d.handleWrite(0xf4 as Port, 4 as AccessWidth, 0x10n);
    expect(seen).toEqual([1, 0x21]);
  });

  it("defaults to QEMU's 0x501, two ports", () => {
    const d = new IsaDebugExit({ onExit: () => {} });
    expect(d.addressRange()).toEqual({ start: 0x501, end: 0x502 });
  });
});
