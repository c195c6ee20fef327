import { describe, expect, it } from "vitest";
import { createHostBoard, defaultGuestOf } from "./host-of.js";
import type { HostPlatform } from "./host-platform.js";
import { PlatformRegistry } from "./registry.js";

/** A platform with only a bare machine (no hypervisor backend, no demo guest yet). */
const bare = (name: string, arch: HostPlatform["arch"], aliases: string[] = []): HostPlatform => ({
  name,
  aliases,
  arch,
  description: `${name} for tests`,
  maxCpus: 4,
  timebaseHz: 10_000_000,
  createEmuMachine: () => {
    throw new Error("not used here");
  },
  resolveFirmware: () => undefined,
});

describe("PlatformRegistry", () => {
  it("finds platforms by name, alias and architecture, and lists the known ones when asked for another", () => {
    const r = new PlatformRegistry();
    const a = bare("aarch64-qemu-virt", "aarch64", ["arm-virt"]);
    const x = bare("x86_64-qemu-q35", "x86_64", ["pc", "q35"]);
    r.register(a);
    r.register(x);
    expect(r.get("arm-virt")).toBe(a);
    expect(r.find("q35")).toBe(x);
    expect(r.forArch("x86_64")).toBe(x);
    expect(r.forArch("riscv64")).toBeUndefined();
    expect(r.names).toEqual(["aarch64-qemu-virt", "x86_64-qemu-q35"]);
    expect(() => r.get("mips-malta")).toThrow(
      "unknown platform 'mips-malta'; known platforms: aarch64-qemu-virt, x86_64-qemu-q35",
    );
    expect(() => r.register(bare("other", "aarch64", ["pc"]))).toThrow(
      "platform name 'pc' is taken by x86_64-qemu-q35",
    );
  });

  it("says in one line when a platform has no hypervisor backend or demo guest yet", () => {
    const p = bare("aarch64-qemu-virt", "aarch64");
    expect(() => createHostBoard(p, { cpus: 1, ramSize: 64 << 20 })).toThrow(
      "platform aarch64-qemu-virt has no hypervisor backend yet; its bare machine runs with 'axvisor emu -M aarch64-qemu-virt'",
    );
    expect(() => defaultGuestOf(p)).toThrow(
      "platform aarch64-qemu-virt has no built-in demo guest yet",
    );
  });
});
