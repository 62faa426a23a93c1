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
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleModules } from "../../compiler/bundle/index.ts";
import { emitProgram } from "../../compiler/emit/index.ts";
import { globalSpec, linkHeaderSource } from "../unit/compiler/emit/support/specs.ts";

/**
 * The bundle is one file: copied alone into an empty directory, with no node_modules anywhere
 * above it and NODE_PATH unset, it still runs, pages through a Link-header API and keeps its
 * SQLite state (through the embedded native addon). It is a CommonJS script that also runs as an
 * ES module, so its name and the package.json around it do not matter either.
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

/**
 * Runs the copied bundle (`script`, by default `run/helr.js`) with a minimal environment: no
 * NODE_PATH, caches inside the temp dir. `nodeArgs` go to node before the script.
 */
function runBundle(
  args: string[],
  script = join(runDir, "helr.js"),
  nodeArgs: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, "home"),
    XDG_CACHE_HOME: join(root, "cache"),
    API_URL: apiUrl,
    API_TOKEN: TOKEN,
  };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd: dirname(script),
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

describe("wherever Node decides what kind of module it is", () => {
  /** The bundle copied to `name` inside `root/<dir>`, next to `packageJson` when given. */
  function placed(dir: string, name: string, packageJson?: object): string {
    mkdirSync(join(root, dir));
    if (packageJson) writeFileSync(join(root, dir, "package.json"), JSON.stringify(packageJson));
    copyFileSync(join(runDir, "helr.js"), join(root, dir, name));
    return join(root, dir, name);
  }

  it.each([
    ["named .mjs", "mjs", "helr.mjs", undefined],
    ["named .cjs", "cjs", "helr.cjs", undefined],
    ['in a "type": "module" package', "typed-module", "helr.js", { type: "module" }],
    ['in a "type": "commonjs" package', "typed-commonjs", "helr.js", { type: "commonjs" }],
  ])("runs %s", async (_, dir, name, packageJson) => {
    const result = await runBundle(["--version"], placed(dir, name, packageJson));
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("helr 0.1.0\n");
  });

  it("runs as an ES module with its SQLite state (require made from node:module)", async () => {
    const script = placed("esm-run", "helr.js", { type: "module" });
    const result = await runBundle(["run", "--once"], script);
    expect(result.stderr).not.toMatch(/FAILED|Error/);
    expect(result.code).toBe(0);
    expect(statSync(join(root, "esm-run", "helr-state.db")).size).toBeGreaterThan(0);
  });
});

describe("start-up", () => {
  /** Node's own modules that `script` loaded by the time it exited, printed by a preload. */
  async function builtinsLoaded(args: string[]): Promise<string[]> {
    const preload = join(root, "print-modules.cjs");
    writeFileSync(
      preload,
      'process.on("exit", () => process.stderr.write(JSON.stringify(process.moduleLoadList)));\n',
    );
    const result = await runBundle(args, join(runDir, "helr.js"), ["--require", preload]);
    return (JSON.parse(result.stderr.slice(result.stderr.lastIndexOf("["))) as string[])
      .filter((name) => name.startsWith("NativeModule "))
      .map((name) => name.slice("NativeModule ".length));
  }

  it("--version leaves the HTTP client unloaded: commands load when they run", async () => {
    const loaded = await builtinsLoaded(["--version"]);
    expect(loaded).not.toContain("http");
    expect(loaded).not.toContain("tls");
    // The guard has teeth: a command that polls does load them.
    expect(await builtinsLoaded(["run", "--once"])).toEqual(expect.arrayContaining(["http", "tls"]));
  });
});
