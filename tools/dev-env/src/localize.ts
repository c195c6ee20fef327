/**
 * "dev_env localization", AxVisor's devspace in pnpm terms: the root package.json gets a
 * `pnpm.overrides` entry `"@axvisor/x": "link:<dir>"`, so every package of the workspace that
 * depends on `@axvisor/x` uses the local checkout instead. What was added is recorded in
 * `.devspace/state.json`, so `unlink` restores exactly what was there before.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";

export interface Localization {
  readonly pkg: string;
  readonly dir: string;
  /** The override that was there before, restored on unlink. */
  readonly previous: string | null;
}

interface State {
  localized: Localization[];
}

interface RootManifest {
  pnpm?: { overrides?: Record<string, string> } & Record<string, unknown>;
  [key: string]: unknown;
}

export class DevEnvError extends Error {
  override readonly name = "DevEnvError";
}

/** "axaddrspace" and "@axvisor/axaddrspace" both name the package. */
export function packageName(name: string): string {
  return name.startsWith("@") ? name : `@axvisor/${name}`;
}

export class DevEnv {
  private readonly manifestPath: string;
  private readonly statePath: string;

  constructor(readonly root: string) {
    this.manifestPath = join(root, "package.json");
    this.statePath = join(root, ".devspace", "state.json");
    if (!existsSync(join(root, "pnpm-workspace.yaml"))) {
      throw new DevEnvError(`${root} is not the workspace root (no pnpm-workspace.yaml)`);
    }
  }

  list(): Localization[] {
    return this.readState().localized;
  }

  /** Points `name` at the package in `dir` (a folder holding its package.json). */
  link(name: string, dir: string): Localization {
    const pkg = packageName(name);
    const abs = resolve(this.root, dir);
    const manifest = join(abs, "package.json");
    if (!existsSync(manifest)) throw new DevEnvError(`${abs} has no package.json`);
    const found = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
    if (found !== pkg) {
      throw new DevEnvError(`${abs} holds ${found ?? "a package without a name"}, not ${pkg}`);
    }
    if (!this.workspaceHas(pkg))
      throw new DevEnvError(`no workspace package depends on or provides ${pkg}`);
    const state = this.readState();
    if (state.localized.some((l) => l.pkg === pkg)) {
      throw new DevEnvError(`${pkg} is already localized; run unlink first`);
    }
    const root = this.readManifest();
    const overrides = { ...(root.pnpm?.overrides ?? {}) };
    const rel = relative(this.root, abs);
    const entry: Localization = { pkg, dir: abs, previous: overrides[pkg] ?? null };
    overrides[pkg] = `link:${isAbsolute(rel) ? abs : rel}`;
    root.pnpm = { ...(root.pnpm ?? {}), overrides };
    this.writeManifest(root);
    state.localized.push(entry);
    this.writeState(state);
    return entry;
  }

  /** Restores the workspace copy of `name`. */
  unlink(name: string): Localization {
    const pkg = packageName(name);
    const state = this.readState();
    const entry = state.localized.find((l) => l.pkg === pkg);
    if (!entry) throw new DevEnvError(`${pkg} is not localized`);
    const root = this.readManifest();
    const overrides = { ...(root.pnpm?.overrides ?? {}) };
    if (entry.previous === null) delete overrides[pkg];
    else overrides[pkg] = entry.previous;
    const { overrides: _old, ...rest } = root.pnpm ?? {};
    const pnpm: NonNullable<RootManifest["pnpm"]> =
      Object.keys(overrides).length > 0 ? { ...rest, overrides } : rest;
    if (Object.keys(pnpm).length === 0) delete root.pnpm;
    else root.pnpm = pnpm;
    this.writeManifest(root);
    state.localized = state.localized.filter((l) => l !== entry);
    this.writeState(state);
    return entry;
  }

  private workspaceHas(pkg: string): boolean {
    const folder = pkg.replace(/^@axvisor\//, "");
    const candidates = [
      join(this.root, "packages", folder),
      join(this.root, "packages", "devices", folder.replace(/^device-/, "")),
      join(this.root, "packages", "platforms", folder.replace(/^platform-/, "")),
      join(this.root, "apps", folder),
      join(this.root, "tools", folder),
    ];
    return candidates.some((c) => existsSync(join(c, "package.json")));
  }

  private readManifest(): RootManifest {
    return JSON.parse(readFileSync(this.manifestPath, "utf8")) as RootManifest;
  }

  private writeManifest(m: RootManifest): void {
    writeFileSync(this.manifestPath, `${JSON.stringify(m, null, 2)}\n`);
  }

  private readState(): State {
    if (!existsSync(this.statePath)) return { localized: [] };
    return JSON.parse(readFileSync(this.statePath, "utf8")) as State;
  }

  private writeState(s: State): void {
    mkdirSync(join(this.root, ".devspace"), { recursive: true });
    writeFileSync(this.statePath, `${JSON.stringify(s, null, 2)}\n`);
  }
}
