import {
  EmulatedDeviceType,
  emulatedDeviceTypeFromCode,
  emulatedDeviceTypeName,
} from "@axvisor/axdevice-base";
import { formatHex } from "@axvisor/memory-addr";
import {
  type AddressWindow,
  reportOverlapsAcross,
  reportOverlapsWithin,
} from "./address-window.js";
import { nonEmpty } from "./parse-base.js";
import { columnLoc, elemLoc, type Loc, type Reader } from "./reader.js";
import {
  DEVICES_FIELDS,
  EMU_DEVICE_COLUMNS,
  INTERRUPT_MODE_ALIASES,
  PASSTHROUGH_ADDRESS_COLUMNS,
  PASSTHROUGH_DEVICE_COLUMNS,
} from "./schema.js";
import type {
  EmulatedDeviceConfig,
  PassThroughAddressConfig,
  PassThroughDeviceConfig,
  VmDevicesConfig,
  VmInterruptMode,
} from "./types.js";

const PAGE = 0x1000;

/** The cfg_list each device type reads (AxVisor's axdevice), for a count check. */
const CFG_LIST_SHAPES = new Map<EmulatedDeviceType, readonly string[]>([
  [EmulatedDeviceType.GPPTRedistributor, ["cpu_num", "stride", "pcpu_id"]],
  [EmulatedDeviceType.GPPTDistributor, []],
  [EmulatedDeviceType.GPPTITS, ["host_gits_base"]],
  [EmulatedDeviceType.PPPTGlobal, ["context_num"]],
]);

const KNOWN_TYPES = Object.values(EmulatedDeviceType)
  .filter((v): v is EmulatedDeviceType => typeof v === "number")
  .map((v) => `${formatHex(v)} ${emulatedDeviceTypeName(v)}`)
  .join(", ");

/** `[devices]`: emulated devices, passthrough windows, interrupt mode. */
export function parseDevices(
  r: Reader,
  loc: Loc,
  value: unknown,
  memoryWindows: readonly AddressWindow[],
): VmDevicesConfig | undefined {
  const t = r.table(loc, value, DEVICES_FIELDS);
  if (t === undefined) return undefined;

  const emu = r.required(t, loc, "emu_devices", (l, v) =>
    rows(r, l, v, (rl, rv) => parseEmuDevice(r, rl, rv)),
  );
  const pt = r.required(t, loc, "passthrough_devices", (l, v) =>
    rows(r, l, v, (rl, rv) => parsePassthroughDevice(r, rl, rv)),
  );
  const ptAddrs =
    r.optional(t, loc, "passthrough_addresses", (l, v) =>
      rows(r, l, v, (rl, rv) => parsePassthroughAddress(r, rl, rv)),
    ) ?? emptyRows<PassThroughAddressConfig>();
  const excluded = r.optional(t, loc, "excluded_devices", (l, v) => parseExcluded(r, l, v)) ?? [];
  const interruptMode =
    r.optional(t, loc, "interrupt_mode", (l, v) => {
      const s = r.string(l, v);
      if (s === undefined) return undefined;
      const mode = INTERRUPT_MODE_ALIASES[s];
      if (mode === undefined) {
        r.report(
          l,
          `unknown interrupt mode ${JSON.stringify(s)}; expected "no_irq" (or "no", "none"), "emu" (or "emulated") or "passthrough" (or "pt")`,
        );
      }
      return mode;
    }) ?? ("no_irq" as VmInterruptMode);

  const emuWindows = (emu?.located ?? []).map(
    ({ item, loc: l, index }): AddressWindow => ({
      start: item.baseGpa,
      end: item.baseGpa + item.length,
      loc: l,
      noun: `device ${JSON.stringify(item.name)}`,
      name: `emulated device ${index} (${JSON.stringify(item.name)})`,
    }),
  );
  const ptWindows: AddressWindow[] = [
    ...(pt?.located ?? [])
      .filter(({ item }) => item.length > 0)
      .map(({ item, loc: l, index }) => ({
        start: item.baseGpa,
        end: item.baseGpa + item.length,
        loc: l,
        noun: `passthrough device ${JSON.stringify(item.name)}`,
        name: `passthrough device ${index} (${JSON.stringify(item.name)})`,
      })),
    ...ptAddrs.located.map(({ item, loc: l, index }) => ({
      start: item.baseGpa,
      end: item.baseGpa + item.length,
      loc: l,
      noun: "passthrough window",
      name: `passthrough address ${index}`,
    })),
  ];
  reportOverlapsWithin(r, emuWindows);
  reportOverlapsAcross(r, emuWindows, memoryWindows);
  reportOverlapsWithin(r, ptWindows);
  reportOverlapsAcross(r, ptWindows, emuWindows);
  reportOverlapsAcross(r, ptWindows, memoryWindows);

  if (emu?.all === undefined || pt?.all === undefined || ptAddrs.all === undefined) {
    return undefined;
  }
  return {
    emuDevices: emu.all,
    passthroughDevices: pt.all,
    passthroughAddresses: ptAddrs.all,
    excludedDevices: excluded,
    interruptMode,
  };
}

interface Rows<T> {
  /** Every row that parsed, with where it came from. */
  located: { item: T; loc: Loc; index: number }[];
  /** All rows, or undefined when one of them did not parse. */
  all: T[] | undefined;
}

const emptyRows = <T>(): Rows<T> => ({ located: [], all: [] });

function rows<T>(
  r: Reader,
  l: Loc,
  v: unknown,
  parseRow: (loc: Loc, value: unknown) => T | undefined,
): Rows<T> | undefined {
  const items = r.array(l, v);
  if (items === undefined) return undefined;
  const located: Rows<T>["located"] = [];
  items.forEach((value, index) => {
    const loc = elemLoc(l, index);
    const item = parseRow(loc, value);
    if (item !== undefined) located.push({ item, loc, index });
  });
  return { located, all: located.length === items.length ? located.map((x) => x.item) : undefined };
}

function parseEmuDevice(r: Reader, loc: Loc, v: unknown): EmulatedDeviceConfig | undefined {
  const row = r.row(loc, v, EMU_DEVICE_COLUMNS, EMU_DEVICE_COLUMNS.length);
  if (row === undefined) return undefined;
  const col = (i: number) => columnLoc(loc, i, EMU_DEVICE_COLUMNS[i] as string);
  const name = nonEmpty(r, col(0), r.string(col(0), row[0]));
  const baseGpa = r.uint(col(1), row[1]);
  const length = r.uint(col(2), row[2]);
  const irqId = r.uint(col(3), row[3]);
  const code = r.uint(col(4), row[4]);
  const cfgList = r.uintArray(col(5), row[5]);

  let ok = true;
  if (length === 0) {
    r.report(col(2), "must not be zero (the device needs an address range)");
    ok = false;
  }
  if (baseGpa !== undefined && length !== undefined && !Number.isSafeInteger(baseGpa + length)) {
    r.report(loc, "device range ends beyond 2^53 - 1");
    ok = false;
  }
  const emuType = code === undefined ? undefined : emulatedDeviceTypeFromCode(code);
  if (code !== undefined && emuType === undefined) {
    r.report(col(4), `unknown emulated device type ${formatHex(code)}; known: ${KNOWN_TYPES}`);
  }
  if (emuType !== undefined && cfgList !== undefined) {
    const shape = CFG_LIST_SHAPES.get(emuType);
    if (shape !== undefined && shape.length !== cfgList.length) {
      r.report(
        col(5),
        `a ${emulatedDeviceTypeName(emuType)} device takes [${shape.join(", ")}], got ${cfgList.length} value${cfgList.length === 1 ? "" : "s"}`,
      );
      ok = false;
    } else if (emuType === EmulatedDeviceType.PPPTGlobal && cfgList[0] === 0) {
      r.report(columnLoc(col(5), 0, "context_num"), "must be at least 1");
      ok = false;
    }
  }
  if (
    !ok ||
    name === undefined ||
    baseGpa === undefined ||
    length === undefined ||
    irqId === undefined ||
    emuType === undefined ||
    cfgList === undefined
  ) {
    return undefined;
  }
  return { name, baseGpa, length, irqId, emuType, cfgList };
}

function parsePassthroughDevice(
  r: Reader,
  loc: Loc,
  v: unknown,
): PassThroughDeviceConfig | undefined {
  const row = r.row(loc, v, PASSTHROUGH_DEVICE_COLUMNS, 1);
  if (row === undefined) return undefined;
  const col = (i: number) => columnLoc(loc, i, PASSTHROUGH_DEVICE_COLUMNS[i] as string);
  // Trailing numbers default to 0, as serde's #[serde(default)] does in AxVisor.
  const num = (i: number) => (i < row.length ? r.uint(col(i), row[i]) : 0);
  const name = nonEmpty(r, col(0), r.string(col(0), row[0]));
  const baseGpa = num(1);
  const baseHpa = num(2);
  const length = num(3);
  const irqId = num(4);
  let ok = true;
  if (name !== undefined && length === 0 && !name.startsWith("/")) {
    r.report(
      col(0),
      `a row without a length names a device-tree node, so it must be a path like "/soc/serial@10000000", got ${JSON.stringify(name)}`,
    );
    ok = false;
  }
  if (baseGpa !== undefined && baseHpa !== undefined && baseGpa % PAGE !== baseHpa % PAGE) {
    r.report(
      col(2),
      `${formatHex(baseHpa)} and base_gpa ${formatHex(baseGpa)} must have the same offset within a 4 KiB page`,
    );
    ok = false;
  }
  if (
    baseGpa !== undefined &&
    baseHpa !== undefined &&
    length !== undefined &&
    (!Number.isSafeInteger(baseGpa + length) || !Number.isSafeInteger(baseHpa + length))
  ) {
    r.report(loc, "device range ends beyond 2^53 - 1");
    ok = false;
  }
  if (
    !ok ||
    name === undefined ||
    baseGpa === undefined ||
    baseHpa === undefined ||
    length === undefined ||
    irqId === undefined
  ) {
    return undefined;
  }
  return { name, baseGpa, baseHpa, length, irqId };
}

function parsePassthroughAddress(
  r: Reader,
  loc: Loc,
  v: unknown,
): PassThroughAddressConfig | undefined {
  const row = r.row(loc, v, PASSTHROUGH_ADDRESS_COLUMNS, 2);
  if (row === undefined) return undefined;
  const col = (i: number) => columnLoc(loc, i, PASSTHROUGH_ADDRESS_COLUMNS[i] as string);
  const baseGpa = r.uint(col(0), row[0]);
  const length = r.uint(col(1), row[1]);
  if (length === 0) {
    r.report(col(1), "must not be zero");
    return undefined;
  }
  if (baseGpa === undefined || length === undefined) return undefined;
  if (!Number.isSafeInteger(baseGpa + length)) {
    r.report(loc, "window ends beyond 2^53 - 1");
    return undefined;
  }
  return { baseGpa, length };
}

function parseExcluded(r: Reader, l: Loc, v: unknown): string[][] | undefined {
  const items = r.array(l, v);
  if (items === undefined) return undefined;
  const out: string[][] = [];
  let ok = true;
  items.forEach((item, i) => {
    const rowLoc = elemLoc(l, i);
    const paths = r.array(rowLoc, item);
    if (paths === undefined) {
      ok = false;
      return;
    }
    if (paths.length === 0) {
      r.report(rowLoc, 'expected at least one device-tree path, like ["/pcie@10000000"]');
      ok = false;
      return;
    }
    const row: string[] = [];
    paths.forEach((p, j) => {
      const pl = elemLoc(rowLoc, j);
      const s = r.string(pl, p);
      if (s !== undefined && !s.startsWith("/")) {
        r.report(pl, `device-tree paths start with "/", got ${JSON.stringify(s)}`);
        ok = false;
      } else if (s === undefined) ok = false;
      else row.push(s);
    });
    out.push(row);
  });
  return ok ? out : undefined;
}
