import { describe, expect, it } from "vitest";
import { allBenchmarks, type BenchContext } from "./benchmarks.js";
import type { MachineInfo } from "./machine-info.js";
import { type MeasuredBenchmark, skipped } from "./measure.js";
import { benchmarkRecord, buildReport, formatTable, versusQemu } from "./report.js";
import { summarize } from "./stats.js";

const ctx: BenchContext = {
  runs: 3,
  quick: false,
  qemu: "QEMU emulator version 7.2.22",
  qemuVersions: { riscv64: "QEMU emulator version 7.2.22" },
  tmpDir: "/tmp",
  linuxTimeoutMs: 150_000,
};
const machine: MachineInfo = {
  cpu_model: "Test CPU",
  cores: 2,
  memory_gb: 8,
  os: "Linux",
  node: "v20.20.2",
  v8: "11.3",
  loadavg_start: [0.1, 0.2, 0.3],
  git_commit: "abc1234",
  qemu: "QEMU emulator version 7.2.22",
};

function ok(values: number[]): MeasuredBenchmark {
  return {
    values,
    summary: summarize(values),
    details: values.map(() => ({ ms: 1 })),
    failed: undefined,
    skipped: undefined,
  };
}
const failed = (why: string): MeasuredBenchmark => ({
  values: [],
  summary: undefined,
  details: [],
  failed: why,
  skipped: undefined,
});

/** Records for the given ids; everything else left out. */
function records(results: Record<string, MeasuredBenchmark>) {
  const all = allBenchmarks();
  return Object.entries(results).map(([id, m]) => {
    const b = all.find((x) => x.id === id);
    if (b === undefined) throw new Error(`no benchmark ${id}`);
    return benchmarkRecord(b, m, ctx);
  });
}

const REQUIRED = [
  "loop_mips",
  "memloop_mips",
  "interp_loop_mips",
  "linux_boot_s",
  "exit_roundtrip_us",
  "vm_start_ms",
  "idle_vm_rss_mb",
];

describe("the JSON report", () => {
  const recs = records({
    "intloop.emu": ok([80, 90, 85]),
    "intloop.hypervisor": ok([60, 50, 70]),
    "intloop.qemu": ok([2500, 2600, 2400]),
    "memloop.hypervisor": ok([40]),
    "exit.hypervisor": ok([3, 5, 4]),
    "exit.qemu": ok([0.1, 0.1, 0.1]),
    "linux-smp1.hypervisor": failed("timeout after 150 s (no GUEST-INIT-OK)"),
    "linux-smp1.qemu": ok([1.3, 1.2, 1.4]),
    "vm-start.qemu": skipped("qemu-system-riscv64 is not installed"),
  });
  const report = buildReport(
    recs,
    machine,
    { runs: 3, quick: false },
    ["a note"],
    new Date("2025-01-02T03:04:05Z"),
  );
  const json = JSON.parse(JSON.stringify(report));

  it("has every headline key at the top and in the qemu object, null where nothing was measured", () => {
    for (const k of REQUIRED) {
      expect(json).toHaveProperty(k);
      expect(json.qemu).toHaveProperty(k);
      expect(json.emu).toHaveProperty(k);
    }
    expect(json.loop_mips).toBe(60);
    expect(json.memloop_mips).toBe(40);
    expect(json.exit_roundtrip_us).toBe(4);
    expect(json.linux_boot_s).toBeNull();
    expect(json.vm_start_ms).toBeNull();
    expect(json.qemu.loop_mips).toBe(2500);
    expect(json.qemu.linux_boot_s).toBe(1.3);
    expect(json.emu.loop_mips).toBe(85);
  });

  it("keeps a device store on QEMU out of the exit round-trip key", () => {
    expect(json.qemu.exit_roundtrip_us).toBeNull();
    expect(json.qemu.mmio_store_us).toBe(0.1);
    expect(json.emu.mmio_store_us).toBeNull();
  });

  it("carries per-benchmark runs, min, median, unit, status and machine info", () => {
    const loop = json.benchmarks.find((b: { id: string }) => b.id === "intloop.hypervisor");
    expect(loop).toMatchObject({
      unit: "MIPS",
      status: "ok",
      runs: [60, 50, 70],
      min: 50,
      median: 60,
      max: 70,
    });
    expect(loop.facts).toMatchObject({
      image: "tools/bench/workloads/intloop-guest.bin",
      iterations: 1_000_000_000,
      instructions_per_iteration: 3,
      instructions: 3_000_000_005,
    });
    const linux = json.benchmarks.find((b: { id: string }) => b.id === "linux-smp1.hypervisor");
    expect(linux).toMatchObject({
      status: "failed",
      why: "timeout after 150 s (no GUEST-INIT-OK)",
      median: null,
      min: null,
      runs: [],
    });
    const start = json.benchmarks.find((b: { id: string }) => b.id === "vm-start.qemu");
    expect(start).toMatchObject({ status: "skipped", why: "qemu-system-riscv64 is not installed" });
    expect(json.machine).toMatchObject({ cpu_model: "Test CPU", cores: 2, node: "v20.20.2" });
    expect(json).toMatchObject({
      schema: "axvisor-bench/1",
      date: "2025-01-02T03:04:05.000Z",
      options: { runs: 3, quick: false },
    });
  });

  it("prints a table with median (min), failures spelled out, and notes", () => {
    const t = formatTable(report);
    expect(t).toMatch(
      /integer loop\s+MIPS\s+85\.0 \(80\.0\)\s+60\.0 \(50\.0\)\s+2500 \(2400\)\s+41\.7x slower/,
    );
    expect(t).toMatch(/Linux to GUEST-INIT-OK, 1 hart\s+s\s+-\s+failed\s+1\.30 \(1\.20\)/);
    expect(t).toContain("linux-smp1.hypervisor: failed: timeout after 150 s (no GUEST-INIT-OK)");
    expect(t).toContain("vm-start.qemu: skipped: qemu-system-riscv64 is not installed");
    expect(t).toContain("note: a note");
  });
});

describe("the aarch64 and x86_64 rows in the JSON report", () => {
  const recs = records({
    "aarch64-intloop.emu": ok([60, 70, 65]),
    "aarch64-intloop.qemu": ok([3000]),
    "aarch64-memloop.emu": ok([40]),
    "aarch64-linux.emu": ok([100, 120, 110]),
    "aarch64-linux.qemu": ok([2.3]),
    "x86_64-intloop.emu": ok([8]),
    "x86_64-memloop.qemu": ok([1500]),
    "x86_64-linux.emu": skipped("the x86_64 CPU cannot boot Linux yet"),
    "x86_64-linux.qemu": ok([8.6]),
    "x86_64-exit.hypervisor": ok([50, 40, 45]),
    "x86_64-pio-exit.hypervisor": ok([30]),
    "x86_64-linux-hv.hypervisor": skipped("Linux cannot boot under the x86_64 hypervisor"),
  });
  const json = JSON.parse(
    JSON.stringify(buildReport(recs, machine, { runs: 3, quick: false }, [])),
  );

  it("has objects aarch64 and x86_64 (our bare machine) and the same in qemu, null where not measured", () => {
    expect(json.aarch64).toEqual({
      loop_mips: 65,
      memloop_mips: 40,
      linux_native_s: 110,
      guest_loop_mips: null,
      linux_boot_s: null,
      exit_roundtrip_us: null,
      vm_start_ms: null,
    });
    expect(json.qemu.aarch64).toEqual({ loop_mips: 3000, memloop_mips: null, linux_native_s: 2.3 });
    // x86_64 also carries the hypervisor rows (VM exits, VM start, Linux under the hypervisor).
    expect(json.x86_64).toEqual({
      loop_mips: 8,
      memloop_mips: null,
      linux_native_s: null,
      exit_roundtrip_us: 45,
      pio_exit_roundtrip_us: 30,
      vm_start_ms: null,
      linux_boot_s: null,
    });
    expect(json.qemu.x86_64).toEqual({ loop_mips: null, memloop_mips: 1500, linux_native_s: 8.6 });
  });

  it("puts the aarch64 hypervisor rows in the aarch64 object, beside the bare machine's", () => {
    const hv = buildReport(
      records({
        "aarch64-intloop.hypervisor": ok([55, 60, 58]),
        "aarch64-linux.hypervisor": ok([40]),
        "aarch64-exit.hypervisor": ok([3.5]),
        "aarch64-vm-start.hypervisor": ok([120]),
        "aarch64-intloop.emu": ok([65]),
      }),
      machine,
      { runs: 3, quick: false },
      [],
    );
    expect(hv.aarch64).toMatchObject({
      loop_mips: 65,
      guest_loop_mips: 58,
      linux_boot_s: 40,
      exit_roundtrip_us: 3.5,
      vm_start_ms: 120,
    });
    // The riscv64 guest keys stay the riscv64 rows'.
    expect(hv.loop_mips).toBeNull();
    expect(hv.exit_roundtrip_us).toBeNull();
  });

  it("keeps the riscv64 headline keys, which these rows do not touch", () => {
    for (const k of REQUIRED) expect(json[k]).toBeNull();
    expect(json.qemu.loop_mips).toBeNull();
  });

  it("prints the rows beside QEMU and says why a row has no figure", () => {
    const t = formatTable(buildReport(recs, machine, { runs: 3, quick: false }, []));
    expect(t).toMatch(
      /aarch64 integer loop\s+MIPS\s+65\.0 \(60\.0\)\s+-\s+3000\s+46\.2x slower \(bare\)/,
    );
    expect(t).toMatch(
      /aarch64 Linux to GUEST-INIT-OK\s+s\s+110 \(100\)\s+-\s+2\.30\s+47\.8x slower \(bare\)/,
    );
    expect(t).toContain("x86_64-linux.emu: skipped: the x86_64 CPU cannot boot Linux yet");
  });
});

describe("versusQemu", () => {
  it("compares throughput and time in the direction each is better", () => {
    const r = records({
      "intloop.hypervisor": ok([50]),
      "intloop.qemu": ok([2500]),
      "linux-smp1.hypervisor": ok([10]),
      "linux-smp1.qemu": ok([1]),
    });
    expect(versusQemu(r, "intloop")).toBe("50.0x slower");
    expect(versusQemu(r, "linux-smp1")).toBe("10.0x slower");
  });

  it("falls back to the bare machine, says so, and says faster when it is", () => {
    const r = records({ "exit.emu": ok([0.05]), "exit.qemu": ok([0.1]) });
    expect(versusQemu(r, "exit")).toBe("2.00x faster (bare)");
  });

  it("compares device stores, not VM exits, with QEMU in the MMIO row", () => {
    const r = records({
      "exit.emu": ok([0.2]),
      "exit.hypervisor": ok([4]),
      "exit.qemu": ok([0.1]),
    });
    expect(versusQemu(r, "exit")).toBe("2.00x slower (bare)");
  });

  it("sets Linux under the x86_64 hypervisor beside QEMU booting the same kernel natively", () => {
    const r = records({
      "x86_64-linux.qemu": ok([8]),
      "x86_64-linux-hv.hypervisor": ok([40]),
    });
    expect(versusQemu(r, "x86_64-linux-hv")).toBe("5.00x slower");
    const t = formatTable(buildReport(r, machine, { runs: 1, quick: false }, []));
    expect(t).toMatch(/x86_64 Linux under the hypervisor\s+s\s+-\s+40\.0\s+8\.00\s+5\.00x slower/);
  });

  it("is empty when either side has no figure", () => {
    const r = records({ "intloop.hypervisor": failed("x"), "intloop.qemu": ok([2500]) });
    expect(versusQemu(r, "intloop")).toBe("");
  });
});
