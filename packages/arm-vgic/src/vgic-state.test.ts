/**
 * vGIC snapshot state: a distributor the guest programmed, with interrupts pending, comes
 * back identical in a new vGIC (and signals the same), and a vGIC of another shape refuses it.
 */
import { AccessWidth, gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { VGicV2 } from "./vgicv2.js";
import { VGicV3 } from "./vgicv3.js";

const GICD = 0x0800_0000;
const roundTrip = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function v3(cpus = 2) {
  return new VGicV3({
    mpidrs: Array.from({ length: cpus }, (_, i) => i),
    distributorBase: GICD,
    redistributorBase: 0x080a_0000,
  });
}

function v2(cpus = 2) {
  return new VGicV2({
    vcpus: cpus,
    distributorBase: GICD,
    gich: { read: () => 0, write: () => {} },
  });
}

describe("vGIC saveState / loadState", () => {
  it("vGICv3: the programmed distributor and pending interrupts come back identical", () => {
    const a = v3();
    const gicd = a.devices[0]!;
    gicd.handleWrite(gpa(GICD), AccessWidth.Dword, 0x12n); // CTLR: ARE, EnableGrp1
    gicd.handleWrite(gpa(GICD + 0x104), AccessWidth.Dword, 1n << 8n); // ISENABLER1: SPI 40
    gicd.handleWrite(gpa(GICD + 0x428), AccessWidth.Dword, 0xa0n); // IPRIORITYR: 40..43
    a.cpu(0).setLevel(40, true);
    a.cpu(1).inject(27);
    const saved = roundTrip(a.saveState());
    const b = v3();
    b.loadState(saved);
    expect(b.saveState()).toEqual(saved);
    expect(b.gic.core.highestPending(0)).toBe(a.gic.core.highestPending(0));
    expect(b.gic.core.highestPending(1)).toBe(a.gic.core.highestPending(1));
    expect(b.devices[0]!.handleRead(gpa(GICD + 0x104), AccessWidth.Dword)).toBe(1n << 8n);
    expect(() => v3(3).loadState(saved)).toThrow(
      'vGICv3: saved state field "cpus" is not an array of 3',
    );
  });

  it("vGICv2: the same, and a GIC of another size is refused naming it", () => {
    const a = v2();
    const gicd = a.devices[0]!;
    gicd.handleWrite(gpa(GICD), AccessWidth.Dword, 1n);
    gicd.handleWrite(gpa(GICD + 0x104), AccessWidth.Dword, 1n << 1n); // SPI 33
    gicd.handleWrite(gpa(GICD + 0x820), AccessWidth.Dword, 1n << 8n); // ITARGETSR: to CPU 0
    a.cpu(0).setLevel(33, true);
    a.sendSgi(0, 1, 3);
    const saved = roundTrip(a.saveState());
    const b = v2();
    b.loadState(saved);
    expect(b.saveState()).toEqual(saved);
    expect(b.cpu(0).hasPending()).toBe(true); // SPI 33, enabled, its line high
    expect(b.gic.core.sgiSources).toEqual(a.gic.core.sgiSources);
    const gic = { ...(saved.gic as Record<string, unknown>), numIrqs: 64 };
    expect(() => v2().loadState({ ...saved, gic } as typeof saved)).toThrow(
      "vGICv2: the snapshot's GIC has numIrqs 64, this one 288",
    );
  });
});
