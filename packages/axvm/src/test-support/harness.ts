import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { ScriptedVCpuFactory, type ScriptStep } from "@axvisor/axvcpu/testing";
import { createTestHost, type TestHost } from "@axvisor/axvisor-api/testing";
import { type AxVMCrateConfig, parseAxVMConfig } from "@axvisor/axvmconfig";
import {
  type AccessWidth,
  type AddrRange,
  addrRange,
  type GuestPhysAddr,
  gpa,
} from "@axvisor/memory-addr";
import type { ArchBackend } from "../arch-backend.js";
import { AxVM, type AxVMDeps, type GuestFaultEvent } from "../ax-vm.js";
import type { VmDeviceContext } from "../vm-device-context.js";

/** Parses a config from packages/axvm/fixtures through axvmconfig, as the app would. */
export function loadFixture(name: string): AxVMCrateConfig {
  const path = fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
  return parseAxVMConfig(readFileSync(path, "utf8"), { file: path, source: path });
}

export interface RiscvCreateConfig {
  readonly hartId: number;
  readonly dtbAddr: number;
}

/**
 * A device with 32 little-endian byte registers. `onWrite` lets a test act from inside a
 * device access (a power-off register suspending or stopping the VM, say).
 */
export class RegisterDevice implements BaseMmioDeviceOps {
  readonly bytes = new Uint8Array(32);
  readonly accesses: string[] = [];
  resets = 0;
  onWrite: ((offset: number, value: bigint) => void) | null = null;

  constructor(
    readonly base: number,
    readonly ctx: VmDeviceContext,
  ) {}

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Console;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return addrRange(gpa(this.base), gpa(this.base + 0x100));
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = (addr - this.base) % 32;
    this.accesses.push(`r${width}@${off}`);
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[(off + i) % 32]!);
    // Junk above the access width, as a careless model might return: the VM must not let it
    // reach a guest register.
    return width === 8 ? v : BigInt.asUintN(64, v | (0xa5a5_a5a5_a5a5_a5a5n << BigInt(width * 8)));
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const off = (addr - this.base) % 32;
    this.accesses.push(`w${width}@${off}=${value.toString(16)}`);
    for (let i = 0; i < width; i++) {
      this.bytes[(off + i) % 32] = Number((value >> BigInt(8 * i)) & 0xffn);
    }
    this.onWrite?.(off, value);
  }

  reset(): void {
    this.resets++;
    this.bytes.fill(0);
  }
}

export interface Harness {
  readonly host: TestHost;
  readonly vm: AxVM<RiscvCreateConfig, string>;
  readonly factory: ScriptedVCpuFactory<RiscvCreateConfig, string>;
  readonly devices: RegisterDevice[];
  readonly faults: GuestFaultEvent[];
}

export interface HarnessOptions {
  readonly fixture?: string;
  /** Default: a fresh test host with 32 MiB of RAM at 0x8000_0000. */
  readonly host?: TestHost;
  /** Scripts per vCPU; `generation` counts rebuilds of that vCPU (VM restarts). */
  readonly script?: (vcpuId: number, generation: number) => readonly ScriptStep[];
  /** false: the backend has no injectFault hook. */
  readonly injectFaults?: boolean;
  readonly deps?: Partial<AxVMDeps<RiscvCreateConfig, string>>;
  readonly config?: (c: AxVMCrateConfig) => AxVMCrateConfig;
}

export const testHost = (): TestHost => createTestHost({ ramSize: 32 * 1024 * 1024 });

/** A VM built from a TOML fixture with the scripted backend and a RegisterDevice model. */
export function makeVm(opts: HarnessOptions = {}): Harness {
  const host = opts.host ?? testHost();
  const factory = new ScriptedVCpuFactory<RiscvCreateConfig, string>(
    (_vm, vcpuId, generation) => opts.script?.(vcpuId, generation) ?? [],
    { injectFaults: opts.injectFaults ?? true },
  );
  const arch: ArchBackend<RiscvCreateConfig, string> = {
    arch: "riscv64",
    vcpuFactory: factory.create,
    createConfig: (p) => ({ hartId: p.physCpuId, dtbAddr: p.config.kernel.dtbLoadAddr ?? 0 }),
    setupConfig: (p) => `setup vCPU ${p.vcpuId} (${p.pageTableFormat})`,
    pageTableFormat: "sv39x4",
  };
  const devices: RegisterDevice[] = [];
  const faults: GuestFaultEvent[] = [];
  let config = loadFixture(opts.fixture ?? "riscv-test-vm.toml");
  if (opts.config) config = opts.config(config);
  const vm = AxVM.create(config, {
    host,
    arch,
    deviceFactories: {
      [EmulatedDeviceType.Console]: (cfg, ctx) => {
        const d = new RegisterDevice(cfg.baseGpa, ctx);
        devices.push(d);
        return d;
      },
    },
    onGuestFault: (e) => faults.push(e),
    ...opts.deps,
  });
  return { host, vm, factory, devices, faults };
}

/** Makes a fresh harness VM Running. */
export function runningVm(opts: HarnessOptions = {}): Harness {
  const h = makeVm(opts);
  h.vm.markLoaded();
  h.vm.boot();
  return h;
}
