import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { buildBundle, oktaConfig, runIntoClosingPipe, uuids } from "./cli-support.ts";

/**
 * global.backpressure through the built bundle, with a slow consumer: the bundle's stdout read
 * through a pipe that the test pauses after every chunk.
 */
const TOKEN = "okta-flow-a1b2c3d4e5f6";
let mock: OktaMock;

const withGlobal = (extra: string) => oktaConfig(1000).replace("global:\n", `global:\n${extra}`);
const STRATEGIES = {
  block:
    "  backpressure:\n    enabled: true\n    detection:\n      event_queue_size: 50\n    strategy: block\n",
  drop: "  backpressure:\n    enabled: true\n    detection:\n      event_queue_size: 20\n      stdout_buffer_size: 0\n    strategy: drop\n    drop_policy: newest_first\n",
  disk_buffer:
    '  backpressure:\n    enabled: true\n    detection:\n      event_queue_size: 20\n    strategy: disk_buffer\n    disk_buffer:\n      path: "${SPILL}"\n      max_size_mb: 64\n      segment_size_mb: 1\n',
} as const;
const bundles: Partial<Record<keyof typeof STRATEGIES, string>> = {};

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 1500, seed: 5 });
  for (const [name, block] of Object.entries(STRATEGIES)) {
    bundles[name as keyof typeof STRATEGIES] = (await buildBundle(withGlobal(block))).bundle;
  }
}, 240_000);
afterAll(async () => mock?.close());

/** `helr run --once`, its stdout read slowly (paused 2 ms after each chunk). */
function runSlow(bundle: string, cwd: string, extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bundle, "run", "--once"], {
    cwd,
    env: cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, HELR_LOG_LEVEL: "info", ...extra }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    chunks.push(d);
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 2);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(chunks).toString(), stderr })),
  );
}

describe("backpressure with a slow consumer", () => {
  it("block: every event exactly once, in order", async () => {
    const dir = tempDir();
    const result = await runSlow(bundles.block as string, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(uuids(result.stdout)).toEqual(mock.events.map((e) => e.uuid));
  });

  it("drop: what arrives is in order and arrived + counted as dropped = served", async () => {
    const dir = tempDir();
    const result = await runSlow(bundles.drop as string, dir);
    expect(result.code, result.stderr).toBe(0);
    const got = uuids(result.stdout);
    const served = mock.events.map((e) => e.uuid);
    expect(got).toEqual(served.filter((id) => got.includes(id)));
    const summary = /"dropped":\{"okta":\{"backpressure":(\d+)\}\}/.exec(result.stderr);
    const dropped = Number(summary?.[1] ?? 0);
    expect(got.length + dropped).toBe(served.length);
  });

  it("disk_buffer: every event exactly once, in order, and no segment left after the run", async () => {
    const dir = tempDir();
    const result = await runSlow(bundles.disk_buffer as string, dir, { SPILL: join(dir, "spill") });
    expect(result.code, result.stderr).toBe(0);
    expect(uuids(result.stdout)).toEqual(mock.events.map((e) => e.uuid));
    expect(readdirSync(dir).filter((f) => f.startsWith("spill."))).toEqual([]);
    expect(result.stderr).toContain("spilling to the disk buffer");
  });

  it("disk_buffer in a missing directory: a clear start-up error, nothing polled", async () => {
    const dir = tempDir();
    const result = await runSlow(bundles.disk_buffer as string, dir, { SPILL: join(dir, "nope", "spill") });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/disk buffer .*nope.* is missing or not writable/);
    expect(result.stdout).toBe("");
  });

  // /sys is read-only even for root (a chmod 0555 directory is not, so it cannot stand in).
  it.skipIf(!existsSync("/sys/kernel"))(
    "disk_buffer in a read-only directory: a clear start-up error, nothing polled",
    async () => {
      const dir = tempDir();
      const before = mock.requests.length;
      const result = await runSlow(bundles.disk_buffer as string, dir, { SPILL: "/sys/kernel/helr-spill" });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/disk buffer .*\/sys\/kernel.* is missing or not writable/);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stdout).toBe("");
      expect(mock.requests.length).toBe(before);
    },
  );

  it("a broken pipe stays fatal with backpressure on: non-zero exit, named output, nothing checkpointed", async () => {
    const dir = tempDir();
    const { code, stderr } = await runIntoClosingPipe(
      bundles.block as string,
      ["run", "--once"],
      dir,
      cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN }),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/output stdout: the reader closed the pipe \(broken pipe\)/);
    const again = await runSlow(bundles.block as string, dir);
    expect(uuids(again.stdout)).toEqual(mock.events.map((e) => e.uuid));
  });
});
