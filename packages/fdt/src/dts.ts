import type { DeviceTree } from "./device-tree.js";
import type { FdtNode } from "./node.js";
import type { FdtProperty } from "./property.js";

const hex = (n: number) => `0x${n.toString(16)}`;

function isPrintableStringList(v: Uint8Array): boolean {
  if (v.length === 0 || v[v.length - 1] !== 0 || v[0] === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === 0) {
      if (i > 0 && v[i - 1] === 0) return false; // empty string inside: binary data
    } else if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function formatValue(p: FdtProperty): string {
  const v = p.value;
  if (v.length === 0) return "";
  if (isPrintableStringList(v)) return ` = ${p.strings().map(quote).join(", ")}`;
  if (v.length % 4 === 0) return ` = <${p.u32s().map(hex).join(" ")}>`;
  return ` = [${[...v].map((b) => b.toString(16).padStart(2, "0")).join(" ")}]`;
}

function formatNode(node: FdtNode, depth: number, out: string[]): void {
  const pad = "\t".repeat(depth);
  out.push(`${pad}${node.parent === null ? "/" : node.name} {`);
  for (const p of node.properties) out.push(`${pad}\t${p.name}${formatValue(p)};`);
  for (const c of node.children) {
    out.push("");
    formatNode(c, depth + 1, out);
  }
  out.push(`${pad}};`);
}

/**
 * Source text for a tree, in the spirit of `dtc -O dts`: values that look like strings print
 * as strings, 4-byte multiples as cells, the rest as bytes. For reading and diffing; dtc
 * compiles it back to the same tree.
 */
export function toDts(tree: DeviceTree): string {
  const out = ["/dts-v1/;", ""];
  for (const r of tree.reservations) out.push(`/memreserve/ ${hex(r.address)} ${hex(r.size)};`);
  if (tree.reservations.length > 0) out.push("");
  formatNode(tree.root, 0, out);
  return `${out.join("\n")}\n`;
}
