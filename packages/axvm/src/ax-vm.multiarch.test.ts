/**
 * The VM layer is architecture-neutral: these tests run AxVM with scripted aarch64 and x86_64
 * backends (the exits their real backends produce, in their own register numbering) on the
 * nested page-table formats those CPUs walk, before any of those backends exists.
 */

import type { Arch } from "@axvisor/arch";
import {
  type BaseMmioDeviceOps,
  type BasePortDeviceOps,
  type BaseSysRegDeviceOps,
  type DeviceAccess,
  EmulatedDeviceType,
} from "@axvisor/axdevice-base";
import type { ExitReason } from "@axvisor/axvcpu";
import { ScriptedVCpuFactory, type ScriptStep } from "@axvisor/axvcpu/testing";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { parseAxVMConfig } from "@axvisor/axvmconfig";
import {
  AccessWidth,
  type AddrRange,
  addrRange,
  type GuestPhysAddr,
  gpa,
  hpa,
  type Port,
  type PortRange,
  port,
  portRange,
  type SysRegAddr,
  type SysRegAddrRange,
  sysRegAddr,
  sysRegAddrRange,
} from "@axvisor/memory-addr";
import { formatInfo, type PageTableFormat } from "@axvisor/page-table";
import { describe, expect, it } from "vitest";
import type { ArchBackend } from "./arch-backend.js";
import { AxVM } from "./ax-vm.js";

/** A device whose every register is one 64-bit latch; it records who touched it. */
class Latch<A extends number> {
  value = 0n;
  readonly seen: string[] = [];
  handleRead(addr: A, width: AccessWidth, access?: DeviceAccess): bigint {
    this.seen.push(`r${width}@${addr.toString(16)} by vCPU ${access?.vcpuId}`);
    return this.value;
  }
  handleWrite(addr: A, width: AccessWidth, value: bigint, access?: DeviceAccess): void {
    this.seen.push(
      `w${width}@${addr.toString(16)}=${value.toString(16)} by vCPU ${access?.vcpuId}`,
    );
    this.value = value;
  }
}

class MmioLatch extends Latch<GuestPhysAddr> implements BaseMmioDeviceOps {
  constructor(readonly base: number) {
    super();
  }
  emuType() {
    return EmulatedDeviceType.Console;
  }
  addressRange(): AddrRange<GuestPhysAddr> {
    return addrRange(gpa(this.base), gpa(this.base + 0x1000));
  }
}

class PortLatch extends Latch<Port> implements BasePortDeviceOps {
  emuType() {
    return EmulatedDeviceType.Console;
  }
  addressRange(): PortRange {
    return portRange(port(0x3f8), port(0x3ff));
  }
}

class SysRegLatch extends Latch<SysRegAddr> implements BaseSysRegDeviceOps {
  emuType() {
    return EmulatedDeviceType.GPPTRedistributor;
  }
  addressRange(): SysRegAddrRange {
    // ICC_SGI1R_EL1 (op0 3, op1 0, CRn 12, CRm 11, op2 5) in AxVisor's sysreg numbering.
    return sysRegAddrRange(sysRegAddr(0xc65d), sysRegAddr(0xc65d));
  }
}

const AARCH64_VM = `
[base]
id = 2
name = "arceos-aarch64"
vm_type = 1
cpu_num = 2
phys_cpu_ids = [0x0, 0x1]

[kernel]
entry_point = 0x4008_0000
kernel_path = "arceos-aarch64.bin"
kernel_load_addr = 0x4008_0000
image_location = "memory"
memory_regions = [[0x4000_0000, 0x100_0000, 0x7, 1]]

[devices]
passthrough_devices = []
emu_devices = [["pl011", 0x0900_0000, 0x1000, 33, 0x02, []]]
interrupt_mode = "emu"
`;

const X86_64_VM = `
[base]
id = 3
name = "nimbos-x86_64"
vm_type = 1
cpu_num = 2

[kernel]
entry_point = 0x20_0000
kernel_path = "nimbos.bin"
kernel_load_addr = 0x20_0000
image_location = "memory"
memory_regions = [[0x0, 0x100_0000, 0x7, 1]]

[devices]
passthrough_devices = []
emu_devices = [["com1", 0xfec0_0000, 0x1000, 0, 0x02, []]]
interrupt_mode = "emu"
`;

function makeVm(arch: Arch, format: PageTableFormat, toml: string, script: ScriptStep[]) {
  const host = createTestHost({ ramSize: 64 << 20, vms: { 2: 2, 3: 2 } });
  const factory = new ScriptedVCpuFactory<{ cpuId: number }, void>((_vm, vcpuId) =>
    vcpuId === 0 ? script : [],
  );
  const backend: ArchBackend<{ cpuId: number }, void> = {
    arch,
    pageTableFormat: format,
    vcpuFactory: factory.create,
    createConfig: (p) => ({ cpuId: p.physCpuId }),
    setupConfig: () => {},
  };
  const mmio: MmioLatch[] = [];
  const ports = new PortLatch();
  const sysRegs = new SysRegLatch();
  const config = parseAxVMConfig(toml, { file: `${arch}.toml` });
  const vm = AxVM.create(config, {
    host,
    arch: backend,
    deviceFactories: {
      [EmulatedDeviceType.Console]: (cfg) => {
        const d = new MmioLatch(cfg.baseGpa);
        mmio.push(d);
        return { mmio: [d], ports: [ports], sysRegs: [sysRegs] };
      },
    },
  });
  vm.markLoaded();
  vm.boot();
  return { host, vm, factory, mmio, ports, sysRegs };
}

/**
 * Walks the nested table in host RAM by the hardware rules of its format, independently of
 * axaddrspace: ARM stage 2 (descriptor bits [1:0] = 0b11 for tables and pages) or EPT (any of
 * R/W/X set means present).
 */
function walk(
  host: ReturnType<typeof createTestHost>,
  format: PageTableFormat,
  root: number,
  at: number,
) {
  const info = formatInfo(format);
  let table = root;
  for (let level = 0; level < info.levels; level++) {
    const shift = 12 + 9 * (info.levels - 1 - level);
    const bits = 9 + (level === 0 ? info.rootExtraBits : 0);
    const index = Math.floor(at / 2 ** shift) % 2 ** bits;
    const raw = host.memory.hostBuffer(hpa(table + 8 * index), 8);
    const d = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
    const valid = format === "ept-l4" ? (d & 7n) !== 0n : (d & 3n) === 3n;
    if (!valid) return null;
    table = Number(d & 0x000f_ffff_ffff_f000n);
  }
  return table + (at % 4096);
}

describe("AxVM with a scripted aarch64 backend", () => {
  for (const format of ["arm-s2-l3", "arm-s2-l4"] as const) {
    it(`serves MMIO and sysreg exits on ${format} and returns IPI, CPU_ON and SYSTEM_OFF to the VMM`, () => {
      const sgi: ExitReason = {
        kind: "SendIPI",
        targetCpu: 0n,
        targetCpuAux: 0b10n,
        sendToAll: false,
        sendToSelf: false,
        vector: 1,
        targetVcpus: [1],
      };
      const cpuOn: ExitReason = {
        kind: "CpuUp",
        targetCpu: 1n,
        entryPoint: gpa(0x4008_0000),
        arg: 7n,
      };
      const off: ExitReason = { kind: "SystemDown", resetType: "shutdown", reason: 0 };
      const { host, vm, factory, mmio, sysRegs } = makeVm("aarch64", format, AARCH64_VM, [
        // str w1, [x2] to the PL011 data register; ldrsb x3, [x2] back from it (w view).
        {
          kind: "MmioWrite",
          addr: gpa(0x0900_0000),
          width: AccessWidth.Dword,
          data: 0x1_0000_0041n,
        },
        {
          kind: "MmioRead",
          addr: gpa(0x0900_0000),
          width: AccessWidth.Byte,
          reg: 3,
          regWidth: AccessWidth.Qword,
          signExtend: true,
        },
        {
          kind: "MmioRead",
          addr: gpa(0x0900_0018),
          width: AccessWidth.Dword,
          reg: 4,
          regWidth: AccessWidth.Dword,
          signExtend: true,
        },
        // msr icc_sgi1r_el1, x5 trapped as a system-register write, then read back into x6.
        { kind: "SysRegWrite", addr: sysRegAddr(0xc65d), value: 0x1_0002n },
        { kind: "SysRegRead", addr: sysRegAddr(0xc65d), reg: 6 },
        sgi,
        cpuOn,
        off,
      ]);
      mmio[0]!.value = 0xf0n;
      expect(vm.runVcpu(0)).toEqual(sgi);
      expect(mmio[0]!.seen).toEqual([
        "w4@9000000=41 by vCPU 0",
        "r1@9000000 by vCPU 0",
        "r4@9000018 by vCPU 0",
      ]);
      const gprs = factory.latest(0).gprs;
      // ldrsb sign-extends 0x41 read after the store; a w-register load stays 32 bits wide.
      expect(gprs.get(3)).toBe(0x41n);
      expect(gprs.get(4)).toBe(0x41n);
      expect(sysRegs.seen).toEqual(["w8@c65d=10002 by vCPU 0", "r8@c65d by vCPU 0"]);
      expect(gprs.get(6)).toBe(0x1_0002n);
      expect(vm.runVcpu(0)).toEqual(cpuOn);
      expect(vm.runVcpu(0)).toEqual(off);
      // The guest RAM is mapped in the stage-2 format the CPU walks.
      const root = vm.eptRoot();
      const at = 0x4012_3458;
      vm.writeGuest(at, Uint8Array.of(1));
      expect(walk(host, format, root, at)).toBe(vm.addrSpace.translate(at));
      expect(walk(host, format, root, 0x0900_0000)).toBeNull();
    });
  }

  it("sign-extends an ldrsh into a w register to 32 bits only", () => {
    const { vm, factory, mmio } = makeVm("aarch64", "arm-s2-l3", AARCH64_VM, [
      {
        kind: "MmioRead",
        addr: gpa(0x0900_0000),
        width: AccessWidth.Word,
        reg: 7,
        regWidth: AccessWidth.Dword,
        signExtend: true,
      },
      { kind: "Halt" },
    ]);
    mmio[0]!.value = 0x8001n;
    expect(vm.runVcpu(0)).toEqual({ kind: "Halt" });
    expect(factory.latest(0).gprs.get(7)).toBe(0xffff_8001n);
  });
});

describe("AxVM with a scripted x86_64 backend", () => {
  it("serves port I/O into RAX by width and MMIO on ept-l4, returns INIT-SIPI and triple fault", () => {
    const sipi: ExitReason = { kind: "CpuUp", targetCpu: 1n, entryPoint: gpa(0x9_0000), arg: 0n };
    const triple: ExitReason = { kind: "SystemDown", resetType: "cold-reboot", reason: 1 };
    const { host, vm, factory, mmio, ports } = makeVm("x86_64", "ept-l4", X86_64_VM, [
      // out dx, al: one byte to COM1's data port.
      { kind: "IoWrite", port: port(0x3f8), width: AccessWidth.Byte, data: 0x4142n },
      (v) => {
        v.setGpr(0, 0x1122_3344_5566_7788n); // rax before `in al, dx`
        return { kind: "IoRead", port: port(0x3fd), width: AccessWidth.Byte };
      },
      // mov [0xfec00010], eax to the emulated IOAPIC-like window.
      { kind: "MmioWrite", addr: gpa(0xfec0_0010), width: AccessWidth.Dword, data: 0xdead_beefn },
      sipi,
      triple,
    ]);
    expect(vm.runVcpu(0)).toEqual(sipi);
    expect(ports.seen).toEqual(["w1@3f8=42 by vCPU 0", "r1@3fd by vCPU 0"]);
    // `in al` reads back the byte written (0x42) and replaces AL only: the rest of RAX is kept.
    expect(factory.latest(0).gprs.get(0)).toBe(0x1122_3344_5566_7742n);
    expect(mmio[0]!.seen).toEqual(["w4@fec00010=deadbeef by vCPU 0"]);
    expect(vm.runVcpu(0)).toEqual(triple);
    const root = vm.eptRoot();
    vm.writeGuest(0x7_f123, Uint8Array.of(1));
    expect(walk(host, "ept-l4", root, 0x7_f123)).toBe(vm.addrSpace.translate(0x7_f123));
    expect(walk(host, "ept-l4", root, 0xfec0_0010)).toBeNull();
  });

  it("refuses a backend whose page-table format belongs to another architecture", () => {
    expect(() => makeVm("x86_64", "arm-s2-l4", X86_64_VM, [])).toThrow(/arm-s2-l4/);
  });
});
