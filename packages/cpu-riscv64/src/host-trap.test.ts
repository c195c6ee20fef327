import { describe, expect, it } from "vitest";
import { CSR } from "./csr-numbers.js";
import * as a from "./testing/asm.js";
import { PageTables, PTE } from "./testing/page-tables.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const { V, R, W, X, U } = PTE;
const IRQ = 1n << 63n;
const GUEST_HPA = RAM_BASE + 0x20_0000; // the guest's RAM in host memory
const GUEST_GPA = 0x8000_0000; // where the guest sees it
const G_POOL = RAM_BASE + 0x10_0000;
const SPV = 1n << 7n;
const SPVP = 1n << 8n;
const GVA = 1n << 6n;

/** Host-trap mode hart with a 2 MiB guest RAM window at GPA 0x8000_0000 and guest code. */
function hostWithGuest(code: number[]) {
  const m = makeHart();
  const h = m.hart;
  h.hostTrapMode = true;
  const g = new PageTables(m.bus, G_POOL, 3, true);
  g.map(GUEST_GPA, GUEST_HPA, V | R | W | X | U, 1);
  m.bus.writeWords(GUEST_HPA, code);
  // What a hypervisor does before the first entry: G-stage, VS state, SPV/SPP, sepc.
  h.writeCsr(CSR.hgatp, g.atp(1));
  h.writeCsr(CSR.vsatp, 0n);
  h.writeCsr(CSR.vsstatus, 0n);
  h.writeCsr(CSR.hstatus, SPV | SPVP);
  h.writeCsr(CSR.sstatus, 1n << 8n); // SPP = S: enter VS-mode
  h.writeCsr(CSR.sepc, BigInt(GUEST_GPA));
  return { ...m, g };
}

describe("host-trap mode", () => {
  it("starts in HS-mode and enterGuest() is SRET: V=1, VS-mode at sepc", () => {
    const m = hostWithGuest([a.addi(10, 0, 42), a.ECALL]);
    expect(m.hart.priv).toBe(1);
    expect(m.hart.virt).toBe(false);
    m.hart.enterGuest();
    expect(m.hart.virt).toBe(true);
    expect(m.hart.priv).toBe(1);
    expect(m.hart.getPc()).toBe(BigInt(GUEST_GPA));
    expect(m.hart.readCsr(CSR.hstatus) & SPV).toBe(0n); // SRET clears SPV
  });

  it("an ECALL from VS returns 'host-trap' with HS trap state set and the hart in HS", () => {
    const m = hostWithGuest([a.addi(10, 0, 42), a.ECALL, a.addi(11, 0, 1), a.ECALL]);
    m.hart.enterGuest();
    expect(m.hart.run(1000)).toBe("host-trap");
    const h = m.hart;
    expect(h.getX(10)).toBe(42n);
    expect(h.readCsr(CSR.scause)).toBe(10n);
    expect(h.readCsr(CSR.sepc)).toBe(BigInt(GUEST_GPA + 4));
    expect(h.readCsr(CSR.hstatus) & (SPV | SPVP | GVA)).toBe(SPV | SPVP);
    expect((h.readCsr(CSR.sstatus) >> 8n) & 1n).toBe(1n);
    expect(h.priv).toBe(1);
    expect(h.virt).toBe(false);
    // resume after the ecall
    h.writeCsr(CSR.sepc, h.readCsr(CSR.sepc) + 4n);
    h.enterGuest();
    expect(h.run(1000)).toBe("host-trap");
    expect(h.getX(11)).toBe(1n);
    expect(h.readCsr(CSR.sepc)).toBe(BigInt(GUEST_GPA + 12));
  });

  it("an MMIO-style guest-page fault reports scause 21, stval, htval, htinst and GVA", () => {
    const ld = a.lw(5, 6, 4);
    const m = hostWithGuest([ld]);
    m.hart.enterGuest();
    m.hart.setX(6, 0x1000_0000n); // a GPA the G-stage does not map (a device)
    expect(m.hart.run(10)).toBe("host-trap");
    const h = m.hart;
    expect(h.readCsr(CSR.scause)).toBe(21n);
    expect(h.readCsr(CSR.stval)).toBe(0x1000_0004n);
    expect(h.readCsr(CSR.htval)).toBe(0x1000_0004n >> 2n);
    expect(h.readCsr(CSR.htinst)).toBe(BigInt(ld & 0x7fff)); // lw x5 with offset/rs1 zeroed
    expect(h.readCsr(CSR.hstatus) & GVA).toBe(GVA);
    expect(h.readCsr(CSR.sepc)).toBe(BigInt(GUEST_GPA));
  });

  it("repeated stores to an unmapped page trap alike, and map + fenceGuestPage lets them through", () => {
    // sd x7, 8(x6); ecall: the first trip walks the G-stage, later ones hit the negative cache.
    const sd = a.sd(7, 6, 8);
    const m = hostWithGuest([sd, a.ECALL]);
    const h = m.hart;
    const DEV = 0x1000_0000;
    h.setX(6, BigInt(DEV));
    h.setX(7, 0x1234n);
    for (let trip = 0; trip < 3; trip++) {
      h.writeCsr(CSR.sepc, BigInt(GUEST_GPA));
      h.enterGuest();
      expect(h.run(10)).toBe("host-trap");
      expect(h.readCsr(CSR.scause)).toBe(23n);
      expect(h.readCsr(CSR.stval)).toBe(BigInt(DEV + 8));
      expect(h.readCsr(CSR.htval)).toBe(BigInt(DEV + 8) >> 2n);
      expect(h.readCsr(CSR.htinst)).toBe(BigInt(sd & 0x01f0707f));
      expect(h.readCsr(CSR.hstatus) & GVA).toBe(GVA);
      expect(h.readCsr(CSR.sepc)).toBe(BigInt(GUEST_GPA));
    }
    // The hypervisor gives the page a frame (lazy RAM) and fences it: the store now lands.
    m.g.map(DEV, GUEST_HPA + 0x1_0000, V | R | W | U);
    h.fenceGuestPage(DEV);
    h.writeCsr(CSR.sepc, BigInt(GUEST_GPA));
    h.enterGuest();
    expect(h.run(10)).toBe("host-trap");
    expect(h.readCsr(CSR.scause)).toBe(10n);
    expect(m.bus.read64(GUEST_HPA + 0x1_0008)).toBe(0x1234n);
  });

  it("a load after a store to the same unmapped page still reports a load fault", () => {
    const m = hostWithGuest([a.sd(7, 6, 0), a.ld(5, 6, 0)]);
    const h = m.hart;
    h.setX(6, 0x1000_0000n);
    h.enterGuest();
    expect(h.run(10)).toBe("host-trap");
    expect(h.readCsr(CSR.scause)).toBe(23n);
    h.writeCsr(CSR.sepc, BigInt(GUEST_GPA + 4));
    h.enterGuest();
    expect(h.run(10)).toBe("host-trap");
    expect(h.readCsr(CSR.scause)).toBe(21n);
    expect(h.readCsr(CSR.sepc)).toBe(BigInt(GUEST_GPA + 4));
  });

  it("traps delegated to VS by hedeleg stay in the guest", () => {
    const m = hostWithGuest([a.EBREAK, a.NOP]);
    m.hart.writeCsr(CSR.hedeleg, 1n << 3n);
    m.hart.writeCsr(CSR.vstvec, BigInt(GUEST_GPA + 4));
    m.hart.enterGuest();
    expect(m.hart.run(2)).toBe("budget"); // ebreak, then the NOP at vstvec
    expect(m.hart.readCsr(CSR.vscause)).toBe(3n);
    expect(m.hart.getPc()).toBe(BigInt(GUEST_GPA + 8));
    expect(m.hart.virt).toBe(true);
  });

  it("all exceptions are taken by HS (no M-mode): ecall from VU too", () => {
    const m = hostWithGuest([a.ECALL]);
    m.hart.writeCsr(CSR.sstatus, 0n); // SPP = U: VU-mode
    m.hart.enterGuest();
    expect(m.hart.run(5)).toBe("host-trap");
    expect(m.hart.readCsr(CSR.scause)).toBe(8n);
    expect(m.hart.readCsr(CSR.hstatus) & SPVP).toBe(0n);
  });

  it("an HS timer interrupt (Sstc stimecmp) while the guest runs returns 'host-trap'", () => {
    const m = hostWithGuest([a.jal(0, 0)]);
    m.hart.writeCsr(CSR.sie, 1n << 5n);
    m.hart.writeCsr(CSR.stimecmp, 500n);
    m.hart.enterGuest();
    expect(m.hart.run(100)).toBe("budget");
    m.clock.ticks = 500;
    expect(m.hart.run(100)).toBe("host-trap");
    expect(m.hart.readCsr(CSR.scause)).toBe(IRQ | 5n);
    expect(m.hart.readCsr(CSR.sepc)).toBe(BigInt(GUEST_GPA));
  });

  it("M-level lines are ignored: the machine timer is the host's business", () => {
    const m = hostWithGuest([a.jal(0, 0)]);
    m.hart.writeCsr(CSR.mie, (1n << 7n) | (1n << 11n));
    m.hart.setInterruptLine(7, true);
    m.hart.enterGuest();
    expect(m.hart.run(100)).toBe("budget");
  });

  it("an injected virtual interrupt (hvip) is delivered inside the guest", () => {
    const m = hostWithGuest([a.NOP, a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.hideleg, 1n << 10n);
    m.hart.writeCsr(CSR.vsie, 1n << 9n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    m.hart.writeCsr(CSR.vstvec, BigInt(GUEST_GPA + 8));
    m.hart.writeCsr(CSR.hvip, 1n << 10n);
    m.hart.enterGuest();
    expect(m.hart.run(1)).toBe("budget");
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 9n);
    expect(m.hart.readCsr(CSR.vsepc)).toBe(BigInt(GUEST_GPA));
  });

  it("guest WFI returns 'wfi' to the host when nothing is pending", () => {
    const m = hostWithGuest([a.WFI, a.NOP]);
    m.hart.enterGuest();
    expect(m.hart.run(10)).toBe("wfi");
    expect(m.hart.virt).toBe(true);
    expect(m.hart.getPc()).toBe(BigInt(GUEST_GPA + 4));
  });

  it("enterGuest() outside HS-mode is an error, not a silent no-op", () => {
    const m = hostWithGuest([a.NOP]);
    m.hart.enterGuest();
    expect(() => m.hart.enterGuest()).toThrow(/HS-mode/);
  });
});

describe("host-trap mode misuse", () => {
  it("run() without a guest entered is an error (it would run guest code as HS)", () => {
    const m = hostWithGuest([a.ECALL]);
    expect(() => m.hart.run(10)).toThrow(/enterGuest/);
    m.hart.enterGuest();
    expect(m.hart.run(10)).toBe("host-trap");
    expect(() => m.hart.run(10)).toThrow(/enterGuest/);
  });
});

describe("guest translations across world switches", () => {
  /**
   * Two guests share a hart the way a hypervisor schedules them: each has its own G-stage
   * (and VMID) and VS-stage table, both map the same GVA/GPA, and the host rewrites hgatp and
   * vsatp at every switch. Each guest must always read its own memory.
   */
  it("two VMs alternating on one hart each see their own memory", () => {
    const m = makeHart();
    const h = m.hart;
    h.hostTrapMode = true;
    const GVA_DATA = 0x4000_0000;
    const guests = [0, 1].map((k) => {
      const hpa = RAM_BASE + 0x20_0000 + k * 0x8_0000;
      const g = new PageTables(m.bus, RAM_BASE + 0x10_0000 + k * 0x8000, 3, true);
      for (let p = 0; p < 0x20; p++) {
        g.map(GUEST_GPA + p * 4096, hpa + p * 4096, V | R | W | X | U);
      }
      // VS-stage table inside the guest's RAM: GVA_DATA -> GPA 0x8001_0000
      const vsRoot = 0x8000_4000;
      const vs = new PageTables(
        {
          read64: (a: number) => m.bus.read64(a - GUEST_GPA + hpa),
          write64: (a: number, v: bigint) => m.bus.write64(a - GUEST_GPA + hpa, v),
        } as never,
        vsRoot,
        3,
      );
      vs.map(GVA_DATA, 0x8001_0000, V | R | W | PTE.A | PTE.D);
      vs.map(GUEST_GPA, GUEST_GPA, V | R | X | PTE.A); // the code page, identity
      m.bus.write64(hpa + 0x1_0000, BigInt(100 + k));
      // code: x5 = *GVA_DATA; ecall
      m.bus.writeWords(hpa, [a.ld(5, 6, 0), a.ECALL]);
      return { hgatp: g.atp(1 + k), vsatp: vs.atp(7) };
    });
    for (let round = 0; round < 4; round++) {
      for (const [k, gst] of guests.entries()) {
        h.writeCsr(CSR.hgatp, gst.hgatp);
        h.writeCsr(CSR.vsatp, gst.vsatp);
        h.writeCsr(CSR.hstatus, SPV | SPVP);
        h.writeCsr(CSR.sstatus, 1n << 8n);
        h.writeCsr(CSR.sepc, BigInt(GUEST_GPA));
        h.setX(6, BigInt(GVA_DATA));
        h.enterGuest();
        expect(h.run(100)).toBe("host-trap");
        expect(h.readCsr(CSR.scause)).toBe(10n);
        expect(h.getX(5)).toBe(BigInt(100 + k));
        h.writeCsr(CSR.hgatp, 0n);
      }
    }
  });

  it("a guest that rewrites its own satp (vsatp) uses the new table at once", () => {
    const m = hostWithGuest([a.ld(5, 6, 0), a.csrw(CSR.satp, 7), a.ld(8, 6, 0), a.ECALL]);
    const h = m.hart;
    const mkVs = (root: number, dataGpa: number, value: bigint) => {
      const vs = new PageTables(
        {
          read64: (x: number) => m.bus.read64(x - GUEST_GPA + GUEST_HPA),
          write64: (x: number, v: bigint) => m.bus.write64(x - GUEST_GPA + GUEST_HPA, v),
        } as never,
        root,
        3,
      );
      vs.map(RAM_BASE, GUEST_GPA, V | R | W | X | PTE.A | PTE.D, 1);
      vs.map(0x4000_0000, dataGpa, V | R | PTE.A);
      m.bus.write64(dataGpa - GUEST_GPA + GUEST_HPA, value);
      return vs.atp(3);
    };
    const first = mkVs(GUEST_GPA + 0x4_0000, GUEST_GPA + 0x10_0000, 11n);
    const second = mkVs(GUEST_GPA + 0x8_0000, GUEST_GPA + 0x11_0000, 22n);
    h.writeCsr(CSR.vsatp, first);
    h.writeCsr(CSR.sepc, BigInt(RAM_BASE));
    h.setX(6, 0x4000_0000n);
    h.setX(7, second);
    h.enterGuest();
    expect(h.run(100)).toBe("host-trap");
    expect(h.readCsr(CSR.scause)).toBe(10n);
    expect(h.getX(5)).toBe(11n);
    expect(h.getX(8)).toBe(22n);
  });
});
