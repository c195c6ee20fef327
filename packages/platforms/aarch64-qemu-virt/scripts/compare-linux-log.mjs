#!/usr/bin/env node
// Compares a Linux console log of our aarch64 virt board with QEMU's reference line by line
// (timestamps and numbers normalised) and lists every differing line, marking the ones
// docs/linux-log.md explains. Exit status 1 when a difference is unexplained.
//
//   node packages/platforms/aarch64-qemu-virt/scripts/compare-linux-log.mjs \
//     ../shared/guests/aarch64/linux-smp1.log our-boot.log
//
// (after `pnpm build`; it uses the package's dist).
import { readFileSync } from "node:fs";
import {
  compareKernelLogs,
  explainKernelLogDifferences,
  LINUX_LOG_DIFFERENCES,
} from "../dist/index.js";

const [refPath, oursPath] = process.argv.slice(2);
if (refPath === undefined || oursPath === undefined) {
  console.error("usage: compare-linux-log.mjs REFERENCE.log OURS.log");
  process.exit(2);
}
const read = (p) => {
  try {
    return readFileSync(p, "latin1");
  } catch (e) {
    console.error(`compare-linux-log: cannot read ${p}: ${e.message}`);
    process.exit(2);
  }
};
const diffs = compareKernelLogs(read(refPath), read(oursPath));
const { unexplained, unused } = explainKernelLogDifferences(diffs);
for (const d of diffs) {
  const known = LINUX_LOG_DIFFERENCES.find(
    (k) => (k.side === "both" || k.side === d.side) && k.match.test(d.text),
  );
  const mark = d.side === "missing" ? "-" : "+";
  const file = d.side === "missing" ? "ref" : "ours";
  console.log(
    `${mark} ${file}:${d.line}: ${d.text}${known ? `   [${known.id}]` : "   [UNEXPLAINED]"}`,
  );
}
for (const k of unused) console.log(`(known difference ${k.id} did not occur)`);
console.log(
  `${diffs.length} differing lines, ${unexplained.length} unexplained, ${unused.length} known differences not seen`,
);
process.exit(unexplained.length > 0 ? 1 : 0);
