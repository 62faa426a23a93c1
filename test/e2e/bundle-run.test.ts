import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, helrc, runProcess, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { waitUntil } from "../support/running-bundle.ts";

/** The built bundle run as a user would: its CLI, NDJSON, state across runs, signals. */
const TOKEN = "okta-e2e-9f8e7d6c5b4a";
let mock: OktaMock;
let dir: string;
let bundle: string;

const config = `global:
  log_level: info
  state:
    backend: sqlite
    path: "./state.db"
sources:
  okta:
    url: "\${OKTA_URL}/api/v1/logs"
    auth:
      type: bearer
      token_env: OKTA_TOKEN
      prefix: SSWS
    headers:
      X-Tenant: "\${TENANT:-acme}"
    query_params:
      limit: 3
    pagination:
      strategy: link_header
      rel: next
      max_pages: 50
    schedule:
      interval_secs: 1
      jitter_secs: 0
    transform:
      timestamp_field: published
      id_field: uuid
`;

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 7, seed: 7 });
  dir = tempDir({ "helr.yaml": config });
  bundle = join(dir, "helr.js");
  const built = await helrc(["build", join(dir, "helr.yaml"), "-o", bundle], {
    ...process.env,
    OKTA_URL: mock.url,
    OKTA_TOKEN: TOKEN,
  });
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code).toBe(0);
});
afterAll(async () => mock?.close());

const env = () => cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });
const run = (args: string[], e = env()) =>
  runProcess(process.execPath, [bundle, ...args], { cwd: dir, env: e });
const uuids = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).event.uuid as string);

describe("built bundle", () => {
  it("prints its version and usage", async () => {
    expect((await run(["--version"])).stdout).toMatch(/^helr \d+\.\d+\.\d+/);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/run \[--once\]/);
    expect((await run(["frobnicate"])).code).toBe(2);
  });

  it("keeps placeholders and secrets out of the bundle", () => {
    const text = readFileSync(bundle, "utf8");
    expect(text).toContain("${OKTA_URL}/api/v1/logs");
    expect(text).not.toContain(mock.url);
    expect(text).not.toContain(TOKEN);
  });

  it("validate names an unset variable and its source", async () => {
    const bad = await run(["validate"], cleanEnv({ OKTA_TOKEN: TOKEN }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/source "okta".*OKTA_URL/);
    const good = await run(["validate"]);
    expect(good.code).toBe(0);
  });

  it("run --once emits every event once, and a second run continues from the stored link", async () => {
    const first = await run(["run", "--once"]);
    expect(first.code).toBe(0);
    expect(uuids(first.stdout)).toEqual(mock.events.map((e) => e.uuid));
    expect(first.stderr).toMatch(/okta: ok/);
    const line = JSON.parse(first.stdout.split("\n")[0] ?? "");
    expect(Object.keys(line)).toEqual(["ts", "source", "endpoint", "event", "meta"]);
    expect(line.meta.id).toBe(line.event.uuid);
    expect(existsSync(join(dir, "state.db"))).toBe(true);
    expect(mock.requests.at(-1)?.headers["x-tenant"]).toBe("acme");

    const added = mock.addEvents(4);
    const second = await run(["run", "--once"]);
    expect(second.code).toBe(0);
    expect(uuids(second.stdout)).toEqual(added.map((e) => e.uuid));
  });

  it("names the source, URL and status on an HTTP error, exits 1, and never prints the token", async () => {
    const result = await run(
      ["run", "--once"],
      cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: "wrong-token-abcdef" }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /source "okta": GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\S* returned HTTP 401/,
    );
    expect(result.stderr + result.stdout).not.toContain("wrong-token-abcdef");
  });

  it("runs continuously on the source's interval and checkpoints on SIGTERM", async () => {
    const child = spawn(process.execPath, [bundle, "run"], {
      cwd: dir,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    // The first pass has been answered (the mock computes a reply before recording it), so the
    // events added now can only reach stdout through a later pass on the interval.
    const before = mock.requests.length;
    await waitUntil("the first pass's request", () => (mock.requests.length > before ? true : undefined));
    const added = mock.addEvents(2);
    await waitUntil("the added events from a later pass", () => (uuids(out).length >= 2 ? true : undefined));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(uuids(out)).toEqual(added.map((e) => e.uuid));
    const after = await run(["run", "--once"]);
    expect(uuids(after.stdout)).toEqual([]);
  });
});
