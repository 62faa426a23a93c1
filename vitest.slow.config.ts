import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The slow end-to-end suites (`npm run test:slow`, also run by `.ci/run`): real Prometheus, NATS
 * restarts, state-store outages, replica chaos, the browser. They live under test/slow/ so that
 * `npm test` stays fast; each file still skips with a message when its program is missing outside CI.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/slow/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
  },
});
