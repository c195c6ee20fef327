#!/usr/bin/env node
/**
 * `pnpm dev-env link <package> <dir>` | `unlink <package>` | `status`: swap an @axvisor
 * package for a local checkout and back, then reinstall so the workspace picks it up.
 */
import { spawnSync } from "node:child_process";
import { DevEnv, DevEnvError } from "./localize.js";

const USAGE = `usage: dev-env link <package> <dir>   use the checkout in <dir> for @axvisor/<package>
       dev-env unlink <package>       back to the workspace copy
       dev-env status                 list localized packages
options: --no-install (skip the pnpm install that applies the change)`;

export function main(argv: string[], root = process.env.INIT_CWD ?? process.cwd()): number {
  const install = !argv.includes("--no-install");
  const args = argv.filter((a) => a !== "--no-install");
  const [command, ...rest] = args;
  try {
    const env = new DevEnv(root);
    switch (command) {
      case "link": {
        if (rest.length !== 2) throw new DevEnvError(USAGE);
        const l = env.link(rest[0] as string, rest[1] as string);
        console.log(`${l.pkg} -> ${l.dir}`);
        break;
      }
      case "unlink": {
        if (rest.length !== 1) throw new DevEnvError(USAGE);
        const l = env.unlink(rest[0] as string);
        console.log(`${l.pkg} -> workspace`);
        break;
      }
      case "status": {
        const all = env.list();
        if (all.length === 0) console.log("no localized packages");
        for (const l of all) console.log(`${l.pkg} -> ${l.dir}`);
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new DevEnvError(`unknown command "${command}"\n${USAGE}`);
    }
    if (install) return reinstall(root);
    return 0;
  } catch (e) {
    if (e instanceof DevEnvError) {
      console.error(`dev-env: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

function reinstall(root: string): number {
  const pnpm = process.env.npm_execpath;
  const r = pnpm
    ? spawnSync(process.execPath, [pnpm, "install"], { cwd: root, stdio: "inherit" })
    : spawnSync("npx", ["-y", "pnpm@10.34.9", "install"], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
