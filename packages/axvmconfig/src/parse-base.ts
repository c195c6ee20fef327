import { elemLoc, type Loc, type Reader } from "./reader.js";
import { BASE_FIELDS } from "./schema.js";
import { type VmBaseConfig, VmType } from "./types.js";

const VM_TYPES = "0 (HostVM), 1 (RTOS) or 2 (Linux)";

/** `[base]`: identity and vCPUs. Undefined when a required field is unusable. */
export function parseBase(r: Reader, loc: Loc, value: unknown): VmBaseConfig | undefined {
  const t = r.table(loc, value, BASE_FIELDS);
  if (t === undefined) return undefined;

  const id = r.required(t, loc, "id", (l, v) => r.uint(l, v));
  const name = r.required(t, loc, "name", (l, v) => nonEmpty(r, l, r.string(l, v)));
  // AxVisor's Rust struct requires vm_type but its enum defaults to RTOS; we take the default.
  const vmType =
    r.optional(t, loc, "vm_type", (l, v) => {
      const n = r.uint(l, v);
      if (n === undefined) return undefined;
      if (!(n in VmType)) {
        r.report(l, `unknown VM type ${n}; expected ${VM_TYPES}`);
        return undefined;
      }
      return n as VmType;
    }) ?? VmType.RTOS;
  const cpuNum = r.required(t, loc, "cpu_num", (l, v) => {
    const n = r.uint(l, v);
    if (n === 0) r.report(l, "must be at least 1 (a VM needs a vCPU)");
    return n === 0 ? undefined : n;
  });
  const physCpuIds = r.optional(t, loc, "phys_cpu_ids", (l, v) => {
    const ids = r.uintArray(l, v);
    if (ids === undefined) return undefined;
    perVcpuLength(r, l, ids, cpuNum);
    ids.forEach((id, i) => {
      const first = ids.indexOf(id);
      if (first < i) r.report(elemLoc(l, i), `duplicate id ${id} (vCPU ${first} has it too)`);
    });
    return ids;
  });
  const physCpuSets = r.optional(t, loc, "phys_cpu_sets", (l, v) => {
    const sets = r.uintArray(l, v);
    if (sets === undefined) return undefined;
    perVcpuLength(r, l, sets, cpuNum);
    sets.forEach((mask, i) => {
      if (mask === 0) {
        r.report(elemLoc(l, i), `empty mask: no physical CPU may run vCPU ${i}`);
      }
    });
    return sets;
  });

  if (id === undefined || name === undefined || cpuNum === undefined) return undefined;
  const base: VmBaseConfig = { id, name, vmType, cpuNum };
  if (physCpuIds !== undefined) base.physCpuIds = physCpuIds;
  if (physCpuSets !== undefined) base.physCpuSets = physCpuSets;
  return base;
}

function perVcpuLength(r: Reader, l: Loc, list: number[], cpuNum: number | undefined): void {
  if (cpuNum !== undefined && list.length !== cpuNum) {
    const entries = list.length === 1 ? "1 entry" : `${list.length} entries`;
    r.report(l, `has ${entries} but cpu_num is ${cpuNum} (one per vCPU)`);
  }
}

export function nonEmpty(r: Reader, l: Loc, s: string | undefined): string | undefined {
  if (s === "") {
    r.report(l, "must not be empty");
    return undefined;
  }
  return s;
}
