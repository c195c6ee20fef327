/**
 * Reproductions of CPU bugs the board's guests ran into, reported to the CPU's owner. Each is
 * kept as a regression test now that @axvisor/cpu-x86_64 passes it.
 */
import { CS, DS, ES, SS, X86Cpu } from "@axvisor/cpu-x86_64";
import { allocateRam } from "@axvisor/machine";
import { describe, expect, it } from "vitest";

/** A CPU in 64-bit mode with the low 1 GiB identity-mapped, `code` at 0x1000, stopped by HLT. */
function run64(code: number[]): X86Cpu {
  const ram = allocateRam(4 << 20);
  const v = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  v.setBigUint64(0x10000, 0x11000n | 3n, true); // PML4[0] -> PDPT
  v.setBigUint64(0x11000, 0x83n, true); // PDPT[0]: 1 GiB page at 0, present, writable
  ram.set(code, 0x1000);
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus: { ram, ramBase: 0, load: () => null, store: () => false },
    io: { in: () => 0xffffffff, out: () => {} },
    time: { now: () => 0 },
  });
  cpu.setReg("cr3", 0x10000n);
  cpu.setReg("cr4", 0x20n);
  cpu.setReg("efer", 0x500n);
  cpu.setReg("cr0", 0x8000_0011n);
  cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffff_ffff, attributes: 0xa09b });
  for (const s of [DS, ES, SS])
    cpu.setSegment(s, { selector: 16, base: 0n, limit: 0xffff_ffff, attributes: 0xc093 });
  cpu.setReg("rip", 0x1000n);
  cpu.setReg("rsp", 0x8000n);
  cpu.run(100);
  return cpu;
}

describe("CPU reproductions", () => {
  // Skipped until cpu-x86_64 computes 64-bit effective addresses exactly: it adds base,
  // index * scale and displacement as a float64, so LEA results at or above 2^53 lose their
  // low bits (here 0x40000000000001 comes out as 0x40000000000000). The Debian kernel, booted
  // through PVH, stores exactly that corrupted xarray value and takes a #GP in
  // _find_next_zero_bit (RDI = 0x0040000000000000) from ida_alloc_range during
  // register_irq_proc, after ~330 M instructions; test/extract-vmlinux.sh reproduces it.
  it("LEA computes 64-bit results exactly above 2^53 (Linux's xa_mk_value: lea 0x1(%rax,%rax,1))", () => {
    // mov rax, 1 << 53; lea rax, [rax + rax*1 + 1]; hlt
    const cpu = run64([0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x48, 0x8d, 0x44, 0x00, 0x01, 0xf4]);
    expect(cpu.getReg("rip")).toBe(0x1010n);
    expect(cpu.getReg("rax").toString(16)).toBe("40000000000001");
  });
});
