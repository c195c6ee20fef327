import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Signal } from "@axvisor/gdbstub";
import { PcMachine } from "@axvisor/platform-x86_64-qemu-q35";
import { describe, expect, it } from "vitest";
import { x86BoardDebugTarget } from "./x86-board-debug.js";
import { RIP } from "./x86-registers.js";

const NIMBOS = fileURLToPath(
  new URL("../../../../../guests/x86_64/nimbos/nimbos.bin", import.meta.url),
);
/** kmain in nimbos.elf (identity-mapped, so its linear and physical addresses agree). */
const KMAIN = 0x2023d0n;

function rip(bytes: Uint8Array | undefined): bigint {
  return new DataView(bytes!.buffer, bytes!.byteOffset).getBigUint64(0, true);
}

describe("the bare PC under a debugger (x86BoardDebugTarget)", () => {
  it("holds the CPUs, steps one, stops at a breakpoint and on an interrupt (Ctrl-C), then lets go", async () => {
    let out = "";
    const pc = new PcMachine({
      cpus: 2,
      images: { kernel: { name: "nimbos.bin", data: readFileSync(NIMBOS) } },
      console: (b) => {
        out += new TextDecoder().decode(b);
      },
    });
    const t = x86BoardDebugTarget(pc);
    const run = pc.run();
    expect(t.threads()).toEqual([1, 2]);
    // Held: nothing runs until GDB resumes.
    await new Promise((r) => setTimeout(r, 20));
    expect(pc.instructions).toBe(0);
    const entry = rip(t.readRegister(1, RIP));
    expect(await t.resume([{ thread: 1, step: true }])).toEqual({
      kind: "signal",
      thread: 1,
      signal: Signal.TRAP,
    });
    expect(pc.instructions).toBe(1);
    expect(rip(t.readRegister(1, RIP))).toBe(entry + 1n);

    const original = t.readMemory(1, KMAIN, 1);
    expect(t.setBreakpoint("software", KMAIN, 1, true)).toBe("ok");
    expect(t.setBreakpoint("software", KMAIN, 4, true)).toBe("ok"); // already there
    expect(t.setBreakpoint("software", KMAIN + 1n, 4, true)).toBe("error"); // INT3 is kind 1
    expect(await t.resume([{ thread: "all", step: false }])).toEqual({
      kind: "breakpoint",
      thread: 1,
      type: "software",
    });
    expect(rip(t.readRegister(1, RIP))).toBe(KMAIN);
    expect(t.setBreakpoint("software", KMAIN, 1, false)).toBe("ok");
    expect(t.readMemory(1, KMAIN, 1)).toEqual(original);
    // Physical mode reads the same bytes (the kernel is identity-mapped), and RAM directly.
    const linear = t.readMemory(1, KMAIN, 16);
    t.setPhysicalMemoryMode(true);
    expect(t.readMemory(1, KMAIN, 16)).toEqual(linear);
    expect(linear).toEqual(pc.ram.subarray(Number(KMAIN), Number(KMAIN) + 16));
    expect(t.readMemory(1, BigInt(pc.ram.length), 4)).toEqual(new Uint8Array(0));
    t.setPhysicalMemoryMode(false);

    const running = t.resume([{ thread: "all", step: false }]);
    await new Promise((r) => setTimeout(r, 100));
    t.interrupt();
    expect(await running).toEqual({ kind: "signal", thread: 1, signal: Signal.INT });
    const held = pc.instructions;
    await new Promise((r) => setTimeout(r, 50));
    expect(pc.instructions).toBe(held);

    t.detach();
    for (let i = 0; i < 200 && !out.includes("nimbos> "); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    pc.sendInput("poweroff\r");
    const exit = await run;
    t.machineEnded(0);
    expect(exit.kind).toBe("poweroff");
    expect(out).toContain("NimbOS: powering off");
  }, 20_000);
});
