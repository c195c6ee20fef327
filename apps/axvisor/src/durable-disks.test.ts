/**
 * Durable disks, end to end: the real riscv64 Linux guest writes through its virtio-blk driver
 * (dd to /dev/vda, then sync, which sends VIRTIO_BLK_T_FLUSH), and the disk file is checked on
 * the host after each way a run can end: --expect, Ctrl-A x, SIGINT, SIGTERM, a VM restart and
 * stop from the VMM shell. A read-only disk file stays byte for byte as it was. Skipped, with
 * the reason printed, when the shared guest images (or, for the signal cases, the built CLI)
 * are missing.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import type { ConsoleInput } from "./console/host-console.js";
import { ExitStatus } from "./exit-status.js";
import type { CliIo } from "./io.js";
import { SHARED_GUESTS as BESIDE, REPO_ROOT } from "./vmm/test-support/harness.js";

const SHARED_GUESTS = process.env.AXVISOR_GUESTS ?? BESIDE;

const LINUX_CONFIG = resolve(REPO_ROOT, "configs/vms/linux-riscv64-qemu-smp1.toml");
const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");
const need = [
  join(SHARED_GUESTS, "riscv64/linux-Image"),
  join(SHARED_GUESTS, "riscv64/initramfs.cpio.gz"),
];
const missing = need.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.log(`skipping durable-disk tests: missing ${missing.join(", ")}`);
}
if (!existsSync(CLI)) console.log(`skipping the signal cases: ${CLI} is not built`);

const DISK_BYTES = 1 << 20;
const SECTOR = 512;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A 1 MiB zero-filled disk and a copy of the Linux smp1 config that uses it. */
function setup(): { disk: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "axvisor-durable-"));
  dirs.push(dir);
  const disk = join(dir, "disk.img");
  writeFileSync(disk, new Uint8Array(DISK_BYTES));
  const toml = readFileSync(LINUX_CONFIG, "utf8")
    .replace(/^disk_path = .*$/m, `disk_path = ${JSON.stringify(disk)}`)
    .replaceAll('"../../../shared/guests/', `"${SHARED_GUESTS}/`);
  const config = join(dir, "vm.toml");
  writeFileSync(config, toml);
  return { disk, config };
}

/**
 * Shell line for the guest: `tag` into sector `sector` through the block driver, then sync
 * (dirty pages written, then a FLUSH), then a marker the echoed command line cannot contain.
 */
function writeLine(tag: string, sector: number, marker: string): string {
  return `echo ${tag} > /tmp/w; dd if=/tmp/w of=/dev/vda bs=512 seek=${sector} conv=sync 2>/dev/null; sync; echo ${marker}-$((40+2))\\n`;
}

function sectorText(disk: string, sector: number): string {
  const bytes = readFileSync(disk).subarray(sector * SECTOR, (sector + 1) * SECTOR);
  const end = bytes.indexOf(0x0a);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? 0 : end));
}

/** A terminal on stdin: the VMM enables its Ctrl-A escapes; `type` is a key press. */
function fakeTerminal(): { input: ConsoleInput; type: (...chunks: string[]) => void } {
  const listeners = new Set<(chunk: Buffer | string) => void>();
  return {
    input: {
      isTTY: true,
      setRawMode: () => undefined,
      on: (_e, l) => listeners.add(l),
      removeListener: (_e, l) => listeners.delete(l),
      resume: () => undefined,
      pause: () => undefined,
    },
    // Keys arrive from the event loop, as from a real terminal, not inside a console write;
    // each chunk a little after the one before, as typed.
    type: (...chunks) => {
      chunks.forEach((s, i) => {
        setTimeout(() => {
          for (const l of [...listeners]) l(s);
        }, 100 * i);
      });
    },
  };
}

/** CliIo whose stdout calls `onText` with everything printed so far. */
function watchedIo(onText: (all: string) => void, stdin?: ConsoleInput) {
  let out = "";
  let err = "";
  const dec = new TextDecoder();
  const io: CliIo = {
    stdout: {
      write: (d) => {
        out += typeof d === "string" ? d : dec.decode(d);
        onText(out);
      },
    },
    stderr: {
      write: (d) => {
        err += typeof d === "string" ? d : dec.decode(d);
      },
    },
    ...(stdin !== undefined ? { stdin } : {}),
    env: {},
  };
  return { io, out: () => out, err: () => err };
}

describe.skipIf(missing.length > 0)("durable disks under a real Linux guest", () => {
  it("a flushed write is in the file when the run ends on --expect", async () => {
    const { disk, config } = setup();
    const w = watchedIo(() => {});
    const status = await runCli(
      [
        "run",
        config,
        "--send-after",
        "GUEST-INIT-OK",
        writeLine("FLUSHED-EXPECT", 7, "WROTE"),
        "--expect",
        "WROTE-42",
        "--timeout",
        "120",
      ],
      w.io,
    );
    expect(w.err()).toBe("");
    expect(status).toBe(ExitStatus.Success);
    expect(sectorText(disk, 7)).toBe("FLUSHED-EXPECT");
  }, 150_000);

  it("Ctrl-A x after the write leaves it in the file", async () => {
    const { disk, config } = setup();
    const term = fakeTerminal();
    let quit = false;
    const w = watchedIo((all) => {
      if (!quit && all.includes("WROTE-42")) {
        quit = true;
        term.type("\x01x");
      }
    }, term.input);
    const status = await runCli(
      [
        "run",
        config,
        "--send-after",
        "GUEST-INIT-OK",
        writeLine("CTRL-A-X", 9, "WROTE"),
        "--timeout",
        "120",
      ],
      w.io,
    );
    expect(quit).toBe(true);
    expect(status).toBe(ExitStatus.Success);
    expect(sectorText(disk, 9)).toBe("CTRL-A-X");
  }, 150_000);

  it("survives a VM restart (the rebooted guest reads it back) and a stop from the VMM shell", async () => {
    const { disk, config } = setup();
    const term = fakeTerminal();
    let step = 0;
    const w = watchedIo((all) => {
      if (step === 0 && all.includes("BEFORE-42")) {
        step = 1;
        term.type("\x01c", "vm restart 1\n", "\x01c");
      } else if (step === 1 && all.split("GUEST-INIT-OK").length === 3) {
        step = 2;
        term.type(
          "dd if=/dev/vda bs=512 skip=11 count=1 2>/dev/null | head -n 1; echo READ-$((40+2))\n",
        );
      } else if (step === 2 && all.includes("READ-42")) {
        step = 3;
        term.type(writeLine("AFTER-RESTART", 12, "AFTER").replace("\\n", "\n"));
      } else if (step === 3 && all.includes("AFTER-42")) {
        step = 4;
        term.type("\x01c", "vm stop 1\n", "exit\n");
      }
    }, term.input);
    const status = await runCli(
      [
        "run",
        config,
        "--send-after",
        "GUEST-INIT-OK",
        writeLine("BEFORE-RESTART", 11, "BEFORE"),
        "--timeout",
        "150",
      ],
      w.io,
    );
    if (step !== 4) console.log(w.out().slice(-3000));
    expect(step).toBe(4);
    expect(status).not.toBe(ExitStatus.Timeout);
    const afterReboot = w.out().slice(w.out().lastIndexOf("skip=11"));
    expect(afterReboot).toMatch(/\nBEFORE-RESTART\r?\n/);
    expect(sectorText(disk, 11)).toBe("BEFORE-RESTART");
    expect(sectorText(disk, 12)).toBe("AFTER-RESTART");
  }, 200_000);

  it("never modifies a read-only disk file: the guest's writes fail", async () => {
    const { disk, config } = setup();
    const before = Uint8Array.from({ length: DISK_BYTES }, (_, i) => (i * 7) & 0xff);
    writeFileSync(disk, before);
    chmodSync(disk, 0o444);
    const w = watchedIo(() => {});
    const status = await runCli(
      [
        "run",
        config,
        "--send-after",
        "GUEST-INIT-OK",
        "cat /sys/block/vda/ro; dd if=/dev/zero of=/dev/vda bs=512 count=4; sync; echo RO-$((40+2))\\n",
        "--expect",
        "RO-42",
        "--timeout",
        "120",
      ],
      w.io,
    );
    expect(status).toBe(ExitStatus.Success);
    const shown = w.out().slice(w.out().lastIndexOf("/sys/block/vda/ro"));
    expect(shown).toMatch(/\n1\r?\n/); // VIRTIO_BLK_F_RO: Linux marks the disk read-only
    expect(shown).toMatch(/dd: .*(Read-only|Operation not permitted|I\/O error)/i);
    expect(Buffer.compare(readFileSync(disk), before)).toBe(0);
  }, 150_000);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it.skipIf(!existsSync(CLI))(
      `${signal} shuts down in order: the write is in the file, exit ${signal === "SIGINT" ? 130 : 143}, one line and no stack trace`,
      async () => {
        const { disk, config } = setup();
        const tag = `AFTER-${signal}`;
        const child = spawn(
          process.execPath,
          [
            CLI,
            "run",
            config,
            "--send-after",
            "GUEST-INIT-OK",
            writeLine(tag, 5, "WROTE"),
            "--timeout",
            "120",
          ],
          { stdio: ["pipe", "pipe", "pipe"] },
        );
        let out = "";
        let err = "";
        let sent = false;
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (!sent && out.includes("WROTE-42")) {
            sent = true;
            child.kill(signal);
          }
        });
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
        expect(sent).toBe(true);
        expect(code).toBe(signal === "SIGINT" ? ExitStatus.Interrupted : ExitStatus.Terminated);
        expect(err.trim()).toBe(`axvisor run: ${signal}: VMs stopped, disks flushed and closed`);
        expect(sectorText(disk, 5)).toBe(tag);
      },
      150_000,
    );
  }
});
