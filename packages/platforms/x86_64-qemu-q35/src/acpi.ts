import { PC, PC_IRQ, PC_PORT } from "./memory-map.js";

/** OEM fields as QEMU writes them, so logs read like QEMU's. */
const OEM_ID = "BOCHS ";
const OEM_TABLE_ID = "BXPC    ";
const CREATOR_ID = "BXPC";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Sets `bytes[at]` so that the bytes in [start, end) sum to 0 mod 256. */
export function fixChecksum(bytes: Uint8Array, at: number, start = 0, end = bytes.length): void {
  bytes[at] = 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i]!;
  bytes[at] = (256 - (sum & 0xff)) & 0xff;
}

/** Sum of the bytes mod 256 (0 for a valid table). */
export function checksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i]!;
  return sum & 0xff;
}

/** An ACPI table: the 36-byte header, then `body`; the checksum is filled in. */
export function acpiTable(signature: string, revision: number, body: Uint8Array): Uint8Array {
  const t = new Uint8Array(36 + body.length);
  const v = new DataView(t.buffer);
  t.set(ascii(signature), 0);
  v.setUint32(4, t.length, true);
  t[8] = revision;
  t.set(ascii(OEM_ID), 10);
  t.set(ascii(OEM_TABLE_ID), 16);
  v.setUint32(24, 1, true);
  t.set(ascii(CREATOR_ID), 28);
  v.setUint32(32, 1, true);
  t.set(body, 36);
  fixChecksum(t, 9);
  return t;
}

/** A Generic Address Structure. */
function gas(v: DataView, at: number, space: number, bits: number, access: number, addr: number) {
  v.setUint8(at, space);
  v.setUint8(at + 1, bits);
  v.setUint8(at + 2, 0);
  v.setUint8(at + 3, access);
  v.setBigUint64(at + 4, BigInt(addr), true);
}
const GAS_MEMORY = 0;
const GAS_IO = 1;

/** The PM block the FADT announces (ICH9 layout at PMBASE 0x600). */
export const ACPI_PM = {
  pm1aEvt: PC_PORT.pmBase,
  pm1aCnt: PC_PORT.pmBase + 0x04,
  pmTmr: PC_PORT.pmBase + 0x08,
  gpe0: PC_PORT.pmBase + 0x20,
  gpe0Len: 16,
  /** SLP_TYP of \_S5 in our DSDT. */
  s5SleepType: 0,
  resetValue: 0x06,
} as const;

/**
 * FADT revision 3 (244 bytes). Without `pmTimer` the PM timer block is left out (a board
 * whose guests should use the TSC alone, with no second clock to check it against).
 */
export function buildFadt(facs: number, dsdt: number, pmTimer = true): Uint8Array {
  const body = new Uint8Array(244 - 36);
  const v = new DataView(body.buffer);
  const at = (off: number) => off - 36;
  v.setUint32(at(36), facs, true);
  v.setUint32(at(40), dsdt, true);
  v.setUint16(at(46), PC_IRQ.sci, true);
  // SMI_CMD 0: the board is always in ACPI mode (SCI_EN reads 1).
  v.setUint32(at(56), ACPI_PM.pm1aEvt, true);
  v.setUint32(at(64), ACPI_PM.pm1aCnt, true);
  if (pmTimer) v.setUint32(at(76), ACPI_PM.pmTmr, true);
  v.setUint32(at(80), ACPI_PM.gpe0, true);
  v.setUint8(at(88), 4);
  v.setUint8(at(89), 2);
  if (pmTimer) v.setUint8(at(91), 4);
  v.setUint8(at(92), ACPI_PM.gpe0Len);
  // No C2/C3 states.
  v.setUint16(at(96), 0xfff, true);
  v.setUint16(at(98), 0xfff, true);
  v.setUint8(at(106), 0x0d); // RTC day-of-month alarm
  v.setUint8(at(108), 0x32); // RTC century
  // IAPC_BOOT_ARCH: legacy devices; no 8042 (the board has only its reset line).
  v.setUint16(at(109), 0x0001, true);
  // Flags: WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON absent, RTC_S4, RESET_REG_SUP,
  // USE_PLATFORM_CLOCK (only with the PM timer, the platform clock it names).
  v.setUint32(
    at(112),
    (1 << 0) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 7) | (1 << 10) | (pmTimer ? 1 << 15 : 0),
    true,
  );
  gas(v, at(116), GAS_IO, 8, 1, PC_PORT.resetControl);
  v.setUint8(at(128), ACPI_PM.resetValue);
  // X_FIRMWARE_CTRL stays 0 as in QEMU's FADT (Linux would list the FACS twice otherwise).
  v.setBigUint64(at(140), BigInt(dsdt), true);
  gas(v, at(148), GAS_IO, 32, 0, ACPI_PM.pm1aEvt);
  gas(v, at(172), GAS_IO, 16, 0, ACPI_PM.pm1aCnt);
  if (pmTimer) gas(v, at(208), GAS_IO, 32, 0, ACPI_PM.pmTmr);
  gas(v, at(220), GAS_IO, ACPI_PM.gpe0Len * 8, 0, ACPI_PM.gpe0);
  return acpiTable("FACP", 3, body);
}

/** FACS (64 bytes, no checksum; must be 64-byte aligned). */
export function buildFacs(): Uint8Array {
  const t = new Uint8Array(64);
  t.set(ascii("FACS"), 0);
  new DataView(t.buffer).setUint32(4, 64, true);
  return t;
}

/** The AML name string of a 4-character segment. */
const nameSeg = (s: string) => ascii(s.padEnd(4, "_"));

/** AML PkgLength encoding for a package whose contents (after the length) are `n` bytes. */
export function pkgLength(n: number): Uint8Array {
  if (n + 1 < 0x40) return Uint8Array.of(n + 1);
  const total = n + 2;
  if (total < 0x1000) return Uint8Array.of(0x40 | (total & 0xf), total >> 4);
  const t3 = n + 3;
  return Uint8Array.of(0x80 | (t3 & 0xf), (t3 >> 4) & 0xff, t3 >> 12);
}

/**
 * The DSDT: AML defining \_S5 (soft-off, SLP_TYP 0), enough for Linux's
 * interpreter to enable ACPI and power off.
 */
export function buildDsdt(): Uint8Array {
  const parts: number[] = [];
  // Name (_S5, Package (4) { 0, 0, 0, 0 })
  const pkgBody = [0x04, 0x00, 0x00, 0x00, 0x00];
  parts.push(0x08, ...nameSeg("_S5_"), 0x12, ...pkgLength(pkgBody.length), ...pkgBody);
  return acpiTable("DSDT", 1, Uint8Array.from(parts));
}

export interface MadtOptions {
  readonly apicIds: readonly number[];
  readonly ioapicId: number;
}

export interface AcpiTablesOptions extends MadtOptions {
  /** Where the blob goes; default the BIOS area (PC.acpiBase). */
  readonly base?: number;
  /** The HPET's event timer block id; absent: no HPET table (the board has none). */
  readonly hpetId?: number;
  /** Whether the FADT announces the PM timer; default true. */
  readonly pmTimer?: boolean;
}

/** MADT: the local APICs, the IOAPIC, IRQ0 → GSI2 and the SCI override, LINT1 = NMI. */
export function buildMadt(o: MadtOptions): Uint8Array {
  const entries: number[] = [];
  const u16 = (x: number) => [x & 0xff, x >> 8];
  const u32 = (x: number) => [x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff, (x >>> 24) & 0xff];
  o.apicIds.forEach((id, uid) => {
    entries.push(0, 8, uid, id, ...u32(1));
  });
  entries.push(1, 12, o.ioapicId, 0, ...u32(PC.ioapic), ...u32(0));
  // ISA IRQ0 (the PIT) is IOAPIC pin 2; flags 0 = conforms to the bus (edge, active high).
  entries.push(2, 10, 0, 0, ...u32(2), ...u16(0));
  // The SCI: level-triggered, active high (flags: polarity 01, trigger 11).
  entries.push(2, 10, 0, PC_IRQ.sci, ...u32(PC_IRQ.sci), ...u16(0x000d));
  // Local APIC NMI: every processor (uid 0xFF), LINT1.
  entries.push(4, 6, 0xff, ...u16(0), 1);
  const body = new Uint8Array(8 + entries.length);
  const v = new DataView(body.buffer);
  v.setUint32(0, PC.lapic, true);
  v.setUint32(4, 1, true); // PCAT_COMPAT: the 8259s are present
  body.set(entries, 8);
  return acpiTable("APIC", 1, body);
}

/** HPET description table. */
export function buildHpetTable(eventTimerBlockId: number): Uint8Array {
  const body = new Uint8Array(56 - 36);
  const v = new DataView(body.buffer);
  v.setUint32(0, eventTimerBlockId, true);
  gas(v, 4, GAS_MEMORY, 0, 0, PC.hpet);
  return acpiTable("HPET", 1, body);
}

/** RSDP revision 2 (36 bytes). */
export function buildRsdp(rsdt: number, xsdt: number): Uint8Array {
  const t = new Uint8Array(36);
  const v = new DataView(t.buffer);
  t.set(ascii("RSD PTR "), 0);
  t.set(ascii(OEM_ID), 9);
  t[15] = 2;
  v.setUint32(16, rsdt, true);
  v.setUint32(20, 36, true);
  v.setBigUint64(24, BigInt(xsdt), true);
  fixChecksum(t, 8, 0, 20);
  fixChecksum(t, 32, 0, 36);
  return t;
}

export interface AcpiBlob {
  /** Bytes to copy to `base`. */
  readonly bytes: Uint8Array;
  readonly base: number;
  readonly rsdp: number;
  /** Address of each table by signature. */
  readonly tables: Readonly<Record<string, number>>;
}

/**
 * All tables laid out in one blob at `base` (the BIOS area): RSDP first (16-byte aligned,
 * where Linux's scan of 0xE0000-0xFFFFF finds it), then FACS (64-byte aligned), DSDT, FADT,
 * MADT, HPET (when the board has one), RSDT and XSDT.
 */
export function buildAcpiTables(options: AcpiTablesOptions): AcpiBlob {
  const base = options.base ?? PC.acpiBase;
  const chunks: Uint8Array[] = [];
  const tables: Record<string, number> = {};
  let cursor = base;
  const place = (name: string, bytes: Uint8Array, align: number) => {
    const pad = (align - (cursor % align)) % align;
    if (pad) chunks.push(new Uint8Array(pad));
    cursor += pad;
    tables[name] = cursor;
    chunks.push(bytes);
    cursor += bytes.length;
    return tables[name]!;
  };
  // The RSDP's contents depend on later addresses: reserve its space first.
  const rsdpAt = place("RSDP", new Uint8Array(36), 16);
  const facs = place("FACS", buildFacs(), 64);
  const dsdt = place("DSDT", buildDsdt(), 8);
  const fadt = place("FACP", buildFadt(facs, dsdt, options.pmTimer ?? true), 8);
  const madt = place("APIC", buildMadt(options), 8);
  const listed = [fadt, madt];
  if (options.hpetId !== undefined) {
    listed.push(place("HPET", buildHpetTable(options.hpetId), 8));
  }
  const rsdtBody = new Uint8Array(4 * listed.length);
  listed.forEach((a, i) => {
    new DataView(rsdtBody.buffer).setUint32(4 * i, a, true);
  });
  const rsdt = place("RSDT", acpiTable("RSDT", 1, rsdtBody), 8);
  const xsdtBody = new Uint8Array(8 * listed.length);
  listed.forEach((a, i) => {
    new DataView(xsdtBody.buffer).setBigUint64(8 * i, BigInt(a), true);
  });
  const xsdt = place("XSDT", acpiTable("XSDT", 1, xsdtBody), 8);
  const bytes = new Uint8Array(cursor - base);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  bytes.set(buildRsdp(rsdt, xsdt), rsdpAt - base);
  return { bytes, base, rsdp: rsdpAt, tables };
}
