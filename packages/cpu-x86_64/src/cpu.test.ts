import { describe, expect, it } from "vitest";
import { X86Cpu } from "./cpu.js";
import { CS } from "./regs.js";
import type { InterruptController, PhysBus, PortIo } from "./types.js";

/** 1 MiB of RAM at 0, a 64 KiB ROM at the top of the 4 GiB space, ports recorded. */
class Board implements PhysBus, PortIo {
  readonly ram = new Uint8Array(1 << 20);
  readonly ramBase = 0;
  readonly rom = new Uint8Array(0x10000);
  readonly outs: [number, number][] = [];
  readonly stores: [number, number][] = [];
  ticks = 0;
  readonly time = { now: () => this.ticks };

  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null {
    if (paddr >= 0xffff0000 && paddr + width <= 0x100000000) {
      let v = 0n;
      for (let i = width - 1; i >= 0; i--)
        v = (v << 8n) | BigInt(this.rom[paddr - 0xffff0000 + i]!);
      return v;
    }
    return null;
  }

  store(paddr: number, _width: 1 | 2 | 4 | 8, value: bigint): boolean {
    this.stores.push([paddr, Number(value)]);
    return false;
  }

  in(port: number): number {
    return port === 0x61 ? 0x20 : 0xffffffff;
  }

  out(port: number, _size: 1 | 2 | 4, value: number): void {
    this.outs.push([port, value]);
  }

  cpu(options: { cpuId?: number; lapic?: InterruptController } = {}): X86Cpu {
    const o = {
      cpuId: options.cpuId ?? 0,
      apicId: options.cpuId ?? 0,
      bus: this,
      io: this,
      time: this.time,
    };
    return new X86Cpu(options.lapic === undefined ? o : { ...o, lapic: options.lapic });
  }
}

class Pic implements InterruptController {
  pending: number[] = [];
  acks = 0;
  hasInterrupt(): boolean {
    return this.pending.length > 0;
  }
  acknowledge(): number {
    this.acks++;
    return this.pending.shift() ?? 0x27;
  }
}

describe("X86Cpu", () => {
  it("starts at F000:FFF0 with CS base FFFF0000 and fetches the reset vector from the ROM", () => {
    const b = new Board();
    // mov ax, 0x1234 ; out 0x80, ax ; hlt
    b.rom.set([0xb8, 0x34, 0x12, 0xe7, 0x80, 0xf4], 0xfff0);
    const cpu = b.cpu();
    expect(cpu.getSegment(CS)).toEqual({
      selector: 0xf000,
      base: 0xffff0000n,
      limit: 0xffff,
      attributes: 0x9b,
    });
    expect(cpu.getReg("rip")).toBe(0xfff0n);
    expect(cpu.run(100)).toBe("hlt");
    expect(b.outs).toEqual([[0x80, 0x1234]]);
    expect(cpu.getReg("rip")).toBe(0xfff6n);
  });

  it("delivers an external interrupt through the IVT after STI; HLT wakes up", () => {
    const b = new Board();
    // IVT[0x20] = 0000:0500; handler: out 0x81, al ; iret
    b.ram.set([0x00, 0x05, 0x00, 0x00], 0x20 * 4);
    b.ram.set([0xe6, 0x81, 0xcf], 0x500);
    // at 0x7c00: mov al, 0x42 ; sti ; hlt ; out 0x82, al ; hlt
    b.ram.set([0xb0, 0x42, 0xfb, 0xf4, 0xe6, 0x82, 0xf4], 0x7c00);
    const pic = new Pic();
    const cpu = b.cpu({ lapic: pic });
    cpu.setSegment(CS, { selector: 0, base: 0n, limit: 0xffff, attributes: 0x9b });
    cpu.setReg("rip", 0x7c00n);
    cpu.setReg("rsp", 0x7000n);
    expect(cpu.run(100)).toBe("hlt");
    expect(b.outs).toEqual([]);
    pic.pending.push(0x20);
    expect(cpu.run(100)).toBe("hlt");
    expect(pic.acks).toBe(1);
    expect(b.outs).toEqual([
      [0x81, 0x42],
      [0x82, 0x42],
    ]);
  });

  it("shuts down on a triple fault", () => {
    const b = new Board();
    // lidt [0x600] (limit 0) ; int3
    b.ram.set([0x0f, 0x01, 0x1e, 0x00, 0x06, 0xcc], 0x7c00);
    const cpu = b.cpu();
    cpu.setSegment(CS, { selector: 0, base: 0n, limit: 0xffff, attributes: 0x9b });
    cpu.setReg("rip", 0x7c00n);
    expect(cpu.run(100)).toBe("shutdown");
    expect(cpu.run(100)).toBe("shutdown");
  });

  it("keeps an AP in wait-for-SIPI until a Startup IPI starts it at vector << 12", () => {
    const b = new Board();
    b.ram.set([0xb0, 0x07, 0xe6, 0x90, 0xf4], 0x9000); // mov al, 7 ; out 0x90, al ; hlt
    const ap = b.cpu({ cpuId: 1 });
    expect(ap.run(100)).toBe("hlt");
    expect(b.outs).toEqual([]);
    ap.startupIpi(0x09);
    expect(ap.getSegment(CS).base).toBe(0x9000n);
    expect(ap.run(100)).toBe("hlt");
    expect(b.outs).toEqual([[0x90, 7]]);
  });

  it("reads all ones from unassigned physical addresses and drops writes there", () => {
    const b = new Board();
    // The physical accessors every instruction's memory access ends in.
    const cpu = b.cpu();
    expect(cpu.physRead32(0xf0000000)).toBe(0xffffffff);
    expect(cpu.physRead8(0x100000)).toBe(0xff);
    cpu.physWrite32(0xf0000000, 0x1234);
    expect(b.stores).toEqual([[0xf0000000, 0x1234]]);
  });

  it("never throws a host error on random code in real, protected and long mode", () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let round = 0; round < 60; round++) {
      const b = new Board();
      for (let i = 0; i < 0x20000; i++) b.ram[i] = rnd();
      const cpu = b.cpu();
      const mode = round % 3;
      cpu.setSegment(CS, {
        selector: 8,
        base: 0n,
        limit: mode === 0 ? 0xffff : 0xffffffff,
        attributes: mode === 0 ? 0x9b : mode === 1 ? 0xc09b : 0xa09b,
      });
      if (mode > 0) cpu.setReg("cr0", 0x11n);
      if (mode === 2) {
        // Long mode without paging is not architectural; give it identity 1 GiB pages at 0x1000.
        b.ram.fill(0, 0x1000, 0x3000);
        b.ram.set([0x03, 0x20, 0, 0], 0x1000); // PML4[0] -> 0x2000
        for (let i = 0; i < 4; i++) b.ram.set([0x83, 0, 0, i << 6], 0x2000 + i * 8); // 1 GiB pages
        cpu.setReg("cr4", 0x20n);
        cpu.setReg("cr3", 0x1000n);
        cpu.setReg("efer", 0x500n);
        cpu.setReg("cr0", 0x80000011n);
        cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xa09b });
      }
      cpu.setReg("rip", BigInt(0x4000 + round * 97));
      for (let slice = 0; slice < 20; slice++) {
        const r = cpu.run(500);
        if (r === "shutdown") break;
        if (r === "hlt") cpu.nmi();
      }
    }
  });

  it("gives the host RDMSR/WRMSR access with the CPU's rules", () => {
    const cpu = new Board().cpu();
    expect(cpu.writeMsr(0xc0000082, 0xffffffff81000000n)).toBe(true); // LSTAR
    expect(cpu.readMsr(0xc0000082)).toBe(0xffffffff81000000n);
    expect(cpu.writeMsr(0xc0000082, 0x0000800000000000n)).toBe(false); // not canonical
    expect(cpu.readMsr(0x480)! & 0x7fffffffn).toBe(1n); // IA32_VMX_BASIC revision
    expect(cpu.readMsr(0x12345678)).toBeNull();
    expect(cpu.writeMsr(0x277, 0x0007040600070406n)).toBe(true); // PAT
    expect(cpu.writeMsr(0x277, 0x02n)).toBe(false); // reserved memory type
  });

  it("XADD with one register as both operands keeps the sum", () => {
    const b = new Board();
    // mov eax, 5 (66 b8 05 00 00 00 in 16-bit code) ; xadd eax, eax (66 0f c1 c0) ; hlt
    b.ram.set([0x66, 0xb8, 0x05, 0, 0, 0, 0x66, 0x0f, 0xc1, 0xc0, 0xf4], 0x7c00);
    const cpu = b.cpu();
    cpu.setSegment(CS, { selector: 0, base: 0n, limit: 0xffff, attributes: 0x9b });
    cpu.setReg("rip", 0x7c00n);
    expect(cpu.run(10)).toBe("hlt");
    expect(cpu.getReg("rax")).toBe(10n);
  });

  it("computes 64-bit LEA results and LOOP counts exactly above 2^53", () => {
    const b = new Board();
    // Long mode with the low 1 GiB identity-mapped (PML4 at 0x10000, a 1 GiB page).
    b.ram.set([0x03, 0x10, 0x01, 0x00], 0x10000);
    b.ram.set([0x83, 0x00, 0x00, 0x00], 0x11000);
    // mov rax, 1 << 53 ; lea rax, [rax + rax*1 + 1] ; mov rcx, (1 << 60) + 2 ; loop . ; hlt
    b.ram.set([0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x48, 0x8d, 0x44, 0x00, 0x01], 0x1000);
    b.ram.set([0x48, 0xb9, 2, 0, 0, 0, 0, 0, 0, 0x10, 0xe2, 0xfe, 0xf4], 0x100f);
    const cpu = b.cpu();
    cpu.setReg("cr3", 0x10000n);
    cpu.setReg("cr4", 0x20n);
    cpu.setReg("efer", 0x500n);
    cpu.setReg("cr0", 0x80000011n);
    cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xa09b });
    cpu.setReg("rip", 0x1000n);
    expect(cpu.run(4)).toBe("budget");
    expect(cpu.getReg("rax")).toBe(0x40000000000001n);
    expect(cpu.getReg("rcx")).toBe((1n << 60n) + 1n);
    cpu.run(1);
    expect(cpu.getReg("rcx")).toBe(1n << 60n);
  });
});

describe("REP MOVS/STOS", () => {
  /** The architectural result: element by element, each read before it is written. */
  function reference(
    ram: Uint8Array,
    movs: boolean,
    size: number,
    esi: number,
    edi: number,
    n: number,
    eax: number,
  ): void {
    for (let i = 0; i < n; i++) {
      const el = movs
        ? ram.slice(esi, esi + size)
        : Uint8Array.from({ length: size }, (_, b) => (eax >>> (8 * b)) & 0xff);
      ram.set(el, edi);
      if (movs) esi += size;
      edi += size;
    }
  }

  const cases: [string, number[], boolean, number, number, number, number][] = [
    // name, opcode bytes, movs, size, esi, edi, ecx
    ["movsb, disjoint, across pages", [0xa4], true, 1, 0x10f00, 0x30ff0, 5000],
    ["movsb, destination one byte ahead (replicates)", [0xa4], true, 1, 0x20000, 0x20001, 300],
    [
      "movsd, destination behind the source (overlap)",
      [0x66, 0xa5],
      true,
      4,
      0x40010,
      0x40004,
      2000,
    ],
    ["movsd, unaligned across pages", [0x66, 0xa5], true, 4, 0x50ffe, 0x61ffd, 3000],
    ["stosb, across pages", [0xaa], false, 1, 0, 0x70010, 9000],
    ["stosw, unaligned", [0xab], false, 2, 0, 0x80fff, 4100],
    ["stosd", [0x66, 0xab], false, 4, 0, 0x90000, 4096],
  ];
  for (const [name, op, movs, size, esi, edi, ecx] of cases) {
    it(`matches element-wise semantics: ${name}`, () => {
      const b = new Board();
      for (let i = 0x10000; i < 0xa0000; i++) b.ram[i] = (i * 7 + (i >>> 9)) & 0xff;
      const want = b.ram.slice();
      reference(want, movs, size, esi, edi, ecx, 0xa1b2c3d4);
      // cld ; (66) 67 f3 op (addr32 rep) ; hlt
      b.ram.set(
        [0xfc, ...(op[0] === 0x66 ? [0x66] : []), 0x67, 0xf3, op[op.length - 1]!, 0xf4],
        0x7c00,
      );
      const cpu = b.cpu();
      cpu.setSegment(CS, { selector: 0, base: 0n, limit: 0xffff, attributes: 0x9b });
      cpu.setReg("rip", 0x7c00n);
      cpu.setReg("rsi", BigInt(esi));
      cpu.setReg("rdi", BigInt(edi));
      cpu.setReg("rcx", BigInt(ecx));
      cpu.setReg("rax", 0xa1b2c3d4n);
      expect(cpu.run(100_000)).toBe("hlt");
      expect(cpu.getReg("rcx")).toBe(0n);
      expect(cpu.getReg("rdi")).toBe(BigInt(edi + ecx * size));
      if (movs) expect(cpu.getReg("rsi")).toBe(BigInt(esi + ecx * size));
      const diff = b.ram.findIndex((v, i) => i >= 0x10000 && v !== want[i]);
      expect(diff).toBe(-1);
    });
  }

  it("charges every iteration to the instruction budget, as QEMU's -icount counts them", () => {
    const b = new Board();
    // cld ; addr32 rep stosb ; hlt
    b.ram.set([0xfc, 0x67, 0xf3, 0xaa, 0xf4], 0x7c00);
    const cpu = b.cpu();
    cpu.setSegment(CS, { selector: 0, base: 0n, limit: 0xffff, attributes: 0x9b });
    cpu.setReg("rip", 0x7c00n);
    cpu.setReg("rdi", 0x10000n);
    cpu.setReg("rcx", 60_000n);
    const start = cpu.icount;
    // A small budget ends the slice inside the REP: what it did is what it was charged.
    expect(cpu.run(2000)).toBe("budget");
    const done = 60_000 - Number(cpu.getReg("rcx"));
    expect(done).toBeGreaterThan(0);
    expect(cpu.icount - start).toBeGreaterThanOrEqual(done);
    expect(cpu.icount - start).toBeLessThanOrEqual(done + 2);
    while (cpu.run(2000) === "budget") {}
    expect(cpu.getReg("rcx")).toBe(0n);
    expect(cpu.icount - start).toBeGreaterThanOrEqual(60_000);
    expect(cpu.icount - start).toBeLessThanOrEqual(60_003);
  });

  it("stops at the end of RAM: stores beyond it go to the bus one by one", () => {
    const b = new Board();
    b.ram.set([0xfc, 0x66, 0x67, 0xf3, 0xab, 0xf4], 0x7c00);
    const cpu = b.cpu();
    cpu.setSegment(CS, { selector: 0, base: 0n, limit: 0xffff, attributes: 0x9b });
    cpu.setReg("rip", 0x7c00n);
    cpu.setReg("rdi", BigInt(0x100000 - 8));
    cpu.setReg("rcx", 4n);
    cpu.setReg("rax", 0x11223344n);
    expect(cpu.run(1000)).toBe("hlt");
    expect([...b.ram.subarray(0x100000 - 8)]).toEqual([
      0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11,
    ]);
    expect(b.stores).toEqual([
      [0x100000, 0x11223344],
      [0x100004, 0x11223344],
    ]);
  });
});
