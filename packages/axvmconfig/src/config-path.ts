import type { AxVMCrateConfig } from "./types.js";

/**
 * Where a path written in the config points: relative paths start at the config file's folder
 * (so a config and its images can move together), or at the working directory for a config
 * that was not read from a file (`/` where the host has no working directory, as in a browser).
 * Paths are POSIX paths; this is plain string work so that it runs in any JavaScript host.
 */
export function resolveConfigPath(config: Pick<AxVMCrateConfig, "source">, path: string): string {
  if (path.startsWith("/")) return normalizePath(path);
  const base = config.source === undefined ? workingDirectory() : dirnameOf(config.source);
  return normalizePath(`${base}/${path}`);
}

function workingDirectory(): string {
  const proc = (globalThis as { process?: { cwd?: () => string } }).process;
  return typeof proc?.cwd === "function" ? proc.cwd() : "/";
}

function dirnameOf(path: string): string {
  const abs = path.startsWith("/") ? path : `${workingDirectory()}/${path}`;
  const cut = abs.replace(/\/+$/, "").lastIndexOf("/");
  return cut <= 0 ? "/" : abs.slice(0, cut);
}

/** `.` and `..` resolved, repeated slashes folded, no trailing slash (as node:path's resolve). */
function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}
