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

  it("refuses a Linux bzImage with a one-line reason instead of running its setup code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-"));
    const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 1, ramMiB: 64 });
    try {
      // The boot-sector signature and the setup header's "HdrS": what identifies a bzImage.
      const image = new Uint8Array(4096);
      image.set([0x55, 0xaa], 0x1fe);
      image.set([...Buffer.from("HdrS")], 0x202);
      const file = join(dir, "bzImage");
      writeFileSync(file, image);
      const cfg = parseAxVMConfig(misbehaveToml.replace(MISBEHAVE, file), { file: "bz.toml" });
      expect(() => t.vmm.createVm(cfg)).toThrow(
        /is a Linux bzImage; booting Linux by its boot protocol under the x86_64 hypervisor is not implemented yet/,
      );
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
