/**
 * Real-guest boots: the Debian amd64 Linux of ../shared/guests/x86_64 (or AXVISOR_GUESTS) to
 * its init's GUEST-INIT-OK and a shell command, with 1 and 2 CPUs. Skipped with a printed
 * reason when the guest images are absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PcMachine } from "./machine.js";

const GUESTS =
  process.env.AXVISOR_GUESTS ??
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/guests");
const KERNEL = `${GUESTS}/x86_64/linux-bzImage`;
const INITRD = `${GUESTS}/x86_64/initramfs.cpio.gz`;
const present = existsSync(KERNEL) && existsSync(INITRD);
/**
 * The Debian kernel is XZ-compressed: the boot runs about 6 billion instructions to the shell
 * (about a minute of CPU time with the CPU's JIT), too long for every test run: on request only.
 */
const requested = process.env.AXVISOR_X86_LINUX === "1";
if (!present) console.log(`x86_64 Linux boot tests skipped: no guest images at ${GUESTS}/x86_64`);
else if (!requested) {
  console.log(
    "x86_64 Linux boot tests skipped: about 6 billion instructions (a minute or more of CPU time " +
      "with the JIT) per boot; set AXVISOR_X86_LINUX=1 to run them",
  );
}
const LIMIT_MS = Number(process.env.AXVISOR_X86_LINUX_MS ?? 240_000);

/** An uncompressed vmlinux (test/extract-vmlinux.sh) to boot through PVH instead of the bzImage. */
const VMLINUX = process.env.AXVISOR_X86_VMLINUX;

async function bootLinux(
  cpus: number,
  kernelPath = KERNEL,
): Promise<{ log: string; m: PcMachine; exit: unknown }> {
  let log = "";
  let sent = false;
  const m = new PcMachine({
    cpus,
    ramSize: 512 << 20,
    images: {
      kernel: { name: "bzImage", data: new Uint8Array(readFileSync(kernelPath)) },
      initrd: { name: "initramfs.cpio.gz", data: new Uint8Array(readFileSync(INITRD)) },
    },
    bootargs: "console=ttyS0 earlyprintk=serial",
    console: (b) => {
      log += new TextDecoder().decode(b);
      if (!sent && log.includes("GUEST-INIT-OK")) {
        sent = true;
        m.sendInput("echo SHELL-$((6*7))\n");
      }
      if (/SHELL-42\r?\n/.test(log)) m.stop("shell answered");
    },
  });
  const timer = setTimeout(() => m.stop("time limit"), LIMIT_MS);
  const exit = await m.run();
  clearTimeout(timer);
  return { log, m, exit };
}

/**
 * CPUID.1:EDX as our CPU reports it, read by a four-instruction multiboot kernel (a.out
 * kludge) that writes EDX to isa-debug-exit: the exit status is EDX * 2 + 1.
 */
async function cpuidLeaf1Edx(): Promise<number> {
  const image = new Uint8Array(0x30);
  const v = new DataView(image.buffer);
  const flags = 0x1_0000;
  [0x1bad_b002, flags, -(0x1bad_b002 + flags) >>> 0, 0x10_0000, 0x10_0000, 0, 0, 0x10_0020].forEach(
    (x, i) => {
      v.setUint32(4 * i, x >>> 0, true);
    },
  );
  // mov eax, 1; cpuid; mov eax, edx; out 0xf4, eax; hlt
  image.set([0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0x89, 0xd0, 0xe7, 0xf4, 0xf4], 0x20);
  const m = new PcMachine({
    ramSize: 16 << 20,
    images: { kernel: { name: "cpuid", data: image } },
    debugExit: { iobase: 0xf4, iosize: 4 },
  });
  const exit = await m.run();
  if (exit.kind !== "poweroff") throw new Error(`cpuid probe: ${JSON.stringify(exit)}`);
  return (exit.code - 1) / 2;
}

/** CPUID.1:EDX features the x86-64 kernel's verify_cpu insists on (REQUIRED_MASK0). */
const LINUX_REQUIRED_EDX: ReadonlyArray<[number, string]> = [
  [0, "FPU"],
  [3, "PSE"],
  [4, "TSC"],
  [5, "MSR"],
  [6, "PAE"],
  [8, "CX8"],
  [13, "PGE"],
  [15, "CMOV"],
  [24, "FXSR"],
  [25, "SSE"],
  [26, "SSE2"],
];

describe.skipIf(!present || !requested)("Debian amd64 Linux on PcMachine", () => {
  for (const cpus of [1, 2]) {
    it(`boots to GUEST-INIT-OK and answers SHELL-42 with ${cpus} CPU(s)`, {
      timeout: LIMIT_MS + 30_000,
    }, async (ctx) => {
      const edx = await cpuidLeaf1Edx();
      const missing = LINUX_REQUIRED_EDX.filter(([bit]) => ((edx >>> bit) & 1) === 0).map(
        ([, n]) => n,
      );
      if (missing.length > 0) {
        const why = `the CPU does not advertise ${missing.join(", ")} (CPUID.1:EDX = 0x${edx.toString(16)}); Linux's verify_cpu halts without them`;
        console.log(`x86_64 Linux boot skipped: ${why}`);
        ctx.skip(why);
      }
      const { log, m, exit } = await bootLinux(cpus);
      const cpu = m.cpus[0]!;
      const where = `\n--- exit ${JSON.stringify(exit, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}, rip 0x${cpu.getReg("rip").toString(16)}, ${m.instructions} instructions\n${log.slice(-3000)}`;
      expect(log, where).toContain("GUEST-INIT-OK");
      expect(log, where).toMatch(/SHELL-42\r?\n/);
    });
  }
});

describe.skipIf(!present || VMLINUX === undefined)(
  "Debian amd64 vmlinux through PVH (AXVISOR_X86_VMLINUX)",
  () => {
    for (const cpus of [1, 2]) {
      it(`boots to GUEST-INIT-OK and answers SHELL-42 with ${cpus} CPU(s)`, {
        timeout: LIMIT_MS + 30_000,
      }, async () => {
        const { log, m, exit } = await bootLinux(cpus, VMLINUX);
        const cpu = m.cpus[0]!;
        const where = `\n--- exit ${JSON.stringify(exit, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}, rip 0x${cpu.getReg("rip").toString(16)}, ${m.instructions} instructions\n${log.slice(-3000)}`;
        expect(log, where).toContain("GUEST-INIT-OK");
        expect(log, where).toMatch(/SHELL-42\r?\n/);
      });
    }
  },
);
