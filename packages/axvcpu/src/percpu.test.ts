import { AxError, axErr } from "@axvisor/axerrno";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { describe, expect, it } from "vitest";
import { type ArchPerCpu, PerCpu } from "./percpu.js";

/** A CPU whose virtualization extension can be switched, and which logs what it was asked. */
class FakeHart implements ArchPerCpu {
  enabled = false;
  readonly log: string[] = [];
  constructor(
    readonly cpuId: number,
    readonly hasH: boolean,
  ) {}
  isEnabled(): boolean {
    return this.enabled;
  }
  hardwareEnable(): void {
    this.log.push("enable");
    if (!this.hasH) throw axErr("Unsupported", `CPU ${this.cpuId} has no H extension`);
    this.enabled = true;
  }
  hardwareDisable(): void {
    this.log.push("disable");
    this.enabled = false;
  }
  maxGuestPageTableLevels(): number {
    return 3;
  }
}

describe("PerCpu", () => {
  const host = createTestHost();

  it("initialises once for its CPU and forwards to the backend", () => {
    const slot = new PerCpu();
    expect(slot.isInitialized).toBe(false);
    let made: FakeHart | undefined;
    slot.init(
      2,
      (id, h) => {
        expect(h).toBe(host);
        made = new FakeHart(id, true);
        return made;
      },
      host,
    );
    expect(slot.isInitialized).toBe(true);
    expect(slot.cpuId).toBe(2);
    expect(made!.cpuId).toBe(2);
    expect(slot.isEnabled()).toBe(false);
    slot.hardwareEnable();
    expect(slot.isEnabled()).toBe(true);
    expect(slot.maxGuestPageTableLevels()).toBe(3);
    slot.hardwareDisable();
    expect(slot.isEnabled()).toBe(false);
    expect(made!.log).toEqual(["enable", "disable"]);
  });

  it("refuses a second init, naming both CPUs, and keeps the first backend", () => {
    const slot = new PerCpu();
    const first = new FakeHart(0, true);
    slot.init(0, () => first, host);
    let built = 0;
    expect(() =>
      slot.init(
        1,
        () => {
          built++;
          return new FakeHart(1, true);
        },
        host,
      ),
    ).toThrow(/CPU 0 is already initialised \(init called again for CPU 1\)/);
    expect(built).toBe(0);
    expect(slot.arch()).toBe(first);
  });

  it("reports use before init as BadState", () => {
    const slot = new PerCpu();
    for (const use of [() => slot.isEnabled(), () => slot.hardwareEnable(), () => slot.cpuId]) {
      let thrown: unknown;
      try {
        use();
      } catch (e) {
        thrown = e;
      }
      expect(AxError.is(thrown, "BadState")).toBe(true);
    }
  });

  it("passes the backend's missing-support error through", () => {
    const slot = new PerCpu();
    slot.init(0, (id) => new FakeHart(id, false), host);
    expect(() => slot.hardwareEnable()).toThrow("CPU 0 has no H extension");
    expect(slot.isEnabled()).toBe(false);
  });

  it("dispose turns virtualization off only when it is on", () => {
    const on = new FakeHart(0, true);
    const a = new PerCpu();
    a.init(0, () => on, host);
    a.hardwareEnable();
    a.dispose();
    expect(on.log).toEqual(["enable", "disable"]);

    const off = new FakeHart(1, true);
    const b = new PerCpu();
    b.init(1, () => off, host);
    b.dispose();
    expect(off.log).toEqual([]);
    new PerCpu().dispose();
  });
});
