/**
 * The 1Password Events API catalog sources (audit events, sign-in attempts, item usages), each built
 * unchanged and run against an HTTPS mock of the API (issue 7): a POSTed ResetCursor `{limit}` first,
 * then the cursor in the body; `has_more: true` followed by an empty page; the last cursor kept and
 * posted again on the next poll; a 429 without any retry hint; a cursor the API rejects answered by
 * a fresh pass from `start_time` (deduplicated on `uuid`); and a refused token that says what to fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, runProcess } from "../support/bundle.ts";
import {
  arrivalTimes,
  buildCatalogSource,
  type CatalogBundle,
  type CatalogPki,
  type CatalogRun,
  catalogIr,
  catalogPki,
} from "../support/catalog.ts";
import type { RecordedRequest } from "../support/mocks/http-mock.ts";
import {
  type OnePasswordFeature,
  type OnePasswordItem,
  type OnePasswordMock,
  startOnePasswordMock,
} from "../support/mocks/onepassword-mock.ts";

const START = Date.parse("2024-05-21T13:00:00Z");
const FEATURES: readonly OnePasswordFeature[] = ["auditevents", "signinattempts", "itemusages"];

let pki: CatalogPki;
let mock: OnePasswordMock;
let arrival: (request: RecordedRequest) => number;
beforeAll(async () => {
  pki = catalogPki();
  // 2000 items per stream at 1000 a page: page 2 is full (`has_more: true`) and page 3 is empty.
  // The mock's clock sits an hour after the first item, so a ResetCursor without start_time
  // (1Password's default: the last hour) covers them all.
  mock = await startOnePasswordMock({ tls: pki.tls, events: 2000, seed: 5, now: () => START + 3_600_000 });
  arrival = arrivalTimes(mock.requests);
});
afterAll(async () => {
  await mock?.close();
  pki?.cleanup();
});

const uuids = (run: CatalogRun) => run.lines.map((line) => String(line.event.uuid));
const uuidsOf = (items: readonly OnePasswordItem[]) => items.map((item) => item.uuid);
const bodyOf = (request: RecordedRequest | undefined) => JSON.parse(request?.body ?? "null") as unknown;

describe.each(FEATURES)("1password-%s", (feature) => {
  const id = `1password-${feature}`;
  const yaml = `sources/${id}.yaml`;
  const path = `/api/v2/${feature}`;
  let bundle: CatalogBundle;
  const seen: string[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    ONEPASSWORD_EVENTS_HOST: new URL(mock.url).host,
    ONEPASSWORD_EVENTS_TOKEN: mock.token,
    ...extra,
  });
  /** This source's requests recorded after `from`. */
  const requestsSince = (from: number) => mock.requests.slice(from).filter((r) => r.path === path);
  const stored = async () => (await bundle.state())[id] ?? {};

  beforeAll(async () => {
    bundle = await buildCatalogSource(yaml, pki);
  });
  afterAll(() => bundle?.remove());

  it("compiles with no diagnostics under --strict, to the same IR as its .helr twin", () => {
    const fromYaml = catalogIr(yaml);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(catalogIr(`sources-helr/${id}.helr`)).toEqual(fromYaml);
    // The guide shows audit events in full; the other two differ from it only in their first line
    // (what the stream records) and the stream's name.
    const guide = readFileSync(join(ROOT, "docs/integrations/1password.md"), "utf8");
    for (const file of [yaml, `sources-helr/${id}.helr`]) {
      const [, ...rest] = readFileSync(join(ROOT, file), "utf8")
        .replaceAll(feature, "auditevents")
        .split("\n");
      expect(guide).toContain(`\n${rest.join("\n")}\`\`\``);
    }
  });

  it("posts a ResetCursor, follows the cursor through has_more and the empty page, and keeps it", async () => {
    const from = mock.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${id}: ok — 3 requests, 2000 events, stopped: has_more_false`);
    seen.push(...uuids(run));
    expect(uuids(run)).toEqual(uuidsOf(mock.events[feature]));

    const [reset, second, third] = requestsSince(from);
    expect(reset?.method).toBe("POST");
    expect(reset?.headers["content-type"]).toBe("application/json");
    expect(reset?.headers.authorization).toBe(`Bearer ${mock.token}`);
    expect(bodyOf(reset)).toEqual({ limit: 1000 });
    expect(bodyOf(second)).toEqual({ limit: 1000, cursor: expect.any(String) });
    expect(bodyOf(third)).toEqual({ limit: 1000, cursor: expect.any(String) });
    for (const line of run.lines) {
      expect(line.ts).toBe(line.event.timestamp);
      expect(line.meta.id).toBe(line.event.uuid);
    }
    const state = await stored();
    // The cursor of the last (empty, has_more: false) page is kept for the next poll.
    expect(state.cursor).toMatch(/\S/);
    expect(state.start_time).toBe(mock.events[feature].at(-1)?.timestamp);
  });

  it("posts the stored cursor again, gets only what is new, and backs off a 429 without hints", async () => {
    const cursor = (await stored()).cursor;
    const added = mock.addEvents(7, { feature, atMs: START + 3_000_000 });
    mock.rateLimitNext(1);
    const from = mock.requests.length;

    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    const [limited, retry, ...rest] = requestsSince(from);
    expect(limited?.status).toBe(429);
    expect(bodyOf(limited)).toMatchObject({ cursor });
    expect(retry?.body).toBe(limited?.body);
    expect(retry?.status).toBe(200);
    // No Retry-After from 1Password: the first backoff of the source, 2 s ± 10 % jitter.
    expect(arrival(retry as RecordedRequest) - arrival(limited as RecordedRequest)).toBeGreaterThanOrEqual(
      1800,
    );
    expect(rest).toEqual([]);
    expect(uuids(run)).toEqual(uuidsOf(added));
    seen.push(...uuids(run));
    expect(seen).toEqual(uuidsOf(mock.events[feature]));
  });

  it("sends one request and writes nothing when nothing is new", async () => {
    const cursor = (await stored()).cursor;
    const from = mock.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines).toEqual([]);
    expect(requestsSince(from).map((r) => (bodyOf(r) as { cursor?: string }).cursor)).toEqual([cursor]);
  });

  it("starts again from start_time when 1Password rejects the stored cursor, writing no duplicates", async () => {
    const mark = (await stored()).start_time;
    const stale = "eyJmZWF0dXJlIjoiZ29uZSJ9";
    const set = await runProcess(
      process.execPath,
      [join(bundle.dir, "helr.js"), "state", "set", id, "cursor", stale],
      {
        cwd: bundle.dir,
        env: cleanEnv(),
      },
    );
    expect(set.code, set.stderr).toBe(0);
    const added = mock.addEvents(3, { feature, atMs: START + 3_100_000 });
    const from = mock.requests.length;

    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    const [rejected, fresh] = requestsSince(from);
    expect(rejected?.status).toBe(400);
    expect(bodyOf(rejected)).toMatchObject({ cursor: stale });
    // A ResetCursor from the newest event written: start_time is inclusive, so that event comes
    // back and dedupe drops it.
    expect(bodyOf(fresh)).toEqual({ limit: 1000, start_time: mark });
    const resent = mock.events[feature].filter(
      (item) => Date.parse(item.timestamp) >= Date.parse(mark ?? ""),
    );
    expect(resent.length).toBeGreaterThan(added.length);
    expect(uuids(run)).toEqual(uuidsOf(added));
    seen.push(...uuids(run));
    expect(seen).toEqual(uuidsOf(mock.events[feature]));
  });

  it("names the source and the token variable when 1Password answers 401", async () => {
    const before = await stored();
    const run = await bundle.run(
      ["run", "--once"],
      env({ ONEPASSWORD_EVENTS_TOKEN: "eyJhbGciOiJFUzI1NiJ9.revoked.x" }),
    );
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([]);
    expect(run.stderr).toContain(
      `${id}: FAILED — source "${id}": POST https://${new URL(mock.url).host}${path} returned HTTP 401: {"Error":{"Code":401,"Message":"Unauthorized"}}; to fix: the API refused the credentials: check that the token in environment variable ONEPASSWORD_EVENTS_TOKEN holds a valid, current credential`,
    );
    expect(run.stderr).not.toContain("revoked.x");
    expect(await stored()).toEqual(before);
  });
});
