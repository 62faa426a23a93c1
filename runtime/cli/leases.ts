import { parseArgs } from "node:util";
import type { App } from "../app.ts";
import type { Env } from "../config/env.ts";
import { type Lease, type Member, sourceSetFingerprint } from "../state/lease.ts";
import { sortIds } from "../state/names.ts";
import { openStore } from "../state/open.ts";
import { StateError } from "../state/store.ts";
import { UsageError } from "./usage.ts";

/** Where `helr leases` writes; the process streams by default, buffers in tests. */
export interface LeasesIo {
  readonly env: Env;
  readonly stdout: (text: string) => void;
}

/** One row of `helr leases --json`. */
export interface LeaseRow {
  readonly source: string;
  /** Null when no replica holds the source. */
  readonly holder: string | null;
  readonly token: number | null;
  readonly expiresInMs: number | null;
  /** False for a lease on a source this bundle does not define (another bundle's, or a renamed one). */
  readonly inBundle: boolean;
}

/** One live replica in `helr leases --json`. */
export interface ReplicaRow {
  readonly replicaId: string;
  readonly expiresInMs: number;
  /** Whether it runs a bundle with this bundle's set of sources. */
  readonly sameSources: boolean;
}

/**
 * `helr leases [--json]`: who holds each source's lease, with its token and the time left by
 * the store's clock, and which replicas are live. Opens only the state store (no secrets);
 * needs a store with leases (Redis or Postgres).
 */
export async function leasesCommand(
  app: App,
  args: readonly string[],
  io: LeasesIo = processIo(),
): Promise<number> {
  const json = parseLeasesArgs(args);
  const store = await openStore(app, { env: io.env });
  try {
    if (store.leases === undefined) {
      throw new StateError(
        "HELR_STATE_CONFIG",
        `state backend ${store.backend} has no leases; helr leases needs the redis or postgres backend (global.replicas)`,
      );
    }
    const [leases, members] = await Promise.all([store.leases.list(), store.leases.members()]);
    const sourceIds = app.sources.map((s) => s.spec.id);
    const rows = leaseRows(sourceIds, leases);
    const replicas = replicaRows(sourceIds, members);
    io.stdout(
      json ? `${JSON.stringify({ leases: rows, replicas }, null, 2)}\n` : renderLeases(rows, replicas),
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** Every source of the bundle (held or free), then leases of sources it does not define. */
export function leaseRows(sourceIds: readonly string[], leases: readonly Lease[]): LeaseRow[] {
  const bySource = new Map(leases.map((lease) => [lease.sourceId, lease]));
  const inBundle = new Set(sourceIds);
  const row = (source: string): LeaseRow => {
    const lease = bySource.get(source);
    return {
      source,
      holder: lease?.holder ?? null,
      token: lease?.token ?? null,
      expiresInMs: lease?.expiresInMs ?? null,
      inBundle: inBundle.has(source),
    };
  };
  const foreign = leases.map((l) => l.sourceId).filter((id) => !inBundle.has(id));
  return [...sortIds(sourceIds).map(row), ...sortIds(foreign).map(row)];
}

/** The live replicas, each marked by whether it runs this bundle's set of sources. */
export function replicaRows(sourceIds: readonly string[], members: readonly Member[]): ReplicaRow[] {
  const fingerprint = sourceSetFingerprint(sourceIds);
  return members.map((m) => ({
    replicaId: m.replicaId,
    expiresInMs: m.expiresInMs,
    sameSources: m.fingerprint === fingerprint,
  }));
}

/** The text table: source, holder, token, expires in; then the live replicas. */
export function renderLeases(rows: readonly LeaseRow[], replicas: readonly ReplicaRow[]): string {
  const table = [
    ["SOURCE", "HOLDER", "TOKEN", "EXPIRES IN"],
    ...rows.map((r) => [
      r.inBundle ? r.source : `${r.source} *`,
      r.holder ?? "-",
      r.token === null ? "-" : String(r.token),
      r.expiresInMs === null ? "-" : seconds(r.expiresInMs),
    ]),
  ];
  const widths = [0, 1, 2].map((col) => Math.max(...table.map((cells) => (cells[col] as string).length)));
  const lines = table.map((cells) =>
    cells.map((cell, col) => (col < 3 ? cell.padEnd(widths[col] as number) : cell)).join("  "),
  );
  if (rows.some((r) => !r.inBundle)) lines.push("* not a source of this bundle");
  lines.push("", replicas.length === 0 ? "no live replicas" : `live replicas (${replicas.length}):`);
  for (const r of replicas) {
    const note = r.sameSources ? "" : "  (runs a different set of sources)";
    lines.push(`  ${r.replicaId}  expires in ${seconds(r.expiresInMs)}${note}`);
  }
  return `${lines.join("\n")}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function parseLeasesArgs(args: readonly string[]): boolean {
  try {
    const { values } = parseArgs({ args: [...args], options: { json: { type: "boolean" } }, strict: true });
    return values.json === true;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function processIo(): LeasesIo {
  return { env: process.env, stdout: (text) => process.stdout.write(text) };
}
