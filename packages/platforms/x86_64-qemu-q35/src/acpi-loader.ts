import { buildAcpiTables, type MadtOptions } from "./acpi.js";

/** QEMU's fw_cfg file names for ACPI. */
export const ACPI_TABLES_FILE = "etc/acpi/tables";
export const ACPI_RSDP_FILE = "etc/acpi/rsdp";
export const ACPI_LOADER_FILE = "etc/table-loader";

const CMD_ALLOCATE = 1;
const CMD_ADD_POINTER = 2;
const CMD_ADD_CHECKSUM = 3;
const ZONE_HIGH = 1;
const ZONE_FSEG = 2;
const CMD_SIZE = 128;
const NAME_LEN = 56;

/** One linker/loader script under construction. */
class LoaderScript {
  readonly #commands: Uint8Array[] = [];

  #command(kind: number): { bytes: Uint8Array; view: DataView } {
    const bytes = new Uint8Array(CMD_SIZE);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, kind, true);
    this.#commands.push(bytes);
    return { bytes, view };
  }

  static #name(bytes: Uint8Array, at: number, name: string): void {
    bytes.set(new TextEncoder().encode(name).subarray(0, NAME_LEN - 1), at);
  }

  allocate(file: string, align: number, zone: number): void {
    const { bytes, view } = this.#command(CMD_ALLOCATE);
    LoaderScript.#name(bytes, 4, file);
    view.setUint32(60, align, true);
    bytes[64] = zone;
  }

  /** The `size`-byte field at `offset` in `dest` gets the address of `src` added to it. */
  addPointer(dest: string, src: string, offset: number, size: 4 | 8): void {
    const { bytes, view } = this.#command(CMD_ADD_POINTER);
    LoaderScript.#name(bytes, 4, dest);
    LoaderScript.#name(bytes, 60, src);
    view.setUint32(116, offset, true);
    bytes[120] = size;
  }

  addChecksum(file: string, offset: number, start: number, length: number): void {
    const { bytes, view } = this.#command(CMD_ADD_CHECKSUM);
    LoaderScript.#name(bytes, 4, file);
    view.setUint32(60, offset, true);
    view.setUint32(64, start, true);
    view.setUint32(68, length, true);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(CMD_SIZE * this.#commands.length);
    this.#commands.forEach((c, i) => {
      out.set(c, CMD_SIZE * i);
    });
    return out;
  }
}

export interface AcpiFwCfgFiles {
  readonly tables: Uint8Array;
  readonly rsdp: Uint8Array;
  readonly loader: Uint8Array;
}

/**
 * The ACPI tables as QEMU hands them to firmware through fw_cfg: the tables laid out from
 * offset 0 of `etc/acpi/tables` (pointers between them hold offsets), the RSDP in
 * `etc/acpi/rsdp`, and the linker/loader script `etc/table-loader` telling the firmware to
 * allocate both (RSDP in the F segment), add the tables' address to every pointer and fix the
 * checksums, as SeaBIOS and U-Boot do.
 */
export function buildAcpiFwCfgFiles(
  options: MadtOptions & { readonly hpetId: number },
): AcpiFwCfgFiles {
  const blob = buildAcpiTables({ ...options, base: 0 });
  const t = blob.tables;
  const at = (sig: string) => t[sig]!;
  const tables = blob.bytes.slice();
  const rsdp = tables.slice(at("RSDP"), at("RSDP") + 36);
  const script = new LoaderScript();
  script.allocate(ACPI_RSDP_FILE, 16, ZONE_FSEG);
  script.allocate(ACPI_TABLES_FILE, 64, ZONE_HIGH);
  const fadt = at("FACP");
  script.addPointer(ACPI_TABLES_FILE, ACPI_TABLES_FILE, fadt + 36, 4);
  script.addPointer(ACPI_TABLES_FILE, ACPI_TABLES_FILE, fadt + 40, 4);
  script.addPointer(ACPI_TABLES_FILE, ACPI_TABLES_FILE, fadt + 140, 8);
  const listed = ["FACP", "APIC", "HPET"];
  listed.forEach((_s, i) => {
    script.addPointer(ACPI_TABLES_FILE, ACPI_TABLES_FILE, at("RSDT") + 36 + 4 * i, 4);
    script.addPointer(ACPI_TABLES_FILE, ACPI_TABLES_FILE, at("XSDT") + 36 + 8 * i, 8);
  });
  const view = new DataView(tables.buffer);
  for (const sig of ["DSDT", "FACP", "APIC", "HPET", "RSDT", "XSDT"]) {
    const start = at(sig);
    script.addChecksum(ACPI_TABLES_FILE, start + 9, start, view.getUint32(start + 4, true));
  }
  script.addPointer(ACPI_RSDP_FILE, ACPI_TABLES_FILE, 16, 4);
  script.addPointer(ACPI_RSDP_FILE, ACPI_TABLES_FILE, 24, 8);
  script.addChecksum(ACPI_RSDP_FILE, 8, 0, 20);
  script.addChecksum(ACPI_RSDP_FILE, 32, 0, 36);
  return { tables, rsdp, loader: script.bytes() };
}
