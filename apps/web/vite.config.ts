import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";
import { sharedGuests } from "./vite/shared-guests.js";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * Cross-origin isolation: the emulated CPUs keep RAM and register state in a shared
 * WebAssembly.Memory, which needs SharedArrayBuffer, which needs these two headers. The built
 * site also registers `coi-sw.js`, which adds them where the file server does not.
 */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root,
  base: "./",
  // Workspace packages are bundled from their TypeScript sources (the "source" condition).
  resolve: { conditions: ["source", ...defaultClientConditions] },
  worker: { format: "es" },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    // The plugin-timing report is noise here: the slow part is transforming the TypeScript sources.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  plugins: [sharedGuests(root)],
});
