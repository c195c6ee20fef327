/**
 * NimbOS-x86 and axvm-bios, our own x86_64 guests (guests/x86_64, committed binaries), on the
 * board: through the multiboot loader (as `-kernel`) and through the BIOS started in flat real
 * mode at 0x8000 with the kernel at 0x20_0000 (the hypervisor's axvm-bios contract; a
 * reset-vector ROM does the hypervisor's part). The shell is driven like a user would.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MachineExit } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { PcMachine, type PcMachineOptions } from "./machine.js";

const GUESTS = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
  "guests",
  "x86_64",
);
const image = (path: string) => new Uint8Array(readFileSync(join(GUESTS, path)));

/** Each step waits for `until` in the console output (after the previous step's match), then types `send`. */
interface Step {
  readonly until: RegExp;
  readonly send?: string;
}

async function drive(
  options: Omit<PcMachineOptions, "console">,
  steps: readonly Step[],
  prepare?: (m: PcMachine) => void,
): Promise<{ log: string; exit: MachineExit }> {
  let log = "";
  let from = 0;
  let next = 0;
  const m = new PcMachine({
    ...options,
    console: (b) => {
      log += new TextDecoder().decode(b);
      while (next < steps.length) {
        const step = steps[next]!;
        const match = step.until.exec(log.slice(from));
        if (!match) break;
        from += match.index + match[0].length;
        next++;
        if (step.send !== undefined) m.sendInput(step.send);
      }
    },
  });
  prepare?.(m);
  const timer = setTimeout(
    () => m.stop(`step ${next} (${steps[next]?.until}) not reached`),
    15_000,
  );
  const exit = await m.run();
  clearTimeout(timer);
  return { log, exit };
}

const poweredOff: MachineExit = { kind: "poweroff", success: true, code: 0, source: "acpi" };

describe("NimbOS-x86 on the q35 board", () => {
  it("boots through the multiboot loader with 2 CPUs and answers help, info, smp, ipi, fault, poweroff", async () => {
    const { log, exit } = await drive(
      {
        cpus: 2,
        ramSize: 128 << 20,
        images: { kernel: { name: "nimbos.bin", data: image("nimbos/nimbos.bin") } },
      },
      [
        {
          until:
            /NimbOS-x86 [\d.]+: x86_64 long mode, 2 CPUs \(ACPI MADT\), RAM 128 MiB, booted by 'qemu'/,
        },
        { until: /LAPIC timer 100 Hz \(clock \d+ Hz, PIT\), COM1 input on IRQ 4 via the IOAPIC/ },
        { until: /nimbos> /, send: "help\r" },
        { until: /poweroff +power the machine off \(ACPI S5\)[\s\S]*nimbos> /, send: "info\r" },
        { until: /poweroff: PM1a control port 604 \(ACPI FADT\)[\s\S]*nimbos> /, send: "smp\r" },
        { until: /smp: 2 CPUs online[\s\S]*nimbos> /, send: "ipi 1\r" },
        { until: /ipi: CPU 1 answered[\s\S]*nimbos> /, send: "fault\r" },
        { until: /task 'faulty' \(id \d+\) killed[\s\S]*nimbos> /, send: "tasks\r" },
        { until: /hello1[\s\S]*nimbos> /, send: "poweroff\r" },
      ],
    );
    const where = `\n--- ${JSON.stringify(exit)}\n${log.slice(-3000)}`;
    expect(log, where).toContain("CPU vendor: GenuineIntel (AxVisor.ts x86-64 CPU)");
    expect(log, where).toContain("hypervisor: none (CPUID.1:ECX bit 31 clear)");
    expect(log, where).toContain("CPUs: 1 online of 2 (ACPI MADT)");
    expect(log, where).toContain("RAM: 128 MiB (from 'qemu')");
    expect(log, where).toMatch(/LAPIC: id 0 at fee00000, timer 100 Hz/);
    // Typed commands arrived through the UART's interrupt, not the timer's poll.
    expect(log, where).toMatch(/serial input: [1-9]\d* bytes by IRQ 4/);
    expect(log, where).toContain("smp: CPU 1 (APIC ID 1) is online");
    expect(log, where).toContain("hello from CPU 1 (APIC ID 1), task 'hello1'");
    expect(log, where).toMatch(/EXCEPTION invalid opcode \(#UD\) on CPU \d in task 'faulty': rip=/);
    expect(log, where).toMatch(/ {2}\d+ {2}heartbeat +sleeping/);
    expect(exit, where).toEqual(poweredOff);
  });

  it("boots through axvm-bios entered at 0x8000 in real mode, which finds the multiboot entry", async () => {
    const bios = image("bios/axvm-bios.bin");
    const kernel = image("nimbos/nimbos.bin");
    const { log, exit } = await drive(
      {
        cpus: 1,
        ramSize: 16 << 20,
        images: { firmware: { name: "reset-rom.bin", data: image("bios/reset-rom.bin") } },
      },
      [
        {
          until:
            /axvm-bios \(AxVisor.ts\): RAM 16 MiB \(fw_cfg\), kernel at 0x200000, entry 0x00200020 \(multiboot\)/,
        },
        {
          until:
            /NimbOS-x86 [\d.]+: x86_64 long mode, 1 CPU \(fw_cfg\), RAM 16 MiB, booted by 'AxVisor.ts axvm-bios'/,
        },
        { until: /nimbos> /, send: "uptime\r" },
        { until: /up \d+\.\d\d s \(\d+ ticks at 100 Hz\)[\s\S]*nimbos> /, send: "smp\r" },
        { until: /smp: this machine has one CPU \(fw_cfg\)[\s\S]*nimbos> /, send: "poweroff\r" },
      ],
      (m) => {
        // What the hypervisor (or QEMU's -device loader) does: images in RAM before the CPU starts.
        m.ram.set(bios, 0x8000);
        m.ram.set(kernel, 0x20_0000);
      },
    );
    expect(exit, `\n--- ${JSON.stringify(exit)}\n${log.slice(-3000)}`).toEqual(poweredOff);
  });
});
