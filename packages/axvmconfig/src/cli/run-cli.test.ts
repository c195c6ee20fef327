import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAxVMConfig } from "../parse.js";
import { runCli } from "./run-cli.js";

const PKG = fileURLToPath(new URL("../../", import.meta.url));
const BROKEN = join(PKG, "test/broken");
const VMS = fileURLToPath(new URL("../../../../configs/vms/", import.meta.url));

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the CLI in-process; `answers` (when given) are typed on a fake terminal. */
async function cli(argv: string[], opts: { cwd?: string; answers?: string[] } = {}) {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (opts.answers !== undefined) {
    stdin.isTTY = true;
    stdin.end(opts.answers.map((a) => `${a}\n`).join(""));
  } else {
    stdin.end();
  }
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(argv, { stdin, stdout, stderr, cwd: opts.cwd ?? PKG });
  return { code, out: stdout.text, err: stderr.text };
}

const tmp = () => mkdtempSync(join(tmpdir(), "axvmconfig-cli-"));

describe("axvmconfig check", () => {
  it("prints one ok line per valid file, with name, vCPUs and memory", async () => {
    const r = await cli([
      "check",
      join(VMS, "linux-riscv64-qemu-smp2.toml"),
      join(VMS, "nimbos-x86_64-qemu-smp1.toml"),
    ]);
    expect(r).toEqual({
      code: 0,
      out:
        `${join(VMS, "linux-riscv64-qemu-smp2.toml")}: ok (linux-riscv64-smp2, 2 vCPUs, memory 256 MiB at 0x8000_0000)\n` +
        `${join(VMS, "nimbos-x86_64-qemu-smp1.toml")}: ok (nimbos, 1 vCPU, memory 16 MiB at 0x0)\n`,
      err: "",
    });
  });

  it("names the file as typed, prints one line per problem, exits 1, and goes on to the next file", async () => {
    const r = await cli(
      ["check", "broken/overlapping-devices.toml", join(VMS, "arceos-riscv64-qemu-smp1.toml")],
      { cwd: join(PKG, "test") },
    );
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toEqual([
      'broken/overlapping-devices.toml:18: [devices].emu_devices[1]: device "uart2" 0x1000_0080..0x1000_0180 overlaps emulated device 0 ("uart") (0x1000_0000..0x1000_0100)',
      'broken/overlapping-devices.toml:21: [devices].passthrough_devices[0]: passthrough device "ram-grab" 0x8fff_f000..0x9000_1000 overlaps memory region 0 (0x8000_0000..0x9000_0000)',
      "",
    ]);
    expect(r.out).toContain("arceos-riscv64-qemu-smp1.toml: ok (arceos-qemu, 1 vCPU");
  });

  it("reports a syntax error on one line without a stack trace", async () => {
    const r = await cli(["check", join(BROKEN, "syntax-error.toml")]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `${join(BROKEN, "syntax-error.toml")}:15:2: TOML syntax error: invalid value\n`,
    );
  });

  it("reports an unreadable file on one line", async () => {
    const r = await cli(["check", "no-such.toml", "test"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "no-such.toml: cannot read: no such file\ntest: cannot read: is a directory\n",
    );
  });

  it("--images checks that memory images exist", async () => {
    const d = tmp();
    const text = readFileSync(join(VMS, "arceos-riscv64-qemu-smp1.toml"), "utf8");
    writeFileSync(join(d, "a.toml"), text);
    const missing = await cli(["check", "--images", "a.toml"], { cwd: d });
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      `a.toml:23: [kernel].kernel_path: cannot read images/helloworld_riscv64-qemu-virt.bin (${join(d, "images/helloworld_riscv64-qemu-virt.bin")}): no such file\n`,
    );
    mkdirSync(join(d, "images"));
    writeFileSync(join(d, "images/helloworld_riscv64-qemu-virt.bin"), new Uint8Array(64));
    const present = await cli(["check", "--images", "a.toml"], { cwd: d });
    expect(present).toMatchObject({ code: 0, err: "" });
  });

  it("needs at least one file", async () => {
    const r = await cli(["check"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: missing required argument 'files'\n");
  });
});

describe("axvmconfig generate", () => {
  it("writes a valid commented config to stdout from flags alone", async () => {
    const r = await cli(
      ["generate", "-a", "riscv64", "-k", "Image", "-c", "2", "-m", "512M", "-t", "linux"],
      { cwd: tmp() },
    );
    expect(r.code).toBe(0);
    expect(r.err).toBe("warning: kernel image Image does not exist\n");
    expect(r.out).toMatch(
      /^# AxVisor VM config for riscv64, written by axvmconfig \d+\.\d+\.\d+\./,
    );
    const c = parseAxVMConfig(r.out);
    expect(c.base).toEqual({
      id: 1,
      name: "GuestVM-riscv64",
      vmType: 2,
      cpuNum: 2,
      physCpuIds: [0, 1],
    });
    expect(c.kernel.entryPoint).toBe(0x8020_0000);
    expect(c.kernel.memoryRegions).toEqual([
      { gpa: 0x8000_0000, size: 0x2000_0000, flags: 0xf, mapType: 0 },
    ]);
  });

  it("takes every flag", async () => {
    const r = await cli(
      [
        "generate",
        "--arch=aarch64",
        "--id=4",
        "--name=vm4",
        "--vm-type=0",
        "--cpu-num=1",
        "--entry-point=0x4020_1000",
        "--kernel-path=/abs/Image",
        "--kernel-load-addr=0x4020_0000",
        "--image-location=fs",
        "--cmdline=console=ttyAMA0",
        "--memory=0x800_0000",
        "--memory-base=0x4000_0000",
      ],
      { cwd: tmp() },
    );
    expect(r).toMatchObject({ code: 0, err: "" });
    const c = parseAxVMConfig(r.out);
    expect(c.base).toMatchObject({ id: 4, name: "vm4", vmType: 0, cpuNum: 1 });
    expect(c.kernel).toMatchObject({
      entryPoint: 0x4020_1000,
      kernelPath: "/abs/Image",
      kernelLoadAddr: 0x4020_0000,
      imageLocation: "fs",
      cmdline: "console=ttyAMA0",
      memoryRegions: [{ gpa: 0x4000_0000, size: 0x800_0000, flags: 0x7, mapType: 0 }],
    });
  });

  it("-O writes the file, with the kernel path made relative to the file's folder", async () => {
    const d = tmp();
    mkdirSync(join(d, "images"));
    mkdirSync(join(d, "configs"));
    writeFileSync(join(d, "images/k.bin"), "k");
    const r = await cli(
      ["generate", "-a", "riscv64", "-k", "images/k.bin", "-O", "configs/vm.toml"],
      {
        cwd: d,
      },
    );
    expect(r).toEqual({
      code: 0,
      out: "configs/vm.toml: written (GuestVM-riscv64, 1 vCPU, memory 256 MiB at 0x8000_0000)\n",
      err: "",
    });
    const c = parseAxVMConfig(readFileSync(join(d, "configs/vm.toml"), "utf8"));
    expect(c.kernel.kernelPath).toBe("../images/k.bin");
    const check = await cli(["check", "--images", "configs/vm.toml"], { cwd: d });
    expect(check.code).toBe(0);
  });

  it("refuses flags that contradict each other, writing nothing", async () => {
    const d = tmp();
    const r = await cli(["generate", "-a", "riscv64", "-k", "k", "-e", "0x1", "-O", "x.toml"], {
      cwd: d,
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "error: [kernel].entry_point: entry point 0x1 is outside every memory region (0x8000_0000..0x9000_0000)\n",
    );
    expect(r.err).toContain(
      "error: the options above do not make a valid config; nothing written\n",
    );
    expect(existsSync(join(d, "x.toml"))).toBe(false);
  });

  it("without a terminal, a missing required value is an error, not a prompt", async () => {
    const r = await cli(["generate", "-a", "riscv64"]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: "error: missing required option -k/--kernel-path (stdin is not a terminal, so it cannot be asked for)\n",
    });
  });

  it("on a terminal, asks for what is missing, re-asking after a bad answer", async () => {
    const r = await cli(["generate", "--cpu-num", "2"], {
      cwd: tmp(),
      answers: ["sparc", "x86_64", "bzImage", "0xzz", "0x10_0000"],
    });
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      [
        "Architecture (riscv64, aarch64, x86_64) [riscv64]: ",
        '  unknown architecture "sparc"; expected riscv64, aarch64, x86_64\n',
        "Architecture (riscv64, aarch64, x86_64) [riscv64]: ",
        "Kernel image path: ",
        "Kernel load address [0x20_0000]: ",
        '  not an address: "0xzz" (use e.g. 0x8020_0000)\n',
        "Kernel load address [0x20_0000]: ",
        "warning: kernel image bzImage does not exist\n",
      ].join(""),
    );
    const c = parseAxVMConfig(r.out);
    expect(c.base.cpuNum).toBe(2);
    expect(c.kernel).toMatchObject({ kernelPath: "bzImage", kernelLoadAddr: 0x10_0000 });
    // x86_64 enters through its BIOS.
    expect(c.kernel.entryPoint).toBe(0x8000);
  });

  it("on a terminal, an empty answer takes the default", async () => {
    const r = await cli(["generate", "-k", "k"], { cwd: tmp(), answers: ["", ""] });
    expect(r.code).toBe(0);
    expect(parseAxVMConfig(r.out).kernel.kernelLoadAddr).toBe(0x8020_0000);
  });

  it("fails cleanly when the terminal closes before an answer", async () => {
    const r = await cli(["generate"], { answers: [] });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /error: no answer for "Architecture \(riscv64, aarch64, x86_64\)" \(input ended\)\n$/,
    );
  });

  it("rejects malformed flag values", async () => {
    const bad = await cli(["generate", "-a", "riscv64", "-k", "k", "-l", "0x80zz"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      "error: option '-l, --kernel-load-addr <addr>' argument '0x80zz' is invalid. not an address (decimal, 0x hex, 0o or 0b)\n",
    );
    const arch = await cli(["generate", "-a", "mips", "-k", "k"]);
    expect(arch.err).toBe(
      "error: option '-a, --arch <arch>' argument 'mips' is invalid. Allowed choices are riscv64, aarch64, x86_64.\n",
    );
  });
});

describe("axvmconfig --help / --version", () => {
  it("prints the version from package.json", async () => {
    const { version } = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
    expect(await cli(["--version"])).toEqual({ code: 0, out: `${version}\n`, err: "" });
  });

  it("prints help listing both commands", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: axvmconfig");
    expect(r.out).toMatch(/check \[options\] <files\.\.\.>/);
    expect(r.out).toMatch(/generate \[options\]/);
  });

  it("rejects an unknown command", async () => {
    const r = await cli(["frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: unknown command 'frobnicate'\n");
  });
});

const BUILT = join(PKG, "dist/cli.js");
describe("the built bin", () => {
  it.skipIf(!existsSync(BUILT))("runs as a process (skipped until `pnpm build`)", () => {
    const r = spawnSync(process.execPath, [BUILT, "check", join(BROKEN, "zero-cpus.toml")], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `${join(BROKEN, "zero-cpus.toml")}:5: [base].cpu_num: must be at least 1 (a VM needs a vCPU)\n`,
    );
  });
});
