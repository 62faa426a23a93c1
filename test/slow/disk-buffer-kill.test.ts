import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, oktaConfig, uuids } from "../e2e/cli-support.ts";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";

/**
 * `strategy: disk_buffer` survives kill -9: a continuous run whose stdout is read slowly is killed
 * while lines sit in spill segments; a second run delivers the segments first, then polls from
 * the checkpoint. Every served event arrives at least once across the two runs (no loss).
 */
const TOKEN = "okta-kill-a1b2c3d4e5f6";
const BACKPRESSURE = `  backpressure:
    enabled: true
    detection:
      event_queue_size: 20
    strategy: disk_buffer
    disk_buffer:
      path: "\${SPILL}"
      max_size_mb: 64
      segment_size_mb: 1
`;
let mock: OktaMock;
let bundle: string;

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 4000, seed: 9 });
  bundle = (await buildBundle(oktaConfig(1000).replace("global:\n", `global:\n${BACKPRESSURE}`))).bundle;
}, 120_000);
afterAll(async () => mock?.close());

function start(dir: string, args: string[], pauseMs: number) {
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd: dir,
    env: cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, SPILL: join(dir, "spill") }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    chunks.push(d);
    if (pauseMs === 0) return;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), pauseMs);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, closed, output: () => Buffer.concat(chunks).toString(), stderr: () => stderr };
}

/** Whole lines only: the last line of a killed run may be cut. */
function wholeLines(text: string): string {
  return text.slice(0, text.lastIndexOf("\n") + 1);
}

describe("disk_buffer and kill -9", () => {
  it("no event is lost when the process is killed while segments hold lines", async () => {
    const dir = tempDir();
    const first = start(dir, ["run"], 40);
    await expect
      .poll(() => readdirSync(dir).some((f) => /^spill\.\d{10}$/.test(f)), { timeout: 60_000, interval: 20 })
      .toBe(true);
    first.child.kill("SIGKILL");
    await first.closed;
    const segmentsLeft = readdirSync(dir).filter((f) => /^spill\.\d{10}$/.test(f));
    const second = start(dir, ["run", "--once"], 0);
    expect(await second.closed, second.stderr()).toBe(0);
    const seen = new Set([...uuids(wholeLines(first.output())), ...uuids(second.output())]);
    const served = mock.events.map((e) => e.uuid);
    expect(served.filter((id) => !seen.has(id))).toEqual([]);
    expect(segmentsLeft.length).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((f) => /^spill\.\d{10}$/.test(f))).toEqual([]);
  }, 120_000);
});
