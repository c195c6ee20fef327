import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { EXIT_KINDS } from "@axvisor/axvcpu";
import { afterAll, describe, expect, it } from "vitest";
import { ownGuestConfig, REPO_ROOT, startTestVmm } from "../../vmm/test-support/harness.js";
import { MarkerStats } from "../../vmm/test-support/marker-stats.js";
import { formatVmStats } from "../../vmm/vm-stats.js";

const LOOPS = 1000;
/**
 * An MMIO loop guest: LOOPS stores to the vPLIC (priority of source 1), then SBI SRST
 * shutdown. Checked with riscv64-linux-gnu-objdump:
 *   lui t0,0xc000; li t1,1000; 1: sw zero,4(t0); addi t1,t1,-1; bnez t1,1b
 *   lui a7,0x53525; addiw a7,a7,0x354; li a6,0; li a0,0; li a1,0; ecall; j .
 */
const MMIO_LOOP = Uint32Array.of(
  0x0c0002b7,
  0x3e800313,
  0x0002a223,
  0xfff30313,
  0xfe031ce3,
  0x535258b7,
  0x3548889b,
  0x00000813,
  0x00000513,
  0x00000593,
  0x00000073,
  0x0000006f,
);
/** Instructions it retires: 2 + 3 per loop + 6 up to and with the ecall. */
const INSTRUCTIONS = 2 + 3 * LOOPS + 6;

const dir = mkdtempSync(join(tmpdir(), "axvisor-stats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("VM statistics", () => {
  it("count one MMIO exit per guest store, the power-off, and the guest's instructions", async () => {
    const bin = join(dir, "mmio-loop.bin");
    writeFileSync(bin, new Uint8Array(MMIO_LOOP.buffer));
    const base = ownGuestConfig({ guest: "demo", name: "mmio-loop" });
    const config = {
      ...base,
      kernel: { ...base.kernel, kernelPath: bin },
      source: join(dir, "mmio-loop.toml"),
    };
    const t = startTestVmm({ harts: 1 });
    try {
      t.vmm.createVm(config);
      t.vmm.startVm(1);
      expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
      const s = t.vmm.vm(1).stats.vcpu(0);
      expect(s.exitCount("MmioWrite")).toBe(LOOPS);
      expect(s.exitCount("MmioRead")).toBe(0);
      expect(s.exitCount("SystemDown")).toBe(1);
      expect(s.guestFaults).toBe(0);
      // Instructions the hart retired: the trapping ones (each MMIO store, the SRST ecall)
      // are completed by the hypervisor and counted as exits instead.
      expect(s.instructions).toBe(INSTRUCTIONS - LOOPS - 1);
      expect(s.runMs).toBeGreaterThan(0);
      // Its run time is all exit cost (each kind's round trips and the slice switches its
      // exits paid for, each at least its serving), but for the switch after its last exit.
      let cost = 0;
      for (const kind of EXIT_KINDS) {
        cost += s.exitCostMs(kind);
        expect(s.exitCostMs(kind)).toBeGreaterThanOrEqual(s.exitMs[EXIT_KINDS.indexOf(kind)] ?? 0);
      }
      expect(cost + s.pendingSwitchMs).toBeCloseTo(s.runMs, 6);
      expect(s.pendingSwitchMs).toBeLessThan(0.5 * s.runMs);
      const lines = formatVmStats('1 "mmio-loop"', t.vmm.vm(1).stats);
      expect(lines[0]).toBe('VM 1 "mmio-loop":');
      expect(lines.join("\n")).toMatch(
        /exit MmioWrite\s+1000 {2}mean \d+\.\d\d us \(serving \d+\.\d\d us, slice switches \d+\.\d\d us\)/,
      );
    } finally {
      await t.close();
    }
  });

  it("give the MMIO exit cost pnpm bench measures for its exit loop (within 10 %)", async () => {
    // pnpm bench's exit workload: 200 000 stores to the UART scratch register between
    // BENCH-START and BENCH-END; its figure is the time between the markers / stores.
    const workloads = join(REPO_ROOT, "tools/bench/workloads");
    const base = ownGuestConfig({ guest: "demo", name: "exitloop" });
    const config = {
      ...base,
      kernel: { ...base.kernel, kernelPath: join(workloads, "exitloop-guest.bin") },
      devices: {
        ...base.devices,
        emuDevices: [
          ...base.devices.emuDevices,
          {
            name: "uart",
            baseGpa: 0x1000_0000,
            length: 0x100,
            irqId: 10,
            emuType: EmulatedDeviceType.Console,
            cfgList: [],
          },
        ],
      },
    };
    const marks = new MarkerStats(["BENCH-START", "BENCH-END"], "MmioWrite");
    const t = startTestVmm({ harts: 1, onOutput: (_vm, text) => marks.seen(text) });
    try {
      marks.watch(t.vmm.createVm(config).stats.vcpu(0));
      t.vmm.startVm(1);
      await t.waitFor(1, /BENCH-END/, 120_000);
      // Timed at the markers' arrival on the console, as bench does, and the stats read then.
      const d = marks.between("BENCH-START", "BENCH-END");
      const benchUs = (d.ms * 1000) / 200_000;
      const statsUs = (d.costMs * 1000) / d.exits;
      console.log(
        `riscv64 exitloop: vm stats ${statsUs.toFixed(2)} us/exit, bench method ${benchUs.toFixed(2)} us/exit (${(((statsUs - benchUs) / benchUs) * 100).toFixed(1)} %)`,
      );
      // The markers fall on slice ends (up to 1024 exits from the loop's ends): a few
      // hundred exits more or less than the loop's.
      expect(Math.abs(d.exits - 200_000)).toBeLessThan(2100);
      expect(Math.abs(statsUs - benchUs) / benchUs).toBeLessThan(0.1);
    } finally {
      await t.close();
    }
  }, 150_000);
});
