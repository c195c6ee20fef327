import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli.js";
import { ExitStatus } from "../../../exit-status.js";
import { captureIo } from "../../../test-support/capture-io.js";
import { GUESTS } from "../../../vmm/test-support/harness.js";
import { SPIN_WAIT_GUEST } from "../../../vmm/test-support/spin-wait-guest.js";

const dir = mkdtempSync(join(tmpdir(), "axvisor-threads-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The parallel guest with 2 vCPUs (one per host CPU) and `args` as its bootargs. */
function parallelToml(name: string, args: string, devices = ""): string {
  const path = join(dir, `${name}.toml`);
  writeFileSync(
    path,
    `[base]
id = 1
name = "${name}"
vm_type = 1
cpu_num = 2
phys_cpu_ids = [0, 1]

[kernel]
entry_point = 0x8020_0000
image_location = "memory"
kernel_path = "${join(GUESTS, "parallel-test", "parallel-test.bin")}"
kernel_load_addr = 0x8020_0000
memory_regions = [[0x8000_0000, 0x100_0000, 0xf, 0]]
cmdline = "${args}"

[devices]
interrupt_mode = "emu"
emu_devices = [${devices}["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [4]]]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`,
  );
  return path;
}

const LINES = 12;
const LINE = /^hart ([01]) line (\d+) of 12: the quick brown fox jumps over the lazy dog$/;

describe("axvisor run --threads", () => {
  for (const [threads, console] of [
    [1, "sbi"],
    [2, "sbi"],
    [2, "uart"],
  ] as const) {
    it(`--threads ${threads}: both vCPUs count and join, their ${console} console lines arrive whole, exit 0`, async () => {
      const c = captureIo();
      const cfg =
        console === "uart"
          ? parallelToml(
              "paruart",
              `par.n=3000000 par.lines=${LINES} par.uart=1`,
              `["uart", 0x1000_0000, 0x100, 10, 0x2, []], `,
            )
          : parallelToml(`par${threads}`, `par.n=3000000 par.lines=${LINES}`);
      const status = await runCli(
        ["run", cfg, "--threads", String(threads), "--timeout", "60"],
        c.io,
      );
      expect(c.err()).toBe("");
      expect(status).toBe(ExitStatus.Success);
      const lines = c.out().split(/\r?\n/);
      expect(lines).toContain("PARALLEL-TEST PASS 2 3000000");
      expect(lines).toContain("hart 0 counted 3000000");
      expect(lines).toContain("hart 1 counted 3000000");
      // Both vCPUs print at once under the guest's own lock: every line whole, none lost,
      // each hart's in order.
      const numbered = lines.filter((l) => l.includes(" line "));
      expect(numbered.every((l) => LINE.test(l))).toBe(true);
      for (const hart of ["0", "1"]) {
        const mine = numbered.flatMap((l) => {
          const m = LINE.exec(l);
          return m?.[1] === hart ? [Number(m[2])] : [];
        });
        expect(mine).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
      }
    });
  }

  it("--threads 2: a guest access fault on the second vCPU's thread reaches the guest, which fails the run", async () => {
    const c = captureIo();
    const cfg = parallelToml("fault", "par.n=1000 par.fault=1");
    const status = await runCli(["run", cfg, "--threads", "2", "--timeout", "60"], c.io);
    expect(c.out()).toMatch(/PARALLEL-TEST FAIL trap scause=5 stval=100000/);
    expect(c.err()).toMatch(/powered off, reason 1/);
    expect(status).not.toBe(ExitStatus.Success);
  });

  it("--threads 2: what a threaded VM cannot do ends the VM with one line naming it, not a hang", async () => {
    const c = captureIo();
    const cfg = parallelToml("reboot", "par.n=1000 par.reboot=1");
    const status = await runCli(["run", cfg, "--threads", "2", "--timeout", "60"], c.io);
    expect(c.err()).toMatch(
      /axvisor run: VM 1 "reboot": vCPU 0: the guest asked for a warm-reboot, which a threaded VM does not do yet \(run it with --threads 1\)/,
    );
    expect(status).toBe(ExitStatus.HostError);
  });

  it("--threads 2: a vCPU spinning with PAUSE on a flag the other vCPU's thread sets sees it and powers off", async () => {
    // The spinner's runs end at each PAUSE and its worker naps between spin bursts
    // (pause-loop exiting): it must still see the store and finish.
    const bin = join(dir, "spin-wait.bin");
    writeFileSync(bin, new Uint8Array(SPIN_WAIT_GUEST.buffer));
    const cfg = join(dir, "spin-wait.toml");
    writeFileSync(
      cfg,
      readFileSync(parallelToml("spin-wait", ""))
        .toString()
        .replace(/kernel_path = ".*"/, `kernel_path = "${bin}"`),
    );
    expect(readFileSync(cfg).toString()).toContain(`kernel_path = "${bin}"`);
    const c = captureIo();
    const status = await runCli(["run", cfg, "--threads", "2", "--timeout", "60"], c.io);
    expect(c.err()).toBe("");
    expect(status).toBe(ExitStatus.Success);
  });

  it("refuses what threads cannot serve with one line", async () => {
    const cfg = parallelToml("refuse", "par.n=1000");
    const cases: [string[], RegExp][] = [
      [["--threads", "2", "--stats"], /^axvisor run: --stats needs --threads 1/],
      [["--threads", "2", "--gdb", "0"], /^axvisor run: --gdb needs --threads 1/],
      [["--threads", "9"], /^axvisor run: --threads: expected 1\.\.8 threads, got '9'/],
      [["--threads", "2", "--cpus", "1"], /--threads 2: the host has only 1 CPUs/],
    ];
    for (const [extra, message] of cases) {
      const c = captureIo();
      const status = await runCli(["run", cfg, ...extra, "--timeout", "30"], c.io);
      expect(c.err()).toMatch(message);
      expect(c.err().trim().split("\n")).toHaveLength(1);
      expect(status).toBe(ExitStatus.HostError);
    }
  });

  it("refuses threads on a platform without a thread runner, naming it", async () => {
    const c = captureIo();
    const status = await runCli(
      ["run", "--platform", "aarch64-qemu-virt", "--default-guest", "--threads", "2"],
      c.io,
    );
    expect(c.err()).toMatch(
      /^axvisor run: --threads 2: the aarch64-qemu-virt host runs vCPUs on one thread \(use --threads 1\)/,
    );
    expect(c.err().trim().split("\n")).toHaveLength(1);
    expect(status).toBe(ExitStatus.HostError);
  });
});
