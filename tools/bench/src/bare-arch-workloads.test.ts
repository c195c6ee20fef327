import { readFileSync } from "node:fs";
import { platforms } from "@axvisor/app";
import { describe, expect, it } from "vitest";
import { BARE_ARCHES, type BareArch, type BareWorkloadName, bareWorkloadImage } from "./arches.js";
import { readWorkloadParams, withIterations } from "./image-params.js";

/** Instructions our board executes from reset until the workload powers off. */
async function totalInstructions(
  arch: BareArch,
  name: BareWorkloadName,
  iterations: number,
): Promise<{ total: number; out: string; exit: unknown }> {
  const spec = BARE_ARCHES[arch];
  const data = withIterations(readFileSync(bareWorkloadImage(arch, name)), iterations);
  let out = "";
  const m = platforms.get(spec.platform).createEmuMachine({
    cpus: 1,
    memory: 64 * 1024 * 1024,
    machineProps: new Map(),
    devices: spec.devices,
    kernel: { name, data },
    drives: [],
    console: (b) => {
      out += new TextDecoder().decode(b);
    },
  });
  const exit = await m.run();
  return { total: m.instructions, out, exit };
}

/**
 * The per-iteration counts the sources derive by hand (the comments in each .S): doubling the
 * iterations must add exactly that many executed instructions per iteration, and the image's
 * parameter block must say the same.
 */
const CASES: [BareArch, BareWorkloadName, iterations: number, perIteration: number][] = [
  ["aarch64", "intloop", 1000, 3],
  ["aarch64", "memloop", 1000, 5],
  ["x86_64", "intloop", 1000, 3],
  ["x86_64", "memloop", 1000, 5],
];

describe("aarch64 and x86_64 workload instruction counts on our bare machines", () => {
  for (const [arch, name, k, per] of CASES) {
    it(`${arch} ${name}: ${per} instructions per iteration, BENCH-START/BENCH-END, powers off`, async () => {
      expect(readWorkloadParams(readFileSync(bareWorkloadImage(arch, name))).perIteration).toBe(
        per,
      );
      const a = await totalInstructions(arch, name, k);
      const b = await totalInstructions(arch, name, 2 * k);
      expect(a.out).toBe("BENCH-START\nBENCH-END\n");
      expect(a.exit).toMatchObject({ kind: "poweroff" });
      expect(b.total - a.total).toBe(k * per);
    });
  }
});
