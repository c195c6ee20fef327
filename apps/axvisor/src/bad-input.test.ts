/**
 * Bad input a user hands `axvisor run`: mutated TOML configs and truncated or corrupt kernel
 * images (ELF, RISC-V Linux Image). Each ends with exit status 2 and problem lines that name
 * the file (never a stack trace), or - for a mutation that is still a valid config - a normal
 * run; the parser never throws anything but its own error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxError } from "@axvisor/axerrno";
import { parseAxVMConfig } from "@axvisor/axvmconfig";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { captureIo } from "./test-support/capture-io.js";
import { SHARED_GUESTS as BESIDE, GUESTS } from "./vmm/test-support/harness.js";

const SHARED_GUESTS = process.env.AXVISOR_GUESTS ?? BESIDE;

const dir = mkdtempSync(join(tmpdir(), "axvisor-bad-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(kernel: string, extra = ""): string {
  return `[base]
id = 1
name = "bad-input"
vm_type = 1
cpu_num = 1
phys_cpu_ids = [0]

[kernel]
entry_point = 0x8020_0000
image_location = "memory"
kernel_path = "${kernel}"
kernel_load_addr = 0x8020_0000
memory_regions = [[0x8000_0000, 0x100_0000, 0xf, 0]]
${extra}
[devices]
interrupt_mode = "emu"
emu_devices = [["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [2]], ["uart", 0x1000_0000, 0x100, 10, 0x2, []]]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`;
}

/**
 * Runs `axvisor run FILE` briefly on the riscv64 host (these configs are riscv64 VMs, so a
 * kernel of another architecture must be refused by the loader, naming the file); returns
 * status and stderr.
 */
async function run(toml: string, name: string): Promise<{ status: number; err: string }> {
  const path = join(dir, `${name}.toml`);
  writeFileSync(path, toml);
  const c = captureIo();
  const status = await runCli(
    ["run", path, "--platform", "riscv64-qemu-virt", "--timeout", "1"],
    c.io,
  );
  return { status, err: c.err() };
}

function expectCleanFailure(r: { status: number; err: string }, pattern: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.err).not.toMatch(/TypeError|RangeError|ReferenceError/);
}

let state = 0x2026_1207;
function rand(n: number): number {
  state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
  return (state >>> 8) % n;
}

describe("mutated TOML configs", () => {
  const base = config(join(GUESTS, "sbi-test", "sbi-test.bin"));
  const mutate = (text: string): string => {
    const lines = text.split("\n");
    switch (rand(7)) {
      case 0: // drop a line
        lines.splice(rand(lines.length), 1);
        return lines.join("\n");
      case 1: // duplicate a line
        lines.splice(rand(lines.length), 0, lines[rand(lines.length)] ?? "");
        return lines.join("\n");
      case 2: // cut the file short
        return text.slice(0, rand(text.length));
      case 3: {
        // a character replaced by something TOML cares about
        const at = rand(text.length);
        return text.slice(0, at) + "[]=\"#,0x-9\n'"[rand(12)] + text.slice(at + 1);
      }
      case 4: // a number made huge, negative or fractional
        return text.replace(/0x[0-9a-f_]+|\b\d+\b/i, rand(2) ? "0xffff_ffff_ffff_ffff_ff" : "-1.5");
      case 5: // a value of the wrong type
        return text.replace(/= .*$/m, "= { nested = true }");
      default: {
        // two characters swapped
        const at = rand(text.length - 1);
        return text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
      }
    }
  };

  it("2000 mutations: the parser returns a config or throws its own error, never anything else", () => {
    let failed = 0;
    for (let i = 0; i < 2000; i++) {
      let text = base;
      for (let k = 0; k <= rand(3); k++) text = mutate(text);
      try {
        parseAxVMConfig(text, { file: "m.toml", source: join(dir, "m.toml") });
      } catch (e) {
        if (!(e instanceof AxError)) throw new Error(`mutation ${i} threw ${String(e)}:\n${text}`);
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(500);
  });

  it("through axvisor run: exit 2 with the problems, no stack trace (40 invalid mutations)", async () => {
    let ran = 0;
    for (let i = 0; ran < 40 && i < 400; i++) {
      const text = mutate(mutate(base));
      try {
        parseAxVMConfig(text, { file: "m.toml", source: join(dir, "m.toml") });
        continue; // still valid: nothing to see here
      } catch {
        ran++;
      }
      expectCleanFailure(await run(text, `mutated-${i}`), /axvisor run: /);
    }
    expect(ran).toBe(40);
  });
});

describe("truncated and corrupt kernel images", () => {
  const elf = new Uint8Array(readFileSync(join(GUESTS, "sbi-test", "sbi-test.elf")));
  const write = (name: string, bytes: Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const patched = (src: Uint8Array, at: number, value: bigint, width: 2 | 4 | 8): Uint8Array => {
    const b = src.slice();
    const v = new DataView(b.buffer);
    if (width === 2) v.setUint16(at, Number(value), true);
    else if (width === 4) v.setUint32(at, Number(value), true);
    else v.setBigUint64(at, value, true);
    return b;
  };

  it("ELF: truncated anywhere in its headers, or with impossible header fields", async () => {
    const cases: [string, Uint8Array][] = [
      ["elf-cut-16", elf.slice(0, 16)],
      ["elf-cut-63", elf.slice(0, 63)],
      ["elf-cut-80", elf.slice(0, 80)],
      ["elf-cut-200", elf.slice(0, 200)],
      ["elf-phoff-huge", patched(elf, 32, 0xffff_ffff_ffff_ff00n, 8)],
      ["elf-phnum-huge", patched(elf, 56, 0xffffn, 2)],
      ["elf-phentsize-0", patched(elf, 54, 0n, 2)],
      ["elf-filesz-huge", patched(elf, 64 + 32, 0xffff_ffffn, 8)],
      ["elf-paddr-huge", patched(elf, 64 + 24, 0xffff_ffff_ffff_f000n, 8)],
      ["elf-class-32", patched(elf, 4, 1n, 2)],
      ["elf-machine-x86", patched(elf, 18, 62n, 2)],
    ];
    for (const [name, bytes] of cases) {
      const r = await run(config(write(`${name}.elf`, bytes)), name);
      if (r.status !== 2) console.log(name, r.status, r.err);
      expectCleanFailure(r, new RegExp(`axvisor run: .*${name}\\.elf`));
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
  });

  it("RISC-V Linux Image: a header cut short or claiming more than RAM", async () => {
    const image = join(SHARED_GUESTS, "riscv64", "linux-Image");
    let header: Uint8Array;
    try {
      header = new Uint8Array(readFileSync(image)).slice(0, 4096);
    } catch {
      console.log(`skipping the Image cases: ${image} is not there`);
      return;
    }
    const cases: [string, Uint8Array][] = [
      ["image-cut-60", header.slice(0, 60)],
      ["image-size-huge", patched(header, 16, 0x7fff_ffff_0000n, 8)],
    ];
    for (const [name, bytes] of cases) {
      const r = await run(config(write(`${name}.bin`, bytes)), name);
      if (r.status !== 2) console.log(name, r.status, r.err);
      expectCleanFailure(r, new RegExp(`axvisor run: .*${name}\\.bin`));
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
  });
});
