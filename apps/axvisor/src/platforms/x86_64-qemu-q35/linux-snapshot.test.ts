/**
 * Debian's amd64 Linux (shared/guests/x86_64, configs/vms/linux-x86_64-qemu-smp1.toml) under
 * the x86_64 hypervisor, snapshotted at its shell in this process and restored by `axvisor
 * run --restore` in a new process: the shell answers and the guest's clock goes on. Booting
 * Linux takes longer than CI's per-test budget, so this runs only with
 * AXVISOR_SNAPSHOT_LINUX=1 (and the images of ../shared/guests and a built dist). No disk:
 * Debian's amd64 kernel has virtio_mmio and virtio_blk as modules (CONFIG_VIRTIO_BLK=m in
 * linux-config-6.1.0-56-amd64) that the busybox initramfs does not carry, so this guest cannot
 * see one (the demo guests' snapshot tests cover virtio-blk).
 */
import { join, resolve } from "node:path";
import { describe, it } from "vitest";
import {
  type LinuxRoundTrip,
  linuxRoundTrip,
  linuxRoundTripSkip,
} from "../../snapshot/test-support/linux-round-trip.js";
import { REPO_ROOT, SHARED_GUESTS } from "../../vmm/test-support/harness.js";

const CASE: LinuxRoundTrip = {
  label: "x86_64",
  platform: "x86_64-qemu-q35",
  config: resolve(REPO_ROOT, "configs/vms/linux-x86_64-qemu-smp1.toml"),
  vmName: "linux-x86_64",
  images: [
    join(SHARED_GUESTS, "x86_64/linux-bzImage"),
    join(SHARED_GUESTS, "x86_64/initramfs.cpio.gz"),
  ],
  ramMiB: 640,
  bootTimeoutMs: 900_000,
  restoreTimeoutS: 300,
};
const skip = linuxRoundTripSkip(CASE);

describe.skipIf(skip !== undefined)("x86_64 Linux snapshot and restore in a new process", () => {
  it(
    "restored at its shell, Linux answers SHELL-42 and its uptime goes on",
    () => linuxRoundTrip(CASE),
    1_200_000,
  );
});
