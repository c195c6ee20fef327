import { describe, expect, it } from "vitest";
import { startTestVmm } from "../../vmm/test-support/harness.js";
import { platforms } from "../index.js";

const demo = () => platforms.get("riscv64-qemu-virt").defaultGuest();
const PC = 32;
const ENTRY = 0x8020_0000n;

function u64(bytes: Uint8Array | undefined): bigint {
  if (bytes === undefined) throw new Error("no register");
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

describe("a VM under the debugger", () => {
  it("stays stopped at its first instruction while another VM runs, steps, and stops at a breakpoint", async () => {
    const t = startTestVmm({ harts: 1 });
    try {
      for (const id of [1, 2]) {
        const g = demo();
        const c = {
          ...g.config,
          base: { ...g.config.base, id, name: `demo${id}`, cpuNum: 1, physCpuIds: [0] },
        };
        t.vmm.createVm(c, g.disk !== undefined ? { disk: g.disk } : {});
      }
      const dbg = t.vmm.attachDebugger(1);
      t.vmm.startVm(1);
      t.vmm.startVm(2);
      await t.waitFor(2, /DEMO-READY/);
      expect(t.output.get(1) ?? "").toBe("");
      expect(t.vmm.vm(1).stats.vcpu(0).instructions).toBe(0);
      expect(u64(dbg.readRegister(1, PC))).toBe(ENTRY);

      // One instruction: the pc moves by 2 or 4 and nothing else runs.
      const first = dbg.readMemory(1, ENTRY, 4);
      expect(first.length).toBe(4);
      expect(await dbg.resume([{ thread: 1, step: true }])).toEqual({
        kind: "signal",
        thread: 1,
        signal: 5,
      });
      const pc = u64(dbg.readRegister(1, PC));
      expect([ENTRY + 2n, ENTRY + 4n]).toContain(pc);
      expect(t.vmm.vm(1).stats.vcpu(0).instructions).toBe(1);

      // A breakpoint a few instructions on (the entry code runs straight ahead): c.ebreak is
      // in guest memory while inserted, the original bytes come back on removal.
      const at = pc + 8n;
      const original = dbg.readMemory(1, at, 2);
      expect(dbg.setBreakpoint("software", at, 2, true)).toBe("ok");
      expect(Array.from(dbg.readMemory(1, at, 2))).toEqual([0x02, 0x90]);
      const stop = await dbg.resume([{ thread: "all", step: false }]);
      expect(stop).toEqual({ kind: "breakpoint", thread: 1, type: "software" });
      expect(u64(dbg.readRegister(1, PC))).toBe(at);
      expect(dbg.setBreakpoint("software", at, 2, false)).toBe("ok");
      expect(Array.from(dbg.readMemory(1, at, 2))).toEqual(Array.from(original));
      expect(dbg.setBreakpoint("write", at, 8, true)).toBe("unsupported");

      // Detached, the VM boots as if nothing happened.
      dbg.detach();
      await t.waitFor(1, /DEMO-READY/);
      expect(t.vmm.vm(1).debug).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
