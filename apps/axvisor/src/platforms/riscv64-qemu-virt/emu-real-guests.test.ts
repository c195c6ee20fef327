/**
 * Real guests from ../shared/guests (Debian's OpenSBI, a Linux 6.1 kernel with a busybox
 * initramfs, Debian's U-Boot) booted through the CLI, compared with the QEMU 7.2 reference
 * logs. Skipped, with the reason printed, when the images or OpenSBI are not installed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { SHARED_GUESTS } from "../../vmm/test-support/harness.js";
import { DEFAULT_BIOS } from "./firmware.js";

const G = join(SHARED_GUESTS, "riscv64");
const need = [
  join(G, "linux-Image"),
  join(G, "initramfs.cpio.gz"),
  join(G, "u-boot.bin"),
  DEFAULT_BIOS,
];
const missing = need.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.log(
    `skipping real-guest boots: missing ${missing.join(", ")} (guests from ../shared/guests; OpenSBI: apt-get install opensbi)`,
  );
}

/** Asserts that `markers` occur in `text` in this order. */
function expectInOrder(text: string, markers: readonly string[]): void {
  let from = 0;
  for (const m of markers) {
    const at = text.indexOf(m, from);
    expect(at, `"${m}" after offset ${from}`).toBeGreaterThanOrEqual(0);
    from = at + m.length;
  }
}

/** Lines of the QEMU reference log that must show up in ours too, in the same order. */
const LINUX_MARKERS = [
  "OpenSBI v1.1",
  "Platform Name             : riscv-virtio,qemu",
  "Domain0 Next Address      : 0x0000000080200000",
  "Domain0 Next Arg1         : 0x000000008fe00000",
  "Linux version 6.1.192",
  "Machine model: riscv-virtio,qemu",
  "SBI specification v1.0 detected",
  "riscv: base ISA extensions acdfhim",
  "Kernel command line: console=ttyS0 earlycon=sbi",
  "riscv-timer: Timer interrupt in S-mode is available via sstc extension",
  "Unpacking initramfs...",
  "10000000.serial: ttyS0 at MMIO 0x10000000",
  "goldfish_rtc 101000.rtc: registered as rtc0",
  "Run /init as init process",
  "GUEST-INIT-OK arch=riscv64 kernel=6.1.192",
];

const dir = mkdtempSync(join(tmpdir(), "axvisor-guests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)("real guests on axvisor emu", () => {
  it("boots OpenSBI + Linux to GUEST-INIT-OK and runs a shell command (smp1)", async () => {
    for (const m of LINUX_MARKERS)
      expect(readFileSync(join(G, "linux-smp1.log"), "utf8")).toContain(m);
    const c = captureIo();
    const status = await runCli(
      [
        "emu",
        "-M",
        "virt",
        "-m",
        "256M",
        "-smp",
        "1",
        "-kernel",
        join(G, "linux-Image"),
        "-initrd",
        join(G, "initramfs.cpio.gz"),
        "-append",
        "console=ttyS0 earlycon=sbi",
        "--send-after",
        "GUEST-INIT-OK",
        "echo SHELL-$((6*7))\\n",
        "--expect",
        "SHELL-42",
        "--timeout",
        "280",
      ],
      c.io,
    );
    expect(c.err()).toBe("");
    expect(status).toBe(0);
    expectInOrder(c.out(), [...LINUX_MARKERS, "cpus=1", "SHELL-42"]);
  }, 300_000);

  it("boots Linux on 2 harts and powers off through SBI (smp2, exit 0)", async () => {
    const c = captureIo();
    const status = await runCli(
      [
        "emu",
        "-smp",
        "2",
        "-kernel",
        join(G, "linux-Image"),
        "-initrd",
        join(G, "initramfs.cpio.gz"),
        "-append",
        "console=ttyS0 earlycon=sbi",
        "--send-after",
        "GUEST-INIT-OK",
        "poweroff -f\\n",
        "--timeout",
        "280",
      ],
      c.io,
    );
    expect(status).toBe(0);
    expectInOrder(c.out(), [
      "plic: plic@c000000: mapped 96 interrupts with 2 handlers for 4 contexts.",
      "smp: Brought up 1 node, 2 CPUs",
      "GUEST-INIT-OK arch=riscv64 kernel=6.1.192 cpus=2",
      "reboot: Power down",
    ]);
  }, 300_000);

  it("runs U-Boot S-mode commands and powers off", async () => {
    const c = captureIo();
    const status = await runCli(
      [
        "emu",
        "-kernel",
        join(G, "u-boot.bin"),
        "--send-after",
        "Hit any key",
        " ",
        "--send-after",
        "=> ",
        "sbi\\n",
        "--send-after",
        "=> ",
        "echo UBOOT-CMD-OK\\n",
        "--send-after",
        "UBOOT-CMD-OK\\s+=> ",
        "poweroff\\n",
        "--timeout",
        "120",
      ],
      c.io,
    );
    expect(status).toBe(0);
    expectInOrder(c.out(), [
      "OpenSBI v1.1",
      "U-Boot 2023.01",
      "Hit any key to stop autoboot",
      "SBI 1.0",
      "System Reset Extension",
      "UBOOT-CMD-OK",
      "poweroff ...",
    ]);
  }, 150_000);

  it("writes a disk image file through virtio-blk (U-Boot 'virtio write')", async () => {
    const img = join(dir, "disk.img");
    writeFileSync(img, new Uint8Array(1 << 20));
    const c = captureIo();
    const status = await runCli(
      [
        "emu",
        "-kernel",
        join(G, "u-boot.bin"),
        "-drive",
        `file=${img},format=raw,if=virtio`,
        "--send-after",
        "Hit any key",
        " ",
        "--send-after",
        "=> ",
        "virtio scan\\n",
        "--send-after",
        "=> ",
        "mw.l 0x84000000 0x41584f4b 0x80\\n",
        "--send-after",
        "=> ",
        "virtio write 0x84000000 2 1\\n",
        "--expect",
        "blocks written: OK",
        "--timeout",
        "120",
      ],
      c.io,
    );
    expect(status).toBe(0);
    const bytes = readFileSync(img);
    expect(bytes.subarray(1024, 1028).toString("latin1")).toBe("KOXA"); // 0x41584f4b LE
    expect(bytes.subarray(1532, 1536).toString("latin1")).toBe("KOXA");
    expect(bytes[1536]).toBe(0);
  }, 150_000);
});
