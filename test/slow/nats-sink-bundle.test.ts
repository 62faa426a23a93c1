/**
 * The NATS JetStream sink through the built bundle, on a private `nats-server -js` (never the
 * shared one): the server is killed with SIGKILL mid-backfill and restarted, and the bundle
 * itself is killed with SIGKILL several times mid-backfill. The stream then holds every event,
 * none twice (`Nats-Msg-Id` = `okta:<uuid>` and the stream's duplicate window).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { buildBundle, oktaConfig, runBundle } from "../e2e/cli-support.ts";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import {
  adminConnection,
  countStream,
  createStream,
  describeNats,
  natsServerProblem,
  type PrivateNats,
  startPrivateNats,
} from "../support/nats.ts";
import { until } from "../support/ndjson-receiver.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";

const TOKEN = "okta-nats-bundle-1a2b3c4d";
const EVENTS = 3000;
const SUBJECT = "audit.okta";
const STREAM = "HELR_BUNDLE";

const OUTPUT = `  output:
    nats:
      connect_timeout_secs: 5
      ack_timeout_secs: 1
      max_in_flight: 64
      max_retries: 60
      initial_backoff_secs: 0.05
      max_backoff_secs: 0.3
`;

let mock: OktaMock;
let built: { bundle: string };
let nats: PrivateNats | undefined;
const admins: NatsConnection[] = [];

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: EVENTS, seed: 23 });
  built = await buildBundle(oktaConfig(100).replace("global:\n", `global:\n${OUTPUT}`));
}, 120_000);
afterAll(async () => mock?.close());
afterEach(async () => {
  for (const nc of admins.splice(0)) await nc.close().catch(() => undefined);
  await nats?.destroy();
  nats = undefined;
});

const env = () => cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN });

async function freshServer(): Promise<PrivateNats> {
  nats = await startPrivateNats();
  const nc = await adminConnection(nats.server);
  await createStream(nc, STREAM, SUBJECT, 10 * 60_000);
  await nc.close();
  return nats;
}

async function contents(server: string) {
  const nc = await adminConnection(server);
  admins.push(nc);
  return countStream(nc, STREAM);
}

function spawnRun(dir: string, url: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [built.bundle, "run", "--once", "--output", url], {
    cwd: dir,
    env: env(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return { child, stderr: () => stderr };
}

const expectedIds = () => mock.events.map((e) => `okta:${e.uuid}`).sort();

describeNats(natsServerProblem(), "helr run --output nats://… (built bundle)", () => {
  it("nats-server killed with SIGKILL mid-backfill and restarted: every event once in the stream", async () => {
    const server = await freshServer();
    const dir = tempDir();
    const requestsBefore = mock.requests.length;
    const { child, stderr } = spawnRun(dir, `nats://${server.server}/${SUBJECT}`);
    const exited = once(child, "exit");
    await until(() => mock.requests.length - requestsBefore >= 5, "the bundle fetched 5 pages", 60_000);
    await server.kill();
    await new Promise((done) => setTimeout(done, 500));
    await server.start();
    const [code] = (await exited) as [number | null];
    expect(code, stderr().slice(-2000)).toBe(0);
    const stream = await contents(server.server);
    expect(stream.duplicates).toEqual([]);
    expect([...stream.ids].sort()).toEqual(expectedIds());
  });

  it("the bundle killed with SIGKILL three times mid-backfill: all present, none twice", async () => {
    const server = await freshServer();
    const dir = tempDir();
    const url = `nats://${server.server}/${SUBJECT}`;
    for (let kill = 0; kill < 3; kill++) {
      const requestsBefore = mock.requests.length;
      const { child } = spawnRun(dir, url);
      const exited = once(child, "exit");
      await until(() => mock.requests.length - requestsBefore >= 3 + kill, "pages fetched", 60_000);
      child.kill("SIGKILL");
      await exited;
    }
    const partial = await contents(server.server);
    expect(partial.duplicates).toEqual([]);
    // The kills came mid-backfill: the stream had some of the events, not all.
    expect(partial.ids.length).toBeGreaterThan(0);
    expect(partial.ids.length).toBeLessThan(EVENTS);
    const last = await runBundle(built.bundle, ["run", "--once", "--output", url], dir, env());
    expect(last.code, last.stderr.slice(-2000)).toBe(0);
    const stream = await contents(server.server);
    expect(stream.duplicates).toEqual([]);
    expect([...stream.ids].sort()).toEqual(expectedIds());
    console.info(
      `after 3 kills: ${partial.ids.length} in the stream; after the final run: ${stream.ids.length}`,
    );
  });

  it("a NATS server not reachable at start: exit 1 naming the server, state not advanced", async () => {
    const server = await freshServer();
    await server.kill();
    const dir = tempDir();
    const url = `nats://${server.server}/${SUBJECT}`;
    const failed = await runBundle(built.bundle, ["run", "--once", "--output", url], dir, env());
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`cannot connect to NATS at ${server.server}`);
    await server.start();
    expect((await runBundle(built.bundle, ["run", "--once", "--output", url], dir, env())).code).toBe(0);
    expect([...(await contents(server.server)).ids].sort()).toEqual(expectedIds());
  });
});
