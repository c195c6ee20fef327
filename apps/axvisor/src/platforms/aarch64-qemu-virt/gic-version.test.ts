import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { describe, expect, it } from "vitest";
import { armDefaultGuestConfig } from "./default-guest.js";
import { hostGicVersion, vgicVersionOf } from "./gic-version.js";

const withGicList = (cfgList: number[]) => {
  const c = armDefaultGuestConfig("demo.bin");
  return {
    ...c,
    devices: {
      ...c.devices,
      emuDevices: c.devices.emuDevices.map((d) =>
        d.emuType === EmulatedDeviceType.InterruptController ? { ...d, cfgList } : d,
      ),
    },
  };
};

describe("the vGIC version a config asks for", () => {
  it("is cfg_list[0] of the interrupt-controller row, a GICv3 when it names none", () => {
    expect(vgicVersionOf(withGicList([]))).toBe(3);
    expect(vgicVersionOf(withGicList([2]))).toBe(2);
    expect(vgicVersionOf(withGicList([3]))).toBe(3);
  });

  it("refuses any other version with one line naming the row", () => {
    expect(() => vgicVersionOf(withGicList([4]))).toThrow(
      "gic: cfg_list[0] is the GIC version, 2 or 3, not 4",
    );
  });

  it("gives one host GIC for the VMs given at start, and refuses a mix", () => {
    expect(hostGicVersion([])).toBe(3);
    expect(hostGicVersion([withGicList([2]), withGicList([2])])).toBe(2);
    expect(() => hostGicVersion([withGicList([2]), withGicList([])])).toThrow(
      /both a vGICv2 and a vGICv3/,
    );
  });
});
