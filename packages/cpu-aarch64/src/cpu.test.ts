import { describe, expect, it } from "vitest";
import { Aarch64Cpu } from "./cpu.js";
import { SysReg, sysreg } from "./sysreg-encoding.js";
import { RAM_BASE, TestMachine, type TestMachineOptions } from "./testing/index.js";

/** A machine with `words` at RAM_BASE and the CPU powered on there at `el`. */
function boot(words: readonly number[], el: 1 | 2 = 2, opts: TestMachineOptions = {}): TestMachine {
  const m = new TestMachine(opts);
  m.writeWords(RAM_BASE, words);
  m.cpu.powerOn(RAM_BASE, 0n, el);
  return m;
}

const HCR_RW = 1n << 31n;
const HCR_VM = 1n;
const HCR_IMO = 1n << 4n;

describe("identification registers", () => {
  it("reads QEMU cortex-a57's MIDR/CTR and advertises only what is implemented", () => {
    const m = boot([
      0xd5380000, // mrs x0, midr_el1
      0xd53800a1, // mrs x1, mpidr_el1
      0xd5380402, // mrs x2, id_aa64pfr0_el1
      0xd5380603, // mrs x3, id_aa64isar0_el1
      0xd5380724, // mrs x4, id_aa64mmfr1_el1
      0xd53b0025, // mrs x5, ctr_el0
    ]);
    m.cpu.run(6);
    expect(m.cpu.getX(0)).toBe(0x411fd070n);
    expect(m.cpu.getX(1)).toBe(0x80000000n);
    expect(m.cpu.getX(2)).toBe(0x111n); // EL0/EL1/EL2 AArch64 only, no EL3, FP+AdvSIMD
    expect(m.cpu.getX(3)).toBe(0x11120n); // AES+PMULL, SHA1, SHA2, CRC32, no LSE
    expect(m.cpu.getX(4)).toBe(0n); // no PAN
    expect(m.cpu.getX(5)).toBe(0x8444c004n);
  });

  it("executes the advertised cryptographic extension (AESE, SHA256H)", () => {
    const m = boot([0x4e284820, 0x5e024020]); // aese v0.16b, v1.16b ; sha256h q0, q1, v2.4s
    m.cpu.writeSysReg(SysReg.VBAR_EL2, 0x4000_1000n);
    m.cpu.run(2);
    expect(m.cpu.getPc()).toBe(0x4000_0008n);
    expect(m.cpu.readSysReg(SysReg.ESR_EL2)).toBe(0n);
  });

  it("advertises LSE and PAN on the max model", () => {
    const m = boot([0xd5380603, 0xd5380724], 2, { model: "max" });
    m.cpu.run(2);
    expect(m.cpu.getX(3)).toBe(0x211120n);
    expect(m.cpu.getX(4)).toBe(0x100000n);
  });
});

describe("UNDEFINED and aborts never reach the host", () => {
  it("takes an unallocated encoding as EC 0 at the vector", () => {
    const m = boot([0x00000000]);
    m.cpu.writeSysReg(SysReg.VBAR_EL2, 0x4000_1000n);
    m.cpu.run(1);
    expect(m.cpu.getPc()).toBe(0x4000_1200n); // current EL, SPx, synchronous
    expect(m.cpu.readSysReg(SysReg.ESR_EL2)).toBe(0x02000000n);
    expect(m.cpu.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0000n);
  });

  it("reports a load from nothing as a synchronous external abort with FAR", () => {
    const m = boot([0xf9400041]); // ldr x1, [x2]
    m.cpu.setX(2, 0x7000_0000n);
    m.cpu.run(1);
    expect(m.cpu.readSysReg(SysReg.ESR_EL2)).toBe(0x96000010n);
    expect(m.cpu.readSysReg(SysReg.FAR_EL2)).toBe(0x7000_0000n);
  });

  it("raises the SP alignment fault when SCTLR_EL2.SA is set", () => {
    const m = boot([0xf94003e0]); // ldr x0, [sp]
    m.cpu.setSp(2, 0x4000_0104n);
    m.cpu.writeSysReg(SysReg.SCTLR_EL2, 0x30c50838n);
    m.cpu.run(1);
    expect(m.cpu.readSysReg(SysReg.ESR_EL2)).toBe(0x9a000000n);
  });

  it("executes LSE atomics on max and makes them UNDEFINED on cortex-a57", () => {
    const prog = [0xf8210062, 0xc8e1fc62]; // ldadd x1, x2, [x3] ; casal x1, x2, [x3]
    const max = boot(prog, 2, { model: "max" });
    const c = max.cpu;
    c.setX(1, 5n);
    c.setX(3, 0x4000_0800n);
    max.writeWords(0x4000_0800, [10, 0]);
    c.run(1);
    expect(c.getX(2)).toBe(10n);
    expect(max.read64(0x4000_0800)).toBe(15n);
    c.setX(1, 15n);
    c.setX(2, 99n);
    c.run(1);
    expect(c.getX(1)).toBe(15n);
    expect(max.read64(0x4000_0800)).toBe(99n);
    const a57 = boot(prog);
    a57.cpu.setX(3, 0x4000_0800n);
    a57.cpu.run(1);
    expect(a57.cpu.readSysReg(SysReg.ESR_EL2)).toBe(0x02000000n);
  });
});

describe("FP/SIMD access traps", () => {
  it("traps an FP instruction with CPACR_EL1.FPEN = 0, but an unallocated encoding is UNDEFINED", () => {
    // fmov d0, x1 ; fadd with ftype = 10 (unallocated)
    const m = boot([0x9e670020, 0x1ea02800], 1);
    const c = m.cpu;
    c.writeSysReg(SysReg.CPACR_EL1, 0n);
    c.writeSysReg(SysReg.VBAR_EL1, 0x4000_1000n);
    c.run(1);
    expect(c.readSysReg(SysReg.ESR_EL1)).toBe(0x1fe00000n);
    c.setPc(0x4000_0004n);
    c.pstate = 0x3c5;
    c.run(1);
    expect(c.readSysReg(SysReg.ESR_EL1)).toBe(0x02000000n);
  });
});

describe("system register device (GICv3 CPU interface)", () => {
  function withDevice(words: readonly number[]) {
    const m = new TestMachine();
    m.writeWords(RAM_BASE, words);
    const log: string[] = [];
    const cpu = new Aarch64Cpu({
      cpuId: 3,
      mpidr: 3,
      bus: m,
      time: m.time,
      sysRegDevice: {
        read: (id, enc, ctx) => {
          log.push(`r${id} ${enc.toString(16)} el${ctx.el} ${ctx.irqVirtual}`);
          return enc === sysreg(3, 0, 4, 6, 0) ? 0xa0n : undefined;
        },
        write: (id, enc, v, ctx) => {
          log.push(`w${id} ${enc.toString(16)} ${v} el${ctx.el}`);
          return true;
        },
      },
    });
    cpu.powerOn(RAM_BASE, 0n, 2);
    return { cpu, log };
  }

  it("forwards ICC_PMR_EL1 and the CRn=12 registers, and UNDEFINED when the device declines", () => {
    const { cpu, log } = withDevice([
      0xd5184600, // msr icc_pmr_el1, x0
      0xd5384601, // mrs x1, icc_pmr_el1
      0xd538cca2, // mrs x2, icc_sre_el1 (device: undefined)
    ]);
    cpu.setX(0, 0xf0n);
    cpu.run(2);
    expect(cpu.getX(1)).toBe(0xa0n);
    cpu.run(1);
    expect(cpu.readSysReg(SysReg.ESR_EL2)).toBe(0x02000000n);
    expect(log).toEqual(["w3 c230 240 el2", "r3 c230 el2 false", "r3 c665 el2 false"]);
    expect(cpu.readSysReg(SysReg.ID_AA64PFR0_EL1) >> 24n).toBe(1n);
  });

  it("traps EL1 writes of ICC_SGI1R_EL1 to EL2 under HCR_EL2.IMO (no virtual SGI register)", () => {
    const { cpu, log } = withDevice([
      0xd518cba0, // msr icc_sgi1r_el1, x0
    ]);
    cpu.hostTrapMode = true;
    cpu.writeSysReg(SysReg.HCR_EL2, HCR_RW | HCR_IMO);
    cpu.writeSysReg(SysReg.SPSR_EL2, 0x3c5n);
    cpu.writeSysReg(SysReg.ELR_EL2, BigInt(RAM_BASE));
    cpu.enterGuest();
    cpu.setX(0, 0x0100_0002n);
    expect(cpu.run(1)).toBe("host-trap");
    // EC 0x18, IL, Op0 3, Op2 5, Op1 0, CRn 12, Rt 0, CRm 11, write.
    expect(cpu.readSysReg(SysReg.ESR_EL2)).toBe(
      (0x18n << 26n) | (1n << 25n) | (3n << 20n) | (5n << 17n) | (12n << 10n) | (11n << 1n),
    );
    expect(log).toEqual([]); // the physical GIC never saw it
    cpu.writeSysReg(SysReg.HCR_EL2, HCR_RW);
    cpu.enterGuest();
    cpu.run(1); // without IMO it reaches the (physical) CPU interface
    expect(log).toEqual(["w3 c65d 16777218 el1"]);
  });
});

describe("firmware calls", () => {
  it("serves SMC through the firmware hook and continues after it", () => {
    const m = boot([0xd2b08000, 0x91002000, 0xd4000003, 0xd503201f]); // x0 = 0x84000008 ; smc #0
    m.cpu.run(3);
    expect(m.off).toBe(true);
    expect(m.cpu.poweredOn).toBe(false);
  });

  it("traps SMC to EL2 with HCR_EL2.TSC, ELR at the SMC", () => {
    const m = boot([0xd4000063], 1); // smc #3
    m.cpu.writeSysReg(SysReg.HCR_EL2, HCR_RW | (1n << 19n));
    m.cpu.run(1);
    expect(m.off).toBe(false);
    expect(m.cpu.el).toBe(2);
    expect(m.cpu.readSysReg(SysReg.ESR_EL2)).toBe(0x5e000003n);
    expect(m.cpu.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0000n);
  });
});

describe("host-trap mode", () => {
  /** A guest at EL1 with the given code at guest address RAM_BASE (stage 2 off). */
  function guest(words: readonly number[], hcr = HCR_RW): TestMachine {
    const m = new TestMachine();
    m.writeWords(RAM_BASE, words);
    const c = m.cpu;
    c.hostTrapMode = true;
    c.writeSysReg(SysReg.HCR_EL2, hcr);
    c.writeSysReg(SysReg.SPSR_EL2, 0x3c5n);
    c.writeSysReg(SysReg.ELR_EL2, BigInt(RAM_BASE));
    c.enterGuest();
    return m;
  }

  it("returns on HVC with the EL2 syndrome and resumes with enterGuest()", () => {
    const m = guest([0xd2800241, 0xd4000242, 0xd2800020]); // mov x1,#0x12 ; hvc #0x12 ; mov x0,#1
    const c = m.cpu;
    expect(c.el).toBe(1);
    expect(c.run(100)).toBe("host-trap");
    expect(c.trapKind).toBe("sync");
    expect(c.el).toBe(2);
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(0x5a000012n);
    expect(c.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0008n);
    expect(c.readSysReg(SysReg.SPSR_EL2) & 0x3ffn).toBe(0x3c5n);
    expect(() => c.run(1)).toThrow(/enterGuest/);
    c.enterGuest();
    expect(c.el).toBe(1);
    c.run(1);
    expect(c.getX(0)).toBe(1n);
  });

  it("reports a stage-2 translation fault with HPFAR_EL2, FAR_EL2 and the instruction syndrome", () => {
    // Stage 2: 39-bit IPA, level-1 table at 0x4010_0000 mapping only 0x4000_0000..0x7fff_ffff.
    const m = guest([0xb9400043], HCR_RW | HCR_VM); // ldr w3, [x2]
    const c = m.cpu;
    m.writeWords(0x4010_0000 + 8, [0x4000_07fd, 0]); // 1 GiB block, S2AP RW, AF, normal
    c.writeSysReg(SysReg.VTCR_EL2, (1n << 31n) | 25n | (1n << 6n) | (2n << 16n));
    c.writeSysReg(SysReg.VTTBR_EL2, (5n << 48n) | 0x4010_0000n);
    c.setX(2, 0x8000_1234n);
    expect(c.run(10)).toBe("host-trap");
    // DABT from a lower EL, ISV, SAS=2, SRT=3, translation fault level 1.
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(
      0x92000000n | (1n << 24n) | (2n << 22n) | (3n << 16n) | 5n,
    );
    expect(c.readSysReg(SysReg.FAR_EL2)).toBe(0x8000_1234n);
    expect(c.readSysReg(SysReg.HPFAR_EL2)).toBe(0x80001n << 4n);
    expect(c.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0000n);
  });

  it("takes MMIO aborts to the host leaving the load's register and memory untouched, each trip", () => {
    // ldr x3, [x2] ; str x5, [x2, #8] ; ldp x3, x4, [x2] (no ISV) ; then x2 is MMIO.
    const m = guest([0xf9400043, 0xf9000445, 0xa9401043], HCR_RW | HCR_VM);
    const c = m.cpu;
    m.writeWords(0x4010_0000 + 8, [0x4000_07fd, 0]);
    c.writeSysReg(SysReg.VTCR_EL2, (1n << 31n) | 25n | (1n << 6n) | (2n << 16n));
    c.writeSysReg(SysReg.VTTBR_EL2, (5n << 48n) | 0x4010_0000n);
    c.setX(2, 0x8000_1000n);
    c.setX(3, 0x1111n);
    c.setX(4, 0x2222n);
    c.setX(5, 0x3333n);
    for (let trip = 0; trip < 2; trip++) {
      expect(c.run(10)).toBe("host-trap");
      expect(c.readSysReg(SysReg.ESR_EL2)).toBe(
        0x92000000n | (1n << 24n) | (3n << 22n) | (3n << 16n) | (1n << 15n) | 5n,
      );
      expect(c.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0000n);
      expect(c.getX(3)).toBe(0x1111n);
      expect(c.instructions).toBe(trip + 1);
      c.enterGuest(); // the same load again: the same exit
    }
    c.run(10);
    c.writeSysReg(SysReg.ELR_EL2, 0x4000_0004n);
    c.enterGuest();
    expect(c.run(10)).toBe("host-trap");
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(
      0x92000000n | (1n << 24n) | (3n << 22n) | (5n << 16n) | (1n << 15n) | (1n << 6n) | 5n,
    );
    expect(c.readSysReg(SysReg.FAR_EL2)).toBe(0x8000_1008n);
    c.writeSysReg(SysReg.ELR_EL2, 0x4000_0008n);
    c.enterGuest();
    expect(c.run(10)).toBe("host-trap");
    // A pair has no instruction syndrome: the abort unwinds, and neither register changed.
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(0x92000000n | 5n);
    expect(c.getX(3)).toBe(0x1111n);
    expect(c.getX(4)).toBe(0x2222n);
    expect(c.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0008n);
  });

  it("keeps the guest's code page across an exit, but not across a TLB invalidation", () => {
    // hvc #0 ; mov x0, #n ; hvc #1 — n = 1 at PA 0x4000_0000 and n = 2 at PA 0x4020_0000.
    const m = guest([0xd4000002, 0xd2800020, 0xd4000022], HCR_RW | HCR_VM);
    m.writeWords(0x4020_0000, [0xd4000002, 0xd2800040, 0xd4000022]);
    const c = m.cpu;
    // Stage 2 from level 1 (39-bit IPA): IPA 0x4000_0000 is a 2 MiB block at PA 0x4000_0000.
    m.writeWords(0x4010_0000 + 8, [0x4011_0003, 0]);
    m.writeWords(0x4011_0000, [0x4000_07fd, 0]);
    c.writeSysReg(SysReg.VTCR_EL2, (1n << 31n) | 25n | (1n << 6n) | (2n << 16n));
    c.writeSysReg(SysReg.VTTBR_EL2, (5n << 48n) | 0x4010_0000n);
    expect(c.run(10)).toBe("host-trap");
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(0x5a000000n);
    // The hypervisor moves the guest's code to the other copy and invalidates (TLBI VMALLS12E1).
    m.writeWords(0x4011_0000, [0x4020_07fd, 0]);
    c.flushTlb();
    c.enterGuest();
    expect(c.run(10)).toBe("host-trap");
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(0x5a000001n);
    expect(c.getX(0)).toBe(2n);
    // And back, this time with a plain exit in between that must not lose the page either.
    m.writeWords(0x4011_0000, [0x4000_07fd, 0]);
    c.flushTlb();
    c.writeSysReg(SysReg.ELR_EL2, 0x4000_0000n);
    c.enterGuest();
    expect(c.run(10)).toBe("host-trap");
    c.enterGuest();
    expect(c.run(10)).toBe("host-trap");
    expect(c.getX(0)).toBe(1n);
  });

  it("caches stage-2 translations without hiding permission faults, and drops them with the TLB", () => {
    // ldr x3, [x2] ; str x3, [x2, #8] ; b . — data at 0x4000_1000 in a read-only 1 GiB block.
    const m = guest([0xf9400043, 0xf9000443, 0x14000000], HCR_RW | HCR_VM);
    const c = m.cpu;
    m.writeWords(0x4010_0000 + 8, [0x4000_077d, 0]); // S2AP = read-only
    m.writeWords(0x4000_1000, [0x1234_5678, 0]);
    c.writeSysReg(SysReg.VTCR_EL2, (1n << 31n) | 25n | (1n << 6n) | (2n << 16n));
    c.writeSysReg(SysReg.VTTBR_EL2, (5n << 48n) | 0x4010_0000n);
    c.setX(2, 0x4000_1000n);
    expect(c.run(10)).toBe("host-trap");
    // The load went through (its translation is cached); the store is a level-1 permission fault.
    expect(c.getX(3)).toBe(0x1234_5678n);
    expect(c.readSysReg(SysReg.ESR_EL2)).toBe(
      0x92000000n | (1n << 24n) | (3n << 22n) | (3n << 16n) | (1n << 15n) | (1n << 6n) | 0xdn,
    );
    expect(c.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0004n);
    // The hypervisor makes the block writable and invalidates (TLBI VMALLS12E1): the store runs.
    m.writeWords(0x4010_0000 + 8, [0x4000_07fd, 0]);
    c.flushTlb();
    c.enterGuest();
    c.run(3);
    expect(c.el).toBe(1);
    expect(m.read64(0x4000_1008)).toBe(0x1234_5678n);
    // Read-only again after the writable mapping was used: no cached translation lets it write.
    m.writeWords(0x4010_0000 + 8, [0x4000_077d, 0]);
    m.writeWords(0x4000_1008, [0, 0]);
    c.flushTlb();
    c.setPc(0x4000_0004n);
    expect(c.run(3)).toBe("host-trap");
    expect(c.readSysReg(SysReg.ESR_EL2) & 0x3fn).toBe(0xdn);
    expect(m.read64(0x4000_1008)).toBe(0n);
  });

  it("sees a page stage 2 maps after a fault without TLB maintenance, as invalid entries are never cached", () => {
    // ldr x3, [x2] with x2 in 0x8000_0000..0xbfff_ffff, which stage 2 leaves unmapped.
    const m = guest([0xf9400043, 0x14000000], HCR_RW | HCR_VM); // ldr x3, [x2] ; b .
    const c = m.cpu;
    m.writeWords(0x4010_0000 + 8, [0x4000_07fd, 0]);
    m.writeWords(0x4000_3000, [0xabcd, 0]);
    c.writeSysReg(SysReg.VTCR_EL2, (1n << 31n) | 25n | (1n << 6n) | (2n << 16n));
    c.writeSysReg(SysReg.VTTBR_EL2, (5n << 48n) | 0x4010_0000n);
    c.setX(2, 0x8000_3000n);
    for (let trip = 0; trip < 3; trip++) {
      // The same MMIO-like exit every time (level-1 translation fault, the same IPA).
      expect(c.run(10)).toBe("host-trap");
      expect(c.readSysReg(SysReg.ESR_EL2) & 0x3fn).toBe(5n);
      expect(c.readSysReg(SysReg.HPFAR_EL2)).toBe(0x80003n << 4n);
      c.enterGuest();
    }
    // The hypervisor maps the next GiB (IPA 0x8000_0000 -> PA 0x4000_0000) and re-enters.
    m.writeWords(0x4010_0000 + 16, [0x4000_07fd, 0]);
    c.run(2);
    expect(c.el).toBe(1);
    expect(c.getX(3)).toBe(0xabcdn);
    // Another VM's table (another VMID) with the same IPA unmapped faults on its own.
    c.writeSysReg(SysReg.VTTBR_EL2, (6n << 48n) | 0x4011_0000n);
    m.writeWords(0x4011_0000 + 8, [0x4000_07fd, 0]);
    c.setPc(0x4000_0000n);
    expect(c.run(10)).toBe("host-trap");
    expect(c.readSysReg(SysReg.ESR_EL2) & 0x3fn).toBe(5n);
  });

  it("delivers a physical IRQ routed by IMO as a host trap, and a virtual IRQ to the guest", () => {
    const m = guest([0xd503201f, 0xd503201f, 0x14000000], HCR_RW | HCR_IMO); // nop ; nop ; b .
    const c = m.cpu;
    c.writeSysReg(SysReg.VBAR_EL1, 0x4000_2000n);
    m.writeWords(0x4000_2280, [0xd503201f]); // the IRQ vector: nop
    c.pstate = 0x305; // EL1h, I and F unmasked
    c.setIrq(true);
    expect(c.run(10)).toBe("host-trap");
    expect(c.trapKind).toBe("irq");
    expect(c.readSysReg(SysReg.ELR_EL2)).toBe(0x4000_0000n);
    c.setIrq(false);
    c.enterGuest();
    c.setVirq(true);
    c.run(1);
    expect(c.el).toBe(1);
    expect(c.getPc()).toBe(0x4000_2284n); // ran the nop at VBAR_EL1 + 0x280 (current EL, SPx, IRQ)
    expect(c.readSysReg(SysReg.SPSR_EL1) & 0x3ffn).toBe(0x305n);
  });
});

describe("generic timer", () => {
  it("raises CNTV against CNTVCT = CNTPCT - CNTVOFF and reports the next deadline", () => {
    const m = boot([]);
    const c = m.cpu;
    c.writeSysReg(SysReg.CNTV_CVAL_EL0, 100n);
    c.writeSysReg(SysReg.CNTV_CTL_EL0, 1n);
    m.ticks = 50;
    expect(c.timerLines()).toBe(0);
    expect(c.nextTimerEvent()).toBe(100);
    expect(c.readSysReg(SysReg.CNTV_TVAL_EL0)).toBe(50n);
    m.ticks = 150;
    expect(c.timerLines()).toBe(2);
    expect(c.readSysReg(SysReg.CNTV_CTL_EL0)).toBe(5n); // ENABLE | ISTATUS
    c.writeSysReg(SysReg.CNTVOFF_EL2, 100n);
    expect(c.timerLines()).toBe(0);
    expect(c.nextTimerEvent()).toBe(200);
    c.writeSysReg(SysReg.CNTV_CTL_EL0, 3n); // masked
    expect(c.timerLines()).toBe(0);
    c.writeSysReg(SysReg.CNTHP_TVAL_EL2, 10n);
    c.writeSysReg(SysReg.CNTHP_CTL_EL2, 1n);
    expect(c.nextTimerEvent()).toBe(160);
    m.ticks = 160;
    expect(c.timerLines()).toBe(4);
    expect(c.readSysReg(SysReg.CNTFRQ_EL0)).toBe(62_500_000n);
  });

  it("returns wfi from WFI with nothing pending, past the WFI", () => {
    const m = boot([0xd503207f, 0xd503201f]);
    expect(m.cpu.run(10)).toBe("wfi");
    expect(m.cpu.getPc()).toBe(0x4000_0004n);
  });
});
