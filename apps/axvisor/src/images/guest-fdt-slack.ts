/**
 * Free bytes the VMM leaves inside a guest device tree's `totalsize`.
 *
 * The VMM hands a VM its device tree the way firmware hands one to the next stage, and boot
 * loaders edit that blob in place: OpenSBI grows it before passing it on, and U-Boot's `bootm`
 * (with `fdt_high = ~0`, its riscv64 and arm64 QEMU default) adds `/chosen` properties to the
 * blob where it lies, inside the room it reserved when it relocated itself - the blob's
 * `totalsize`. A packed blob leaves no room, so those edits overwrite U-Boot's global data
 * just above it and the guest faults after "Starting kernel ...". A few KiB cover what boot
 * loaders add (bootargs, initrd range, boot-hartid, version strings, memory fixups).
 */
export const GUEST_FDT_SLACK = 0x1000;
