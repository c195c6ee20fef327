/**
 * x86_64 guests under the VMM on the x86_64 host platform (x86-vcpu on the emulated CPU's
 * VMX, x86-vlapic): our axvm-bios + NimbOS-x86 with two vCPUs, and a misbehaving guest
 * (test-guests/x86/misbehave.S) whose forbidden accesses get the architected results, running
 * beside it in the same VMM.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAxVMConfig } from "@axvisor/axvmconfig";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, startTestVmm } from "../../vmm/test-support/harness.js";

const MISBEHAVE = resolve(REPO_ROOT, "apps/axvisor/test-guests/x86/misbehave.bin");
const MMIO_REWRITE = resolve(REPO_ROOT, "apps/axvisor/test-guests/x86/mmio-rewrite.bin");
const MMIO_REMAP = resolve(REPO_ROOT, "apps/axvisor/test-guests/x86/mmio-remap.bin");

function config(file: string, edit: (text: string) => string = (t) => t) {
  const path = resolve(REPO_ROOT, "configs/vms", file);
  return parseAxVMConfig(edit(readFileSync(path, "utf8")), { file: path, source: path });
}

const misbehaveToml = `
[base]
id = 2
name = "misbehave"
vm_type = 1
cpu_num = 1

[kernel]
entry_point = 0x8000
image_location = "memory"
kernel_path = "${MISBEHAVE}"
kernel_load_addr = 0x8000
memory_regions = [[0x0, 0x10000, 0x7, 0]]

[devices]
interrupt_mode = "emu"
emu_devices = []
passthrough_devices = []
`;

/**
 * A 32-bit "kernel" that checks what the boot protocol hands it: it prints the command line
 * boot_params points at (0x228), the 8 bytes at the RSDP address (0x70) and the e820 entry
 * count (0x1E8) as a digit on COM1, then Linux's microcode-revision probe (write 0 to
 * IA32_BIOS_SIGN_ID, read it back: 0), and powers off through PM1a control (S5).
 */
const PROBE_KERNEL = Uint8Array.from(
  [
    [0x8b, 0x9e, 0x28, 0x02, 0x00, 0x00], // mov ebx, [esi + 0x228]
    [0x66, 0xba, 0xf8, 0x03], // mov dx, 0x3f8
    [0x8a, 0x03], // 1: mov al, [ebx]
    [0x84, 0xc0], // test al, al
    [0x74, 0x04], // jz 2f
    [0xee], // out dx, al
    [0x43], // inc ebx
    [0xeb, 0xf6], // jmp 1b
    [0x8b, 0x5e, 0x70], // 2: mov ebx, [esi + 0x70]
    [0xb9, 0x08, 0x00, 0x00, 0x00], // mov ecx, 8
    [0x8a, 0x03], // 3: mov al, [ebx]
    [0xee], // out dx, al
    [0x43], // inc ebx
    [0xe2, 0xfa], // loop 3b
    [0x8a, 0x86, 0xe8, 0x01, 0x00, 0x00], // mov al, [esi + 0x1e8]
    [0x04, 0x30], // add al, '0'
    [0xee], // out dx, al
    [0xb9, 0x8b, 0x00, 0x00, 0x00], // mov ecx, 0x8b (IA32_BIOS_SIGN_ID)
    [0x0f, 0x30], // wrmsr
    [0x0f, 0x32], // rdmsr: the microcode revision, 0
    [0x04, 0x30], // add al, '0'
    [0x66, 0xba, 0xf8, 0x03], // mov dx, 0x3f8 (rdmsr set edx)
    [0xee], // out dx, al
    [0x66, 0xba, 0x04, 0x06], // mov dx, 0x604
    [0x66, 0xb8, 0x00, 0x20], // mov ax, 0x2000 (SLP_EN, S5)
    [0x66, 0xef], // out dx, ax
    [0xf4], // 4: hlt
    [0xeb, 0xfd], // jmp 4b
  ].flat(),
);

/** A bzImage around `kernel`: 4 setup sectors with a protocol 2.15 header, then the kernel. */
function fakeBzImage(
  kernel: Uint8Array,
  o: { readonly protocol?: number; readonly setupSects?: number } = {},
): Uint8Array {
  const pm = new Uint8Array(128);
  pm.set(kernel);
  const img = new Uint8Array(5 * 512 + pm.length);
  const v = new DataView(img.buffer);
  img[0x1f1] = o.setupSects ?? 4;
  v.setUint32(0x1f4, pm.length / 16, true); // syssize
  v.setUint16(0x1fe, 0xaa55, true);
  img[0x200] = 0xeb;
  img[0x201] = 0x6a; // the header ends at 0x26c
  v.setUint32(0x202, 0x5372_6448, true); // "HdrS"
  v.setUint16(0x206, o.protocol ?? 0x20f, true);
  img[0x211] = 1; // LOADED_HIGH
  v.setUint32(0x214, 0x10_0000, true);
  v.setUint32(0x22c, 0x7fff_ffff, true);
  v.setUint32(0x238, 2047, true);
  v.setUint32(0x260, 0x1_0000, true); // init_size
  img.set(pm, 5 * 512);
  return img;
}

const linuxToml = (kernel: string) => `
[base]
id = 3
name = "bzimage"
vm_type = 2
cpu_num = 1

[kernel]
entry_point = 0x10_0000
image_location = "memory"
kernel_path = "${kernel}"
kernel_load_addr = 0x10_0000
cmdline = "console=ttyS0 probe=1"
memory_regions = [[0x0, 0x100_0000, 0x7, 0]]

[devices]
interrupt_mode = "emu"
emu_devices = []
passthrough_devices = []
`;

describe("x86_64 guests under the VMM", () => {
  it("boots NimbOS-x86 from axvm-bios, starts its second vCPU by INIT-SIPI-SIPI and powers off, beside a misbehaving VM", async () => {
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 2, ramMiB: 128 });
    try {
      const nimbos = t.vmm.createVm(config("nimbos-x86_64-qemu-smp2.toml"));
      const bad = t.vmm.createVm(parseAxVMConfig(misbehaveToml, { file: "misbehave.toml" }));
      t.vmm.startVm(nimbos.id);
      t.vmm.startVm(bad.id);
      const boot = await t.waitFor(nimbos.id, /nimbos> /);
      expect(boot).toMatch(/axvm-bios \(AxVisor\.ts\): RAM 16 MiB \(fixed\), kernel at 0x200000/);
      expect(boot).toMatch(/NimbOS-x86 0\.1: x86_64 long mode, 2 CPUs/);
      expect(boot).toMatch(/LAPIC timer 100 Hz \(clock 62500000 Hz, CPUID 0x40000010\)/);
      t.vmm.sendInput(nimbos.id, "info\r");
      const info = await t.waitFor(nimbos.id, /poweroff: PM1a control port 604/);
      expect(info).toMatch(/hypervisor: RVMRVMRVMRVM/);
      t.vmm.sendInput(nimbos.id, "smp\r");
      await t.waitFor(nimbos.id, /smp: 2 CPUs online/);
      t.vmm.sendInput(nimbos.id, "ipi 1\r");
      await t.waitFor(nimbos.id, /ipi: CPU 1 answered/);
      t.vmm.sendInput(nimbos.id, "fault\r");
      await t.waitFor(nimbos.id, /task 'faulty' \(id \d+\) killed/);
      // Meanwhile the other VM read an unserved port and an unmapped address (all ones),
      // took #GP for a missing MSR and #UD for UD2, and triple-faulted, so it was reset and
      // went through it all again.
      const badOut = await t.waitFor(bad.id, /APMGU\nAPMGU\n/);
      expect(badOut).not.toMatch(/x/);
      t.vmm.sendInput(nimbos.id, "poweroff\r");
      expect(await t.waitEnd(nimbos.id)).toEqual({ kind: "poweroff", reason: 0 });
      expect(t.logs.join("\n")).toMatch(/SysRegRead 0x1_2345.* -> injected/);
    } finally {
      await t.close();
    }
  }, 60_000);

  it("runs AxVisor's own NimbOS config (host APICs passed through) with virtual APICs and a notice", async () => {
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      const vm = t.vmm.createVm(
        config("nimbos-x86_64-qemu-smp1.toml", (text) =>
          text
            .replace('interrupt_mode = "emu"', 'interrupt_mode = "passthrough"')
            .replace(
              '["HPET", 0xfed0_0000, 0xfed0_0000, 0x1000, 0x0],',
              '["IO APIC", 0xfec0_0000, 0xfec0_0000, 0x1000, 0x1],\n  ["Local APIC", 0xfee0_0000, 0xfee0_0000, 0x1000, 0x1],',
            ),
        ),
      );
      expect(t.notices.join("\n")).toMatch(
        /"IO APIC", "Local APIC" emulated instead of passed through/,
      );
      t.vmm.startVm(vm.id);
      await t.waitFor(vm.id, /nimbos> /);
      t.vmm.sendInput(vm.id, "poweroff\r");
      expect(await t.waitEnd(vm.id)).toEqual({ kind: "poweroff", reason: 0 });
    } finally {
      await t.close();
    }
  }, 60_000);

  it("decodes an MMIO store afresh after the guest rewrites it (the decode cache is checked against the bytes)", async () => {
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      const cfg = parseAxVMConfig(misbehaveToml.replace(MISBEHAVE, MMIO_REWRITE), {
        file: "mmio-rewrite.toml",
      });
      const vm = t.vmm.createVm(cfg);
      t.vmm.startVm(vm.id);
      // Two stores of ECX ('A') from the same instruction, then its ModRM byte patched to EBX.
      expect(await t.waitEnd(vm.id)).toEqual({ kind: "poweroff", reason: 0 });
      expect(t.output.get(vm.id)).toBe("AAB");
    } finally {
      await t.close();
    }
  }, 20_000);

  it("translates a device page afresh after the guest remaps it (INVLPG, CR3 reload)", async () => {
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      const cfg = parseAxVMConfig(misbehaveToml.replace(MISBEHAVE, MMIO_REMAP), {
        file: "mmio-remap.toml",
      });
      const vm = t.vmm.createVm(cfg);
      t.vmm.startVm(vm.id);
      // The vIOAPIC twice, then the open bus after INVLPG, then the vIOAPIC after MOV CR3.
      expect(await t.waitEnd(vm.id)).toEqual({ kind: "poweroff", reason: 0 });
      expect(t.output.get(vm.id)).toBe("AAHA");
    } finally {
      await t.close();
    }
  }, 20_000);

  it("takes a guest off the CPU at the end of a slice that ends in an STI shadow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      // 1: cli; sti; jmp 1b - one instruction in three is an STI that opens a shadow, so
      // some slice (100 000 instructions) ends on one: the preemption must wait for the JMP.
      const file = join(dir, "sti-loop.bin");
      writeFileSync(file, Uint8Array.of(0xfa, 0xfb, 0xeb, 0xfc));
      const cfg = parseAxVMConfig(misbehaveToml.replace(MISBEHAVE, file), { file: "sti.toml" });
      const vm = t.vmm.createVm(cfg);
      t.vmm.startVm(vm.id);
      const deadline = performance.now() + 20_000;
      const busy = () => (vm.stats.vcpus[0]?.instructions ?? 0) < 1_000_000 && !t.ends.has(vm.id);
      while (busy() && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(t.ends.get(vm.id)).toBeUndefined();
      expect(vm.stats.vcpus[0]?.instructions).toBeGreaterThanOrEqual(1_000_000);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("boots a bzImage by the Linux boot protocol: boot_params in RSI with the command line, RSDP and e820", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      const file = join(dir, "bzImage");
      writeFileSync(file, fakeBzImage(PROBE_KERNEL));
      const cfg = parseAxVMConfig(linuxToml(file), { file: "bz.toml" });
      const vm = t.vmm.createVm(cfg);
      t.vmm.startVm(vm.id);
      expect(await t.waitEnd(vm.id)).toEqual({ kind: "poweroff", reason: 0 });
      // The probe printed the command line, the RSDP's signature, the e820 entry count (RAM
      // below the boot page, ACPI, RAM to the EBDA, the legacy hole, RAM from 1 MiB) and the
      // microcode revision (a #GP instead would have triple-faulted the probe).
      expect(t.output.get(vm.id)).toBe("console=ttyS0 probe=1RSD PTR 50");
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("powers off on the ACPI sleep to S5 as Linux writes it, with the CMOS RTC answering", async () => {
    // Linux's legacy sleep reads PM1a control, keeps SCI_EN and the other bits, and writes
    // SLP_TYP (\_S5: 0) | SLP_EN back; the VM's clock code reads the CMOS RTC first.
    const kernel = Uint8Array.from(
      [
        [0x66, 0xba, 0x04, 0x06], // mov dx, 0x604
        [0x66, 0xed], // in ax, dx
        [0x66, 0x89, 0xc3], // mov bx, ax
        [0x66, 0xba, 0xf8, 0x03], // mov dx, 0x3f8
        [0x24, 0x01], // and al, 1 (SCI_EN: the VM is in ACPI mode)
        [0x04, 0x30], // add al, '0'
        [0xee], // out dx, al
        [0xb0, 0x0d], // mov al, 0x0d (RTC status D)
        [0xe6, 0x70], // out 0x70, al
        [0xe4, 0x71], // in al, 0x71
        [0xc0, 0xe8, 0x07], // shr al, 7 (VRT: the clock's time is valid)
        [0x04, 0x30], // add al, '0'
        [0xee], // out dx, al
        [0x66, 0x89, 0xd8], // mov ax, bx
        [0x66, 0x0d, 0x00, 0x20], // or ax, 0x2000 (SLP_EN)
        [0x66, 0xba, 0x04, 0x06], // mov dx, 0x604
        [0x66, 0xef], // out dx, ax
        [0xf4], // 1: hlt
        [0xeb, 0xfd], // jmp 1b
      ].flat(),
    );
    const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      const file = join(dir, "bzImage");
      writeFileSync(file, fakeBzImage(kernel));
      const vm = t.vmm.createVm(parseAxVMConfig(linuxToml(file), { file: "s5.toml" }));
      t.vmm.startVm(vm.id);
      expect(await t.waitEnd(vm.id)).toEqual({ kind: "poweroff", reason: 0 });
      expect(t.output.get(vm.id)).toBe("11");
      expect(t.logs.join("\n")).not.toMatch(/no port device/);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a corrupt or truncated bzImage with a one-line reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      const cases: [Uint8Array, RegExp][] = [
        [
          fakeBzImage(PROBE_KERNEL).subarray(0, 5 * 512 + 8),
          /truncated bzImage: the protected-mode kernel has 8 bytes, the header says 128/,
        ],
        [fakeBzImage(PROBE_KERNEL, { protocol: 0x204 }), /boot protocol 2\.04 is older than 2\.06/],
        [
          fakeBzImage(PROBE_KERNEL, { setupSects: 60 }),
          /corrupt bzImage: setup_sects 60 puts the kernel past the end/,
        ],
        [
          fakeBzImage(PROBE_KERNEL).subarray(0, 0x240),
          /truncated bzImage: 576 bytes, shorter than its setup header/,
        ],
      ];
      for (const [image, error] of cases) {
        const file = join(dir, "bzImage");
        writeFileSync(file, image);
        const cfg = parseAxVMConfig(linuxToml(file), { file: "bz.toml" });
        let message = "";
        try {
          t.vmm.createVm(cfg);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(error);
        expect(message).not.toMatch(/\n/);
      }
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
