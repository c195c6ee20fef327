/**
 * Real guests under the hypervisor: Linux 6.1 with a busybox initramfs (1 and 2 vCPUs) and
 * Debian's U-Boot, each booted by `axvisor run` from the configs in configs/vms, which point at
 * ../shared/guests. Skipped, with the reason printed, when those images are not there.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import type { CliIo } from "../io.js";
import { captureIo } from "../test-support/capture-io.js";
import { REPO_ROOT, SHARED_GUESTS } from "./test-support/harness.js";

const G = join(SHARED_GUESTS, "riscv64");
const need = [
  join(G, "linux-Image"),
  join(G, "initramfs.cpio.gz"),
  join(G, "u-boot.bin"),
  join(SHARED_GUESTS, "disk-riscv64.img"),
];
const missing = need.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.log(
    `skipping real guests under the VMM: missing ${missing.join(", ")} (the images of ../shared/guests)`,
  );
}
const config = (name: string) => resolve(REPO_ROOT, "configs/vms", name);

/** Seconds from the start until `marker` first appears in `text` chunks recorded with times. */
function timed(io: CliIo): { io: CliIo; marks: Map<string, number>; watch: (m: string) => void } {
  const start = performance.now();
  const marks = new Map<string, number>();
  const watched: string[] = [];
  let seen = "";
  const dec = new TextDecoder();
  return {
    io: {
      ...io,
      stdout: {
        write: (d) => {
          seen += typeof d === "string" ? d : dec.decode(d);
          for (const m of watched) {
            if (!marks.has(m) && seen.includes(m)) marks.set(m, (performance.now() - start) / 1000);
          }
          return io.stdout.write(d);
        },
      },
    },
    marks,
    watch: (m) => watched.push(m),
  };
}

const TIMEOUT = "240";

describe.skipIf(missing.length > 0)("real guests under the VMM", () => {
  it("Linux smp1 reaches GUEST-INIT-OK and its shell computes SHELL-42", async () => {
    const c = captureIo();
    const t = timed(c.io);
    t.watch("GUEST-INIT-OK");
    const status = await runCli(
      [
        "run",
        config("linux-riscv64-qemu-smp1.toml"),
        "--send-after",
        "GUEST-INIT-OK",
        "echo SHELL-$((6*7))\\n",
        "--expect",
        "SHELL-42",
        "--timeout",
        TIMEOUT,
      ],
      t.io,
    );
    expect(c.err()).not.toMatch(/axvisor run:/);
    expect(status).toBe(0);
    expect(c.out()).toMatch(/GUEST-INIT-OK arch=riscv64 kernel=6\.1\.\d+ cpus=1/);
    console.log(
      `Linux smp1 under the VMM: GUEST-INIT-OK after ${t.marks.get("GUEST-INIT-OK")?.toFixed(2)} s`,
    );
  }, 300_000);

  it("Linux smp2 brings up both harts: cpus=2 and /proc/cpuinfo lists hart 0 and hart 1", async () => {
    const c = captureIo();
    const t = timed(c.io);
    t.watch("GUEST-INIT-OK");
    const status = await runCli(
      [
        "run",
        config("linux-riscv64-qemu-smp2.toml"),
        "--send-after",
        "GUEST-INIT-OK",
        "echo SHELL-$((6*7))\\n",
        "--send-after",
        "SHELL-42",
        "cat /proc/cpuinfo; echo CPUINFO-END\\n",
        "--expect",
        "\\nCPUINFO-END",
        "--timeout",
        TIMEOUT,
      ],
      t.io,
    );
    expect(status).toBe(0);
    const out = c.out();
    expect(out).toMatch(/GUEST-INIT-OK arch=riscv64 kernel=6\.1\.\d+ cpus=2/);
    expect(out).toMatch(/SHELL-42/);
    const cpuinfo = out.slice(out.lastIndexOf("cat /proc/cpuinfo"));
    expect(cpuinfo).toMatch(/processor\s*: 0\s+hart\s*: 0/);
    expect(cpuinfo).toMatch(/processor\s*: 1\s+hart\s*: 1/);
    console.log(
      `Linux smp2 under the VMM: GUEST-INIT-OK after ${t.marks.get("GUEST-INIT-OK")?.toFixed(2)} s`,
    );
  }, 300_000);

  it("U-Boot reaches its prompt; sbi lists the SBI version and extensions; version prints", async () => {
    const c = captureIo();
    const t = timed(c.io);
    t.watch("=> ");
    const status = await runCli(
      [
        "run",
        config("uboot-riscv64-qemu-smp1.toml"),
        "--send-after",
        "Hit any key to stop autoboot",
        " ",
        "--send-after",
        "=> ",
        "sbi\\n",
        "--send-after",
        "=> ",
        "version\\n",
        "--expect",
        "GNU ld [^\\n]*\\n[\\s\\S]*=> ",
        "--timeout",
        TIMEOUT,
      ],
      t.io,
    );
    expect(status).toBe(0);
    const out = c.out();
    expect(out).toMatch(/U-Boot 2023\.01/);
    expect(out).toMatch(/=> sbi\r?\nSBI 2\.0/);
    for (const ext of [
      "Timer Extension",
      "IPI Extension",
      "RFENCE Extension",
      "Hart State Management Extension",
      "System Reset Extension",
    ]) {
      expect(out).toContain(ext);
    }
    expect(out).toMatch(/=> version\r?\nU-Boot 2023\.01/);
    console.log(`U-Boot under the VMM: first prompt after ${t.marks.get("=> ")?.toFixed(2)} s`);
  }, 300_000);

  it("U-Boot left to autoboot loads Linux from the virtio disk (extlinux) and Linux starts", async () => {
    // U-Boot's bootm edits the VM's device tree in place; before the VMM gave the blob free
    // room, those edits overwrote U-Boot's global data and it faulted after "Starting kernel".
    const c = captureIo();
    const t = timed(c.io);
    t.watch("GUEST-INIT-OK");
    const status = await runCli(
      [
        "run",
        config("uboot-riscv64-qemu-smp1.toml"),
        "--expect",
        "GUEST-INIT-OK|Unhandled exception",
        "--timeout",
        TIMEOUT,
      ],
      t.io,
    );
    expect(status).toBe(0);
    const out = c.out();
    expect(out).toMatch(/Found \/extlinux\/extlinux\.conf/);
    expect(out).toMatch(/Starting kernel \.\.\.\s+\[\s*0\.000000\] Linux version 6\.1\./);
    expect(out).not.toMatch(/Unhandled exception/);
    expect(out).toMatch(/GUEST-INIT-OK arch=riscv64/);
    console.log(
      `U-Boot autoboot under the VMM: GUEST-INIT-OK after ${t.marks.get("GUEST-INIT-OK")?.toFixed(2)} s`,
    );
  }, 300_000);
});
