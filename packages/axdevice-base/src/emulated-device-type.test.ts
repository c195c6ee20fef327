import { describe, expect, it } from "vitest";
import {
  EmulatedDeviceType,
  emulatedDeviceTypeFromCode,
  emulatedDeviceTypeName,
  isRemovable,
} from "./emulated-device-type.js";
import { irqLine, RecordingIrqLine } from "./irq-line.js";

describe("EmulatedDeviceType", () => {
  it("has AxVisor's codes", () => {
    expect(emulatedDeviceTypeFromCode(0x30)).toBe(EmulatedDeviceType.PPPTGlobal);
    expect(emulatedDeviceTypeFromCode(0xe1)).toBe(EmulatedDeviceType.VirtioBlk);
    expect(emulatedDeviceTypeFromCode(0x0a)).toBe(EmulatedDeviceType.IVCChannel);
    expect(emulatedDeviceTypeFromCode(0x99)).toBeUndefined();
    expect(emulatedDeviceTypeName(EmulatedDeviceType.GPPTITS)).toBe("GPPTITS");
  });

  it("marks interrupt controllers and virtio devices removable", () => {
    expect(isRemovable(EmulatedDeviceType.VirtioNet)).toBe(true);
    expect(isRemovable(EmulatedDeviceType.GPPTRedistributor)).toBe(true);
    expect(isRemovable(EmulatedDeviceType.Console)).toBe(false);
  });
});

describe("IrqLine", () => {
  it("records level changes only", () => {
    const line = new RecordingIrqLine();
    line.setLevel(true);
    line.setLevel(true);
    line.setLevel(false);
    expect(line.changes).toEqual([true, false]);
  });

  it("forwards edges of the level to a callback", () => {
    const seen: boolean[] = [];
    const line = irqLine((l) => seen.push(l));
    line.setLevel(false);
    line.setLevel(true);
    line.setLevel(true);
    expect(seen).toEqual([true]);
  });
});
