/**
 * Three replicas of one built bundle share N sources on the real Redis and Postgres servers
 * (unique source ids per run, so parallel runs never meet): each source is polled by one
 * replica at a time, a kill -9 of a holder moves its sources without loss, and a SIGSTOP'd
 * replica cannot write once its leases moved (fencing): it notices, stops them and logs it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../runtime/engine/scheduler.ts";
import { cleanEnv, helrc, runProcess, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { BACKENDS, RUN_ID } from "../unit/state/backends.ts";

const TOKEN = "okta-replicas-1a2b3c";
const SOURCES = 6;
const PAGE = 5;
const TTL_SECS = 3;

/** Counts requests in flight per source (header `x-source`) in front of the mock. */
interface Front {
  readonly url: string;
  /** Most requests of one source in flight at once, per source. */
  readonly maxInFlight: Map<string, number>;
  close(): Promise<void>;
}

async function startFront(target: string): Promise<Front> {
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const id = String(req.headers["x-source"] ?? "?");
    const now = (inFlight.get(id) ?? 0) + 1;
    inFlight.set(id, now);
    maxInFlight.set(id, Math.max(now, maxInFlight.get(id) ?? 0));
    try {
      await sleep(15, new AbortController().signal);
      const upstream = await fetch(target + (req.url ?? ""), {
        headers: { authorization: String(req.headers.authorization ?? "") },
      });
      const body = await upstream.text();
      const link = upstream.headers.get("link");
      res.writeHead(upstream.status, {
        "content-type": "application/json",
        ...(link ? { link: link.replaceAll(target, `http://127.0.0.1:${port()}`) } : {}),
      });
      res.end(body);
    } finally {
      inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((done) => server.once("listening", done));
  const port = () => (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port()}`,
    maxInFlight,
    close: () => new Promise((done) => server.close(() => done(undefined))),
  };
}

const ids = (tag: string) => Array.from({ length: SOURCES }, (_, i) => `r${RUN_ID}${tag}${i}`);

function config(backend: string, sourceIds: readonly string[]): string {
  const sources = sourceIds
    .map(
      (id) => `  ${id}:
    url: "\${OKTA_URL}/api/v1/logs"
    auth: { type: bearer, token_env: OKTA_TOKEN, prefix: SSWS }
    headers: { X-Source: ${id} }
    query_params: { limit: ${PAGE} }
    pagination: { strategy: link_header, rel: next, max_pages: 100 }
    schedule: { interval_secs: 1, jitter_secs: 0 }
    transform: { timestamp_field: published, id_field: uuid }
`,
    )
    .join("");
  return `global:
  log_level: info
  state: { backend: ${backend}, url: "\${STATE_URL}" }
  replicas: { enabled: true, lease_ttl_secs: ${TTL_SECS} }
sources:
${sources}`;
}

interface Replica {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<void>;
}

/** Events seen per source across every replica's output: uuid → times written. */
function seen(replicas: readonly Replica[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of replicas) {
    for (const line of r.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as { source: string; meta: { id: string } };
      const per = out.get(parsed.source) ?? new Map<string, number>();
      per.set(parsed.meta.id, (per.get(parsed.meta.id) ?? 0) + 1);
      out.set(parsed.source, per);
    }
  }
  return out;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await sleep(200, new AbortController().signal);
  }
}

for (const backend of BACKENDS.filter((b) => b.name === "redis" || b.name === "postgres")) {
  describe(`three replicas on ${backend.name}`, () => {
    let skip: string | undefined;
    let mock: OktaMock;
    let front: Front;
    let dir: string;
    let bundle: string;
    const sourceIds = ids(backend.name.slice(0, 2));
    const replicas: Replica[] = [];
    const stateUrl =
      backend.name === "redis"
        ? (process.env.HELR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379")
        : (process.env.HELR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test");
    const env = () =>
      cleanEnv({ OKTA_URL: front.url, OKTA_TOKEN: TOKEN, STATE_URL: stateUrl, HELR_LOG_LEVEL: "info" });

    const start = (): Replica => {
      const child = spawn(process.execPath, [bundle, "run"], { cwd: dir, env: env() });
      const r: Replica = { child, stdout: "", stderr: "", exited: Promise.resolve() };
      child.stdout?.on("data", (d: Buffer) => (r.stdout += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (r.stderr += d.toString()));
      r.exited = new Promise((done) => child.once("exit", () => done()));
      replicas.push(r);
      return r;
    };
    const leases = async (): Promise<{ source: string; holder: string | null }[]> => {
      const run = await runProcess(process.execPath, [bundle, "leases", "--json"], { cwd: dir, env: env() });
      return (JSON.parse(run.stdout) as { leases: { source: string; holder: string | null }[] }).leases;
    };
    const holderPid = (holder: string | null) => Number(holder?.split("-").at(-2));
    const complete = () => {
      const all = seen(replicas);
      return sourceIds.every((id) => (all.get(id)?.size ?? 0) === mock.events.length);
    };

    beforeAll(async () => {
      skip = await backend.unavailable();
      if (skip !== undefined) {
        if (process.env.CI) throw new Error(`${backend.name} unreachable under CI: ${skip}`);
        return;
      }
      mock = await startOktaMock({ token: TOKEN, events: 40, seed: 21 });
      front = await startFront(mock.url);
      dir = tempDir({ "helr.yaml": config(backend.name, sourceIds) });
      bundle = join(dir, "helr.js");
      const built = await helrc(["build", join(dir, "helr.yaml"), "-o", bundle]);
      expect(built.stderr).not.toMatch(/ error HLR\d+/);
      expect(built.code).toBe(0);
    }, 180_000);

    afterAll(async () => {
      for (const r of replicas) {
        r.child.kill("SIGCONT");
        r.child.kill("SIGTERM");
      }
      await Promise.all(replicas.map((r) => r.exited));
      await front?.close();
      await mock?.close();
    });

    it("spreads the sources, fails over on kill -9 and fences a paused replica", async (ctx) => {
      if (skip !== undefined) return ctx.skip(`${backend.name} unavailable: ${skip}`);
      for (let i = 0; i < 3; i += 1) start();
      await until("every event of every source written", complete);
      const spread = await leases();
      const holders = new Set(spread.filter((l) => sourceIds.includes(l.source)).map((l) => l.holder));
      expect(holders.size, "sources spread over more than one replica").toBeGreaterThan(1);

      // kill -9 the holder of the first source; new events must still all arrive.
      const victimPid = holderPid(spread.find((l) => l.source === sourceIds[0])?.holder ?? null);
      const victim = replicas.find((r) => r.child.pid === victimPid) as Replica;
      victim.child.kill("SIGKILL");
      await victim.exited;
      mock.addEvents(10);
      await until("failover: every event after kill -9", complete);

      // SIGSTOP a live holder past the TTL; its sources move; on SIGCONT it must not write.
      const now = await leases();
      const pausedPid = holderPid(
        now.find((l) => sourceIds.includes(l.source) && holderPid(l.holder) !== victimPid)?.holder ?? null,
      );
      const paused = replicas.find((r) => r.child.pid === pausedPid) as Replica;
      paused.child.kill("SIGSTOP");
      await sleep((TTL_SECS + 2) * 1000, new AbortController().signal);
      mock.addEvents(10);
      await until("every event while one replica is paused", complete);
      paused.child.kill("SIGCONT");
      await until("the paused replica notices", () => /lease lost/.test(paused.stderr), 30_000);
      mock.addEvents(5);
      await until("every event after the pause", complete);

      const all = seen(replicas);
      const repeated = sourceIds.map((id) =>
        [...(all.get(id)?.values() ?? [])].reduce((sum, n) => sum + n - 1, 0),
      );
      // Two failovers (kill -9, pause): at most one page repeated per source each.
      for (const n of repeated) expect(n).toBeLessThanOrEqual(2 * PAGE);
      for (const id of sourceIds) expect(front.maxInFlight.get(id), id).toBe(1);
      expect(paused.stderr).not.toMatch(/"code":"HELR_STATE_WRITE"/);
      process.stderr.write(
        `${backend.name}: events served ${mock.events.length} per source × ${SOURCES}, lost 0, repeated ${repeated.join(",")}\n`,
      );
    }, 240_000);
  });
}
