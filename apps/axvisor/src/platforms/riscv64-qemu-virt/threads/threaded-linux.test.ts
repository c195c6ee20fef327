import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../cli.js";
import { captureIo } from "../../../test-support/capture-io.js";
import { REPO_ROOT, SHARED_GUESTS } from "../../../vmm/test-support/harness.js";

// A Linux boot takes longer than CI's budget for tests: opt in with AXVISOR_THREADS_LINUX=1.
const image = join(SHARED_GUESTS, "riscv64", "linux-Image");
const why = !existsSync(image)
  ? `missing ${image} (the images of ../shared/guests)`
  : process.env.AXVISOR_THREADS_LINUX !== "1"
    ? "set AXVISOR_THREADS_LINUX=1 to run it (a Linux boot, 10-60 s)"
    : undefined;
if (why !== undefined) console.log(`skipping riscv Linux smp2 under --threads 2: ${why}`);

describe.skipIf(why !== undefined)("riscv Linux smp2 under axvisor run --threads 2", () => {
  it("boots both harts on two worker threads and its shell answers through the UART", async () => {
    const { io, out, err } = captureIo();
    const status = await runCli(
      [
        "run",
        join(REPO_ROOT, "configs/vms/linux-riscv64-qemu-smp2.toml"),
        "--threads",
        "2",
        "--send-after",
        "GUEST-INIT-OK",
        "echo SHELL-$((6*7))\\n",
        "--send-after",
        "SHELL-42",
        "cat /proc/cpuinfo; echo CPUINFO-END\\n",
        "--expect",
        "\\nCPUINFO-END",
        "--timeout",
        "240",
      ],
      io,
    );
    expect(status, err()).toBe(0);
    const text = out();
    expect(text).toMatch(/GUEST-INIT-OK arch=riscv64 kernel=6\.1\.\d+ cpus=2/);
    const cpuinfo = text.slice(text.lastIndexOf("cat /proc/cpuinfo"));
    expect(cpuinfo).toMatch(/processor\s*: 0\s+hart\s*: 0/);
    expect(cpuinfo).toMatch(/processor\s*: 1\s+hart\s*: 1/);
  }, 300_000);
});
