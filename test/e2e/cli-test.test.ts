import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { buildBundle, oktaConfig, runBundle, uuids } from "./cli-support.ts";

/** `helr test --source ID` on the built bundle: one poll, a summary, no state written. */
const TOKEN = "okta-test-cmd-7e6d5c4b3a29";
let mock: OktaMock;
let built: { dir: string; bundle: string };

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 5, seed: 9 });
  built = await buildBundle(oktaConfig(2));
});
afterAll(async () => mock?.close());

describe("helr test", () => {
  it("prints NDJSON and a summary with the state it would write, and commits nothing", async () => {
    const dir = tempDir();
    const env = cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });
    const first = await runBundle(built.bundle, ["test", "--source", "okta"], dir, env);
    expect(first.code).toBe(0);
    expect(uuids(first.stdout)).toEqual(mock.events.map((e) => e.uuid));
    expect(first.stderr).toMatch(
      /^test okta: ok\n {2}requests {2}4\n {2}pages {5}4\n {2}events {4}5 written .*\n {2}bytes {5}\d+\n {2}stopped {3}empty_page \(an empty page\)\n {2}state it would write \(not committed\):\n {4}next_url = http:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\?limit=2&after=\S+\n {6}was \(unset\)\n {2}http {6}4 attempts, 0 retries, 0 rate-limited, \d+ ms throttled\n {2}breaker {3}closed \(0 consecutive failures\)\n$/m,
    );
    // Nothing was committed: a second test and a real run both start from the beginning.
    const second = await runBundle(built.bundle, ["test", "--source", "okta"], dir, env);
    expect(uuids(second.stdout)).toEqual(uuids(first.stdout));
    const real = await runBundle(built.bundle, ["run", "--once"], dir, env);
    expect(uuids(real.stdout)).toEqual(mock.events.map((e) => e.uuid));
    // After the real run, test starts from the stored link and would not change it.
    const after = await runBundle(built.bundle, ["test", "--source", "okta"], dir, env);
    expect(after.stdout).toBe("");
    expect(after.stderr).toMatch(
      /requests {2}1\n.*\n.*\n.*\n {2}stopped {3}empty_page.*\n {2}state it would write: nothing/,
    );
  });

  it("exits 1 with the source and the cause on failure, never printing the token", async () => {
    const result = await runBundle(
      built.bundle,
      ["test", "--source", "okta", "--fresh"],
      tempDir(),
      cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: "not-the-token-xyz" }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/test okta: FAILED — source "okta": GET \S+ returned HTTP 401/);
    expect(result.stderr).not.toContain("not-the-token-xyz");
  });

  it("an unknown or missing source is a usage error", async () => {
    const env = cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });
    const unknown = await runBundle(built.bundle, ["test", "--source", "nope"], tempDir(), env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown source "nope"; this bundle has: okta/);
    const missing = await runBundle(built.bundle, ["test"], tempDir(), env);
    expect(missing.code).toBe(2);
  });
});
