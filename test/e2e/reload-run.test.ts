/**
 * Reload of a rebuilt bundle in a running collector (docs/operations/reload.md): `helrc build`
 * overwrites the bundle the process was started from, SIGHUP or `POST /api/v1/reload` makes the
 * same process (same PID) poll the new set — a changed source resumes from its state, an added one
 * starts, a removed one stops and keeps its state, an unchanged one keeps its schedule. Reloading in
 * the middle of a backfill loses and repeats nothing. A bundle that does not load or whose config
 * fails leaves the old one running: 500 {ok:false}, a log line and an audit line; 409 while a reload runs.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, helrc, tempDir } from "../support/bundle.ts";
import { call } from "../support/http-call.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { freePort, type RunningBundle, sample, startBundle, waitUntil } from "../support/running-bundle.ts";
import { holdingProxy, runBundle } from "./cli-support.ts";

const TOKEN = "okta-reload-7a6b5c4d3e2f";
const API_TOKEN = "api-reload-1f2e3d4c5b6a";
const EVENTS = 5000;
/** The page of okta's and legacy's first poll that is in flight when the reload comes. */
const PAGE_HELD = 25;

/** One Okta source; `limit` small so a backfill is one long poll of many pages. */
function source(id: string, extra = "", origin = "OKTA_URL"): string {
  return `  ${id}:
    url: "\${${origin}}/api/v1/logs"
    auth:
      type: bearer
      token_env: OKTA_TOKEN
      prefix: SSWS
    query_params:
      limit: 10
    pagination:
      strategy: link_header
      rel: next
      max_pages: 1000
    schedule:
      interval_secs: 1
      jitter_secs: 0
    transform:
      timestamp_field: published
      id_field: uuid
${extra}`;
}

function config(port: number, sources: string, extraGlobal = ""): string {
  return `global:
  log_level: info
  metrics:
    enabled: true
    port: ${port + 1}
  state:
    backend: sqlite
    path: "./state.db"
  api:
    enabled: true
    port: ${port}
    auth:
      token_env: HELR_API_TOKEN
  audit:
    enabled: true
${extraGlobal}sources:
${sources}`;
}

/** Builds `yaml` into a new file and returns a function that puts it over `bundle`. */
async function prepare(dir: string, yaml: string, bundle: string): Promise<() => void> {
  const name = Math.random().toString(36).slice(2);
  const file = join(dir, `helr-${name}.yaml`);
  writeFileSync(file, yaml);
  const out = join(dir, `next-${name}.js`);
  const built = await helrc(["build", file, "-o", out]);
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code).toBe(0);
  // Over the running file, as `helrc build -o` does (one write of the whole file).
  return () => copyFileSync(out, bundle);
}

/** Builds `yaml` over `bundle` (the file the running process was started from). */
async function build(dir: string, yaml: string, bundle: string): Promise<void> {
  (await prepare(dir, yaml, bundle))();
}

/** Output lines per source label: the uuids written, in order. */
function written(stdout: string): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = JSON.parse(line) as { source: string; event: { uuid: string } };
    const list = bySource.get(parsed.source) ?? [];
    list.push(parsed.event.uuid);
    bySource.set(parsed.source, list);
  }
  return bySource;
}

let mock: OktaMock;
beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: EVENTS, seed: 23 });
});
afterAll(async () => mock?.close());

describe("reload of a rebuilt bundle", () => {
  let dir: string;
  let bundle: string;
  let port: number;
  let run: RunningBundle;
  let oktaProxy: Awaited<ReturnType<typeof holdingProxy>>;
  let legacyProxy: Awaited<ReturnType<typeof holdingProxy>>;
  let held: Promise<void>[];
  const api = (path: string, method = "GET") =>
    call(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${API_TOKEN}` } });
  const lines = () =>
    run
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));

  beforeAll(async () => {
    port = await freePort();
    dir = tempDir();
    bundle = join(dir, "helr.js");
    // okta and legacy go through proxies that can hold a page, so the reload finds them mid-poll.
    oktaProxy = await holdingProxy(mock.url);
    legacyProxy = await holdingProxy(mock.url);
    held = [oktaProxy.hold(PAGE_HELD), legacyProxy.hold(PAGE_HELD)];
    await build(
      dir,
      config(
        port,
        source("okta", "", "OKTA_HELD_URL") + source("steady") + source("legacy", "", "LEGACY_URL"),
      ),
      bundle,
    );
    const env = cleanEnv({
      OKTA_URL: mock.url,
      OKTA_HELD_URL: oktaProxy.url,
      LEGACY_URL: legacyProxy.url,
      OKTA_TOKEN: TOKEN,
      HELR_API_TOKEN: API_TOKEN,
      HELR_LOG_LEVEL: "info",
    });
    run = startBundle(bundle, ["run"], dir, env);
  }, 120_000);
  afterAll(async () => {
    await run?.stop();
    await oktaProxy?.close();
    await legacyProxy?.close();
  });

  it("SIGHUP in the middle of a backfill: same PID, the new set polled, nothing lost or repeated", async () => {
    const pid = run.child.pid;
    // okta changed (a header), steady unchanged, legacy removed, added new.
    const install = await prepare(
      dir,
      config(
        port,
        source("okta", '    headers:\n      X-Rebuilt: "2"\n', "OKTA_HELD_URL") +
          source("steady") +
          source("added"),
      ),
      bundle,
    );
    // Mid-backfill: okta's and legacy's page 25 is on its way (held by the proxies).
    await Promise.all(held);
    install();
    const hupAt = Date.now();
    run.child.kill("SIGHUP");
    // The reload waits for those pages: they arrive, are written and checkpointed, then both stop.
    await waitUntil("the retiring sources named", () =>
      lines().find((l) => l.msg === "reload: stopping sources after their page in flight"),
    );
    oktaProxy.release();
    legacyProxy.release();
    const applied = await waitUntil("the reload applied", () =>
      lines().find((l) => l.msg === "reload: applied"),
    );
    expect(applied).toMatchObject({
      trigger: "sighup",
      added: ["added"],
      removed: ["legacy"],
      changed: ["okta"],
      unchanged: ["steady"],
      restart_needed: [],
    });
    // The audit trail: the start-up load (not lost before the logger exists), credential reads
    // with their kind, and the reload with its trigger; never the token.
    const audits = lines().filter((l) => l.audit === true);
    expect(audits[0]).toMatchObject({ msg: "audit: config loaded", path: expect.stringMatching(/\.yaml$/) });
    expect(audits.some((l) => l.msg === "audit: credential accessed" && l.source === "okta" && l.kind)).toBe(
      true,
    );
    expect(audits.some((l) => l.msg === "audit: config reloaded" && l.trigger === "sighup")).toBe(true);
    expect(JSON.stringify(audits)).not.toContain(TOKEN);
    expect(run.child.pid).toBe(pid);
    // The backfill was in flight: okta's and legacy's polls ended at a page boundary for the reload.
    const stopped = lines().filter((l) => l.msg === "poll complete" && l.stopReason === "shutdown");
    expect(stopped.map((l) => l.sourceId).sort()).toEqual(["legacy", "okta"]);
    // Exactly the held page was the last one of the old passes: 25 pages of 10 events each.
    const cutAt = stopped.map((l) => l.events as number);
    expect(cutAt).toEqual([PAGE_HELD * 10, PAGE_HELD * 10]);
    console.info(
      `reload-run: applied ${Date.now() - hupAt} ms after SIGHUP; okta and legacy stopped after ${cutAt} events`,
    );
    expect(run.child.exitCode).toBeNull();
    const sources = await api("/api/v1/sources");
    expect(Object.keys((sources.json as { sources: object }).sources).sort()).toEqual([
      "added",
      "okta",
      "steady",
    ]);
    // Every source finishes its backfill: each event exactly once per source.
    const done = await waitUntil(
      "every backfill complete",
      () => {
        const w = written(run.stdout());
        return ["okta", "steady", "added"].every((id) => (w.get(id)?.length ?? 0) >= EVENTS) ? w : undefined;
      },
      120_000,
    );
    const all = mock.events.map((e) => e.uuid);
    for (const id of ["okta", "steady", "added"]) {
      const ids = done.get(id) ?? [];
      expect(new Set(ids).size, `${id}: no event repeated`).toBe(ids.length);
      expect(ids, `${id}: every event, in order`).toEqual(all);
    }
    // The changed source's requests after the reload carry the new header and resumed after the
    // held page (its `after` is the last event of page 25), not from the start.
    const rebuilt = mock.requests.filter((r) => r.headers["x-rebuilt"] === "2");
    expect(rebuilt.length).toBeGreaterThan(0);
    expect(rebuilt[0]?.query.after).toBe(mock.events[PAGE_HELD * 10 - 1]?.uuid);
    // Metrics follow the new set: the added source is a configured one, with every event counted.
    const metrics = (await call(`http://127.0.0.1:${port + 1}/metrics`, {})).text;
    expect(sample(metrics, 'helr_events_emitted_total{source="added"}')).toBe(EVENTS);
    expect(sample(metrics, 'helr_poll_interval_seconds{source="added"}')).toBe(1);
    // The removed source stopped: no line after its last one; its state is kept (read below).
    expect(done.get("legacy")).toEqual(all.slice(0, PAGE_HELD * 10));
  }, 180_000);

  it("POST /api/v1/reload: an unloadable bundle is refused with 500 and the old set keeps running", async () => {
    writeFileSync(bundle, "#!/usr/bin/env node\nthis is not javascript {");
    const refused = await api("/api/v1/reload", "POST");
    expect(refused.status).toBe(500);
    expect(refused.json).toMatchObject({ ok: false, error: expect.stringMatching(/does not compile/) });
    await waitUntil("the rejection audited", () =>
      lines().find((l) => l.msg === "audit: reload rejected" && l.trigger === "api" && l.remote),
    );
    expect(lines().some((l) => /reload rejected, the running sources are unchanged/.test(l.msg))).toBe(true);
    // Still polling the same set: new events reach every source.
    mock.addEvents(5);
    await waitUntil("the new events written by the old set", () => {
      const w = written(run.stdout());
      return ["okta", "steady", "added"].every((id) => (w.get(id)?.length ?? 0) >= EVENTS + 5)
        ? true
        : undefined;
    });
  }, 60_000);

  it("a bundle whose config fails is refused; two reloads at once: one runs, the other gets 409", async () => {
    await build(
      dir,
      config(port, source("okta", '    headers:\n      X-Key: "${UNSET_RELOAD_VAR}"\n')),
      bundle,
    );
    const failed = await api("/api/v1/reload", "POST");
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ ok: false, error: expect.stringMatching(/UNSET_RELOAD_VAR/) });
    await build(
      dir,
      config(port, source("okta", "", "OKTA_HELD_URL") + source("steady") + source("added")),
      bundle,
    );
    const both = await Promise.all([api("/api/v1/reload", "POST"), api("/api/v1/reload", "POST")]);
    const statuses = both.map((b) => b.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(both.find((b) => b.status === 409)?.json).toEqual({
      ok: false,
      error: "a reload is already running",
    });
    // okta was rebuilt without its header: changed again; nothing else.
    expect(both.find((b) => b.status === 200)?.json).toMatchObject({
      ok: true,
      changed: ["okta"],
      unchanged: ["added", "steady"],
      added: [],
      removed: [],
    });
    expect(run.stderr()).not.toContain(TOKEN);
    expect(run.stderr()).not.toContain(API_TOKEN);
  }, 60_000);

  it("after the run: the removed source's state is still in the store", async () => {
    expect(await run.stop()).toBe(0);
    const exported = await runBundle(bundle, ["state", "export"], dir, cleanEnv({}));
    expect(exported.code).toBe(0);
    const state = JSON.parse(exported.stdout) as Record<string, Record<string, string>>;
    expect(Object.keys(state).sort()).toEqual(expect.arrayContaining(["legacy", "okta", "steady", "added"]));
  });
});
