import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, defaultClientConditions, type Plugin } from "vite";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../..", import.meta.url));

interface Entry {
  readonly name: string;
  readonly file: string;
}

/**
 * Every workspace package below the app (packages/*, packages/*\/*) by its main entry's
 * TypeScript source, and the app's host-neutral face `@axvisor/app/core` (what the page's
 * worker imports). Each package's `./node` subpath is its Node adapter and is left out.
 */
function browserEntries(): Entry[] {
  const dirs: string[] = [];
  const packages = join(repo, "packages");
  for (const a of readdirSync(packages, { withFileTypes: true })) {
    if (!a.isDirectory()) continue;
    const d = join(packages, a.name);
    if (readdirSync(d).includes("package.json")) dirs.push(d);
    else
      for (const b of readdirSync(d, { withFileTypes: true })) {
        if (b.isDirectory()) dirs.push(join(d, b.name));
      }
  }
  const out: Entry[] = [];
  for (const d of dirs) {
    const pkg = JSON.parse(readFileSync(join(d, "package.json"), "utf8"));
    const source = pkg.exports?.["."]?.source;
    if (typeof source === "string") out.push({ name: pkg.name, file: join(d, source) });
  }
  out.push({ name: "@axvisor/app/core", file: join(repo, "apps/axvisor/src/core.ts") });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const NODE_BUILTINS = new Set(builtinModules);

/** Records every import of a Node built-in and keeps it out of the bundle. */
function nodeImportTrap(found: { id: string; importer: string }[]): Plugin {
  return {
    name: "node-import-trap",
    enforce: "pre",
    resolveId(id, importer) {
      if (id.startsWith("node:") || NODE_BUILTINS.has(id.split("/")[0] ?? "")) {
        found.push({ id, importer: relative(repo, importer ?? "?") });
        return { id, external: true };
      }
      return null;
    },
  };
}

describe("browser-ready packages", () => {
  const entries = browserEntries();
  console.log(
    `browser-ready check covers ${entries.length} entries: ${entries.map((e) => e.name).join(", ")}`,
  );

  it("bundle for the browser without importing a Node built-in", async () => {
    expect(entries.length).toBeGreaterThan(40);
    const found: { id: string; importer: string }[] = [];
    await build({
      configFile: false,
      root: dirname(fileURLToPath(import.meta.url)),
      logLevel: "silent",
      resolve: { conditions: ["source", ...defaultClientConditions] },
      plugins: [nodeImportTrap(found)],
      build: {
        write: false,
        target: "es2022",
        minify: false,
        lib: {
          entry: Object.fromEntries(entries.map((e) => [e.name.replace(/[@/]/g, "_"), e.file])),
          formats: ["es"],
        },
      },
    });
    const lines = found.map((f) => `${f.importer} imports ${f.id}`);
    expect(lines, "Node imports outside the ./node adapters").toEqual([]);
  }, 60_000);
});
