import { type SavedRecord, StateReader, savedBytes } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { GicCore } from "./gic-core.js";

/** The byte-per-entry tables of a `GicCore`, by the name its saved state uses. */
const BYTE_TABLES = [
  "enabled",
  "latch",
  "active",
  "line",
  "edge",
  "priority",
  "group",
  "grpmod",
  "sgiSources",
  "targets",
  "routeAny",
  "igrpen",
  "pmr",
  "bpr0",
  "bpr1",
] as const;

/** The 32-bit tables (routing affinities, CPU interface controls, active priorities). */
const WORD_TABLES = ["routeAffinity", "cpuCtlr", "apr"] as const;

/**
 * Everything the guest programmed into a GIC's distributor, redistributors and CPU interfaces,
 * plus what is pending, active and the input line levels: every table as saved bytes, so a
 * restored GIC signals exactly what the saved one did.
 */
export function saveGicCore(core: GicCore): SavedRecord {
  const out: Record<string, string | number> = {
    version: core.version,
    numCpus: core.numCpus,
    numIrqs: core.numIrqs,
    distCtlr: core.distCtlr,
  };
  for (const name of BYTE_TABLES) out[name] = savedBytes(core[name]);
  for (const name of WORD_TABLES) {
    const t = core[name];
    out[name] = savedBytes(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  }
  return out;
}

/** Puts back what `saveGicCore` returned on a GIC of the same shape; throws naming the field. */
export function loadGicCore(core: GicCore, state: SavedRecord, owner = "gic"): void {
  const r = new StateReader(state, owner);
  for (const key of ["version", "numCpus", "numIrqs"] as const) {
    const saved = r.int(key);
    if (saved !== core[key]) {
      throw axErr(
        "InvalidData",
        `${owner}: the snapshot's GIC has ${key} ${saved}, this one ${core[key]}`,
      );
    }
  }
  const bytes = BYTE_TABLES.map((name) => [name, r.bytes(name, core[name].length)] as const);
  const words = WORD_TABLES.map((name) => [name, r.bytes(name, core[name].byteLength)] as const);
  const distCtlr = r.int("distCtlr");
  // Everything is read and checked: nothing below can fail half-way.
  for (const [name, b] of bytes) core[name].set(b);
  for (const [name, b] of words) {
    const t = core[name];
    new Uint8Array(t.buffer, t.byteOffset, t.byteLength).set(b);
  }
  core.distCtlr = distCtlr;
  core.update();
}
