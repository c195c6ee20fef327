import {
  type BaseMmioDeviceOps,
  type BasePortDeviceOps,
  type BaseSysRegDeviceOps,
  EmulatedDeviceType,
} from "@axvisor/axdevice-base";
import { AxError, axErr } from "@axvisor/axerrno";
import type { EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import {
  AccessWidth,
  type AddrRange,
  addrRange,
  type GuestPhysAddr,
  gpa,
  type PortRange,
  port,
  portRange,
  type SysRegAddrRange,
  sysRegAddr,
  sysRegAddrRange,
} from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { AxVmDevices } from "./ax-vm-devices.js";
import type { DeviceFactories } from "./device-factory.js";

/** A little-endian register file: what the guest writes, it reads back. */
class RamDevice implements BaseMmioDeviceOps {
  readonly bytes: Uint8Array;
  readonly writes: { addr: number; width: number; value: bigint }[] = [];
  resets = 0;
  constructor(
    readonly base: number,
    size: number,
    readonly type = EmulatedDeviceType.Dummy,
  ) {
    this.bytes = new Uint8Array(size);
  }
  emuType(): EmulatedDeviceType {
    return this.type;
  }
  addressRange(): AddrRange<GuestPhysAddr> {
    return addrRange(gpa(this.base), gpa(this.base + this.bytes.length));
  }
  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[addr - this.base + i]!);
    return v;
  }
  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    this.writes.push({ addr, width, value });
    for (let i = 0; i < width; i++) {
      this.bytes[addr - this.base + i] = Number((value >> BigInt(8 * i)) & 0xffn);
    }
  }
  reset(): void {
    this.resets++;
    this.bytes.fill(0);
  }
}

/** A device that answers every read with all 64 bits set, as a sloppy model might. */
const noisy: BaseMmioDeviceOps = {
  emuType: () => EmulatedDeviceType.Dummy,
  addressRange: () => addrRange(gpa(0x9000), gpa(0x9100)),
  handleRead: () => 0xffff_ffff_ffff_ffffn,
  handleWrite: () => {},
};

function emu(
  name: string,
  baseGpa: number,
  length: number,
  emuType: EmulatedDeviceType,
  cfgList: number[] = [],
): EmulatedDeviceConfig {
  return { name, baseGpa, length, irqId: 0, emuType, cfgList };
}

const failure = <T>(r: { ok: boolean; error?: AxError; value?: T }) => {
  expect(r.ok).toBe(false);
  return (r as { error: AxError }).error;
};

describe("AxVmDevices registration", () => {
  it("rejects an overlapping device with an error naming both devices and ranges", () => {
    const devs = new AxVmDevices();
    devs.addMmioDevice(new RamDevice(0x1000_0000, 0x100), "uart0");
    let thrown: unknown;
    try {
      devs.addMmioDevice(new RamDevice(0x1000_0080, 0x100), "rtc");
    } catch (e) {
      thrown = e;
    }
    expect(AxError.is(thrown, "AddrInUse")).toBe(true);
    expect((thrown as Error).message).toBe(
      'MMIO device "rtc" [GPA:0x1000_0080, GPA:0x1000_0180) overlaps "uart0" [GPA:0x1000_0000, GPA:0x1000_0100)',
    );
    expect(devs.mmio.size).toBe(1);
  });

  it("accepts touching devices and lists them in address order", () => {
    const devs = new AxVmDevices();
    devs.addMmioDevice(new RamDevice(0x2000, 0x1000), "b");
    devs.addMmioDevice(new RamDevice(0x1000, 0x1000), "a");
    devs.addMmioDevice(new RamDevice(0x3000, 0x1000), "c");
    expect(devs.mmio.devices().map((d) => d.name)).toEqual(["a", "b", "c"]);
    expect(devs.findMmioDevice(gpa(0x2fff))?.name).toBe("b");
    expect(devs.findMmioDevice(gpa(0x4000))).toBeUndefined();
  });

  it("names an unnamed device after its type, and refuses registering the same device twice", () => {
    const devs = new AxVmDevices();
    const d = new RamDevice(0x1000, 0x10, EmulatedDeviceType.Console);
    devs.addMmioDevice(d);
    expect(devs.findMmioDevice(gpa(0x1000))?.name).toBe("Console");
    expect(() => devs.addMmioDevice(d)).toThrow(/already registered/);
  });

  it("removeDevice unregisters, even right after the device served an access", () => {
    const devs = new AxVmDevices();
    const d = new RamDevice(0x1000, 0x10);
    devs.addMmioDevice(d, "scratch");
    expect(devs.handleMmioWrite(gpa(0x1000), AccessWidth.Byte, 1n).ok).toBe(true);
    expect(devs.removeDevice(d)).toBe(true);
    expect(devs.removeDevice(d)).toBe(false);
    expect(failure(devs.handleMmioRead(gpa(0x1000), AccessWidth.Byte)).kind).toBe("BadAddress");
    devs.addMmioDevice(new RamDevice(0x1000, 0x10), "replacement");
    expect(devs.handleMmioRead(gpa(0x1000), AccessWidth.Byte)).toEqual({ ok: true, value: 0n });
  });

  it("dispatches correctly among a thousand devices", () => {
    const devs = new AxVmDevices();
    const all: RamDevice[] = [];
    for (let i = 999; i >= 0; i--) {
      const d = new RamDevice(0x4000_0000 + i * 0x2000, 0x1000);
      all[i] = d;
      devs.addMmioDevice(d, `d${i}`);
    }
    for (let i = 0; i < 1000; i += 37) {
      const addr = gpa(0x4000_0000 + i * 0x2000 + 0x10);
      expect(devs.handleMmioWrite(addr, AccessWidth.Dword, BigInt(i)).ok).toBe(true);
      expect(all[i]!.writes).toEqual([{ addr, width: 4, value: BigInt(i) }]);
      // The gap between two devices is a hole.
      expect(devs.handleMmioRead(gpa(addr + 0x1000), AccessWidth.Byte).ok).toBe(false);
    }
  });
});

describe("MMIO access width and sign extension", () => {
  const cases = [
    // [width, stored bytes (little-endian), unsigned result, sign-extended result]
    [AccessWidth.Byte, [0x80], 0x80n, 0xffff_ffff_ffff_ff80n],
    [AccessWidth.Byte, [0x7f], 0x7fn, 0x7fn],
    [AccessWidth.Word, [0x01, 0x80], 0x8001n, 0xffff_ffff_ffff_8001n],
    [AccessWidth.Word, [0xff, 0x7f], 0x7fffn, 0x7fffn],
    [AccessWidth.Dword, [0x00, 0x00, 0x00, 0x80], 0x8000_0000n, 0xffff_ffff_8000_0000n],
    [AccessWidth.Dword, [0x78, 0x56, 0x34, 0x12], 0x1234_5678n, 0x1234_5678n],
    [
      AccessWidth.Qword,
      [0, 0, 0, 0, 0, 0, 0, 0x80],
      0x8000_0000_0000_0000n,
      0x8000_0000_0000_0000n,
    ],
  ] as const;

  for (const [width, bytes, unsigned, signed] of cases) {
    it(`${width}-byte read of [${bytes.map((b) => b.toString(16))}]`, () => {
      const devs = new AxVmDevices();
      const d = new RamDevice(0x1000, 0x10);
      d.bytes.set(bytes, 4);
      devs.addMmioDevice(d, "regs");
      expect(devs.handleMmioRead(gpa(0x1004), width)).toEqual({ ok: true, value: unsigned });
      expect(devs.handleMmioRead(gpa(0x1004), width, false)).toEqual({ ok: true, value: unsigned });
      expect(devs.handleMmioRead(gpa(0x1004), width, true)).toEqual({ ok: true, value: signed });
    });
  }

  it("masks a device answer with stray high bits to the access width", () => {
    const devs = new AxVmDevices();
    devs.addMmioDevice(noisy, "noisy");
    const at = gpa(0x9000);
    expect(devs.handleMmioRead(at, AccessWidth.Byte)).toEqual({ ok: true, value: 0xffn });
    expect(devs.handleMmioRead(at, AccessWidth.Word)).toEqual({ ok: true, value: 0xffffn });
    expect(devs.handleMmioRead(at, AccessWidth.Dword)).toEqual({ ok: true, value: 0xffff_ffffn });
    expect(devs.handleMmioRead(at, AccessWidth.Qword)).toEqual({
      ok: true,
      value: 0xffff_ffff_ffff_ffffn,
    });
  });

  it("masks written data to the access width before the device sees it", () => {
    const devs = new AxVmDevices();
    const d = new RamDevice(0x1000, 0x10);
    devs.addMmioDevice(d, "regs");
    devs.handleMmioWrite(gpa(0x1000), AccessWidth.Byte, 0x1234n);
    devs.handleMmioWrite(gpa(0x1002), AccessWidth.Word, -1n);
    devs.handleMmioWrite(gpa(0x1004), AccessWidth.Dword, 0xdead_beef_cafe_f00dn);
    devs.handleMmioWrite(gpa(0x1008), AccessWidth.Qword, -2n);
    expect(d.writes.map((w) => w.value)).toEqual([
      0x34n,
      0xffffn,
      0xcafe_f00dn,
      0xffff_ffff_ffff_fffen,
    ]);
    // The neighbouring byte of the 1-byte write was not touched.
    expect(d.bytes[1]).toBe(0);
  });
});

describe("MMIO misses and device errors are results, not exceptions", () => {
  const devs = new AxVmDevices();
  devs.addMmioDevice(new RamDevice(0x1000_0000, 0x8), "uart0");

  it("reports an access where no device lives", () => {
    const e = failure(devs.handleMmioRead(gpa(0x2000_0000), AccessWidth.Dword));
    expect(e.kind).toBe("BadAddress");
    expect(e.message).toBe("no MMIO device at GPA:0x2000_0000 (4-byte read)");
    const w = failure(devs.handleMmioWrite(gpa(0x1000_0008), AccessWidth.Byte, 0n));
    expect(w.message).toBe("no MMIO device at GPA:0x1000_0008 (1-byte write)");
  });

  it("reports an access that straddles the end or the start of a device", () => {
    const end = failure(devs.handleMmioRead(gpa(0x1000_0006), AccessWidth.Dword));
    expect(end.kind).toBe("BadAddress");
    expect(end.message).toBe(
      '4-byte MMIO read at GPA:0x1000_0006 straddles the end of device "uart0" [GPA:0x1000_0000, GPA:0x1000_0008)',
    );
    const start = failure(devs.handleMmioWrite(gpa(0x0fff_fffe), AccessWidth.Dword, 0n));
    expect(start.message).toBe(
      '4-byte MMIO write at GPA:0xfff_fffe straddles the start of device "uart0" [GPA:0x1000_0000, GPA:0x1000_0008)',
    );
    // The last byte is still fine.
    expect(devs.handleMmioRead(gpa(0x1000_0007), AccessWidth.Byte).ok).toBe(true);
  });

  it("turns an AxError thrown by a device into a failed result that keeps its kind", () => {
    const picky = new AxVmDevices();
    picky.addMmioDevice(
      {
        emuType: () => EmulatedDeviceType.Dummy,
        addressRange: () => addrRange(gpa(0x100), gpa(0x200)),
        handleRead: () => {
          throw axErr("Unsupported", "register 0x10 is write-only");
        },
        handleWrite: () => {
          throw axErr("PermissionDenied", "read-only");
        },
      },
      "picky",
    );
    const r = failure(picky.handleMmioRead(gpa(0x110), AccessWidth.Dword));
    expect(r.kind).toBe("Unsupported");
    expect(r.message).toBe(
      'MMIO device "picky" refused a 4-byte read at GPA:0x110: register 0x10 is write-only',
    );
    expect(failure(picky.handleMmioWrite(gpa(0x110), AccessWidth.Byte, 1n)).kind).toBe(
      "PermissionDenied",
    );
  });

  it("lets a device bug (not an AxError) propagate", () => {
    const buggy = new AxVmDevices();
    buggy.addMmioDevice(
      { ...noisy, handleRead: () => (undefined as unknown as { x: bigint }).x },
      "buggy",
    );
    expect(() => buggy.handleMmioRead(gpa(0x9000), AccessWidth.Byte)).toThrow(TypeError);
  });

  it("rejects invalid widths and addresses without touching a device", () => {
    expect(failure(devs.handleMmioRead(gpa(0x1000_0000), 3 as AccessWidth)).kind).toBe(
      "InvalidInput",
    );
    expect(failure(devs.handleMmioRead(-1 as GuestPhysAddr, AccessWidth.Byte)).kind).toBe(
      "BadAddress",
    );
  });
});

describe("ports and system registers", () => {
  class PortRegs implements BasePortDeviceOps {
    readonly seen: [number, number, bigint][] = [];
    emuType = () => EmulatedDeviceType.Console;
    addressRange = (): PortRange => portRange(0x3f8, 0x3ff);
    handleRead = (p: number, w: AccessWidth) => BigInt(p) | 0xff00n | (BigInt(w) << 60n);
    handleWrite = (p: number, w: AccessWidth, v: bigint) => {
      this.seen.push([p, w, v]);
    };
  }
  class Csrs implements BaseSysRegDeviceOps {
    readonly seen: [number, bigint][] = [];
    emuType = () => EmulatedDeviceType.Dummy;
    addressRange = (): SysRegAddrRange => sysRegAddrRange(0xc00, 0xc1f);
    handleRead = (a: number) => BigInt(a) * 0x1_0000_0001n;
    handleWrite = (a: number, _w: AccessWidth, v: bigint) => {
      this.seen.push([a, v]);
    };
  }

  it("dispatches ports over an inclusive range, masking to the width", () => {
    const devs = new AxVmDevices();
    const p = new PortRegs();
    devs.addPortDevice(p, "com1");
    expect(devs.handlePortRead(port(0x3f8), AccessWidth.Byte)).toEqual({ ok: true, value: 0xf8n });
    expect(devs.handlePortRead(port(0x3fe), AccessWidth.Word)).toEqual({
      ok: true,
      value: 0xfffen,
    });
    expect(devs.handlePortWrite(port(0x3ff), AccessWidth.Byte, 0x141n).ok).toBe(true);
    expect(p.seen).toEqual([[0x3ff, 1, 0x41n]]);
    expect(failure(devs.handlePortRead(port(0x3ff), AccessWidth.Word)).message).toBe(
      '2-byte port read at port 0x3ff straddles the end of device "com1" [port 0x3f8, port 0x400)',
    );
    expect(failure(devs.handlePortRead(port(0x60), AccessWidth.Byte)).message).toBe(
      "no port device at port 0x60 (1-byte read)",
    );
    expect(devs.findPortDevice(port(0x3ff))?.name).toBe("com1");
  });

  it("dispatches system registers, one register per access", () => {
    const devs = new AxVmDevices();
    const c = new Csrs();
    devs.addSysRegDevice(c, "counters");
    expect(devs.handleSysRegRead(sysRegAddr(0xc1f))).toEqual({
      ok: true,
      value: 0xc1f_0000_0c1fn,
    });
    expect(devs.handleSysRegRead(sysRegAddr(0xc01), AccessWidth.Dword)).toEqual({
      ok: true,
      value: 0xc01n,
    });
    expect(devs.handleSysRegWrite(sysRegAddr(0xc00), AccessWidth.Qword, 5n).ok).toBe(true);
    expect(c.seen).toEqual([[0xc00, 5n]]);
    const miss = failure(devs.handleSysRegRead(sysRegAddr(0xc20)));
    expect(miss.kind).toBe("BadAddress");
    expect(miss.message).toBe("no system-register device at sysreg 0xc20 (8-byte read)");
    expect(devs.removeDevice(c)).toBe(true);
    expect(devs.handleSysRegRead(sysRegAddr(0xc00)).ok).toBe(false);
  });

  it("keeps the three address spaces apart", () => {
    const devs = new AxVmDevices();
    devs.addPortDevice(new PortRegs(), "com1");
    expect(devs.handleMmioRead(gpa(0x3f8), AccessWidth.Byte).ok).toBe(false);
    expect(devs.handleSysRegRead(sysRegAddr(0x3f8)).ok).toBe(false);
  });
});

describe("AxVmDevices.fromConfig", () => {
  interface Ctx {
    readonly vmId: number;
    readonly built: string[];
  }
  const factories: DeviceFactories<Ctx> = {
    [EmulatedDeviceType.Console]: (cfg, ctx) => {
      ctx.built.push(`${cfg.name}@vm${ctx.vmId}`);
      return new RamDevice(cfg.baseGpa, cfg.length, EmulatedDeviceType.Console);
    },
    [EmulatedDeviceType.PPPTGlobal]: (cfg) => {
      const contexts = cfg.cfgList[0];
      if (contexts === undefined || contexts < 1) {
        throw axErr("InvalidInput", "cfg_list must hold the number of PLIC contexts");
      }
      return new RamDevice(cfg.baseGpa, cfg.length, EmulatedDeviceType.PPPTGlobal);
    },
    // One row, one device per vCPU (like GIC redistributors).
    [EmulatedDeviceType.GPPTRedistributor]: (cfg) => ({
      mmio: Array.from(
        { length: cfg.cfgList[0]! },
        (_, i) => new RamDevice(cfg.baseGpa + i * cfg.cfgList[1]!, 0x100),
      ),
    }),
  };

  it("builds each row through the factory of its type and sets up IVC windows", () => {
    const ctx: Ctx = { vmId: 3, built: [] };
    const devs = AxVmDevices.fromConfig(
      [
        emu("console", 0x1000_0000, 0x100, EmulatedDeviceType.Console),
        emu("plic", 0x0c00_0000, 0x60_0000, EmulatedDeviceType.PPPTGlobal, [2]),
        emu("gicr", 0x0800_0000, 0x4000, EmulatedDeviceType.GPPTRedistributor, [2, 0x1000]),
        emu("ivc", 0xd000_0000, 0x4000, EmulatedDeviceType.IVCChannel),
      ],
      factories,
      ctx,
    );
    expect(ctx.built).toEqual(["console@vm3"]);
    expect(devs.mmio.devices().map((d) => d.name)).toEqual(["gicr#0", "gicr#1", "plic", "console"]);
    expect(devs.findMmioDevice(gpa(0x0800_1010))?.name).toBe("gicr#1");
    expect(devs.mmioDevicesOfType(EmulatedDeviceType.PPPTGlobal).map((d) => d.name)).toEqual([
      "plic",
    ]);
    expect(devs.allocIvcChannel(0x1000)).toEqual({ ok: true, value: 0xd000_0000 });
  });

  it("refuses a row whose type has no device model, naming the row", () => {
    let thrown: unknown;
    try {
      AxVmDevices.fromConfig(
        [emu("disk0", 0x1000_1000, 0x1000, EmulatedDeviceType.VirtioBlk)],
        factories,
        { vmId: 1, built: [] },
      );
    } catch (e) {
      thrown = e;
    }
    expect(AxError.is(thrown, "InvalidInput")).toBe(true);
    expect((thrown as Error).message).toBe(
      'emulated device "disk0" (VirtioBlk, type 0xe1) at 0x10001000: no device model is registered for this type',
    );
  });

  it("reports a factory's refusal and overlapping rows with the row's name", () => {
    expect(() =>
      AxVmDevices.fromConfig(
        [emu("plic", 0x0c00_0000, 0x60_0000, EmulatedDeviceType.PPPTGlobal, [])],
        factories,
        { vmId: 1, built: [] },
      ),
    ).toThrow(
      'emulated device "plic" (PPPTGlobal, type 0x30) at 0xc000000: cfg_list must hold the number of PLIC contexts',
    );
    expect(() =>
      AxVmDevices.fromConfig(
        [
          emu("console", 0x1000_0000, 0x100, EmulatedDeviceType.Console),
          emu("console2", 0x1000_00f0, 0x100, EmulatedDeviceType.Console),
        ],
        factories,
        { vmId: 1, built: [] },
      ),
    ).toThrow(/"console2".*overlaps "console" \[GPA:0x1000_0000, GPA:0x1000_0100\)/);
  });

  it("registers all devices of a row or none of them", () => {
    const devs = new AxVmDevices();
    devs.addMmioDevice(new RamDevice(0x0800_1000, 0x100), "blocker");
    expect(() =>
      devs.addFromConfig(
        emu("gicr", 0x0800_0000, 0x4000, EmulatedDeviceType.GPPTRedistributor, [2, 0x1000]),
        factories,
        { vmId: 1, built: [] },
      ),
    ).toThrow(/"gicr#1".*overlaps "blocker"/);
    expect(devs.mmio.devices().map((d) => d.name)).toEqual(["blocker"]);
  });

  it("refuses an IVC window that is not 4 KiB aligned", () => {
    expect(() =>
      AxVmDevices.fromConfig(
        [emu("ivc", 0xd000_0800, 0x1000, EmulatedDeviceType.IVCChannel)],
        {},
        0,
      ),
    ).toThrow(/emulated device "ivc" \(IVCChannel, type 0xa\).*4 KiB aligned/);
  });

  it("reset returns devices to power-on state and frees IVC windows", () => {
    const devs = AxVmDevices.fromConfig(
      [
        emu("console", 0x1000_0000, 0x100, EmulatedDeviceType.Console),
        emu("ivc", 0xd000_0000, 0x1000, EmulatedDeviceType.IVCChannel),
      ],
      factories,
      { vmId: 1, built: [] },
    );
    devs.handleMmioWrite(gpa(0x1000_0000), AccessWidth.Dword, 0x1234n);
    expect(devs.allocIvcChannel(0x1000).ok).toBe(true);
    expect(devs.allocIvcChannel(0x1000).ok).toBe(false);
    devs.reset();
    expect(devs.handleMmioRead(gpa(0x1000_0000), AccessWidth.Dword)).toEqual({
      ok: true,
      value: 0n,
    });
    expect((devs.findMmioDevice(gpa(0x1000_0000))!.device as RamDevice).resets).toBe(1);
    expect(devs.allocIvcChannel(0x1000)).toEqual({ ok: true, value: 0xd000_0000 });
  });
});
