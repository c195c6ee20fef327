/**
 * axvm-bios (guests/x86_64/bios, committed binary) on the board, entered at 0x8000 in flat
 * real mode as a hypervisor starts it, with small hand-assembled multiboot kernels: it moves
 * a kernel whose header asks for another load address, clears its .bss, enters it with the
 * multiboot magic and information, and refuses a header it cannot honour with a clear line.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MachineExit } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { PcMachine } from "./machine.js";

const BIOS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
  "guests",
  "x86_64",
  "bios",
);
const bios = new Uint8Array(readFileSync(join(BIOS_DIR, "axvm-bios.bin")));
const resetRom = new Uint8Array(readFileSync(join(BIOS_DIR, "reset-rom.bin")));

const MAGIC = 0x1badb002;
const LOAD = 0x30_0000;
const BSS_END = LOAD + 0x2000;
/** mov dx, 0x604; mov ax, 0x2000; out dx, ax (ACPI S5); hlt */
const POWEROFF = "66 ba 04 06 66 b8 00 20 66 ef f4";

/**
 * A multiboot kernel linked at 0x30_0000 (the BIOS finds it at 0x20_0000 and must move it).
 * Its code, in 32-bit protected mode: prints "M" if EAX holds the boot loader magic, then
 * mem_upper / 1024 + 1 (the RAM in MiB) as one byte, "Z" if the dword at BSS_END - 4 is zero,
 * and powers off through PM1a (0x604).
 */
function testKernel(flags: number): Uint8Array {
  // magic, flags, checksum, header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr
  const header = [
    MAGIC,
    flags,
    -(MAGIC + flags) >>> 0,
    LOAD,
    LOAD,
    LOAD + 0x100,
    BSS_END,
    LOAD + 0x20,
  ];
  const code = bytes(
    "66 ba f8 03", // mov dx, 0x3f8
    "3d 02 b0 ad 2b", // cmp eax, 0x2badb002
    "b0 58", // mov al, 'X'
    "75 02", // jne +2
    "b0 4d", // mov al, 'M'
    "ee", // out dx, al
    "8b 43 08", // mov eax, [ebx + 8]   (mem_upper, KiB)
    "c1 e8 0a", // shr eax, 10
    "40", // inc eax
    "ee", // out dx, al
    `83 3d ${hex32(BSS_END - 4)} 00`, // cmp dword [BSS_END - 4], 0
    "b0 4e", // mov al, 'N'
    "75 02", // jne +2
    "b0 5a", // mov al, 'Z'
    "ee", // out dx, al
    POWEROFF,
  );
  const image = new Uint8Array(0x100);
  const view = new DataView(image.buffer);
  for (const [i, v] of header.entries()) view.setUint32(4 * i, v, true);
  image.set(code, 0x20);
  return image;
}

/** Machine code from hex byte strings. */
function bytes(...parts: string[]): Uint8Array {
  return Uint8Array.from(
    parts
      .join(" ")
      .split(/\s+/)
      .map((b) => Number.parseInt(b, 16)),
  );
}

/** A little-endian dword as hex bytes. */
function hex32(v: number): string {
  return [0, 8, 16, 24].map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, "0")).join(" ");
}

async function boot(
  kernel: Uint8Array,
  stopOn?: string,
): Promise<{ log: string; exit: MachineExit }> {
  let log = "";
  const m = new PcMachine({
    cpus: 1,
    ramSize: 32 << 20,
    images: { firmware: { name: "reset-rom.bin", data: resetRom } },
    console: (b) => {
      log += new TextDecoder("latin1").decode(b);
      if (stopOn !== undefined && log.includes(stopOn)) m.stop("seen");
    },
  });
  m.ram.set(bios, 0x8000);
  m.ram.set(kernel, 0x20_0000);
  // Garbage where the kernel's .bss goes: the BIOS must clear it.
  m.ram.fill(0xa5, LOAD + 0x100, BSS_END);
  const timer = setTimeout(() => m.stop("time limit"), 10_000);
  const exit = await m.run();
  clearTimeout(timer);
  return { log, exit };
}

describe("axvm-bios", () => {
  it("moves a kernel to its multiboot load address, clears its .bss and enters it with the magic and RAM size", async () => {
    const { log, exit } = await boot(testKernel(0x0001_0002));
    expect(log).toContain(
      "axvm-bios (AxVisor.ts): RAM 32 MiB (fw_cfg), kernel at 0x200000, entry 0x00300020 (multiboot)\r\n",
    );
    expect(log.endsWith(`M${String.fromCharCode(32)}Z`)).toBe(true);
    expect(exit).toEqual({ kind: "poweroff", success: true, code: 0, source: "acpi" });
  });

  it("stops with a one-line error for a header that demands a video mode", async () => {
    const { log, exit } = await boot(testKernel(0x0001_0004), "halting");
    expect(log).toContain(
      "axvm-bios: the kernel's multiboot header requires a feature this BIOS lacks (video mode?); halting",
    );
    expect(exit).toEqual({ kind: "stopped", reason: "seen" });
  });

  it("enters a kernel without a multiboot header at 0x20_0000", async () => {
    const flat = bytes(POWEROFF);
    const { log, exit } = await boot(flat);
    expect(log).toContain("entry 0x00200000 (no multiboot header: entry at the image start)");
    expect(exit).toEqual({ kind: "poweroff", success: true, code: 0, source: "acpi" });
  });
});
