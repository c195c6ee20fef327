import { connect } from "node:net";
import { framePacket } from "@axvisor/gdbstub";
import { serveGdb } from "@axvisor/gdbstub/node";
import { describe, expect, it } from "vitest";
import { defaultGuestOf } from "../../platform/host-of.js";
import { startTestVmm } from "../../vmm/test-support/harness.js";
import { platforms } from "../index.js";

const demo = () => defaultGuestOf(platforms.get("riscv64-qemu-virt"));
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

      // Guest-virtual vs guest-physical: with an Sv39 root in a zeroed page nothing is mapped,
      // yet physical mode (QEMU's Qqemu.PhyMemMode) still reads the code.
      const SATP = 65 + 0x180;
      const satp = dbg.readRegister(1, SATP);
      const sv39 = new Uint8Array(8);
      new DataView(sv39.buffer).setBigUint64(0, (8n << 60n) | (0x80f0_0000n >> 12n), true);
      expect(dbg.writeRegister(1, SATP, sv39)).toBe(true);
      expect(dbg.readMemory(1, ENTRY, 4).length).toBe(0);
      dbg.setPhysicalMemoryMode(true);
      expect(Array.from(dbg.readMemory(1, ENTRY, 4))).toEqual(Array.from(first));
      dbg.setPhysicalMemoryMode(false);
      expect(dbg.writeRegister(1, SATP, satp ?? new Uint8Array(8))).toBe(true);
      expect(Array.from(dbg.readMemory(1, ENTRY, 4))).toEqual(Array.from(first));

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

  it("stops on GDB's Ctrl-C over TCP while running, and runs on after detach", async () => {
    const t = startTestVmm({ harts: 1 });
    const g = demo();
    t.vmm.createVm(g.config, g.disk !== undefined ? { disk: g.disk } : {});
    const dbg = t.vmm.attachDebugger(1);
    t.vmm.startVm(1);
    const server = await serveGdb({ port: 0, target: dbg });
    const socket = connect(server.port, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => {
      received += d.toString("latin1");
    });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(received); i++)
        await new Promise((r) => setTimeout(r, 25));
      return received;
    };
    try {
      await new Promise<void>((r) => socket.once("connect", () => r()));
      socket.write(framePacket("c"));
      await t.waitFor(1, /DEMO-READY/);
      expect(dbg.stopped).toBe(false);
      socket.write(Uint8Array.of(0x03));
      expect(await waitFor(/\$T02thread:1;#/)).toMatch(/\$T02thread:1;#[0-9a-f]{2}/);
      expect(dbg.stopped).toBe(true);
      // Stopped: typed input is not answered.
      const frozen = t.output.get(1);
      t.vmm.sendInput(1, "echo held\r");
      await new Promise((r) => setTimeout(r, 200));
      expect(t.output.get(1)).toBe(frozen);
      received = "";
      socket.write(framePacket("D"));
      expect(await waitFor(/\$OK#/)).toContain(framePacket("OK"));
      await t.waitFor(1, /\r?\nheld\r?\n/);
      expect(t.vmm.vm(1).debug).toBeUndefined();
    } finally {
      socket.destroy();
      await server.close();
      await t.close();
    }
  });
});
