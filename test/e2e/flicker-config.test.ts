/**
 * A Flicker config (issue 19), unchanged, built into a bundle and run against the Okta mock:
 * it writes the same NDJSON as the hand-written Helr config it corresponds to, and as the
 * config `helrc convert --to yaml` makes of it, and sends Flicker's requests (page size, token).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, helrc, type Run, runProcess, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";

const TOKEN = "okta-flicker-5a4b3c2d1e";
const EVENTS = 30;

/** Flicker's Okta example, with the mock's address and the token from the environment. */
const FLICKER = `api_sources:
  - name: "okta-audit-logs"
    endpoint: "\${OKTA_URL}/api/v1/logs"
    polling_frequency_ms: 60000
    headers:
      Authorization: "SSWS \${OKTA_TOKEN}"
    results_field: "" # Array at root level
    timestamp_field: "published"
    message_field: "displayMessage"
    time_filter_param: "since"
    time_filter_format: "iso8601"
    pagination:
      pagination_type: "cursor"
      cursor_param: "after"
      next_cursor_field: "next"
      page_size: 100
`;

/** The same source as a Helr user would write it. */
const HELR = `sources:
  okta-audit-logs:
    url: "\${OKTA_URL}/api/v1/logs"
    schedule: { interval_secs: 60 }
    headers: { Authorization: "SSWS \${OKTA_TOKEN}" }
    query_params: { limit: 100 }
    pagination: { strategy: cursor, cursor_param: after, cursor_path: next }
    transform: { timestamp_field: published, message_field: displayMessage }
    state: { watermark_field: published, watermark_param: since, format: iso8601 }
`;

interface Outcome {
  readonly run: Run;
  readonly mock: OktaMock;
}

const mocks: OktaMock[] = [];
afterAll(async () => Promise.all(mocks.map((m) => m.close())));

/** Builds `config` into a bundle and runs it once against a fresh mock with the same events. */
async function buildAndRun(config: string): Promise<Outcome> {
  const mock = await startOktaMock({ token: TOKEN, events: EVENTS, seed: 19 });
  mocks.push(mock);
  const dir = tempDir({ "config.yaml": config });
  const bundle = join(dir, "helr.js");
  const built = await helrc(["build", join(dir, "config.yaml"), "-o", bundle]);
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code).toBe(0);
  const env = cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });
  const run = await runProcess(process.execPath, [bundle, "run", "--once"], { cwd: dir, env });
  return { run, mock };
}

/** The NDJSON lines without the mock's per-request id (each mock numbers its own requests). */
function lines(stdout: string): unknown[] {
  return stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as { meta?: Record<string, unknown> };
      if (parsed.meta !== undefined) delete parsed.meta.request_id;
      return parsed;
    });
}

let flicker: Outcome;
let helr: Outcome;
let converted: Outcome;

beforeAll(async () => {
  const dir = tempDir({ "flicker.yaml": FLICKER });
  const convert = await helrc(["convert", "--to", "yaml", join(dir, "flicker.yaml")]);
  expect(convert.code).toBe(0);
  writeFileSync(join(dir, "converted.yaml"), convert.stdout);
  [flicker, helr, converted] = await Promise.all([
    buildAndRun(FLICKER),
    buildAndRun(HELR),
    buildAndRun(convert.stdout),
  ]);
}, 240_000);

describe("a Flicker config in a bundle", () => {
  it("runs and writes every event of the page", () => {
    expect(flicker.run.code, flicker.run.stderr).toBe(0);
    const out = lines(flicker.run.stdout) as {
      source: string;
      event: { uuid: string };
      meta: { message?: string };
    }[];
    expect(out).toHaveLength(EVENTS);
    expect(new Set(out.map((l) => l.event.uuid)).size).toBe(EVENTS);
    expect(out.every((l) => l.source === "okta-audit-logs")).toBe(true);
    expect(out.every((l) => typeof l.meta.message === "string")).toBe(true);
  });

  it("sends Flicker's page size and the token from its headers", () => {
    const first = flicker.mock.requests[0];
    expect(first?.query.limit).toBe("100");
    expect(first?.headers.authorization).toBe(`SSWS ${TOKEN}`);
  });

  it("writes the same NDJSON as the equivalent Helr config and as its conversion", () => {
    expect(helr.run.code, helr.run.stderr).toBe(0);
    expect(converted.run.code, converted.run.stderr).toBe(0);
    expect(lines(flicker.run.stdout)).toEqual(lines(helr.run.stdout));
    expect(lines(converted.run.stdout)).toEqual(lines(helr.run.stdout));
  });
});
