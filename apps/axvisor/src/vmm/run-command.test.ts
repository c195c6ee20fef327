import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { GUESTS } from "./test-support/harness.js";

const dir = mkdtempSync(join(tmpdir(), "axvisor-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config for one of our own guests, with paths relative to the config file. */
function ownGuestToml(
  name: string,
  guest: string,
  { id = 1, cpus = 1, extra = "" }: { id?: number; cpus?: number; extra?: string } = {},
): string {
  const path = join(dir, `${name}.toml`);
  writeFileSync(
    path,
    `[base]
id = ${id}
name = "${name}"
vm_type = 1
cpu_num = ${cpus}
phys_cpu_ids = [${Array.from({ length: cpus }, (_, i) => i).join(", ")}]

[kernel]
entry_point = 0x8020_0000
image_location = "memory"
kernel_path = "${join(GUESTS, guest, `${guest}.bin`)}"
kernel_load_addr = 0x8020_0000
memory_regions = [[0x8000_0000, 0x100_0000, 0xf, 0]]
${extra}

[devices]
interrupt_mode = "emu"
emu_devices = [["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [${2 * cpus}]]]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`,
  );
  return path;
}

describe("axvisor run", () => {
  it("--default-guest boots the demo, types after the prompt and exits 0 on --expect", async () => {
    const c = captureIo();
    const status = await runCli(
      [
        "run",
        "--default-guest",
        "--send-after",
        "demo> ",
        "echo hi\\r",
        "--expect",
        "\\r?\\nhi\\r?\\n",
        "--timeout",
        "60",
      ],
      c.io,
    );
    expect(c.err()).toBe("");
    expect(status).toBe(0);
    expect(c.out()).toContain("DEMO-READY");
    expect(c.out()).toMatch(/disk sector 0 read: 41 78 56 69/);
  });

  it("runs the SBI test to its SRST power-off: status 0, and 4 when --expect never matched", async () => {
    const cfg = ownGuestToml("sbi", "sbi-test");
    const c = captureIo();
    expect(await runCli(["run", cfg, "--timeout", "60"], c.io)).toBe(0);
    expect(c.out()).toMatch(/SBI-TEST PASS \d+/);
    const d = captureIo();
    expect(await runCli(["run", cfg, "--expect", "NEVER-PRINTED", "--timeout", "60"], d.io)).toBe(
      4,
    );
    expect(d.err()).toMatch(/guest powered off .* before --expect matched/);
  });

  it("labels the output of several VMs and types send-after text into the VM that printed the match", async () => {
    const a = ownGuestToml("left", "demo", { id: 1 });
    const b = ownGuestToml("right", "demo", { id: 2 });
    const c = captureIo();
    const status = await runCli(
      [
        "run",
        a,
        b,
        "--send-after",
        "\\[vm2 right\\] demo> ",
        "echo from-two\\r",
        "--expect",
        "\\[vm2 right\\] from-two",
        "--timeout",
        "60",
      ],
      c.io,
    );
    expect(status).toBe(0);
    const out = c.out();
    expect(out).toMatch(/^\[vm1 left\] DEMO-READY/m);
    expect(out).toMatch(/^\[vm2 right\] DEMO-READY/m);
    expect(out).not.toMatch(/\[vm1 left\] from-two/);
  });

  it("exits 1 when the guest powers off reporting a system failure", async () => {
    // Without ivc.role on its command line the IVC test fails and says so through SRST.
    const cfg = ownGuestToml("norole", "ivc-test");
    const c = captureIo();
    expect(await runCli(["run", cfg, "--timeout", "60"], c.io)).toBe(1);
    expect(c.out()).toMatch(/IVC-TEST FAIL 1\/0/);
    expect(c.err()).toContain("axvisor run: guest reported failure through VM 1 SBI SRST: code 1");
  });

  it("logs in AxVisor's format at the level LOG= or --log asks for", async () => {
    const cfg = ownGuestToml("logged", "sbi-test");
    const c = captureIo({ LOG: "info" });
    expect(await runCli(["run", cfg, "--timeout", "60"], c.io)).toBe(0);
    expect(c.err()).toMatch(
      /^\[ *\d+\.\d{6} 0:0 INFO {2}axvisor::vmm\] VM 1 "logged" created: 1 vCPU\(s\), 16 MiB RAM, VMID 1$/m,
    );
    expect(c.err()).toMatch(
      /^\[ *\d+\.\d{6} 0:1 INFO {2}axvisor::vmm\] VM 1 "logged" stopped: powered off$/m,
    );
    expect(c.err()).toMatch(/guest instructions in [\d.]+ s \([\d.]+ MIPS\)/);
    const quiet = captureIo({ LOG: "info" });
    expect(await runCli(["run", cfg, "--log", "error", "--timeout", "60"], quiet.io)).toBe(0);
    expect(quiet.err()).toBe("");
  });

  it('reads the images of an image_location = "fs" config from the --disk FAT32 image', async () => {
    const img = join(dir, "boot.img");
    const made = captureIo();
    const demo = join(GUESTS, "demo", "demo.bin");
    expect(
      await runCli(
        ["disk-img", "create", img, "--size", "34M", "--add", `${demo}:/boot/demo.bin`],
        made.io,
      ),
    ).toBe(0);
    const cfg = ownGuestToml("fromdisk", "demo");
    writeFileSync(
      cfg,
      readFileSync(cfg, "utf8")
        .replace('image_location = "memory"', 'image_location = "fs"')
        .replace(/kernel_path = ".*"/, 'kernel_path = "/boot/demo.bin"'),
    );
    const c = captureIo();
    const args = ["run", cfg, "--disk", img, "--expect", "DEMO-READY", "--timeout", "60"];
    expect(await runCli(args, c.io)).toBe(0);
    const without = captureIo();
    expect(await runCli(["run", cfg, "--timeout", "60"], without.io)).toBe(2);
    expect(without.err()).toMatch(
      /^axvisor run: VM 1 "fromdisk": image_location = "fs" reads the images .* but none was given/,
    );
  });

  it("sizes host RAM for the VMs, and --memory too small for them is a clear error", async () => {
    const cfg = ownGuestToml("big", "demo");
    const c = captureIo();
    expect(await runCli(["run", cfg, "--memory", "16M"], c.io)).toBe(2);
    expect(c.err()).toMatch(
      /^axvisor run: VM 1 "big" needs 16 MiB of RAM but the host has [\d.]+ (MiB|KiB) left .*use --memory\)\n$/,
    );
  });

  it("runs the vm_configs of a --board file when no config is given", async () => {
    const cfg = ownGuestToml("fromboard", "sbi-test");
    const board = join(dir, "board.toml");
    writeFileSync(board, `cpu_num = 1\nmemory = "64M"\nvm_configs = ["${cfg}"]\n`);
    const c = captureIo();
    expect(await runCli(["run", "--board", board, "--timeout", "60"], c.io)).toBe(0);
    expect(c.out()).toMatch(/SBI-TEST PASS/);
    const bad = join(dir, "badboard.toml");
    writeFileSync(bad, 'platform = "x86_64-pc"\n');
    const d = captureIo();
    expect(await runCli(["run", "--board", bad, "--default-guest"], d.io)).toBe(2);
    expect(d.err()).toMatch(/badboard\.toml:1: platform: unknown platform "x86_64-pc"/);
  });

  it("refuses a kernel of another architecture and an undersized PLIC, one line each", async () => {
    // An arm64 Linux Image header (arm64 booting.rst: magic "ARM\x64" at offset 56).
    const image = new Uint8Array(4096);
    image.set(new TextEncoder().encode("ARM\x64"), 56);
    const imagePath = join(dir, "arm64-Image");
    writeFileSync(imagePath, image);
    const cfg = ownGuestToml("armguest", "demo");
    writeFileSync(
      cfg,
      readFileSync(cfg, "utf8").replace(/kernel_path = ".*"/, `kernel_path = "${imagePath}"`),
    );
    const picked = captureIo();
    expect(await runCli(["run", cfg, "--timeout", "60"], picked.io)).toBe(2);
    // The Image picks the aarch64 platform, which names the row it has no model for.
    expect(picked.err()).toMatch(
      /^axvisor run: VM 1 "armguest": emulated device "plic" \(PPPTGlobal, type 0x30\) at 0xc000000: no device model is registered for this type\n$/,
    );
    const forced = captureIo();
    const args = ["run", cfg, "--platform", "riscv64-qemu-virt", "--timeout", "60"];
    expect(await runCli(args, forced.io)).toBe(2);
    expect(forced.err()).toBe(
      `axvisor run: VM 1 "armguest": ${imagePath}: wrong architecture: it is a Linux arm64 Image, but the VM is riscv64\n`,
    );

    const smp2 = ownGuestToml("smallplic", "demo", { cpus: 2 });
    writeFileSync(smp2, readFileSync(smp2, "utf8").replace("0x30, [4]", "0x30, [2]"));
    const c = captureIo();
    expect(await runCli(["run", smp2, "--timeout", "60"], c.io)).toBe(2);
    expect(c.err()).toBe(
      'axvisor run: VM 1 "smallplic": the PLIC "plic" has cfg_list = [2] contexts, but 2 vCPU(s) need 4 (two per vCPU: M and S mode)\n',
    );
  });

  it("reports a timeout with status 3", async () => {
    const c = captureIo();
    const status = await runCli(
      ["run", "--default-guest", "--expect", "NEVER", "--timeout", "1"],
      c.io,
    );
    expect(status).toBe(3);
    expect(c.err()).toContain("axvisor run: timeout: 1 s expired");
  });

  it("gives one-line errors for bad input, exit status 2", async () => {
    const cases: [string[], RegExp][] = [
      [["run"], /^axvisor run: nothing to run: give VM config files or --default-guest/],
      [["run", "--bogus"], /^axvisor run: unknown option '--bogus'/],
      [["run", "--cpus", "9", "x.toml"], /^axvisor run: --cpus: expected 1\.\.8 harts, got '9'/],
      [["run", "--expect", "(", "x.toml"], /^axvisor run: --expect: bad regular expression/],
      [
        ["run", "--platform", "sparc64-virt", "--default-guest"],
        /^axvisor run: unknown platform 'sparc64-virt'; known platforms: riscv64-qemu-virt, /,
      ],
      [["run", join(dir, "missing.toml")], /missing\.toml: cannot read/],
      [["run", "--default-guest", "--log", "loud"], /--log: unknown log level 'loud'/],
    ];
    for (const [args, re] of cases) {
      const c = captureIo();
      expect(await runCli(args, c.io), args.join(" ")).toBe(2);
      expect(c.err(), args.join(" ")).toMatch(re);
      expect(c.err().trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
  });

  it("names the problem in a broken config, an image that does not fit and overlapping devices", async () => {
    const broken = join(dir, "broken.toml");
    writeFileSync(broken, "[base]\nid = 1\n");
    const bigImage = ownGuestToml("tiny", "demo", {}).replace("tiny", "tiny");
    writeFileSync(
      bigImage,
      (await import("node:fs"))
        .readFileSync(bigImage, "utf8")
        .replace("0x100_0000, 0xf", "0x1000, 0xf")
        .replace("0x8000_0000, 0x1000", "0x8020_0000, 0x1000"),
    );
    const overlap = ownGuestToml("overlap", "demo", {});
    writeFileSync(
      overlap,
      (await import("node:fs"))
        .readFileSync(overlap, "utf8")
        .replace("emu_devices = [", 'emu_devices = [["uart", 0x8000_1000, 0x100, 0, 0x2, []], '),
    );
    for (const [path, re] of [
      [broken, /broken\.toml/],
      [bigImage, /demo\.bin/],
      [overlap, /overlaps/],
    ] as const) {
      const c = captureIo();
      expect(await runCli(["run", path], c.io), path).toBe(2);
      expect(c.err(), path).toMatch(re);
      expect(c.err()).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

class FakeStdin extends EventEmitter {
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(_mode: boolean) {}
  resume() {}
  pause() {}
  type(s: string) {
    this.emit("data", Buffer.from(s));
  }
}

function waitFor(text: () => string, re: RegExp, ms = 30_000): Promise<void> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (re.test(text())) return resolve();
      if (performance.now() - start > ms)
        return reject(new Error(`${re} not seen; output:\n${text().slice(-1500)}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe("the VMM shell from the command line", () => {
  it("axvisor shell runs a piped script and leaves once no VM runs", async () => {
    const cfg = ownGuestToml("scripted", "demo");
    const stdin = new FakeStdin(false);
    const c = captureIo();
    const done = runCli(["shell", cfg], { ...c.io, stdin });
    await waitFor(c.out, /Welcome to AxVisor Shell!/);
    stdin.type("vm list\nvm start 1\n");
    await waitFor(c.out, /\[vm1 scripted\] DEMO-READY/);
    stdin.type("vm stop 1\nvm list\n");
    stdin.emit("end");
    expect(await done).toBe(0);
    const out = c.out();
    expect(out).toMatch(/1\s+scripted\s+Loaded/);
    expect(out).toContain('VM 1 "scripted" started');
    expect(out).toContain('VM 1 "scripted" stopped');
    expect(out).toMatch(/1\s+scripted\s+Stopped/);
  });

  it("Ctrl-A n moves keyboard input to the next VM", async () => {
    const a = ownGuestToml("first", "demo", { id: 1 });
    const b = ownGuestToml("second", "demo", { id: 2 });
    const stdin = new FakeStdin(true);
    const c = captureIo();
    const done = runCli(["run", a, b, "--timeout", "60"], { ...c.io, stdin });
    await waitFor(
      c.out,
      /\[vm1 first\] demo> [\s\S]*\[vm2 second\] demo> |\[vm2 second\] demo> [\s\S]*\[vm1 first\] demo> /,
    );
    stdin.type("echo to-first\r");
    await waitFor(c.out, /\[vm1 first\] to-first/);
    stdin.type("\x01n");
    await waitFor(c.err, /console input goes to vm2 second/);
    stdin.type("echo to-second\r");
    await waitFor(c.out, /\[vm2 second\] to-second/);
    stdin.type("\x01x");
    expect(await done).toBe(0);
    expect(c.out()).not.toMatch(/\[vm2 second\] to-first|\[vm1 first\] to-second/);
  });

  it("Ctrl-A c opens the shell while the guest keeps running, Ctrl-A c returns, Ctrl-A x quits", async () => {
    const stdin = new FakeStdin(true);
    const c = captureIo();
    const done = runCli(["run", "--default-guest", "--timeout", "60"], { ...c.io, stdin });
    await waitFor(c.out, /demo> /);
    stdin.type("\x01c");
    await waitFor(c.out, /Welcome to AxVisor Shell![^\n]*\r\naxvisor:\$ /);
    stdin.type("vm list\r");
    await waitFor(c.out, /1\s+demo\s+Running\s+2\s+64 MiB[^\n]*\r\naxvisor:\$ $/);
    stdin.type("\x01c");
    await waitFor(c.out, /\[back to the guest console\]/);
    stdin.type("echo back\r");
    await waitFor(c.out, /\r\nback\r\n/);
    stdin.type("\x01x");
    expect(await done).toBe(0);
    expect(c.err()).toContain("axvisor: terminated");
  });
});
