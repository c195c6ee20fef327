import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join, normalize, relative, resolve, sep } from "node:path";
import type { Connect, Plugin } from "vite";

/** Where the real guests are, beside the checkout (`../shared/guests`), or $AXVISOR_SHARED_GUESTS. */
export function sharedGuestsDir(root: string): string {
  return resolve(process.env.AXVISOR_SHARED_GUESTS ?? join(root, "../../../shared/guests"));
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(relative(base, p).split(sep).join("/"));
  }
  return out;
}

/**
 * Serves `dir` under `/shared-guests/` (with `/shared-guests/index.json` listing its files),
 * or nothing when it does not exist: the page then offers no Linux. Used by the dev server,
 * `vite preview` and the e2e tests' static server.
 */
export function sharedGuestsMiddleware(dir: string): Connect.NextHandleFunction {
  return (req, res: ServerResponse, next) => {
    const url = (req.url ?? "").split("?")[0] ?? "";
    const at = url.indexOf("/shared-guests/");
    if (at < 0 || !existsSync(dir)) {
      next();
      return;
    }
    const rel = decodeURIComponent(url.slice(at + "/shared-guests/".length));
    if (rel === "index.json") {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(listFiles(dir)));
      return;
    }
    const path = normalize(join(dir, rel));
    if (!path.startsWith(dir + sep) || !existsSync(path) || !statSync(path).isFile()) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    res.setHeader("Content-Type", "application/octet-stream");
    res.setHeader("Content-Length", String(statSync(path).size));
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    createReadStream(path).pipe(res);
  };
}

/** The Vite plugin: `../shared/guests` offered by `pnpm web` and `vite preview`. */
export function sharedGuests(root: string): Plugin {
  const dir = sharedGuestsDir(root);
  return {
    name: "axvisor-shared-guests",
    configureServer(server) {
      server.middlewares.use(sharedGuestsMiddleware(dir));
    },
    configurePreviewServer(server) {
      server.middlewares.use(sharedGuestsMiddleware(dir));
    },
  };
}
