import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleModules } from "../../compiler/bundle/index.ts";
import { emitProgram } from "../../compiler/emit/index.ts";
import { globalSpec, linkHeaderSource } from "../unit/emit/support/specs.ts";

/**
 * The bundle is one file: copied alone into an empty directory, with no node_modules anywhere
 * above it and NODE_PATH unset, it still runs, pages through a Link-header API and keeps its
 * SQLite state (through the embedded native addon).
 */
const TOKEN = "portable-token-5f4e";
const PAGES = [
  [
    { uuid: "e1", published: "2024-05-21T13:00:00.000Z" },
    { uuid: "e2", published: "2024-05-21T13:00:01.000Z" },
  ],
  [{ uuid: "e3", published: "2024-05-21T13:00:02.000Z" }],
];

let server: Server;
let apiUrl: string;
let root: string;
let runDir: string;
const authorizations: (string | undefined)[] = [];

/** Okta-like: a JSON array per page, `rel="next"` until the last page, 401 without the token. */
function servePage(req: IncomingMessage, res: ServerResponse): void {
  authorizations.push(req.headers.authorization);
  if (req.headers.authorization !== `SSWS ${TOKEN}`) {
    res.writeHead(401, { "content-type": "application/json" }).end('{"errorCode":"E0000011"}');
    return;
  }
  const page = Number(new URL(req.url ?? "/", apiUrl).searchParams.get("page") ?? "0");
  const links = [`<${apiUrl}/logs?page=${page}>; rel="self"`];
  if (page + 1 < PAGES.length) links.push(`<${apiUrl}/logs?page=${page + 1}>; rel="next"`);
  res
    .writeHead(200, { "content-type": "application/json", link: links })
    .end(JSON.stringify(PAGES[page] ?? []));
}

/** Runs the copied bundle with a minimal environment: no NODE_PATH, caches inside the temp dir. */
function runBundle(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, "home"),
    XDG_CACHE_HOME: join(root, "cache"),
    API_URL: apiUrl,
    API_TOKEN: TOKEN,
  };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(runDir, "helr.js"), ...args], {
      cwd: runDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  server = createServer(servePage);
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  root = mkdtempSync(join(tmpdir(), "helr-portable-"));
  const program = { global: globalSpec("sqlite"), sources: [linkHeaderSource("okta")] };
  const bundle = await bundleModules(emitProgram(program, "0.1.0"), { version: "0.1.0" });
  const built = join(root, "build", "helr.js");
  runDir = join(root, "run");
  mkdirSync(join(root, "build"));
  mkdirSync(runDir);
  writeFileSync(built, bundle.code, { mode: 0o755 });
  copyFileSync(built, join(runDir, "helr.js"));
});

afterAll(async () => {
  await new Promise((closed) => server?.close(closed));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("a bundle copied alone into an empty directory", () => {
  it("sits alone, with no node_modules above it and no NODE_PATH", () => {
    expect(readdirSync(runDir)).toEqual(["helr.js"]);
    const ancestors = runDir.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/") || "/");
    expect(ancestors.filter((dir) => existsSync(join(dir, "node_modules")))).toEqual([]);
  });

  it("prints its version", async () => {
    const result = await runBundle(["--version"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("helr 0.1.0\n");
    expect(result.code).toBe(0);
  });

  it("run --once follows Link headers, writes NDJSON and creates its SQLite state here", async () => {
    const result = await runBundle(["run", "--once"]);
    expect(result.stderr).not.toMatch(/FAILED|Error/);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: { uuid: string }; source: string });
    expect(lines.map((line) => line.event.uuid)).toEqual(["e1", "e2", "e3"]);
    expect(lines.every((line) => line.source === "okta")).toBe(true);
    expect(authorizations).toEqual([`SSWS ${TOKEN}`, `SSWS ${TOKEN}`]);
    expect(statSync(join(runDir, "helr-state.db")).size).toBeGreaterThan(0);
    expect(existsSync(join(root, "cache"))).toBe(true);
  });
});
