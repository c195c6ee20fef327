import { describe, expect, it } from "vitest";
import { expandCompressed } from "./rvc.js";
import * as a from "./testing/asm.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

/** [compressed, 32-bit equivalent] pairs produced by GNU as (rv64gc vs rv64g). */
const PAIRS: [number, number][] = [
  [0x1fe0, 0x3fc10413], // c.addi4spn s0,sp,1020 -> addi s0,sp,1020
  [0x3fe8, 0x0f87b507], // c.fld fa0,248(a5) -> fld fa0,248(a5)
  [0x5de8, 0x07c5a503], // c.lw a0,124(a1) -> lw a0,124(a1)
  [0x7ef0, 0x0f86b603], // c.ld a2,248(a3) -> ld a2,248(a3)
  [0xa480, 0x0084b427], // c.fsd fs0,8(s1) -> fsd fs0,8(s1)
  [0xc3b8, 0x04e7a023], // c.sw a4,64(a5) -> sw a4,64(a5)
  [0xe444, 0x08943423], // c.sd s1,136(s0) -> sd s1,136(s0)
  [0x0001, 0x00000013], // c.addi zero,0 -> addi zero,zero,0
  [0x1501, 0xfe050513], // c.addi a0,-32 -> addi a0,a0,-32
  [0x237d, 0x01f3031b], // c.addiw t1,31 -> addiw t1,t1,31
  [0x57fd, 0xfff00793], // c.li a5,-1 -> addi a5,zero,-1
  [0x7101, 0xe0010113], // c.addi16sp sp,-512 -> addi sp,sp,-512
  [0x617d, 0x1f010113], // c.addi16sp sp,496 -> addi sp,sp,496
  [0x7905, 0xfffe1937], // c.lui s2,0xfffe1 -> lui s2,0xfffe1
  [0x62fd, 0x0001f2b7], // c.lui t0,0x1f -> lui t0,0x1f
  [0x917d, 0x03f55513], // c.srli a0,0x3f -> srli a0,a0,0x3f
  [0x8585, 0x4015d593], // c.srai a1,0x1 -> srai a1,a1,0x1
  [0x9a65, 0xff967613], // c.andi a2,-7 -> andi a2,a2,-7
  [0x8c05, 0x40940433], // c.sub s0,s1 -> sub s0,s0,s1
  [0x8eb9, 0x00e6c6b3], // c.xor a3,a4 -> xor a3,a3,a4
  [0x8fc5, 0x0097e7b3], // c.or a5,s1 -> or a5,a5,s1
  [0x8c69, 0x00a47433], // c.and s0,a0 -> and s0,s0,a0
  [0x9d91, 0x40c585bb], // c.subw a1,a2 -> subw a1,a1,a2
  [0x9ebd, 0x00f686bb], // c.addw a3,a5 -> addw a3,a3,a5
  [0x13fe, 0x03f39393], // c.slli t2,0x3f -> slli t2,t2,0x3f
  [0x30fe, 0x1f813087], // c.fldsp ft1,504(sp) -> fld ft1,504(sp)
  [0x50fe, 0x0fc12083], // c.lwsp ra,252(sp) -> lw ra,252(sp)
  [0x7dfe, 0x1f813d83], // c.ldsp s11,504(sp) -> ld s11,504(sp)
  [0x8282, 0x00028067], // c.jr t0 -> jalr zero,0(t0)
  [0x857e, 0x01f00533], // c.mv a0,t6 -> add a0,zero,t6 (the spec expansion)
  [0x9002, 0x00100073], // c.ebreak  -> ebreak
  [0x9882, 0x000880e7], // c.jalr a7 -> jalr ra,0(a7)
  [0x9192, 0x004181b3], // c.add gp,tp -> add gp,gp,tp
  [0xbfee, 0x1fb13c27], // c.fsdsp fs11,504(sp) -> fsd fs11,504(sp)
  [0xdfaa, 0x0ea12e23], // c.swsp a0,252(sp) -> sw a0,252(sp)
  [0xff86, 0x1e113c23], // c.sdsp ra,504(sp) -> sd ra,504(sp)
];

describe("RVC expansion", () => {
  it.each(PAIRS)("0x%s expands to its 32-bit equivalent", (c, full) => {
    expect(expandCompressed(c) >>> 0).toBe(full >>> 0);
  });

  it("reserved encodings are illegal", () => {
    expect(expandCompressed(0x0000)).toBe(0); // all zeros
    expect(expandCompressed(0x0001 | (0 << 7) | 0x2000)).toBe(0); // c.addiw x0
    expect(expandCompressed(0x6101)).toBe(0); // c.addi16sp with imm 0
    expect(expandCompressed(0x6081)).toBe(0); // c.lui x1, 0
    expect(expandCompressed(0x8002)).toBe(0); // c.jr x0
    expect(expandCompressed(0x4002)).toBe(0); // c.lwsp x0
    expect(expandCompressed(0x9c41)).toBe(0); // reserved MISC-ALU (subw group, funct 10)
  });

  it("compressed jumps and branches move the PC by their offsets", () => {
    // at +0: c.beqz a0,+6 (a0=0 -> taken to +6); +2: c.li a1,1; +4: c.li a1,2
    // at +6: c.bnez a0,-6 (not taken); +8: c.j +4 -> +12; +10: c.li a2,1; +12: c.li a3,3
    const h16 = [0xc119, 0x4585, 0x4589, 0xfd6d, 0xa011, 0x4605, 0x468d, 0x0001];
    const words: number[] = [];
    for (let i = 0; i < h16.length; i += 2) words.push((h16[i]! | (h16[i + 1]! << 16)) >>> 0);
    const { hart } = makeHart(words);
    hart.run(4);
    expect(hart.getX(11)).toBe(0n);
    expect(hart.getX(12)).toBe(0n);
    expect(hart.getX(13)).toBe(3n);
    expect(hart.getPc()).toBe(BigInt(RAM_BASE + 14));
  });

  it("a 32-bit instruction may follow a 16-bit one at a 2-byte boundary", () => {
    // c.li a0,5 ; addi a0,a0,1 (32-bit at +2, straddling a word)
    const addi = a.addi(10, 10, 1);
    const words = [(0x4515 | ((addi & 0xffff) << 16)) >>> 0, addi >>> 16];
    const { hart } = makeHart(words);
    hart.run(2);
    expect(hart.getX(10)).toBe(6n);
  });
});
