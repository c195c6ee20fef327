import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

/**
 * The per-package vitest project. Tests import sibling workspace packages through the
 * "source" export condition, so they run against TypeScript sources without a build. Vitest
 * resolves modules on Vite's server side, so the condition goes into `ssr.resolve` too.
 */
const conditions = ["source", ...defaultServerConditions];

export function packageProject(
  name: string,
  extra: { testTimeout?: number; setupFiles?: string[] } = {},
) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["source"] } },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: extra.testTimeout ?? 20_000,
      ...(extra.setupFiles !== undefined ? { setupFiles: extra.setupFiles } : {}),
    },
  });
}
