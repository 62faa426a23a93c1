/**
 * `helr state …` in built bundles: SQLite (always), Redis and PostgreSQL (the local servers;
 * skipped with a note when down, failed under CI). No source secret or URL is ever set: the
 * state commands must not need them.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteStore } from "../../runtime/state/sqlite.ts";
import { cleanEnv, helrc, type Run, tempDir } from "../support/bundle.ts";
import { closedPort } from "../support/tcp-proxy.ts";
import {
  backendNamed,
  describeBackend,
  POSTGRES_URL,
  REDIS_URL,
  RUN_ID,
  sql,
} from "../unit/state/backends.ts";

/** A source whose URL and token are placeholders that stay unset in every test below. */
function config(id: string, state: string): string {
  return `global:
  state:
${state}
sources:
  ${id}:
    url: "\${OKTA_URL}/api/v1/logs"
    auth:
      type: bearer
      token_env: OKTA_TOKEN
      prefix: SSWS
    pagination:
      strategy: link_header
`;
}

async function build(yaml: string): Promise<{ dir: string; bundle: string }> {
  const dir = tempDir({ "helr.yaml": yaml });
  const bundle = join(dir, "helr.js");
  const built = await helrc(["build", join(dir, "helr.yaml"), "-o", bundle]);
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code).toBe(0);
  return { dir, bundle };
}

/** Runs the bundle with `input` on stdin (runProcess has no stdin). */
function helr(
  where: { dir: string; bundle: string },
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [where.bundle, ...args], {
      cwd: where.dir,
      env: cleanEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** set → show → export → reset → import → show: the same state comes back. */
async function roundTrip(
  where: { dir: string; bundle: string },
  id: string,
  env: Record<string, string> = {},
) {
  const run = (args: string[], input?: string) =>
    helr(where, args, input === undefined ? { env } : { env, input });
  expect(await run(["state", "show", id])).toMatchObject({
    code: 0,
    stdout: `${id} (no state)\n`,
    stderr: "",
  });
  expect((await run(["state", "set", id, "next_url", "https://h/api/v1/logs?after=abc"])).stdout).toBe(
    `set ${id} next_url = "https://h/api/v1/logs?after=abc"\n`,
  );
  expect((await run(["state", "set", id, "watermark", "2024-05-01T00:00:00Z"])).code).toBe(0);
  const shown = await run(["state", "show", id]);
  expect(shown.stdout).toBe(
    `${id}\n  next_url: https://h/api/v1/logs?after=abc\n  watermark: 2024-05-01T00:00:00Z\n`,
  );
  const exported = await run(["state", "export"]);
  expect(exported.code).toBe(0);
  expect(JSON.parse(exported.stdout)[id]).toEqual({
    next_url: "https://h/api/v1/logs?after=abc",
    watermark: "2024-05-01T00:00:00Z",
  });
  expect(await run(["state", "reset", id])).toMatchObject({
    code: 0,
    stdout: `reset state for source "${id}"\n`,
  });
  expect((await run(["state", "show", id])).stdout).toBe(`${id} (no state)\n`);
  const imported = await run(["state", "import"], JSON.stringify({ [id]: JSON.parse(exported.stdout)[id] }));
  expect(imported).toMatchObject({ code: 0, stdout: "imported 2 key(s) for 1 source(s)\n", stderr: "" });
  expect((await run(["state", "show", id])).stdout).toBe(shown.stdout);
}

describe("helr state on a SQLite bundle", () => {
  let sqlite: { dir: string; bundle: string };
  beforeAll(async () => {
    sqlite = await build(config("okta", '    backend: sqlite\n    path: "./state.db"'));
  });

  it("round-trips set, show, export, reset and import without the source's secrets", async () => {
    await roundTrip(sqlite, "okta");
    expect(existsSync(join(sqlite.dir, "state.db"))).toBe(true);
  });

  it("exports pretty JSON, sources and keys sorted", async () => {
    const where = { ...sqlite, dir: tempDir() };
    const at = ["--state-path", join(where.dir, "s.db")];
    await helr(where, ["state", "set", "okta", "z", "1", ...at]);
    // A source this bundle does not define can be imported (not `set`): a renamed one's backup.
    await helr(where, ["state", "import", ...at], { input: '{"github": {"b": "ü"}}' });
    await helr(where, ["state", "set", "okta", "a", "2", ...at]);
    const exported = await helr(where, ["state", "export", "--state-path", join(where.dir, "s.db")]);
    expect(exported.stdout).toBe(
      '{\n  "github": {\n    "b": "ü"\n  },\n  "okta": {\n    "a": "2",\n    "z": "1"\n  }\n}\n',
    );
  });

  it("imports from --file, and refuses a bad document naming the source and key", async () => {
    const where = {
      ...sqlite,
      dir: tempDir({ "good.json": '{"okta": {"cursor": "c9"}}', "bad.json": '{"okta": {"cursor": 9}}' }),
    };
    expect((await helr(where, ["state", "import", "--file", "good.json"])).code).toBe(0);
    const bad = await helr(where, ["state", "import", "--file", "bad.json"]);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      'helr: state import: bad.json: source "okta", key "cursor": value must be a string, got a number\n',
    ]);
    expect((await helr(where, ["state", "show", "okta"])).stdout).toBe("okta\n  cursor: c9\n");
  });

  it("takes the state file from --state-path or HELR_STATE_PATH", async () => {
    const where = { ...sqlite, dir: tempDir() };
    const env = { HELR_STATE_PATH: join(where.dir, "from-env.db") };
    await helr(where, ["state", "set", "okta", "k", "env"], { env });
    expect(existsSync(env.HELR_STATE_PATH)).toBe(true);
    expect((await helr(where, ["state", "show", "okta"])).stdout).toBe("okta (no state)\n");
    const flag = await helr(where, ["state", "show", "okta", "--state-path", env.HELR_STATE_PATH]);
    expect(flag.stdout).toBe("okta\n  k: env\n");
  });

  it("refuses to open a state file another process holds", async () => {
    const where = { ...sqlite, dir: tempDir() };
    const holder = await sqliteStore({ path: join(where.dir, "state.db") });
    try {
      const result = await helr(where, ["state", "show", "okta"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/state file \.\/state\.db is in use by another helr process/);
    } finally {
      await holder.close();
    }
  });

  it("reports usage mistakes with exit code 2", async () => {
    for (const args of [
      ["state"],
      ["state", "show"],
      ["state", "drop", "okta"],
      ["state", "set", "otka", "k", "v"],
    ]) {
      const result = await helr(sqlite, args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^helr: .*\nRun "helr --help" for usage\.\n$/);
    }
  });
});

const redis = backendNamed("redis");
const postgres = backendNamed("postgres");
const [redisProblem, postgresProblem] = await Promise.all([redis.unavailable(), postgres.unavailable()]);
const PASSWORD = "e2e-Secret-pw";
const ID = `okta-e2e-${RUN_ID}`;

describeBackend(redis, redisProblem, "helr state on a Redis bundle", () => {
  let where: { dir: string; bundle: string };
  let admin: Redis;
  beforeAll(async () => {
    where = await build(config(ID, '    backend: redis\n    url: "${REDIS_URL}"'));
    admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await admin?.del(`helr:state:${ID}`);
    await admin?.quit();
  });

  it("round-trips through the Rust Helr's hash layout", async () => {
    await roundTrip(where, ID, { REDIS_URL });
    expect(await admin.hgetall(`helr:state:${ID}`)).toEqual({
      next_url: "https://h/api/v1/logs?after=abc",
      watermark: "2024-05-01T00:00:00Z",
    });
  });

  it("takes the URL from HELR_STATE_URL and names the server, not the password", async () => {
    const port = await closedPort();
    const result = await helr(where, ["state", "export"], {
      env: { REDIS_URL, HELR_STATE_URL: `redis://helr:${PASSWORD}@127.0.0.1:${port}/0` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^helr: cannot connect to Redis at 127\\.0\\.0\\.1:${port}: `));
    expect(result.stderr).not.toContain(PASSWORD);
  });
});

describeBackend(postgres, postgresProblem, "helr state on a PostgreSQL bundle", () => {
  let where: { dir: string; bundle: string };
  beforeAll(async () => {
    where = await build(config(ID, '    backend: postgres\n    url: "${PG_URL}"'));
  });
  afterAll(async () => {
    await sql("DELETE FROM helr_state WHERE source_id = $1", [ID]).catch(() => {});
  });

  it("round-trips through the Rust Helr's table", async () => {
    await roundTrip(where, ID, { PG_URL: POSTGRES_URL });
    const rows = await sql("SELECT key, value FROM helr_state WHERE source_id = $1 ORDER BY key", [ID]);
    expect(rows.rows).toEqual([
      { key: "next_url", value: "https://h/api/v1/logs?after=abc" },
      { key: "watermark", value: "2024-05-01T00:00:00Z" },
    ]);
  });

  it("needs a URL, and names the server but not the password when it is unreachable", async () => {
    const missing = await helr(where, ["state", "export"], { env: { PG_URL: "" } });
    expect([missing.code, missing.stderr]).toEqual([
      1,
      "helr: state backend postgres needs state.url (or HELR_STATE_URL), e.g. postgres://helr@db.example.com/helr\n",
    ]);
    const port = await closedPort();
    const result = await helr(where, ["state", "export"], {
      env: { PG_URL: `postgres://helr:${PASSWORD}@127.0.0.1:${port}/helr` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot open PostgreSQL state at 127.0.0.1:${port}`);
    expect(result.stderr).not.toContain(PASSWORD);
  });
});
