import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { parseArmCpu, parseArmMachineProps } from "./emu-machine.js";

const PROGRAMS = fileURLToPath(
  new URL(
    "../../../../../packages/platforms/aarch64-qemu-virt/test/programs/bin/",
    import.meta.url,
  ),
);

describe("axvisor emu -M aarch64-qemu-virt", () => {
  it("runs the board's GIC programs at EL2 with GICv2 and GICv3 (PSCI SYSTEM_OFF: status 0)", async () => {
    for (const [gic, prog] of [
      ["2", "gicv2-vgic.elf"],
      ["3", "gicv3-timer.elf"],
    ] as const) {
      const c = captureIo();
      const machine = `aarch64-qemu-virt,virtualization=on,gic-version=${gic}`;
      expect(await runCli(["emu", "-M", machine, "-kernel", `${PROGRAMS}${prog}`], c.io)).toBe(0);
      expect(c.out()).toContain("PASS");
    }
  });

  it("reads QEMU's machine properties and CPU models, and refuses others in one line", async () => {
    expect(parseArmMachineProps(new Map([["gic-version", "3"]]))).toEqual({
      virtualization: false,
      gicVersion: 3,
    });
    expect(() => parseArmMachineProps(new Map([["secure", "on"]]))).toThrow(
      "-M: aarch64-qemu-virt: unsupported property 'secure=on' (virtualization=on|off, gic-version=2|3)",
    );
    expect(parseArmCpu(undefined)).toBe("cortex-a57");
    expect(parseArmCpu("max")).toBe("max");
    const c = captureIo();
    const args = [
      "emu",
      "-M",
      "arm-virt",
      "-cpu",
      "cortex-a72",
      "-kernel",
      `${PROGRAMS}gicv2-timer.elf`,
    ];
    expect(await runCli(args, c.io)).toBe(2);
    expect(c.err()).toBe(
      "axvisor emu: -cpu: unsupported 'cortex-a72' (aarch64: cortex-a57 or max)\n",
    );
  });
});
