import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, oktaConfig, uuids } from "../e2e/cli-support.ts";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { startProxy, type TcpProxy } from "../support/tcp-proxy.ts";

/**
 * `degradation.state_store_fallback: memory` with real parts: a continuous `helr run` keeps its
 * state in the shared Redis through a loopback proxy; the test cuts the proxy mid-run (the
 * server itself is never touched), polling goes on from memory, and once the proxy is back the
 * store holds the newest position again: a fresh run on it finds nothing left to send.
 */
const REDIS_URL = new URL(process.env.HELR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
const TOKEN = "okta-outage-a1b2c3d4e5f6";
const SOURCE = `okta_outage_${randomBytes(4).toString("hex")}`;
const KEY = `helr:state:${SOURCE}`;

async function redisProblem(): Promise<string | undefined> {
  const probe = new Redis(REDIS_URL.href, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${REDIS_URL.host} is unreachable (${(error as Error).message})`;
  } finally {
    probe.disconnect();
  }
}

const problem = await redisProblem();
if (problem !== undefined && process.env.CI) throw new Error(problem);
if (problem !== undefined) console.warn(`skipping the store outage test: ${problem}`);

let mock: OktaMock;
let proxy: TcpProxy;
let redis: Redis;
let bundle: string;

beforeAll(async () => {
  if (problem !== undefined) return;
  mock = await startOktaMock({ token: TOKEN, events: 300, seed: 21 });
  proxy = await startProxy(REDIS_URL.hostname, Number(REDIS_URL.port || 6379));
  redis = new Redis(REDIS_URL.href);
  const config = oktaConfig(100)
    .replace(
      '  state:\n    backend: sqlite\n    path: "./state.db"\n',
      `  state:\n    backend: redis\n    url: "redis://127.0.0.1:${proxy.port}"\n  degradation:\n    state_store_fallback: memory\n`,
    )
    .replace("\n  okta:\n", `\n  ${SOURCE}:\n`);
  expect(config).toContain("state_store_fallback");
  bundle = (await buildBundle(config)).bundle;
}, 120_000);
afterAll(async () => {
  await redis?.del(KEY);
  redis?.disconnect();
  await proxy?.cut();
  await mock?.close();
});

function start(args: string[]) {
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd: tempDir(),
    env: cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, HELR_LOG_LEVEL: "info" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, closed, stdout: () => stdout, stderr: () => stderr };
}

const wholeIds = (text: string) => uuids(text.slice(0, text.lastIndexOf("\n") + 1));

describe.skipIf(problem !== undefined)("state store outage in a continuous run", () => {
  it("the proxy to Redis is cut mid-run: polling goes on; restored: the store has the newest position", async () => {
    const run = start(["run"]);
    try {
      const first = mock.events.map((e) => e.uuid);
      await expect.poll(() => wholeIds(run.stdout()).length, { timeout: 30_000 }).toBe(first.length);
      await expect
        .poll(async () => Object.keys(await redis.hgetall(KEY)).length, { timeout: 30_000 })
        .toBeGreaterThan(0);
      const before = await redis.hgetall(KEY);

      await proxy.cut();
      const during = mock.addEvents(150).map((e) => e.uuid);
      // Polling goes on: the new events arrive while the store is unreachable.
      await expect
        .poll(() => wholeIds(run.stdout()).length, { timeout: 30_000 })
        .toBe(first.length + during.length);
      await expect.poll(() => run.stderr(), { timeout: 30_000 }).toMatch(/keeping state in memory/);
      expect(await redis.hgetall(KEY)).toEqual(before);

      await proxy.restore();
      await expect
        .poll(() => run.stderr(), { timeout: 90_000, interval: 200 })
        .toMatch(/state store is back/);
      const after = await redis.hgetall(KEY);
      expect(after).not.toEqual(before);
      expect(wholeIds(run.stdout())).toEqual([...first, ...during]);
    } finally {
      run.child.kill("SIGTERM");
      await run.closed;
    }
    // The store's position is current: a new run on it has nothing left to send.
    const again = start(["run", "--once"]);
    expect(await again.closed, again.stderr()).toBe(0);
    expect(wholeIds(again.stdout())).toEqual([]);
  }, 180_000);
});
