import { UsageError } from "../errors.js";
import { type DriveSpec, splitQemuKeyValues } from "./drive-spec.js";

/** The virtio-mmio block device of QEMU's virt boards, which `-device` may name. */
const VIRTIO_BLK = "virtio-blk-device";

/**
 * QEMU's two ways of giving a machine a disk, resolved to the disks in slot order:
 * `-drive if=virtio` alone, or `-drive if=none,id=ID` attached by
 * `-device virtio-blk-device,drive=ID`. As in QEMU, explicit `-device` disks come first (the
 * drives' implicit devices are created after the command line's), a drive can be attached
 * once, and an `if=none` drive no device names stays unused. Returns the disks and the
 * `-device` texts left for the platform.
 */
export function attachDrives(
  drives: readonly DriveSpec[],
  devices: readonly string[],
): { disks: DriveSpec[]; devices: string[] } {
  const named = new Map<string, DriveSpec>();
  for (const d of drives) {
    if (d.id === undefined) continue;
    if (named.has(d.id)) throw new UsageError(`-drive: duplicate id '${d.id}'`);
    named.set(d.id, d);
  }
  const attached = new Set<DriveSpec>();
  const disks: DriveSpec[] = [];
  const rest: string[] = [];
  for (const text of devices) {
    const [[driver] = [""], ...props] = splitQemuKeyValues(text);
    if (driver !== VIRTIO_BLK) {
      rest.push(text);
      continue;
    }
    let id: string | undefined;
    for (const [key, value] of props) {
      if (key !== "drive") {
        throw new UsageError(`-device ${VIRTIO_BLK}: unknown property '${key}' (supported: drive)`);
      }
      id = value;
    }
    if (id === undefined) throw new UsageError(`-device ${VIRTIO_BLK}: missing drive=ID`);
    const drive = named.get(id);
    if (drive === undefined) {
      throw new UsageError(`-device ${VIRTIO_BLK},drive=${id}: no -drive has id=${id}`);
    }
    if (attached.has(drive) || drive.interface !== "none") {
      throw new UsageError(
        `-device ${VIRTIO_BLK},drive=${id}: the drive is already attached (give it if=none)`,
      );
    }
    attached.add(drive);
    disks.push(drive);
  }
  for (const d of drives) if (d.interface === "virtio") disks.push(d);
  return { disks, devices: rest };
}
