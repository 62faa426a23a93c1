import { spawn } from "node:child_process";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { helrc, runProcess, tempDir } from "../support/bundle.ts";

/** The Okta source every cli-* end-to-end test builds; `limit` sets the page size. */
export function oktaConfig(limit: number): string {
  return `global:
  log_level: info
  state:
    backend: sqlite
    path: "./state.db"
sources:
  okta:
    url: "\${OKTA_URL}/api/v1/logs"
    auth:
      type: bearer
      token_env: OKTA_TOKEN
      prefix: SSWS
    query_params:
      limit: ${limit}
    pagination:
      strategy: link_header
      rel: next
      max_pages: 50
    schedule:
      interval_secs: 1
      jitter_secs: 0
    transform:
      timestamp_field: published
      id_field: uuid
`;
}

/** Builds the bundle with helrc in a fresh directory; returns the directory and the bundle path. */
export async function buildBundle(config: string): Promise<{ dir: string; bundle: string }> {
  const dir = tempDir({ "helr.yaml": config });
  const bundle = join(dir, "helr.js");
  const built = await helrc(["build", join(dir, "helr.yaml"), "-o", bundle]);
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code).toBe(0);
  return { dir, bundle };
}

/** Runs the bundle in `cwd` with `env`. */
export function runBundle(bundle: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  return runProcess(process.execPath, [bundle, ...args], { cwd, env });
}

/**
 * `helr ARGS | (read a few bytes and exit)`: runs the bundle with its stdout piped into a reader
 * that closes the pipe after the first chunk, and returns the bundle's exit code and stderr.
 */
export async function runIntoClosingPipe(
  bundle: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  const reader = spawn(process.execPath, ["-e", 'process.stdin.once("data", () => process.exit(0))'], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  const writer = spawn(process.execPath, [bundle, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  writer.stdout.pipe(reader.stdin);
  // The parent must not keep the pipe's read side alive once the reader is gone.
  reader.on("exit", () => writer.stdout.destroy());
  reader.stdin.on("error", () => undefined);
  let stderr = "";
  writer.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => writer.on("close", (c) => r(c)));
  return { code, stderr };
}

/** The `event.uuid` of each NDJSON line. */
export function uuids(ndjson: string): string[] {
  return ndjson
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: { uuid: string } }).event.uuid);
}

/**
 * A loopback proxy in front of the Okta mock that can hold a response: `hold(n)` makes the
 * n-th request (1-based) wait until `release()`; `held` resolves when it arrives. Link headers
 * are rewritten to the proxy so every page goes through it.
 */
export async function holdingProxy(target: string): Promise<{
  url: string;
  hold(n: number): Promise<void>;
  release(): void;
  count(): number;
  close(): Promise<void>;
}> {
  let seen = 0;
  let holdAt = 0;
  let arrived: () => void = () => undefined;
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const server = createServer((req, res) => {
    seen++;
    const wait = seen === holdAt ? gate : Promise.resolve();
    if (seen === holdAt) arrived();
    const upstream = httpRequest(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (up) => {
        const headers = { ...up.headers };
        const link = up.headers.link;
        if (link !== undefined) {
          const rewrite = (v: string) => v.split(target).join(proxyUrl);
          headers.link = Array.isArray(link) ? link.map(rewrite) : rewrite(link);
        }
        const chunks: Buffer[] = [];
        up.on("data", (d: Buffer) => chunks.push(d));
        up.on("end", () => {
          void wait.then(() => res.writeHead(up.statusCode ?? 502, headers).end(Buffer.concat(chunks)));
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: proxyUrl,
    hold(n) {
      holdAt = n;
      gate = new Promise<void>((r) => (release = r));
      return new Promise<void>((r) => (arrived = r));
    },
    release: () => release(),
    count: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
