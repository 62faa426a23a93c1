/**
 * Replicas of one built bundle against the Okta mock, for the slow replica suites: a front
 * server that logs every request (source, replica, start and end), the bundle's config, replica
 * processes with their output, and the checks those suites share — events seen per source,
 * repeats, and requests of one source that two replicas had in flight at once (split brain).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { sleep } from "../../runtime/engine/scheduler.ts";

/** One request as the front saw it; times are the test process's monotonic milliseconds. */
export interface FrontRequest {
  readonly source: string;
  readonly replica: string;
  readonly startMs: number;
  endMs: number;
  /** The `uuid` of each event in the response body (empty for an error or an empty page). */
  served: readonly string[];
}

/** A logging proxy in front of the mock (headers `x-source`, `x-replica` name who asks). */
export interface Front {
  readonly url: string;
  readonly requests: readonly FrontRequest[];
  close(): Promise<void>;
}

export async function startFront(target: string): Promise<Front> {
  const requests: FrontRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const entry: FrontRequest = {
      source: String(req.headers["x-source"] ?? "?"),
      replica: String(req.headers["x-replica"] ?? "?"),
      startMs: performance.now(),
      endMs: Number.POSITIVE_INFINITY,
      served: [],
    };
    requests.push(entry);
    try {
      // A little latency, so that two pollers of one source would overlap in the log.
      await sleep(15, new AbortController().signal);
      const upstream = await fetch(target + (req.url ?? ""), {
        headers: { authorization: String(req.headers.authorization ?? "") },
      });
      const body = await upstream.text();
      const link = upstream.headers.get("link");
      if (upstream.ok) entry.served = servedIds(body);
      res.writeHead(upstream.status, {
        "content-type": "application/json",
        ...(link ? { link: link.replaceAll(target, `http://127.0.0.1:${port()}`) } : {}),
      });
      res.end(body);
    } catch {
      res.writeHead(502).end();
    } finally {
      entry.endMs = performance.now();
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((done) => server.once("listening", done));
  const port = () => (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port()}`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done(undefined));
      }),
  };
}

/** The `uuid`s of a JSON array of events (none when the body is anything else). */
function servedIds(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((e: { uuid?: unknown }) => (typeof e?.uuid === "string" ? [e.uuid] : []));
  } catch {
    return [];
  }
}

/**
 * Pairs of requests of one source from two different replicas whose times overlap: each one is
 * a split brain (two replicas polling one source at once). Empty when every source had one
 * poller at a time.
 */
export function overlaps(requests: readonly FrontRequest[]): [FrontRequest, FrontRequest][] {
  const found: [FrontRequest, FrontRequest][] = [];
  const bySource = new Map<string, FrontRequest[]>();
  for (const r of requests) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
  for (const list of bySource.values()) {
    const sorted = [...list].sort((a, b) => a.startMs - b.startMs);
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i] as FrontRequest;
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j] as FrontRequest;
        if (b.startMs >= a.endMs) break;
        if (b.replica !== a.replica) found.push([a, b]);
      }
    }
  }
  return found;
}

export interface FleetConfig {
  readonly backend: "redis" | "postgres";
  readonly sourceIds: readonly string[];
  readonly page: number;
  readonly ttlSecs: number;
  /** Adds `dedupe:` to every source (its window is in the shared state store). */
  readonly dedupe?: boolean;
  /** Serves the health probes on this port (global.api). */
  readonly apiPort?: number;
}

/** The bundle's config: Okta sources paged by `link`, each naming itself and its replica. */
export function fleetConfig(c: FleetConfig): string {
  const sources = c.sourceIds
    .map(
      (id) => `  ${id}:
    url: "\${OKTA_URL}/api/v1/logs"
    auth: { type: bearer, token_env: OKTA_TOKEN, prefix: SSWS }
    headers: { X-Source: ${id}, X-Replica: "\${HELR_TEST_REPLICA}" }
    query_params: { limit: ${c.page} }
    pagination: { strategy: link_header, rel: next, max_pages: 100 }
    schedule: { interval_secs: 1, jitter_secs: 0 }
    transform: { timestamp_field: published, id_field: uuid }
${c.dedupe ? "    dedupe: { capacity: 10000 }\n" : ""}`,
    )
    .join("");
  return `global:
  log_level: info
  state: { backend: ${c.backend}, url: "\${STATE_URL}" }
  replicas: { enabled: true, lease_ttl_secs: ${c.ttlSecs} }
${c.apiPort === undefined ? "" : `  api: { enabled: true, port: ${c.apiPort} }\n`}sources:
${sources}`;
}

/** One replica process: its NDJSON output and its log, as they arrive. */
export interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<void>;
}

/** Starts `node bundle run` as replica `name` (sent to the mock as `x-replica`). */
export function startReplica(name: string, bundle: string, cwd: string, env: NodeJS.ProcessEnv): Replica {
  const child = spawn(process.execPath, [bundle, "run"], {
    cwd,
    env: { ...env, HELR_TEST_REPLICA: name },
  });
  let done: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (done = resolve));
  const r: Replica = { name, child, stdout: "", stderr: "", exited };
  child.stdout?.on("data", (d: Buffer) => (r.stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (r.stderr += d.toString()));
  child.once("exit", () => done());
  return r;
}

/** Per source: event id → times written, over every replica's output. */
export function seen(replicas: readonly Replica[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of replicas) {
    // A line cut by kill -9 has no newline; only whole lines count.
    const whole = r.stdout.slice(0, r.stdout.lastIndexOf("\n") + 1);
    for (const line of whole.split("\n")) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as { source: string; meta: { id: string } };
      const per = out.get(parsed.source) ?? new Map<string, number>();
      per.set(parsed.meta.id, (per.get(parsed.meta.id) ?? 0) + 1);
      out.set(parsed.source, per);
    }
  }
  return out;
}

/** Per source, the lines written beyond the first of each event. */
export function repeats(replicas: readonly Replica[], sourceIds: readonly string[]): number[] {
  const all = seen(replicas);
  return sourceIds.map((id) => [...(all.get(id)?.values() ?? [])].reduce((sum, n) => sum + n - 1, 0));
}

/** True when every source wrote every one of `served` events at least once. */
export function complete(
  replicas: readonly Replica[],
  sourceIds: readonly string[],
  served: number,
): boolean {
  const all = seen(replicas);
  return sourceIds.every((id) => (all.get(id)?.size ?? 0) === served);
}

/** Waits until `ok()`; throws after `limitMs` naming what it waited for. */
export async function until(
  what: string,
  ok: () => boolean | Promise<boolean>,
  limitMs = 60_000,
): Promise<void> {
  const end = performance.now() + limitMs;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`gave up waiting: ${what}`);
    await sleep(100, new AbortController().signal);
  }
}

/** The source ids of a replica's log lines with message `msg` (prefix), from `offset` on. */
export function logged(r: Replica, msg: string, offset = 0): string[] {
  const ids: string[] = [];
  for (const line of r.stderr.slice(offset).split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as { msg?: string; sourceId?: string };
      if (parsed.msg?.startsWith(msg) && parsed.sourceId !== undefined) ids.push(parsed.sourceId);
    } catch {
      // A line still being written.
    }
  }
  return ids;
}
