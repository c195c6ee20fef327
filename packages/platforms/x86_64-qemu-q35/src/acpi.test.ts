import { describe, expect, it } from "vitest";
import { ACPI_PM, buildAcpiTables, buildDsdt, checksum, pkgLength } from "./acpi.js";
import { buildAcpiFwCfgFiles } from "./acpi-loader.js";

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const u64 = (b: Uint8Array, at: number) =>
  Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true));
const sig = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

describe("ACPI tables", () => {
  const blob = buildAcpiTables({ apicIds: [0, 1], ioapicId: 0, hpetId: 0x8086a201 });
  const at = (addr: number) => addr - blob.base;
  const table = (name: string) => {
    const off = at(blob.tables[name]!);
    return blob.bytes.subarray(off, off + u32(blob.bytes, off + 4));
  };

  it("puts a revision-2 RSDP at 0xE0000 with both checksums valid", () => {
    expect(blob.rsdp).toBe(0xe0000);
    const r = blob.bytes.subarray(0, 36);
    expect(String.fromCharCode(...r.subarray(0, 8))).toBe("RSD PTR ");
    expect(checksum(r, 0, 20)).toBe(0);
    expect(checksum(r, 0, 36)).toBe(0);
    expect(u32(r, 16)).toBe(blob.tables.RSDT);
    expect(u64(r, 24)).toBe(blob.tables.XSDT);
  });

  it("every table's checksum is valid; RSDT and XSDT list FACP, APIC and HPET", () => {
    for (const name of ["DSDT", "FACP", "APIC", "HPET", "RSDT", "XSDT"]) {
      const t = table(name);
      expect(sig(t, 0), name).toBe(name);
      expect(checksum(t), name).toBe(0);
    }
    const rsdt = table("RSDT");
    const xsdt = table("XSDT");
    const listed = [blob.tables.FACP, blob.tables.APIC, blob.tables.HPET];
    expect([36, 40, 44].map((o) => u32(rsdt, o))).toEqual(listed);
    expect([36, 44, 52].map((o) => u64(xsdt, o))).toEqual(listed);
    expect(blob.tables.FACS! % 64).toBe(0);
  });

  it("the FADT names the PM block, the PM timer, SCI 9 and the 0xCF9 reset register", () => {
    const f = table("FACP");
    expect(f.length).toBe(244);
    expect(u32(f, 36)).toBe(blob.tables.FACS);
    expect(u32(f, 40)).toBe(blob.tables.DSDT);
    expect(u64(f, 140)).toBe(blob.tables.DSDT);
    expect(new DataView(f.buffer, f.byteOffset).getUint16(46, true)).toBe(9);
    expect(u32(f, 56)).toBe(0x600);
    expect(u32(f, 64)).toBe(0x604);
    expect(u32(f, 76)).toBe(ACPI_PM.pmTmr);
    expect(f[91]).toBe(4);
    expect(u32(f, 112) & (1 << 10)).not.toBe(0); // RESET_REG_SUP
    expect(f[116]).toBe(1); // reset register in I/O space
    expect(u64(f, 120)).toBe(0xcf9);
    expect(f[128]).toBe(0x06);
  });

  it("the MADT lists each LAPIC, the IOAPIC, IRQ0 -> GSI 2, the SCI override and LINT1 NMI", () => {
    const m = table("APIC");
    expect(u32(m, 36)).toBe(0xfee00000);
    const entries: number[][] = [];
    for (let off = 44; off < m.length; off += m[off + 1]!)
      entries.push([...m.subarray(off, off + m[off + 1]!)]);
    expect(entries).toEqual([
      [0, 8, 0, 0, 1, 0, 0, 0],
      [0, 8, 1, 1, 1, 0, 0, 0],
      [1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0],
      [2, 10, 0, 0, 2, 0, 0, 0, 0, 0],
      [2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0],
      [4, 6, 0xff, 0, 0, 1],
    ]);
  });

  it("the HPET table carries the event timer block id and base address", () => {
    const h = table("HPET");
    expect(u32(h, 36)).toBe(0x8086a201);
    expect(u64(h, 44)).toBe(0xfed00000);
  });

  it("the DSDT is AML defining \\_S5 as Package (4) { 0, 0, 0, 0 }", () => {
    const d = buildDsdt();
    expect([...d.subarray(36)]).toEqual([
      0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x06, 0x04, 0, 0, 0, 0,
    ]);
    expect(checksum(d)).toBe(0);
  });

  it("encodes AML package lengths in one, two and three bytes", () => {
    expect([...pkgLength(5)]).toEqual([6]);
    expect([...pkgLength(100)]).toEqual([0x40 | (102 & 0xf), 102 >> 4]);
    expect([...pkgLength(5000)]).toEqual([0x80 | (5003 & 0xf), (5003 >> 4) & 0xff, 5003 >> 12]);
  });
});

describe("ACPI tables through fw_cfg", () => {
  it("the linker/loader script relocates pointers and fixes checksums as firmware runs it", () => {
    const f = buildAcpiFwCfgFiles({ apicIds: [0], ioapicId: 0, hpetId: 0x8086a201 });
    // Run the script the way firmware does, with the tables at 0x1000_0000 and RSDP at 0xF5000.
    const files: Record<string, { data: Uint8Array; addr: number }> = {
      "etc/acpi/tables": { data: f.tables.slice(), addr: 0x1000_0000 },
      "etc/acpi/rsdp": { data: f.rsdp.slice(), addr: 0xf5000 },
    };
    const name = (b: Uint8Array, at: number) =>
      new TextDecoder().decode(b.subarray(at, at + 56)).replace(/\0.*$/s, "");
    for (let off = 0; off < f.loader.length; off += 128) {
      const c = f.loader.subarray(off, off + 128);
      const v = new DataView(c.buffer, c.byteOffset);
      const kind = v.getUint32(0, true);
      if (kind === 2) {
        const dest = files[name(c, 4)]!;
        const src = files[name(c, 60)]!;
        const at = v.getUint32(116, true);
        const dv = new DataView(dest.data.buffer);
        if (c[120] === 4) dv.setUint32(at, dv.getUint32(at, true) + src.addr, true);
        else dv.setBigUint64(at, dv.getBigUint64(at, true) + BigInt(src.addr), true);
      } else if (kind === 3) {
        const file = files[name(c, 4)]!;
        const at = v.getUint32(60, true);
        file.data[at] =
          (file.data[at]! -
            checksum(
              file.data,
              v.getUint32(64, true),
              v.getUint32(64, true) + v.getUint32(68, true),
            )) &
          0xff;
      }
    }
    const rsdp = files["etc/acpi/rsdp"]!.data;
    const tables = files["etc/acpi/tables"]!.data;
    expect(checksum(rsdp, 0, 20)).toBe(0);
    expect(checksum(rsdp, 0, 36)).toBe(0);
    const rsdt = u32(rsdp, 16) - 0x1000_0000;
    expect(sig(tables, rsdt)).toBe("RSDT");
    expect(checksum(tables, rsdt, rsdt + u32(tables, rsdt + 4))).toBe(0);
    const fadt = u32(tables, rsdt + 36) - 0x1000_0000;
    expect(sig(tables, fadt)).toBe("FACP");
    expect(checksum(tables, fadt, fadt + 244)).toBe(0);
    expect(sig(tables, u32(tables, fadt + 40) - 0x1000_0000)).toBe("DSDT");
  });
});
