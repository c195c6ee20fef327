import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DevEnv } from "./localize.js";
import { main } from "./main.js";

let root: string;
let checkout: string;
const manifest = () => JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), "dev-env-"));
  root = join(base, "ws");
  checkout = join(base, "my-axaddrspace");
  mkdirSync(join(root, "packages", "axaddrspace"), { recursive: true });
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n");
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "ws", private: true }));
  writeFileSync(
    join(root, "packages", "axaddrspace", "package.json"),
    JSON.stringify({ name: "@axvisor/axaddrspace" }),
  );
  mkdirSync(checkout);
  writeFileSync(join(checkout, "package.json"), JSON.stringify({ name: "@axvisor/axaddrspace" }));
});

afterEach(() => rmSync(join(root, ".."), { recursive: true, force: true }));

describe("dev-env", () => {
  it("points a package at a local checkout with a pnpm override, and back", () => {
    const env = new DevEnv(root);
    env.link("axaddrspace", checkout);
    expect(manifest().pnpm.overrides).toEqual({ "@axvisor/axaddrspace": "link:../my-axaddrspace" });
    expect(env.list().map((l) => l.pkg)).toEqual(["@axvisor/axaddrspace"]);
    env.unlink("@axvisor/axaddrspace");
    expect(manifest()).toEqual({ name: "ws", private: true });
    expect(env.list()).toEqual([]);
  });

  it("restores an override the user had before", () => {
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({
        name: "ws",
        pnpm: { overrides: { "@axvisor/axaddrspace": "1.0.0", other: "2" } },
      }),
    );
    const env = new DevEnv(root);
    env.link("axaddrspace", checkout);
    env.unlink("axaddrspace");
    expect(manifest().pnpm.overrides).toEqual({ "@axvisor/axaddrspace": "1.0.0", other: "2" });
  });

  it("refuses a checkout of another package, an unknown package and a double link", () => {
    const env = new DevEnv(root);
    expect(() => env.link("axvm", checkout)).toThrow(
      /holds @axvisor\/axaddrspace, not @axvisor\/axvm/,
    );
    expect(() => env.link("axaddrspace", join(root, "nowhere"))).toThrow(/has no package.json/);
    env.link("axaddrspace", checkout);
    expect(() => env.link("axaddrspace", checkout)).toThrow(/already localized/);
    expect(() => env.unlink("axvm")).toThrow(/not localized/);
  });

  it("reports errors as one line and status 2 from the CLI", () => {
    expect(main(["link", "axaddrspace", checkout, "--no-install"], root)).toBe(0);
    expect(main(["unlink", "axvm", "--no-install"], root)).toBe(2);
    expect(main(["frobnicate"], root)).toBe(2);
    expect(main(["status"], root)).toBe(0);
  });
});
