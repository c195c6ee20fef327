import type { AddrRange, GuestPhysAddr, PortRange, SysRegAddrRange } from "@axvisor/memory-addr";
import { formatGpa, formatHex } from "@axvisor/memory-addr";
import type { BusKind } from "./device-bus.js";

/** Guest-physical MMIO: half-open ranges, an access covers `width` bytes. */
export const MMIO_BUS: BusKind<AddrRange<GuestPhysAddr>> = {
  name: "MMIO",
  halfOpen: (r) => [r.start, r.end],
  formatAddr: (a) => formatGpa(a as GuestPhysAddr),
  span: (w) => w,
  limit: 2 ** 53,
};

/** x86 I/O ports: inclusive ranges, an access covers `width` consecutive ports. */
export const PORT_BUS: BusKind<PortRange> = {
  name: "port",
  halfOpen: (r) => [r.start, r.end + 1],
  formatAddr: (a) => `port ${formatHex(a)}`,
  span: (w) => w,
  limit: 0x1_0000,
};

/** System registers: inclusive ranges, an access names exactly one register. */
export const SYSREG_BUS: BusKind<SysRegAddrRange> = {
  name: "system-register",
  halfOpen: (r) => [r.start, r.end + 1],
  formatAddr: (a) => `sysreg ${formatHex(a)}`,
  span: () => 1,
  limit: 2 ** 32,
};
