import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, oktaConfig, uuids } from "../e2e/cli-support.ts";
import { cleanEnv, runProcess, tempDir } from "../support/bundle.ts";
import { call } from "../support/http-call.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { freePort, sample, startBundle } from "../support/running-bundle.ts";
import { startProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { BACKENDS } from "../unit/state/backends.ts";

/**
 * `degradation.state_store_fallback: memory` with real parts: a continuous `helr run` keeps its
 * state in the shared Redis, then the shared Postgres, through a loopback proxy; the test cuts the proxy mid-run (the
 * server itself is never touched), polling goes on from memory, and once the proxy is back the
 * store holds the newest position again: a fresh run on it finds nothing left to send.
 */
const TOKEN = "okta-outage-a1b2c3d4e5f6";

/** The shared servers; each is only ever reached through a proxy the test cuts, never stopped. */
const STORES = [
  { kind: "redis", url: new URL(process.env.HELR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379") },
  {
    kind: "postgres",
    url: new URL(process.env.HELR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"),
  },
] as const;

const backend = (kind: string) => BACKENDS.find((b) => b.name === kind);

for (const store of STORES) {
  const problem = await backend(store.kind)?.unavailable();
  if (problem !== undefined && process.env.CI) throw new Error(`${store.kind}: ${problem}`);
  if (problem !== undefined) console.warn(`skipping the ${store.kind} outage test: ${problem}`);

  describe.skipIf(problem !== undefined)(`state store outage in a continuous run (${store.kind})`, () => {
    const SOURCE = `okta_outage_${randomBytes(4).toString("hex")}`;
    let mock: OktaMock;
    let proxy: TcpProxy;
    let bundle: string;
    let apiPort: number;
    let metricsPort: number;
    const port = Number(store.url.port || (store.kind === "redis" ? 6379 : 5432));

    beforeAll(async () => {
      mock = await startOktaMock({ token: TOKEN, events: 300, seed: 21 });
      proxy = await startProxy(store.url.hostname, port);
      apiPort = await freePort();
      metricsPort = await freePort();
      const via = new URL(store.url.href);
      via.port = String(proxy.port);
      const config = oktaConfig(100)
        .replace(
          '  state:\n    backend: sqlite\n    path: "./state.db"\n',
          `  state:\n    backend: ${store.kind}\n    url: "${via.href}"\n  degradation:\n    state_store_fallback: memory\n  api:\n    enabled: true\n    port: ${apiPort}\n  metrics:\n    enabled: true\n    port: ${metricsPort}\n`,
        )
        .replace("\n  okta:\n", `\n  ${SOURCE}:\n`);
      expect(config).toContain("state_store_fallback");
      bundle = (await buildBundle(config)).bundle;
    }, 120_000);
    afterAll(async () => {
      await proxy?.restore().catch(() => undefined);
      await runProcess(process.execPath, [bundle, "state", "reset", SOURCE], {
        cwd: tempDir(),
        env: direct(),
      });
      await proxy?.cut();
      await mock?.close();
    });

    /** The environment of a run; `direct` points the bundle at the server itself, not the proxy. */
    const env = () => cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, HELR_LOG_LEVEL: "info" });
    const direct = () => ({ ...env(), HELR_STATE_URL: store.url.href });

    /** What the store holds for the source, read by the bundle's own `state export`, past the proxy. */
    async function stored(): Promise<Record<string, string>> {
      const out = await runProcess(process.execPath, [bundle, "state", "export"], {
        cwd: tempDir(),
        env: direct(),
      });
      expect(out.code, out.stderr).toBe(0);
      return (JSON.parse(out.stdout) as Record<string, Record<string, string>>)[SOURCE] ?? {};
    }

    const fallbackGauge = async () =>
      sample(
        (await call(`http://127.0.0.1:${metricsPort}/metrics`)).text,
        "helr_state_store_fallback_active",
      );

    const start = (args: string[]) => startBundle(bundle, args, tempDir(), env());

    const wholeIds = (text: string) => uuids(text.slice(0, text.lastIndexOf("\n") + 1));

    it("the proxy is cut mid-run: polling goes on; restored: the store has the newest position", async () => {
      const run = start(["run"]);
      try {
        const first = mock.events.map((e) => e.uuid);
        await expect.poll(() => wholeIds(run.stdout()).length, { timeout: 30_000 }).toBe(first.length);
        await expect
          .poll(async () => Object.keys(await stored()).length, { timeout: 30_000 })
          .toBeGreaterThan(0);
        const before = await stored();

        await proxy.cut();
        const during = mock.addEvents(150).map((e) => e.uuid);
        // Polling goes on: the new events arrive while the store is unreachable.
        await expect
          .poll(() => wholeIds(run.stdout()).length, { timeout: 30_000 })
          .toBe(first.length + during.length);
        await expect.poll(() => run.stderr(), { timeout: 30_000 }).toMatch(/keeping state in memory/);
        expect(await stored()).toEqual(before);
        // Visible while degraded: /healthz and the gauge.
        expect((await call(`http://127.0.0.1:${apiPort}/healthz`)).json).toMatchObject({
          state_store_fallback_active: true,
        });
        expect(await fallbackGauge()).toBe(1);

        await proxy.restore();
        await expect
          .poll(() => run.stderr(), { timeout: 90_000, interval: 200 })
          .toMatch(/state store is back/);
        expect(await stored()).not.toEqual(before);
        expect((await call(`http://127.0.0.1:${apiPort}/healthz`)).json).not.toHaveProperty(
          "state_store_fallback_active",
        );
        expect(await fallbackGauge()).toBe(0);
        expect(wholeIds(run.stdout())).toEqual([...first, ...during]);
      } finally {
        await run.stop();
      }
      // The store's position is current: a new run on it has nothing left to send.
      const again = start(["run", "--once"]);
      expect(await again.exited, again.stderr()).toBe(0);
      expect(wholeIds(again.stdout())).toEqual([]);
    }, 180_000);
  });
}
