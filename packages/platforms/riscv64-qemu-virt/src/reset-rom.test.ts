import { InstructionClock } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { words } from "./asm.fixture.js";
import { VirtMachine } from "./machine.js";
import {
  buildResetRom,
  encodeAddi,
  encodeAuipc,
  encodeCsrrs,
  encodeJalr,
  encodeLd,
  resetStubInstructions,
} from "./reset-rom.js";

describe("reset stub encodings (RISC-V unprivileged spec, base formats)", () => {
  it("encodes each instruction from its fields", () => {
    // auipc t0, 0: imm[31:12]=0 | rd=5 << 7 | opcode 0010111
    expect(encodeAuipc(5, 0)).toBe((5 << 7) | 0b0010111);
    // addi a2, t0, 40: imm 40 << 20 | rs1 5 << 15 | funct3 0 | rd 12 << 7 | 0010011
    expect(encodeAddi(12, 5, 40)).toBe(((40 << 20) | (5 << 15) | (12 << 7) | 0b0010011) >>> 0);
    // csrrs a0, mhartid(0xf14), x0: funct3 010, opcode 1110011
    expect(encodeCsrrs(10, 0xf14, 0) >>> 0).toBe(
      ((0xf14 << 20) | (2 << 12) | (10 << 7) | 0b1110011) >>> 0,
    );
    // ld a1, 32(t0): funct3 011, opcode 0000011
    expect(encodeLd(11, 5, 32)).toBe((32 << 20) | (5 << 15) | (3 << 12) | (11 << 7) | 0b11);
    // jalr x0, 0(t0): opcode 1100111
    expect(encodeJalr(0, 5, 0)).toBe((5 << 15) | 0b1100111);
    expect(encodeAddi(1, 1, -1)).toBe(((0xfff << 20) | (1 << 15) | (1 << 7) | 0x13) >>> 0);
    expect(() => encodeAddi(1, 1, 4096)).toThrow(RangeError);
  });

  it("lays out stub, addresses and fw_dynamic_info", () => {
    const rom = buildResetRom({
      startAddr: 0x8000_0000,
      fdtAddr: 0x8fe0_0000,
      fwDynamic: { nextAddr: 0x8020_0000 },
    });
    const v = new DataView(rom.buffer);
    expect(resetStubInstructions().map((_, k) => v.getUint32(k * 4, true))).toEqual(
      resetStubInstructions(),
    );
    expect(v.getBigUint64(24, true)).toBe(0x8000_0000n);
    expect(v.getBigUint64(32, true)).toBe(0x8fe0_0000n);
    // OpenSBI include/sbi/fw_dynamic.h: magic "OSBI", version 2, next_addr, next_mode S=1,
    // options, boot_hart
    expect([0, 1, 2, 3, 4, 5].map((k) => v.getBigUint64(40 + 8 * k, true))).toEqual([
      0x4942534fn,
      2n,
      0x8020_0000n,
      1n,
      0n,
      0n,
    ]);
  });

  it("runs on the hart: a0 = hart id, a1 = fdt address, a2 = fw_dynamic_info, pc = entry", () => {
    const m = new VirtMachine({
      harts: 2,
      ramSize: 64 << 20,
      images: { kernel: { name: "k.bin", data: words([0x0000_0013]) } },
      clock: new InstructionClock(),
      sliceInstructions: 6,
      rngSeed: null,
    });
    m.step();
    for (const [id, h] of m.harts.entries()) {
      expect(h.getPc()).toBe(0x8000_0000n);
      expect(h.getX(10)).toBe(BigInt(id));
      expect(h.getX(11)).toBe(BigInt(m.fdt.address));
      expect(h.getX(12)).toBe(0x1028n);
    }
    // 64 MiB of RAM: the tree sits 2 MiB-aligned just below 0x8400_0000
    expect(m.fdt.address).toBe(0x83e0_0000);
  });
});
