/**
 * `vm stats` on the x86_64 host platform, checked against what the guest did: the exit-loop
 * guests `pnpm bench` times (apps/axvisor/test-guests/x86/exitloop.S) give exact exit and
 * instruction counts, and the mean cost of their exits agrees with the bench figure (time
 * between the BENCH markers / accesses, timed as the bench does: when the VMM hands the
 * marker's bytes to its output), on an idle or a loaded host alike.
 */
import { resolve } from "node:path";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { describe, expect, it } from "vitest";
import { createHostBoard } from "../../platform/host-of.js";
import { REPO_ROOT } from "../../vmm/test-support/harness.js";
import { MarkerStats } from "../../vmm/test-support/marker-stats.js";
import type { VmEnd } from "../../vmm/vm-instance.js";
import { formatVmStats } from "../../vmm/vm-stats.js";
import { Vmm } from "../../vmm/vmm.js";
import { VmmLog } from "../../vmm/vmm-log.js";
import { platforms } from "../index.js";

const ITERATIONS = 20_000;
/** COM1 bytes the guest prints: "BENCH-START\n" and "BENCH-END\n". */
const CONSOLE_BYTES = 12 + 10;
/**
 * Instructions exitloop.S executes, exiting ones included: 8 in real mode, 7 setting up
 * protected mode, puts of 12 bytes (1 + 5 per byte + 4), 2 of the VMCALL, 1, the loop (5 per
 * iteration for the `out` form, 3 for the store form), 2, puts of 10 bytes, and the 3 of the
 * power-off.
 */
const instructions = (perIteration: number) =>
  8 + 7 + (1 + 5 * 12 + 4) + 2 + 1 + perIteration * ITERATIONS + 2 + (1 + 5 * 10 + 4) + 3;

function exitLoopConfig(image: string): AxVMCrateConfig {
  return {
    base: { id: 1, name: "exitloop", vmType: VmType.RTOS, cpuNum: 1 },
    kernel: {
      entryPoint: 0x8000,
      kernelPath: resolve(REPO_ROOT, "apps/axvisor/test-guests/x86", image),
      kernelLoadAddr: 0x8000,
      imageLocation: "memory",
      memoryRegions: [{ gpa: 0, size: 0x1_0000, flags: 0x7, mapType: VmMemMappingType.MapAlloc }],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: [],
      passthroughDevices: [],
      passthroughAddresses: [],
      excludedDevices: [],
    },
  };
}

/** Runs an exit-loop guest as `pnpm bench`'s x86 job does, reading the stats at its markers. */
async function runExitLoop(image: string, kind: "IoWrite" | "MmioWrite") {
  const machine = createHostBoard(platforms.get("x86_64-qemu-q35"), {
    cpus: 1,
    ramSize: 16 << 20,
  });
  const marks = new MarkerStats(["BENCH-START", "BENCH-END"], kind);
  let text = "";
  let end: VmEnd | undefined;
  let changed = () => {};
  const vmm = new Vmm({
    machine,
    log: new VmmLog({ level: "warn", sink: () => {} }),
    onOutput: (_vm, bytes) => {
      text += new TextDecoder().decode(bytes);
      marks.seen(text);
    },
    onVmEnd: (_vm, e) => {
      end = e;
      changed();
    },
  });
  const vm = vmm.createVm(exitLoopConfig(image));
  const stats = vm.stats.vcpu(0);
  marks.watch(stats);
  vmm.startVm(vm.id);
  const loop = vmm.run();
  await new Promise<void>((done) => {
    const timer = setTimeout(done, 60_000);
    changed = () => {
      clearTimeout(timer);
      done();
    };
  });
  vmm.quit();
  await loop;
  return { end, marks, stats, vm };
}

describe("VM statistics on x86_64", () => {
  for (const [image, kind, perIteration] of [
    ["exitloop-pio.bin", "IoWrite", 5],
    ["exitloop-mmio.bin", "MmioWrite", 3],
  ] as const) {
    it(`${image}: exact ${kind} and instruction counts, and the bench's cost per exit`, async () => {
      const { end, marks, stats: s, vm } = await runExitLoop(image, kind);
      expect(end).toEqual({ kind: "poweroff", reason: 0 });
      const ioWrites = CONSOLE_BYTES + (kind === "IoWrite" ? ITERATIONS : 0);
      expect(s.exitCount("IoWrite")).toBe(ioWrites);
      expect(s.exitCount("MmioWrite")).toBe(kind === "MmioWrite" ? ITERATIONS : 0);
      expect(s.exitCount("Hypercall")).toBe(1);
      expect(s.exitCount("SystemDown")).toBe(1);
      expect(s.guestFaults).toBe(0);
      // The CPU counts an instruction that exits as executed (the VMM completes it). Loading
      // the image populated the whole 2 MiB block around it, so no fetch or access of the
      // program faults on not-yet-mapped RAM (such an instruction would run, and count, twice).
      expect(s.exitCount("NestedPageFault")).toBe(0);
      expect(s.instructions).toBe(instructions(perIteration));

      const d = marks.between("BENCH-START", "BENCH-END");
      // The guest ends its slice after BENCH-START (a VMCALL) and powers off after BENCH-END,
      // so the markers leave the VMM right before the loop's first exit and after its last:
      // the span holds the loop's exits (and, for the `out` form, BENCH-END's bytes).
      expect(d.exits).toBe(ITERATIONS + (kind === "IoWrite" ? 10 : 0));
      const benchUs = (d.ms * 1000) / ITERATIONS;
      const statsUs = (d.costMs * 1000) / d.exits;
      console.log(
        `x86 ${kind}: vm stats ${statsUs.toFixed(2)} us/exit, bench method ${benchUs.toFixed(2)} us/exit (${(((statsUs - benchUs) / benchUs) * 100).toFixed(1)} %)`,
      );
      // Both are wall time: the exits' round trips, the slice switches every 1024 exits and
      // the VMM's work between slices, whatever else the host did meanwhile. What differs is
      // which switch costs fall inside the span (one slice's at each end), a percent or two.
      expect(Math.abs(statsUs - benchUs) / benchUs).toBeLessThan(0.1);
      expect(formatVmStats('1 "exitloop"', vm.stats).join("\n")).toMatch(
        new RegExp(
          `exit ${kind}\\s+${s.exitCount(kind)} {2}mean \\d+\\.\\d\\d us \\(serving \\d+\\.\\d\\d us, slice switches \\d+\\.\\d\\d us\\)`,
        ),
      );
    }, 90_000);
  }
});
