import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { sharedGuestsMiddleware } from "../vite/shared-guests.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

/**
 * A plain static file server for the built site, as any host would serve it, plus the
 * cross-origin isolation headers and `/shared-guests/` (`guests` beside it) as `pnpm web`
 * offers them. `headers: false` leaves the headers out (the service worker must add them).
 */
export async function serveSite(
  dir: string,
  options: { guests?: string; headers?: boolean } = {},
): Promise<{ url: string; server: Server }> {
  const guests = options.guests === undefined ? undefined : sharedGuestsMiddleware(options.guests);
  const server = createServer((req, res) => {
    if (options.headers !== false) {
      res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
      res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    }
    const serveFile = () => {
      const url = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
      let path = normalize(join(dir, url));
      if (path !== dir && !path.startsWith(dir + sep)) {
        res.statusCode = 403;
        res.end();
        return;
      }
      if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
      if (!existsSync(path)) {
        res.statusCode = 404;
        res.end("not found");
        return;
      }
      res.setHeader("Content-Type", TYPES[extname(path)] ?? "application/octet-stream");
      createReadStream(path).pipe(res);
    };
    if (guests !== undefined) guests(req, res, serveFile);
    else serveFile();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server };
}
