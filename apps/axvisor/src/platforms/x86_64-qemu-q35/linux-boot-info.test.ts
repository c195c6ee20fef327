import { parseAxVMConfig } from "@axvisor/axvmconfig";
import { checksum, E820_ACPI, E820_RAM, E820_RESERVED } from "@axvisor/platform-x86_64-qemu-q35";
import { describe, expect, it } from "vitest";
import { buildVmLinuxBootInfo, VM_LINUX_BOOT, vmE820 } from "./linux-boot-info.js";

const config = (devices = "") =>
  parseAxVMConfig(
    `
[base]
id = 1
name = "linux"
vm_type = 2
cpu_num = 2

[kernel]
entry_point = 0x10_0000
image_location = "memory"
kernel_path = "bzImage"
kernel_load_addr = 0x10_0000
cmdline = "console=ttyS0"
memory_regions = [[0x0, 0x2000_0000, 0x7, 0]]

[devices]
interrupt_mode = "emu"
emu_devices = [${devices}]
passthrough_devices = []
`,
    { file: "linux.toml" },
  );

const placed = {
  memory: [{ gpa: 0, size: 0x2000_0000, flags: 0x7 }],
  initrd: { start: 0x1000_0000, end: 0x1010_0000 },
  kernelSetup: setupSectors(),
};

/** The boot sector and setup of a protocol 2.15 bzImage (only the header matters). */
function setupSectors(): Uint8Array {
  const img = new Uint8Array(5 * 512);
  const v = new DataView(img.buffer);
  img[0x1f1] = 4;
  img[0x201] = 0x6a;
  v.setUint32(0x202, 0x5372_6448, true);
  v.setUint16(0x206, 0x20f, true);
  img[0x211] = 1;
  v.setUint32(0x22c, 0x7fff_ffff, true);
  v.setUint32(0x238, 2047, true);
  return img;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const sig = (b: Uint8Array, at: number) => new TextDecoder().decode(b.subarray(at, at + 4));

describe("a Linux VM's boot information", () => {
  it("maps the VM's RAM with the ACPI page, the legacy hole and virtio windows carved out", () => {
    const c = config('["blk", 0xfeb0_0000, 0x200, 16, 0xe1, []]');
    expect(vmE820(c, placed)).toEqual([
      { addr: 0, size: 0x9000, type: E820_RAM },
      { addr: 0x9000, size: 0x1000, type: E820_ACPI },
      { addr: 0xa000, size: 0x9fc00 - 0xa000, type: E820_RAM },
      { addr: 0x9fc00, size: 0x100000 - 0x9fc00, type: E820_RESERVED },
      { addr: 0x100000, size: 0x2000_0000 - 0x100000, type: E820_RAM },
      { addr: 0xfeb0_0000, size: 0x200, type: E820_RESERVED },
    ]);
  });

  it("fills boot_params and lays out the command line, boot GDT and ACPI tables (one LAPIC per vCPU, no HPET, no PM timer)", () => {
    const c = config('["blk", 0xfeb0_0000, 0x200, 16, 0xe1, []]');
    const blob = buildVmLinuxBootInfo({ config: c, placed, apicIds: [0, 1], ioapicId: 0 });
    const at = (gpa: number) => gpa - VM_LINUX_BOOT.zeroPage;
    const zp = view(blob);
    expect(zp.getUint32(0x202, true)).toBe(0x5372_6448);
    expect(blob[0x210]).toBe(0xb0);
    expect(zp.getUint32(0x228, true)).toBe(VM_LINUX_BOOT.cmdline);
    expect(zp.getUint32(0x218, true)).toBe(0x1000_0000);
    expect(zp.getUint32(0x21c, true)).toBe(0x10_0000);
    expect(blob[0x1e8]).toBe(6);
    const cmd = blob.subarray(at(VM_LINUX_BOOT.cmdline));
    expect(new TextDecoder().decode(cmd.subarray(0, cmd.indexOf(0)))).toBe(
      "console=ttyS0 virtio_mmio.device=512@0xfeb00000:16",
    );
    expect(zp.getBigUint64(at(VM_LINUX_BOOT.gdt) + 0x10, true)).toBe(0x00cf_9a00_0000_ffffn);

    const rsdp = Number(zp.getBigUint64(0x70, true));
    expect(new TextDecoder().decode(blob.subarray(at(rsdp), at(rsdp) + 8))).toBe("RSD PTR ");
    expect(checksum(blob, at(rsdp), at(rsdp) + 36)).toBe(0);
    const xsdt = Number(zp.getBigUint64(at(rsdp) + 24, true));
    const xlen = zp.getUint32(at(xsdt) + 4, true);
    const tables = new Map<string, number>();
    for (let i = 36; i < xlen; i += 8) {
      const t = Number(zp.getBigUint64(at(xsdt) + i, true));
      tables.set(sig(blob, at(t)), t);
      expect(checksum(blob, at(t), at(t) + zp.getUint32(at(t) + 4, true))).toBe(0);
    }
    expect([...tables.keys()]).toEqual(["FACP", "APIC"]);
    expect(zp.getUint32(at(tables.get("FACP")!) + 76, true)).toBe(0); // no PM timer

    const madt = at(tables.get("APIC")!);
    const entries: number[][] = [];
    for (let i = madt + 44; i < madt + zp.getUint32(madt + 4, true); i += blob[i + 1]!) {
      entries.push([...blob.subarray(i, i + blob[i + 1]!)]);
    }
    // Local APICs (processor uid, APIC id, enabled), the IOAPIC at 0xFEC0_0000 with GSI base
    // 0, and IRQ0 -> GSI2.
    expect(entries.filter((e) => e[0] === 0).map((e) => e.slice(2, 5))).toEqual([
      [0, 0, 1],
      [1, 1, 1],
    ]);
    expect(entries.find((e) => e[0] === 1)).toEqual([1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0]);
    expect(entries.find((e) => e[0] === 2 && e[3] === 0)?.slice(4, 8)).toEqual([2, 0, 0, 0]);
  });

  it("refuses a command line the kernel cannot take and a ramdisk above initrd_addr_max", () => {
    const long = config();
    const c = { ...long, kernel: { ...long.kernel, cmdline: "x".repeat(3000) } };
    expect(() => buildVmLinuxBootInfo({ config: c, placed, apicIds: [0], ioapicId: 0 })).toThrow(
      /the command line has 3000 bytes; the kernel takes at most 2047/,
    );
    const setup = setupSectors();
    view(setup).setUint32(0x22c, 0x0fff_ffff, true);
    expect(() =>
      buildVmLinuxBootInfo({
        config: config(),
        placed: { ...placed, kernelSetup: setup },
        apicIds: [0],
        ioapicId: 0,
      }),
    ).toThrow(/the ramdisk ends at 0x1010_?0000, above the kernel's initrd_addr_max/);
  });
});
