/**
 * Debian's arm64 Linux (shared/guests/aarch64, configs/vms/linux-aarch64-qemu-smp1.toml)
 * snapshotted at its shell in this process and restored by `axvisor run --restore` in a new
 * process: the shell answers and the guest's clock goes on. Booting Linux takes longer than
 * CI's per-test budget, so this runs only with AXVISOR_SNAPSHOT_LINUX=1 (and the images of
 * ../shared/guests and a built dist). No disk: Debian's arm64 kernel has virtio_mmio and
 * virtio_blk as modules that the busybox initramfs does not carry, so this guest cannot see
 * one (the demo guest's snapshot test covers virtio-blk).
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
  label: "aarch64",
  platform: "aarch64-qemu-virt",
  config: resolve(REPO_ROOT, "configs/vms/linux-aarch64-qemu-smp1.toml"),
  vmName: "linux-aarch64",
  images: [
    join(SHARED_GUESTS, "aarch64/linux-Image"),
    join(SHARED_GUESTS, "aarch64/initramfs.cpio.gz"),
  ],
  ramMiB: 640,
  bootTimeoutMs: 300_000,
  restoreTimeoutS: 120,
};
const skip = linuxRoundTripSkip(CASE);

describe.skipIf(skip !== undefined)("aarch64 Linux snapshot and restore in a new process", () => {
  it(
    "restored at its shell, Linux answers SHELL-42 and its uptime goes on",
    () => linuxRoundTrip(CASE),
    480_000,
  );
});
