import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configImages, linuxConfigProblem } from "./paths.js";

function config(dir: string, body: string): string {
  const path = join(dir, "vm.toml");
  writeFileSync(path, `[base]\nid = 1\n[kernel]\n${body}\n`);
  return path;
}

describe("Linux config checks", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-paths-"));

  it("resolves image paths from the config's folder", () => {
    const p = config(dir, 'kernel_path = "../img/Image"\nramdisk_path = "initrd.gz"');
    expect(configImages(p)).toEqual({
      kernel: join(dir, "../img/Image"),
      ramdisk: join(dir, "initrd.gz"),
    });
  });

  it("names the missing guest image so the benchmark is skipped with a note", () => {
    const p = config(dir, 'kernel_path = "no-such-Image"');
    expect(linuxConfigProblem(p)).toBe(
      `guest image ${join(dir, "no-such-Image")} is not there (no shared/guests on this machine)`,
    );
    expect(linuxConfigProblem(join(dir, "absent.toml"))).toBe(
      `no VM config ${join(dir, "absent.toml")}`,
    );
  });

  it("accepts a config whose images exist", () => {
    writeFileSync(join(dir, "Image"), "x");
    expect(linuxConfigProblem(config(dir, 'kernel_path = "Image"'))).toBeUndefined();
  });
});
