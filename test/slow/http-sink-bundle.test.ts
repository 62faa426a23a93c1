/**
 * The HTTP sink through the built bundle: `helr run --once --output http://…` against a receiver
 * that fails, times out, throttles, stores-then-fails, resets, and is killed and restarted
 * mid-run. Every event arrives at least once, exactly once after deduplicating on `meta.id`, and
 * the exit code and stored state say whether everything was acknowledged.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, oktaConfig, runBundle } from "../e2e/cli-support.ts";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import {
  type NdjsonReceiver,
  type ReceiverAction,
  startReceiver,
  until,
} from "../support/ndjson-receiver.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";

const TOKEN = "okta-sink-bundle-9f8e7d6c";
const SINK_TOKEN = "sink-secret-5a4b3c2d1e";
const EVENTS = 2000;

/** Short waits so a chaotic run ends in seconds; the retry limit only binds `--once`. */
const OUTPUT = `  output:
    http:
      batch_size: 50
      batch_timeout_ms: 50
      timeout_secs: 1
      max_retries: 40
      initial_backoff_secs: 0.02
      max_backoff_secs: 0.3
      max_retry_after_secs: 1
      auth:
        type: bearer
        token_env: SINK_TOKEN
`;

let mock: OktaMock;
let built: { bundle: string };
let receiver: NdjsonReceiver | undefined;

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: EVENTS, seed: 19 });
  built = await buildBundle(oktaConfig(100).replace("global:\n", `global:\n${OUTPUT}`));
}, 120_000);
afterAll(async () => mock?.close());
afterEach(async () => {
  await receiver?.kill();
  receiver = undefined;
});

const run = (dir: string, url: string) =>
  runBundle(
    built.bundle,
    ["run", "--once", "--output", url],
    dir,
    cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, SINK_TOKEN }),
  );

/** mulberry32: a seeded generator, so a failing run can be reproduced. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chaos(random: () => number): ReceiverAction {
  const r = random();
  if (r < 0.15) return { kind: "status", status: 500, body: "boom" };
  if (r < 0.25) return { kind: "status", status: 429, headers: { "retry-after": "0" } };
  if (r < 0.3) return { kind: "status", status: 503 };
  if (r < 0.33) return { kind: "hang" };
  if (r < 0.38) return { kind: "accept_then_fail" };
  if (r < 0.42) return { kind: "reset" };
  return { kind: "accept" };
}

const ids = (lines: readonly string[]) =>
  lines.map((l) => (JSON.parse(l) as { meta: { id: string } }).meta.id);
const all = () => mock.events.map((e) => e.uuid);

describe("helr run --once --output http://… (built bundle)", () => {
  it.each([1, 2, 3])(
    "chaos seed %i: every event arrives, exactly once after dedupe by meta.id",
    async (seed) => {
      const random = seeded(seed);
      let restarted: Promise<void> | undefined;
      const r = await startReceiver({
        behave: (index) => {
          if (index === 12) {
            // Killed and restarted mid-run: requests in between are refused.
            restarted = (async () => {
              await new Promise((done) => setImmediate(done));
              await r.kill();
              await new Promise((done) => setTimeout(done, 400));
              await r.start();
            })();
          }
          return chaos(random);
        },
      });
      receiver = r;
      const dir = tempDir();
      const result = await run(dir, r.url);
      expect(restarted, "the receiver was killed and restarted mid-run").toBeDefined();
      await restarted;
      const faults = r.requests.filter((q) => q.action.kind !== "accept").length;
      expect(faults).toBeGreaterThan(5);
      console.info(
        `seed ${seed}: ${r.requests.length} requests, ${faults} faults, ${r.stored.length} lines stored for ${EVENTS} events`,
      );
      expect(result.stderr).not.toContain(SINK_TOKEN);
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      const got = ids(r.stored);
      expect(new Set(got)).toEqual(new Set(all()));
      expect(got.length).toBeGreaterThanOrEqual(EVENTS);
      expect(r.requests.every((q) => q.headers.authorization === `Bearer ${SINK_TOKEN}`)).toBe(true);
      // Nothing left behind: the next run asks only for what is new, and sends nothing.
      const before = r.stored.length;
      expect((await run(dir, r.url)).code).toBe(0);
      expect(r.stored.length).toBe(before);
    },
  );

  it("a 401 is permanent: exit 1, status and body excerpt logged without the token, state not advanced", async () => {
    const r = await startReceiver({
      behave: () => ({ kind: "status", status: 401, body: `invalid token ${SINK_TOKEN}` }),
    });
    receiver = r;
    const dir = tempDir();
    const failed = await run(dir, r.url);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/HTTP 401/);
    expect(failed.stderr).toMatch(/invalid token/);
    expect(failed.stderr).not.toContain(SINK_TOKEN);
    expect(r.requests.length).toBe(1);
    await r.kill();
    const good = await startReceiver();
    receiver = good;
    expect((await run(dir, good.url)).code).toBe(0);
    expect(new Set(ids(good.stored))).toEqual(new Set(all()));
  });

  it("a receiver down for the whole run: exit 1 after the retries, state not advanced", async () => {
    const down = await startReceiver({ down: true });
    const dir = tempDir();
    const failed = await run(dir, down.url);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/HELR_OUTPUT_HTTP_UNAVAILABLE|not acknowledged after 41 attempts/);
    await down.start();
    receiver = down;
    expect((await run(dir, down.url)).code).toBe(0);
    expect(new Set(ids(down.stored))).toEqual(new Set(all()));
  });

  it.each([
    ["comes back: everything delivered, SIGTERM exits 0", true],
    ["stays down: SIGTERM gives up, exits 1, state not advanced", false],
  ])("helr run (continuous) with the receiver down, then it %s", async (_title, comesBack) => {
    const r = await startReceiver({ down: true });
    receiver = r;
    const dir = tempDir();
    const requestsBefore = mock.requests.length;
    const child = spawn(process.execPath, [built.bundle, "run", "--output", r.url], {
      cwd: dir,
      env: cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, SINK_TOKEN }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, "exit");
    await until(
      () => /still retrying, polling is paused/.test(stderr),
      "the sink reported as failing",
      60_000,
    );
    // Polling paused: the first page waits for its acknowledgement; the engine's read-ahead
    // fetches a page or two more, and then no more of the 20.
    expect(mock.requests.length - requestsBefore).toBeLessThanOrEqual(3);
    if (comesBack) {
      await r.start();
      await until(() => new Set(ids(r.stored)).size === EVENTS, "every event delivered", 60_000);
    }
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code, stderr.slice(-2000)).toBe(comesBack ? 0 : 1);
    expect(stderr).not.toContain(SINK_TOKEN);
    if (!comesBack) await r.start();
    const before = r.stored.length;
    expect((await run(dir, r.url)).code).toBe(0);
    if (comesBack) expect(r.stored.length).toBe(before);
    else expect(new Set(ids(r.stored))).toEqual(new Set(all()));
  });
});

/**
 * `max_buffer_bytes` is what bounds memory when nothing else waits for the receiver: with
 * `checkpoint: end_of_tick` the engine flushes only at the end of a poll, so without the bound it
 * would fetch and hold all 20 pages of the backlog while the receiver is down.
 */
describe("helr run --output http://… with max_buffer_bytes (built bundle)", () => {
  const MAX_BUFFER_BYTES = 32 * 1024;
  const PAGES = EVENTS / 100;
  let bounded: { bundle: string };
  beforeAll(async () => {
    const output = OUTPUT.replace("max_retries: 40", "max_retries: 3").replace(
      "      auth:",
      `      max_buffer_bytes: ${MAX_BUFFER_BYTES}\n      auth:`,
    );
    const config = oktaConfig(100)
      .replace("global:\n", `global:\n${output}`)
      .replace("    transform:", "    checkpoint: end_of_tick\n    transform:");
    expect(config).toContain(`max_buffer_bytes: ${MAX_BUFFER_BYTES}`);
    expect(config).toContain("checkpoint: end_of_tick");
    bounded = await buildBundle(config);
  }, 120_000);

  it("the receiver down: polling pauses within the bound, nothing is dropped, all is sent once it returns", async () => {
    // Down = every POST answered 503, so the test can count the sink's attempts.
    let down = true;
    const r = await startReceiver({
      behave: () => (down ? { kind: "status", status: 503 } : { kind: "accept" }),
    });
    receiver = r;
    const dir = tempDir();
    const requestsBefore = mock.requests.length;
    const env = cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, SINK_TOKEN });
    const child = spawn(process.execPath, [bounded.bundle, "run", "--output", r.url], {
      cwd: dir,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, "exit");
    await until(
      () => /still retrying, polling is paused/.test(stderr),
      "the sink reported as failing",
      60_000,
    );
    // Give the engine every chance to run ahead: 20 attempts of the stuck batch later, it has not.
    await until(() => r.requests.length >= 20, "20 attempts during the outage", 60_000);
    const fetchedWhileDown = mock.requests.length - requestsBefore;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
    down = false;
    await until(() => new Set(ids(r.stored)).size === EVENTS, "every event delivered", 60_000);
    const pageBytes = Buffer.byteLength(r.stored.slice(0, 100).join("\n")) + 100;
    console.info(
      `max_buffer_bytes ${MAX_BUFFER_BYTES}: ${fetchedWhileDown} of ${PAGES} pages fetched while the receiver was down ` +
        `(a page is ${pageBytes} bytes of NDJSON), bundle RSS ${Math.round(rssKb / 1024)} MiB`,
    );
    // The page whose write went past the bound waits in the sink; the engine reads ahead a page
    // or two more, and then stops: far fewer than the 20 an unbounded buffer would take.
    expect(pageBytes).toBeGreaterThan(MAX_BUFFER_BYTES);
    expect(fetchedWhileDown).toBeLessThanOrEqual(3);
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(stderr).not.toContain(SINK_TOKEN);
    expect(new Set(ids(r.stored))).toEqual(new Set(all()));
    // State covers what was delivered: the next run sends nothing again.
    const before = r.stored.length;
    const again = await runBundle(bounded.bundle, ["run", "--once", "--output", r.url], dir, env);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(r.stored.length).toBe(before);
  });
});
