import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Test runner settings: every `*.test.ts` under test/ but test/slow/ (`npm run test:slow`), in forked processes (native modules, real sockets). */
export default defineConfig({
  resolve: {
    alias: {
      // The bundler embeds the SQLite addon; from source, better-sqlite3 finds its own.
      "helr-native:better_sqlite3": fileURLToPath(
        new URL("./runtime/state/no-embedded-addon.ts", import.meta.url),
      ),
      "@helr/runtime": fileURLToPath(new URL("./runtime/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "test/golden/**/expected.*", "test/slow/**"],
    globals: false,
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
