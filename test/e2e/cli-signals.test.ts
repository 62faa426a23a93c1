import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { waitUntil } from "../support/running-bundle.ts";
import { buildBundle, holdingProxy, oktaConfig, runBundle, uuids } from "./cli-support.ts";

/** SIGTERM/SIGINT on the built bundle: finish the page in flight, checkpoint, flush, exit 0; twice: 130. */
const TOKEN = "okta-signals-5d4c3b2a1f0e";
let mock: OktaMock;
let built: { dir: string; bundle: string };

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 9, seed: 11 });
  built = await buildBundle(oktaConfig(3));
});
afterAll(async () => mock?.close());

function start(url: string, args: string[], cwd: string) {
  const child = spawn(process.execPath, [built.bundle, ...args], {
    cwd,
    env: cleanEnv({ OKTA_URL: url, OKTA_TOKEN: TOKEN, HELR_LOG_LEVEL: "info" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  return { child, exit, stderr: () => stderr };
}

/** Resolves once `check` holds (polled; fails naming what it waited for after 20 s). */
const until = (check: () => boolean, what = "the stopping log line") =>
  waitUntil(what, () => (check() ? true : undefined));

describe.each(["SIGTERM", "SIGINT"] as const)("%s", (signal) => {
  it("while a page is in flight: the page is finished, written, checkpointed, and the exit code is 0", async () => {
    const proxy = await holdingProxy(mock.url);
    const dir = join(built.dir, `signal-${signal}`);
    mkdirSync(dir);
    try {
      // Page 2 of 3 is slow; the signal arrives while the bundle waits for it.
      const held = proxy.hold(2);
      const run = start(proxy.url, ["run", "--output", "events.ndjson", "--state-path", "state.db"], dir);
      await held;
      run.child.kill(signal);
      await until(() => /stopping: finishing the current page/.test(run.stderr()));
      proxy.release();
      expect(await run.exit).toBe(0);
      expect(proxy.count()).toBe(2);
      const written = uuids(readFileSync(join(dir, "events.ndjson"), "utf8"));
      expect(written).toEqual(mock.events.slice(0, 6).map((e) => e.uuid));
      // The checkpoint covers page 2: the next run starts at page 3. (Same host as the stored link:
      // a stored link to another host would start a fresh pass on purpose.)
      const next = await runBundle(built.bundle, ["run", "--once", "--state-path", "state.db"], dir, {
        ...cleanEnv({ OKTA_URL: proxy.url, OKTA_TOKEN: TOKEN }),
      });
      expect(next.code).toBe(0);
      expect(uuids(next.stdout)).toEqual(mock.events.slice(6).map((e) => e.uuid));
    } finally {
      await proxy.close();
    }
  });
});

describe("a second signal", () => {
  it("exits 130 at once, without waiting for the page in flight", async () => {
    const proxy = await holdingProxy(mock.url);
    try {
      const held = proxy.hold(1);
      const run = start(proxy.url, ["run", "--once", "--state-path", "state-2.db"], built.dir);
      await held;
      run.child.kill("SIGTERM");
      await until(() => /stopping: finishing the current page/.test(run.stderr()));
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(130);
      expect(run.stderr()).toMatch(/second signal/);
    } finally {
      await proxy.close();
    }
  });
});

describe("SIGHUP and SIGUSR1 where they do nothing", () => {
  it.each([
    ["--once", ["run", "--once", "--state-path", "state-hup.db"]],
    ["replay", ["run", "--replay-dir", "recorded-hup"]],
  ])("under %s: logged, the run goes on, every event written, exit 0", async (mode, args) => {
    const proxy = await holdingProxy(mock.url);
    const dir = join(built.dir, `hup-${mode.replace(/\W/g, "")}`);
    mkdirSync(dir);
    try {
      if (mode === "replay") {
        // A recording to replay (its pages come from disk, the proxy is never asked).
        const recorded = await runBundle(
          built.bundle,
          ["run", "--once", "--record-dir", "recorded-hup", "--state-path", "rec.db"],
          dir,
          cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN }),
        );
        expect(recorded.code).toBe(0);
      }
      const held = mode === "replay" ? undefined : proxy.hold(2);
      const run = start(proxy.url, args, dir);
      let out = "";
      run.child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      // Continuous replay runs until stopped; it has written the recording once here.
      if (held) await held;
      else await until(() => uuids(out).length >= mock.events.length, "the replayed events");
      run.child.kill("SIGHUP");
      await until(() => /SIGHUP: cached tokens dropped/.test(run.stderr()), "the SIGHUP line");
      run.child.kill("SIGUSR1");
      await until(() => /SIGUSR1/.test(run.stderr()), "the SIGUSR1 line");
      proxy.release();
      if (mode === "replay") run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
      expect(run.stderr()).toMatch(new RegExp(`no reload under ${mode === "replay" ? "replay" : "--once"}`));
      expect(uuids(out).slice(0, mock.events.length)).toEqual(mock.events.map((e) => e.uuid));
    } finally {
      await proxy.close();
    }
  });
});
