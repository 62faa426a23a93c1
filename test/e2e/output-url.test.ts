/**
 * `global.output.http.url` (Flicker's `destination.endpoint`): where `helr run` sends its lines
 * when neither `--output` nor `HELR_OUTPUT` names an output; either of those still wins.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type NdjsonReceiver, startReceiver } from "../support/ndjson-receiver.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { buildBundle, oktaConfig, runBundle, uuids } from "./cli-support.ts";

const TOKEN = "okta-output-url-9f8e7d6c";
let mock: OktaMock;
let receiver: NdjsonReceiver;
let bundle: string;

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 120, seed: 11 });
  receiver = await startReceiver();
  const config = oktaConfig(50).replace(
    "global:\n",
    `global:\n  output:\n    http:\n      url: "${receiver.url}"\n      batch_size: 40\n`,
  );
  ({ bundle } = await buildBundle(config));
});
afterAll(async () => {
  await receiver?.kill();
  await mock?.close();
});

const env = () => cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });

it("sends every event to the configured URL when run has no --output, and nothing to stdout", async () => {
  const run = await runBundle(bundle, ["run", "--once"], tempDir(), env());
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe("");
  expect(uuids(receiver.stored.join("\n"))).toEqual(mock.events.map((e) => e.uuid));
});

it("--output still wins over the configured URL", async () => {
  const before = receiver.requests.length;
  const run = await runBundle(bundle, ["run", "--once", "--output", "-"], tempDir(), env());
  expect(run.code, run.stderr).toBe(0);
  expect(uuids(run.stdout)).toEqual(mock.events.map((e) => e.uuid));
  expect(receiver.requests.length).toBe(before);
});
