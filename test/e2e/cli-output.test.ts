import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { buildBundle, oktaConfig, runBundle, runIntoClosingPipe, uuids } from "./cli-support.ts";

/** Output of the built bundle: broken pipes, files, rotation, deployment overrides, log formats. */
const TOKEN = "okta-output-a1b2c3d4e5f6";
let mock: OktaMock;
let built: { dir: string; bundle: string };

beforeAll(async () => {
  // 1500 events of ~1.4 KB: the first page (1000 events) alone is more than 1 MB.
  mock = await startOktaMock({ token: TOKEN, events: 1500, seed: 3 });
  built = await buildBundle(oktaConfig(1000));
});
afterAll(async () => mock?.close());

const env = (extra: Record<string, string> = {}) =>
  cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, ...extra });
const run = (args: string[], cwd: string, extra: Record<string, string> = {}) =>
  runBundle(built.bundle, args, cwd, env(extra));

describe.each([["run", "--once"], ["run"]])("stdout, %s %s", (...command) => {
  it("a reader that exits early: the error names the output, the exit code is non-zero, nothing is checkpointed", async () => {
    const dir = tempDir();
    // helr run --once | (read a few bytes and exit)
    const { code, stderr } = await runIntoClosingPipe(built.bundle, command, dir, env());
    expect(code).toBe(1);
    expect(stderr).toMatch(/"level":"error".*output stdout: the reader closed the pipe \(broken pipe\)/);
    if (command.includes("--once"))
      expect(stderr).toMatch(/okta: FAILED — output stdout: the reader closed the pipe/);
    // The page that could not be delivered was not checkpointed: a full read gets everything.
    const again = await run(["run", "--once"], dir);
    expect(again.code).toBe(0);
    expect(uuids(again.stdout)).toEqual(mock.events.map((e) => e.uuid));
  });
});

describe("file output", () => {
  it("--output-rotate size:N keeps whole lines in files under the limit, losing and repeating nothing", async () => {
    const dir = tempDir();
    // 0.25 MiB: about 180 events per file.
    const result = await run(
      ["run", "--once", "--output", "events.ndjson", "--output-rotate", "size:0.25"],
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    const files = readdirSync(dir).filter((f) => f.startsWith("events."));
    expect(files.length).toBeGreaterThan(5);
    expect(files).toContain("events.ndjson");
    for (const f of files) {
      expect(f).toMatch(/^events(\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(_\d+)?)?\.ndjson$/);
      expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(0.25 * 1024 * 1024);
    }
    const ordered = [...files.filter((f) => f !== "events.ndjson").sort(), "events.ndjson"];
    const text = ordered.map((f) => readFileSync(join(dir, f), "utf8")).join("");
    expect(uuids(text)).toEqual(mock.events.map((e) => e.uuid));
  });

  it("HELR_OUTPUT and HELR_OUTPUT_ROTATE set the output without flags", async () => {
    const dir = tempDir();
    const result = await run(["run", "--once"], dir, {
      HELR_OUTPUT: "out.ndjson",
      HELR_OUTPUT_ROTATE: "daily",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(readdirSync(dir)).toContain("out.ndjson");
    expect(uuids(readFileSync(join(dir, "out.ndjson"), "utf8"))).toHaveLength(mock.events.length);
  });

  it("names the file when it cannot be opened", async () => {
    const dir = tempDir();
    const result = await run(["run", "--once", "--output", "missing/dir/out.ndjson"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot open output file missing\/dir\/out\.ndjson: ENOENT/);
  });

  it.each([
    [["--output-rotate", "daily"], /--output-rotate needs --output FILE/],
    [["--output", "o.ndjson", "--output-rotate", "size:0"], /invalid --output-rotate "size:0"/],
    [["--output", "o.ndjson", "--output-rotate", "hourly"], /invalid --output-rotate "hourly"/],
    [["--record-dir", "a", "--replay-dir", "b"], /cannot be used together/],
  ])("usage errors exit 2: %j", async (args, message) => {
    const result = await run(["run", "--once", ...args], tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Run "helr --help" for usage/);
  });
});

describe("logs", () => {
  it("HELR_LOG_FORMAT=pretty prints readable lines on stderr (pino-pretty inside the bundle)", async () => {
    const result = await run(["test", "--source", "okta", "--fresh"], tempDir(), {
      HELR_LOG_FORMAT: "pretty",
      HELR_LOG_LEVEL: "info",
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: poll complete\n {4}sourceId: "okta"$/m,
    );
    expect(result.stderr).not.toMatch(/^\{"level"/m);
  });

  it("--log-format and --log-level win over the environment", async () => {
    const result = await run(
      ["test", "--source", "okta", "--fresh", "--log-format", "json", "--log-level", "warn"],
      tempDir(),
      { HELR_LOG_FORMAT: "pretty", HELR_LOG_LEVEL: "debug" },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^test okta: ok$/m);
    expect(result.stderr).not.toMatch(/poll complete|INFO|DEBUG/);
  });

  it("an invalid HELR_LOG_LEVEL is reported as a warning and the configured level is kept", async () => {
    const result = await run(["test", "--source", "okta", "--fresh"], tempDir(), { HELR_LOG_LEVEL: "loud" });
    expect(result.code).toBe(0);
    const levels = result.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(levels[0]).toMatchObject({
      level: "warn",
      msg: expect.stringMatching(/^HELR_LOG_LEVEL="loud" is not one of/),
    });
    expect(levels.map((l) => l.level)).toContain("info");
  });
});
