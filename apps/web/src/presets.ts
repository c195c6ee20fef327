import demoToml from "../../../configs/vms/demo-riscv64-qemu-smp2.toml?raw";
import linuxToml from "../../../configs/vms/linux-riscv64-qemu-smp1.toml?raw";
import ubootToml from "../../../configs/vms/uboot-riscv64-qemu-smp1.toml?raw";

/**
 * Configs the page offers in its editor. Each is a file of the repository's configs/vms, read
 * as if it were at that place among the host files, so its relative image paths work as under
 * the CLI; `files` are what the VMM needs fetched first (from the site, under `url`).
 */
export interface Preset {
  readonly label: string;
  readonly toml: string;
  /** The config's path among the host files (where its relative paths start). */
  readonly source: string;
  /** Files it needs: the site's URL and their host-file path. */
  readonly files: readonly { url: string; path: string; readOnly: boolean }[];
  /** Only when the site serves ../shared/guests (`pnpm web` with the guests present). */
  readonly needsSharedGuests: boolean;
  /** `?boot=KEY` boots it on open; also the boot button's data-preset. */
  readonly key: string;
}

const SHARED_DISK = {
  url: "shared-guests/disk-riscv64.img",
  path: "/shared/guests/disk-riscv64.img",
  readOnly: true,
};

export const PRESETS: readonly Preset[] = [
  {
    label: "demo (riscv64, 2 vCPUs)",
    toml: demoToml,
    source: "/configs/vms/demo-riscv64-qemu-smp2.toml",
    files: [],
    needsSharedGuests: false,
    key: "demo",
  },
  {
    label: "Linux 6.1 + busybox (riscv64)",
    toml: linuxToml,
    source: "/configs/vms/linux-riscv64-qemu-smp1.toml",
    files: [
      {
        url: "shared-guests/riscv64/linux-Image",
        path: "/shared/guests/riscv64/linux-Image",
        readOnly: true,
      },
      {
        url: "shared-guests/riscv64/initramfs.cpio.gz",
        path: "/shared/guests/riscv64/initramfs.cpio.gz",
        readOnly: true,
      },
      SHARED_DISK,
    ],
    needsSharedGuests: true,
    key: "linux",
  },
  {
    label: "U-Boot (riscv64, S-mode)",
    toml: ubootToml,
    source: "/configs/vms/uboot-riscv64-qemu-smp1.toml",
    files: [
      {
        url: "shared-guests/riscv64/u-boot.bin",
        path: "/shared/guests/riscv64/u-boot.bin",
        readOnly: true,
      },
      SHARED_DISK,
    ],
    needsSharedGuests: true,
    key: "uboot",
  },
];
