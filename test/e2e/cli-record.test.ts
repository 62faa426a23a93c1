import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { buildBundle, oktaConfig, runBundle, uuids } from "./cli-support.ts";

/** --record-dir against the Okta mock, then --replay-dir with no network and no token. */
const TOKEN = "okta-record-0a9b8c7d6e5f";
let mock: OktaMock;
let built: { dir: string; bundle: string };

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 8, seed: 5 });
  built = await buildBundle(oktaConfig(3));
});
afterAll(async () => mock?.close());

/** An address nothing listens on: replay must never need it. */
const DEAD = "http://127.0.0.1:9";

describe("record and replay", () => {
  it("replays a recorded run offline with identical NDJSON, leaving real state alone", async () => {
    const dir = tempDir();
    const live = await runBundle(
      built.bundle,
      ["run", "--once", "--record-dir", "rec"],
      dir,
      cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN }),
    );
    expect(live.code).toBe(0);
    expect(uuids(live.stdout)).toEqual(mock.events.map((e) => e.uuid));
    const files = readdirSync(join(dir, "rec", "okta"));
    expect(files).toEqual(["000000.json", "000001.json", "000002.json", "000003.json"]);
    for (const f of files) expect(readFileSync(join(dir, "rec", "okta", f), "utf8")).not.toContain(TOKEN);

    const replay = await runBundle(
      built.bundle,
      ["run", "--once", "--replay-dir", "rec", "--state-path", "replay.db"],
      dir,
      cleanEnv({ OKTA_URL: DEAD }),
    );
    expect(replay.stderr).toMatch(/okta: ok — 4 requests, 8 events/);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(live.stdout);
    expect(existsSync(join(dir, "replay.db"))).toBe(false);

    // `test` replays too; running out of recordings is an error naming the source and folder.
    const tested = await runBundle(
      built.bundle,
      ["test", "--source", "okta", "--replay-dir", "rec"],
      dir,
      cleanEnv({ OKTA_URL: DEAD }),
    );
    expect(tested.code).toBe(0);
    expect(tested.stdout).toBe(live.stdout);
    const empty = await runBundle(
      built.bundle,
      ["test", "--source", "okta", "--replay-dir", "nothing-here"],
      dir,
      cleanEnv({ OKTA_URL: DEAD }),
    );
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(
      /test okta: FAILED — .*replay: no recordings for source "okta" in nothing-here\/okta/,
    );
  });

  it("a second recording run continues the numbering instead of overwriting", async () => {
    const dir = tempDir();
    const env = cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });
    await runBundle(built.bundle, ["run", "--once", "--record-dir", "rec"], dir, env);
    const first = readFileSync(join(dir, "rec", "okta", "000000.json"), "utf8");
    await runBundle(built.bundle, ["run", "--once", "--record-dir", "rec"], dir, env);
    expect(readdirSync(join(dir, "rec", "okta"))).toEqual([
      "000000.json",
      "000001.json",
      "000002.json",
      "000003.json",
      "000004.json",
    ]);
    expect(readFileSync(join(dir, "rec", "okta", "000000.json"), "utf8")).toBe(first);
  });
});
