import { describe, expect, it } from "vitest";
import * as a from "./testing/asm.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint) => BigInt.asIntN(64, v);

/** Runs `prog` with registers preset, returns the hart. */
function exec(prog: number[], regs: Record<number, bigint> = {}) {
  const { hart, bus } = makeHart(prog);
  for (const [r, v] of Object.entries(regs)) hart.setX(Number(r), v);
  hart.run(prog.length);
  return { hart, bus };
}

describe("RV64I integer", () => {
  it("addi carries into the high word and sign-extends negative immediates", () => {
    const { hart } = exec([a.addi(5, 1, 1), a.addi(6, 2, -1), a.addi(0, 1, 5)], {
      1: 0xffff_ffffn,
      2: 0n,
    });
    expect(hart.getX(5)).toBe(0x1_0000_0000n);
    expect(hart.getX(6)).toBe(M64);
    expect(hart.getX(0)).toBe(0n);
  });

  it("add/sub wrap modulo 2^64", () => {
    const { hart } = exec([a.add(3, 1, 2), a.sub(4, 2, 1)], { 1: M64, 2: 2n });
    expect(hart.getX(3)).toBe(1n);
    expect(hart.getX(4)).toBe(3n);
  });

  it("shifts use six bits of shift amount", () => {
    const v = 0x8000_0001_0000_0001n;
    const { hart } = exec(
      [a.slli(3, 1, 35), a.srli(4, 1, 33), a.srai(5, 1, 63), a.sll(6, 1, 2), a.sra(7, 1, 2)],
      { 1: v, 2: 68n },
    );
    expect(hart.getX(3)).toBe((v << 35n) & M64);
    expect(hart.getX(4)).toBe(v >> 33n);
    expect(hart.getX(5)).toBe(M64);
    expect(hart.getX(6)).toBe((v << 4n) & M64);
    expect(hart.getX(7)).toBe(BigInt.asUintN(64, s64(v) >> 4n));
  });

  it("slt/sltu/slti/sltiu compare signed and unsigned", () => {
    const { hart } = exec([a.slt(3, 1, 2), a.sltu(4, 1, 2), a.slti(5, 1, 0), a.sltiu(6, 2, -1)], {
      1: M64,
      2: 1n,
    });
    expect(hart.getX(3)).toBe(1n); // -1 < 1
    expect(hart.getX(4)).toBe(0n); // 2^64-1 > 1
    expect(hart.getX(5)).toBe(1n);
    expect(hart.getX(6)).toBe(1n); // 1 < 2^64-1
  });

  it("logic immediates sign-extend", () => {
    const { hart } = exec([a.xori(3, 1, -1), a.ori(4, 0, -2048), a.andi(5, 1, 0x7f0)], {
      1: 0x1234_5678_9abc_def0n,
    });
    expect(hart.getX(3)).toBe(~0x1234_5678_9abc_def0n & M64);
    expect(hart.getX(4)).toBe(BigInt.asUintN(64, -2048n));
    expect(hart.getX(5)).toBe(0x6f0n);
  });

  it("W operations sign-extend their 32-bit results", () => {
    const { hart } = exec(
      [
        a.addiw(3, 1, 1),
        a.addw(4, 1, 1),
        a.subw(5, 0, 1),
        a.slliw(6, 2, 31),
        a.srliw(7, 1, 4),
        a.sraiw(8, 1, 4),
        a.sraw(9, 1, 2),
      ],
      { 1: 0x7fff_ffffn, 2: 1n },
    );
    expect(hart.getX(3)).toBe(0xffff_ffff_8000_0000n);
    expect(hart.getX(4)).toBe(0xffff_ffff_ffff_fffen);
    expect(hart.getX(5)).toBe(0xffff_ffff_8000_0001n);
    expect(hart.getX(6)).toBe(0xffff_ffff_8000_0000n);
    expect(hart.getX(7)).toBe(0x07ff_ffffn);
    expect(hart.getX(8)).toBe(0x07ff_ffffn);
    expect(hart.getX(9)).toBe(0x3fff_ffffn);
  });

  it("lui/auipc", () => {
    const { hart } = exec([a.lui(3, 0x80000), a.auipc(4, 1)]);
    expect(hart.getX(3)).toBe(0xffff_ffff_8000_0000n);
    expect(hart.getX(4)).toBe(BigInt(RAM_BASE + 4 + 0x1000));
  });

  it("jal/jalr link and jump; jalr clears bit 0", () => {
    const prog = [a.jal(1, 8), a.addi(5, 0, 1), a.jalr(2, 3, 1), a.addi(6, 0, 1)];
    const { hart } = makeHart(prog);
    hart.setX(3, BigInt(RAM_BASE + 12));
    hart.run(3);
    expect(hart.getX(1)).toBe(BigInt(RAM_BASE + 4));
    expect(hart.getX(2)).toBe(BigInt(RAM_BASE + 12));
    expect(hart.getX(5)).toBe(0n);
    expect(hart.getX(6)).toBe(1n);
  });

  it("branches compare 64-bit signed/unsigned", () => {
    // each taken branch skips one addi that would set a flag register
    const prog = [
      a.blt(1, 2, 8),
      a.addi(10, 0, 1),
      a.bltu(2, 1, 8),
      a.addi(11, 0, 1),
      a.bge(2, 1, 8),
      a.addi(12, 0, 1),
      a.bgeu(1, 2, 8),
      a.addi(13, 0, 1),
      a.beq(1, 1, 8),
      a.addi(14, 0, 1),
      a.bne(1, 3, 8),
      a.addi(15, 0, 1),
      a.beq(1, 3, 8),
      a.addi(16, 0, 1),
    ];
    // x1 = -1, x2 = 1, x3 = 0x0000_0000_ffff_ffff (same low word as x1)
    const { hart } = exec(prog.slice(), { 1: M64, 2: 1n, 3: 0xffff_ffffn });
    for (const r of [10, 11, 12, 13, 14, 15]) expect(hart.getX(r)).toBe(0n);
    expect(hart.getX(16)).toBe(1n);
  });

  it("loads and stores of every width, sign and zero extension, misaligned", () => {
    const base = BigInt(RAM_BASE + 0x1000);
    const prog = [
      a.sd(2, 1, 0),
      a.lb(3, 1, 7),
      a.lbu(4, 1, 7),
      a.lh(5, 1, 6),
      a.lhu(6, 1, 6),
      a.lw(7, 1, 4),
      a.lwu(8, 1, 4),
      a.ld(9, 1, 0),
      a.sw(2, 1, 9),
      a.ld(10, 1, 9),
      a.sh(0, 1, 1),
      a.sb(0, 1, 0),
    ];
    const { hart, bus } = exec(prog, { 1: base, 2: 0x8877_6655_4433_2211n });
    expect(hart.getX(3)).toBe(0xffff_ffff_ffff_ff88n);
    expect(hart.getX(4)).toBe(0x88n);
    expect(hart.getX(5)).toBe(0xffff_ffff_ffff_8877n);
    expect(hart.getX(6)).toBe(0x8877n);
    expect(hart.getX(7)).toBe(0xffff_ffff_8877_6655n);
    expect(hart.getX(8)).toBe(0x8877_6655n);
    expect(hart.getX(9)).toBe(0x8877_6655_4433_2211n);
    // sw at +9 wrote 11 22 33 44 over bytes 9..12 (misaligned, emulated)
    expect(hart.getX(10)).toBe(0x0000_0000_4433_2211n);
    expect(bus.read64(RAM_BASE + 0x1000)).toBe(0x8877_6655_4400_0000n);
  });

  it("loads/stores outside RAM go to the bus", () => {
    const { hart, bus } = exec([a.sw(2, 1, 4), a.lh(3, 1, 0)], {
      1: 0x1000_0000n,
      2: 0xdead_beefn,
    });
    expect(bus.log[0]).toEqual({
      kind: "store",
      paddr: 0x1000_0004,
      width: 4,
      value: 0xdead_beefn,
    });
    expect(bus.log[1]?.kind).toBe("load");
    expect(hart.getX(3)).toBe(0x7788n);
  });

  it("run() stops after the budget", () => {
    const { hart } = makeHart([a.addi(1, 1, 1), a.jal(0, -4)]);
    expect(hart.run(1001)).toBe("budget");
    expect(hart.getX(1)).toBe(501n);
  });
});

describe("RV64M", () => {
  it("mul/mulh/mulhu/mulhsu", () => {
    const { hart } = exec(
      [a.mul(3, 1, 2), a.mulh(4, 1, 2), a.mulhu(5, 1, 2), a.mulhsu(6, 1, 2), a.mulw(7, 1, 2)],
      { 1: M64 - 1n, 2: 0x1_0000_0003n }, // -2 and 2^32+3
    );
    const x = M64 - 1n;
    const y = 0x1_0000_0003n;
    expect(hart.getX(3)).toBe((x * y) & M64);
    expect(hart.getX(4)).toBe(BigInt.asUintN(64, (s64(x) * s64(y)) >> 64n));
    expect(hart.getX(5)).toBe((x * y) >> 64n);
    expect(hart.getX(6)).toBe(BigInt.asUintN(64, (s64(x) * y) >> 64n));
    expect(hart.getX(7)).toBe(BigInt.asUintN(64, BigInt(Math.imul(-2, 3))));
  });

  it("64-bit division including large operands, overflow and divide by zero", () => {
    const big = 0xfedc_ba98_7654_3210n;
    const { hart } = exec(
      [
        a.divu(3, 1, 2),
        a.remu(4, 1, 2),
        a.div(5, 1, 2),
        a.rem(6, 1, 2),
        a.div(7, 8, 9),
        a.divu(10, 1, 0),
        a.rem(11, 1, 0),
        a.div(12, 8, 0),
      ],
      { 1: big, 2: 12345n, 8: 1n << 63n, 9: M64 },
    );
    expect(hart.getX(3)).toBe(big / 12345n);
    expect(hart.getX(4)).toBe(big % 12345n);
    expect(hart.getX(5)).toBe(BigInt.asUintN(64, s64(big) / 12345n));
    expect(hart.getX(6)).toBe(BigInt.asUintN(64, s64(big) % 12345n));
    expect(hart.getX(7)).toBe(1n << 63n);
    expect(hart.getX(10)).toBe(M64);
    expect(hart.getX(11)).toBe(big);
    expect(hart.getX(12)).toBe(M64);
  });

  it("divisions by large divisors take the long path", () => {
    const x = 0xffff_ffff_ffff_fff0n;
    const y = 0x8000_0000_0000_0001n;
    const { hart } = exec([a.divu(3, 1, 2), a.remu(4, 1, 2), a.rem(5, 1, 2)], { 1: x, 2: y });
    expect(hart.getX(3)).toBe(x / y);
    expect(hart.getX(4)).toBe(x % y);
    expect(hart.getX(5)).toBe(BigInt.asUintN(64, s64(x) % s64(y)));
  });

  it("W divisions", () => {
    const { hart } = exec(
      [a.divw(3, 1, 2), a.divuw(4, 1, 2), a.remw(5, 1, 2), a.remuw(6, 1, 2), a.divw(7, 8, 9)],
      { 1: 0xffff_fff9n, 2: 2n, 8: 0x8000_0000n, 9: M64 },
    );
    expect(hart.getX(3)).toBe(M64 - 2n); // -7/2 = -3
    expect(hart.getX(4)).toBe(0x7fff_fffcn);
    expect(hart.getX(5)).toBe(M64); // -1
    expect(hart.getX(6)).toBe(1n);
    expect(hart.getX(7)).toBe(0xffff_ffff_8000_0000n);
  });
});
