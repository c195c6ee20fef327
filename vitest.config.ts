import { defineConfig } from "vitest/config";

// One vitest project per package: every package folder with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      "packages/*/*/vitest.config.ts",
      "apps/*/vitest.config.ts",
      "tools/*/vitest.config.ts",
    ],
  },
});
