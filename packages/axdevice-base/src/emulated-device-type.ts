/**
 * AxVisor's `EmulatedDeviceType` codes, as they appear in the `emu_devices` rows of a VM
 * config. Ranges: 0x00-0x1F abstract devices, 0x20-0x2F interrupt-controller parts, 0x30 the
 * PLIC, 0xE0-0xEF virtio.
 */
export enum EmulatedDeviceType {
  Dummy = 0x00,
  InterruptController = 0x01,
  Console = 0x02,
  IVCChannel = 0x0a,
  GPPTRedistributor = 0x20,
  GPPTDistributor = 0x21,
  GPPTITS = 0x22,
  PPPTGlobal = 0x30,
  VirtioBlk = 0xe1,
  VirtioNet = 0xe2,
  VirtioConsole = 0xe3,
}

const BY_CODE = new Map<number, EmulatedDeviceType>(
  Object.values(EmulatedDeviceType)
    .filter((v): v is EmulatedDeviceType => typeof v === "number")
    .map((v) => [v, v]),
);

/** The type with this code, or undefined for an unknown code. */
export const emulatedDeviceTypeFromCode = (code: number): EmulatedDeviceType | undefined =>
  BY_CODE.get(code);

export const emulatedDeviceTypeName = (t: EmulatedDeviceType): string =>
  EmulatedDeviceType[t] ?? `Unknown(0x${(t as number).toString(16)})`;

/** Devices a VM may remove at run time, as AxVisor's `removable()` says. */
export function isRemovable(t: EmulatedDeviceType): boolean {
  return (
    t === EmulatedDeviceType.InterruptController ||
    t === EmulatedDeviceType.GPPTRedistributor ||
    (t >= 0xe0 && t <= 0xef)
  );
}
