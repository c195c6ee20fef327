/**
 * Debian's amd64 Linux under the hypervisor on the x86_64 host platform: x86-vcpu on the
 * emulated CPU's VMX, a vLAPIC per vCPU, the vIOAPIC and COM1, the bzImage loaded by the
 * Linux boot protocol with ACPI tables for the VM, booted by `axvisor run` from
 * configs/vms/linux-x86_64-qemu-smp1/2.toml; and the same Linux beside NimbOS-x86 (two VMs
 * at once). The Debian kernel is XZ-compressed, billions of instructions to the shell: the
 * boots are opt-in with AXVISOR_X86_LINUX=1 (a skip reason is printed otherwise), and skip
 * with the reason printed without the images of ../shared/guests (AXVISOR_GUESTS names
 * another folder holding them). AXVISOR_X86_LINUX_S sets each boot's time limit (default 900).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { REPO_ROOT, SHARED_GUESTS } from "../../vmm/test-support/harness.js";

const SHARED = process.env.AXVISOR_GUESTS ?? SHARED_GUESTS;
const need = ["x86_64/linux-bzImage", "x86_64/initramfs.cpio.gz"].map((f) => join(SHARED, f));
const missing = need.filter((f) => !existsSync(f));
const requested = process.env.AXVISOR_X86_LINUX === "1";
const LIMIT_S = Number(process.env.AXVISOR_X86_LINUX_S ?? 900);
if (!requested) {
  console.log(
    "skipping Linux under the x86_64 hypervisor: billions of guest instructions per boot; set AXVISOR_X86_LINUX=1 to run it",
  );
} else if (missing.length > 0) {
  console.log(`skipping Linux under the x86_64 hypervisor: missing ${missing.join(", ")}`);
}

/** The config as committed, its guest paths pointed at `SHARED`. */
function configFile(dir: string, name: string): string {
  const text = readFileSync(resolve(REPO_ROOT, "configs/vms", name), "utf8");
  const file = join(dir, name);
  writeFileSync(file, text.replaceAll("../../../shared/guests", SHARED));
  return file;
}

/**
 * `axvisor run` on the configs until the shell answers SHELL-42; the console text. With
 * `powerOff` the shell then exits, the guest's init powers off through ACPI (S5) and the run
 * ends with the VM (status 0: powered off without an --expect).
 */
async function runToShell(
  configs: readonly string[],
  extra: readonly string[] = [],
  powerOff = false,
) {
  const c = captureIo();
  const start = performance.now();
  const status = await runCli(
    [
      "run",
      ...configs,
      ...extra,
      "--send-after",
      "GUEST-INIT-OK",
      // Both numbers come from the guest's shell: its CPUs as /proc/cpuinfo lists them.
      `echo CPUS-$(grep -c ^processor /proc/cpuinfo) SHELL-$((6*7))${powerOff ? "; exit" : ""}\\n`,
      ...(powerOff ? [] : ["--expect", "SHELL-42"]),
      "--timeout",
      String(LIMIT_S),
    ],
    c.io,
  );
  const seconds = (performance.now() - start) / 1000;
  expect(c.err()).not.toMatch(/axvisor run:/);
  expect(status).toBe(0);
  return { out: c.out(), seconds };
}

describe.skipIf(!requested || missing.length > 0)("Linux under the x86_64 hypervisor", () => {
  for (const smp of [1, 2]) {
    it(
      `Linux smp${smp} reaches GUEST-INIT-OK and its shell computes SHELL-42`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
        try {
          // smp1 also powers off: its shell exits and init enters ACPI S5 (PM1a control).
          const { out, seconds } = await runToShell(
            [configFile(dir, `linux-x86_64-qemu-smp${smp}.toml`)],
            [],
            smp === 1,
          );
          expect(out).toMatch(/ACPI: RSDP 0x0000000000009100/);
          expect(out).toMatch(/tsc: Detected 1000\.000 MHz processor/);
          expect(out).toMatch(
            new RegExp(`GUEST-INIT-OK arch=x86_64 kernel=6\\.1\\.0-\\d+-amd64 cpus=${smp}`),
          );
          expect(out).toMatch(new RegExp(`CPUS-${smp} SHELL-42`));
          if (smp === 2) expect(out).toMatch(/smp: Brought up 1 node, 2 CPUs/);
          if (smp === 1) expect(out).toMatch(/reboot: Power down/);
          // The CMOS RTC answers: Linux sets its clock from it.
          expect(out).toMatch(/rtc_cmos rtc_cmos: setting system clock to \d{4}-/);
          console.log(`Linux x86_64 smp${smp} under the VMM: shell after ${seconds.toFixed(1)} s`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      (LIMIT_S + 60) * 1000,
    );
  }

  it(
    "Linux beside NimbOS-x86: two VMs at once, each on its own console",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
      try {
        const linux = configFile(dir, "linux-x86_64-qemu-smp1.toml");
        const nimbosToml = readFileSync(
          resolve(REPO_ROOT, "configs/vms/nimbos-x86_64-qemu-smp1.toml"),
          "utf8",
        )
          .replace(/^id = 1$/m, "id = 2")
          .replace("phys_cpu_sets = [0b1]", "phys_cpu_sets = [0b10]")
          .replaceAll("../../guests", resolve(REPO_ROOT, "guests"));
        const nimbos = join(dir, "nimbos.toml");
        writeFileSync(nimbos, nimbosToml);
        const { out, seconds } = await runToShell([linux, nimbos], ["--cpus", "2"]);
        expect(out).toMatch(/\[vm2 [^\]]*\] .*NimbOS-x86/);
        expect(out).toMatch(/\[vm1 [^\]]*\] .*GUEST-INIT-OK arch=x86_64/);
        console.log(
          `Linux x86_64 beside NimbOS under the VMM: shell after ${seconds.toFixed(1)} s`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    (LIMIT_S + 60) * 1000,
  );
});
