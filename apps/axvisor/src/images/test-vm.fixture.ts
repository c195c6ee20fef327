/**
 * Test support (not part of the app's interface): a real AxVM with a scripted vCPU backend and
 * inert MMIO devices, so image loading runs against a real guest address space.
 */
import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { ScriptedVCpuFactory } from "@axvisor/axvcpu/testing";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { AxVM } from "@axvisor/axvm";
import type { AxVMCrateConfig, EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import { addrRange, gpa } from "@axvisor/memory-addr";

function inertDevice(cfg: EmulatedDeviceConfig): BaseMmioDeviceOps {
  return {
    emuType: () => cfg.emuType,
    addressRange: () => addrRange(gpa(cfg.baseGpa), gpa(cfg.baseGpa + cfg.length)),
    handleRead: () => 0n,
    handleWrite: () => {},
  };
}

const inert = (cfg: EmulatedDeviceConfig) => inertDevice(cfg);

/** A VM for `config` on a test host with `hostRam` bytes of RAM at 0x8000_0000. */
export function makeTestVm(config: AxVMCrateConfig, hostRam = 32 * 1024 * 1024): AxVM {
  const host = createTestHost({ ramSize: hostRam, vms: { [config.base.id]: config.base.cpuNum } });
  const factory = new ScriptedVCpuFactory();
  return AxVM.create(config, {
    host,
    arch: {
      arch: "riscv64",
      vcpuFactory: factory.create,
      createConfig: () => undefined,
      setupConfig: () => undefined,
      pageTableFormat: "sv39x4",
    },
    deviceFactories: {
      [EmulatedDeviceType.Console]: inert,
      [EmulatedDeviceType.PPPTGlobal]: inert,
      [EmulatedDeviceType.VirtioBlk]: inert,
      [EmulatedDeviceType.VirtioNet]: inert,
      [EmulatedDeviceType.VirtioConsole]: inert,
    },
  });
}

/** Guest memory as bytes (a test helper: throws on a bad address). */
export function readGuest(vm: AxVM, at: number, len: number): Uint8Array {
  const r = vm.readGuest(at, len);
  if (!r.ok) throw r.error;
  return r.value;
}
