/**
 * End-to-end harness for the shipped source catalog (issue 7): builds a `sources/` definition
 * **unchanged** with helrc into a temp directory and runs the bundle as a user would. Only the
 * environment differs from production: the source's own host placeholder points at a mock, and
 * `NODE_EXTRA_CA_CERTS` names the test CA, so HTTPS mocks are trusted without touching the source.
 * Catalog files have no `global:` block (but andromeda-audit.yaml, for `global.hooks`), so state is
 * SQLite at `./helr-state.db` in that directory; a test adds one beside the file when it needs it.
 *
 * Two environment variables serve scripts/catalog-diff.mjs (the "byte-identical NDJSON before and
 * after" check); tests never set them. `HELR_CATALOG_ROOT` names another checkout whose
 * `bin/helrc.mjs` and `sources/` build the bundles (default: this one), and `HELR_CATALOG_CAPTURE`
 * names a directory where every run's stdout and every `state export` is saved, one file each,
 * named after the test file, the test and the call's order within the test.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { analyze, type ProgramIR } from "../../compiler/pipeline.ts";
import type { Recording } from "../../runtime/record/format.ts";
import { cleanEnv, helrc, ROOT, type Run, runProcess, tempDir } from "./bundle.ts";
import { makeTestPki, type TestPki } from "./certs.ts";

/** One NDJSON line of the bundle's output. */
export interface OutputLine {
  readonly ts: string;
  readonly endpoint: string;
  readonly event: Readonly<Record<string, unknown>>;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly [label: string]: unknown;
}

/** One response saved by `--record-dir`. */
export type { Recording } from "../../runtime/record/format.ts";

/** A finished bundle run; `lines` is its stdout parsed as NDJSON (throws when it is not). */
export interface CatalogRun extends Run {
  readonly lines: readonly OutputLine[];
}

/** A catalog source built into a bundle, with its own working directory (and state). */
export interface CatalogBundle {
  readonly dir: string;
  /** Runs `node helr.js <args>` in `dir`; `env` comes on top of a clean environment and the test CA. */
  run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<CatalogRun>;
  /** `helr state export`, parsed: source id → key → value. */
  state(): Promise<Record<string, Record<string, string>>>;
  /** Responses saved by a run with `--record-dir recordings` (every attempt, in order). */
  recordings(sourceId: string): Recording[];
  /** Removes the directory. */
  remove(): void;
}

/** The test CA and a server certificate for 127.0.0.1; pass `tls` to a mock. */
export interface CatalogPki {
  readonly tls: { readonly cert: string; readonly key: string };
  readonly caFile: string;
  cleanup(): void;
}

/** Makes the PKI for HTTPS mocks (a second or two; once per test file). */
export function catalogPki(): CatalogPki {
  const pki: TestPki = makeTestPki();
  return {
    tls: { cert: pki.pem.serverCert, key: pki.pem.serverKey },
    caFile: pki.files.ca,
    cleanup: pki.cleanup,
  };
}

/**
 * Builds `sources/<file>` (a path relative to the repository root, e.g. `sources/okta-system-log.yaml`)
 * with `helrc build --strict`; throws with helrc's output when it does not build cleanly.
 * `withFiles` (name → text) are written into the bundle's directory and built with it: the
 * `global:` block a template leaves to the user's own config.
 */
export async function buildCatalogSource(
  file: string,
  pki: CatalogPki,
  withFiles: Readonly<Record<string, string>> = {},
): Promise<CatalogBundle> {
  const dir = tempDir(withFiles);
  const bundle = join(dir, "helr.js");
  const root = process.env.HELR_CATALOG_ROOT ?? ROOT;
  const extra = Object.keys(withFiles).map((name) => join(dir, name));
  const build = ["build", "--strict", join(root, file), ...extra, "-o", bundle];
  const built =
    root === ROOT
      ? await helrc(build, cleanEnv())
      : await runProcess(process.execPath, [join(root, "bin/helrc.mjs"), ...build], {
          cwd: root,
          env: cleanEnv(),
          timeoutMs: 120_000,
        });
  if (built.code !== 0 || built.stderr.trim() !== "")
    throw new Error(`helrc build ${file} failed (exit ${built.code}):\n${built.stderr}${built.stdout}`);
  const exec = (args: readonly string[], env: Readonly<Record<string, string>>) =>
    runProcess(process.execPath, [bundle, ...args], {
      cwd: dir,
      env: cleanEnv({ NODE_EXTRA_CA_CERTS: pki.caFile, ...env }),
    });
  return {
    dir,
    async run(args, env = {}) {
      const save = capture("run", file);
      const result = await exec(args, env);
      save(result.stdout);
      // Parsed on first use: `state set` and friends print text, not NDJSON.
      let lines: OutputLine[] | undefined;
      return {
        ...result,
        get lines() {
          lines ??= parseLines(result.stdout);
          return lines;
        },
      };
    },
    async state() {
      const save = capture("state", file);
      const result = await exec(["state", "export"], {});
      save(result.stdout);
      if (result.code !== 0) throw new Error(`helr state export failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, Record<string, string>>;
    },
    recordings(sourceId) {
      const folder = join(dir, "recordings", sourceId);
      if (!existsSync(folder)) return [];
      return readdirSync(folder)
        .filter((name) => /^\d+\.json$/.test(name))
        .sort()
        .map((name) => JSON.parse(readFileSync(join(folder, name), "utf8")) as Recording);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const captured = new Map<string, number>();

/**
 * Names the next call's file under `$HELR_CATALOG_CAPTURE` (see the header) when the call starts,
 * so calls run side by side keep their order; the returned function saves its stdout there.
 */
function capture(kind: "run" | "state", file: string): (stdout: string) => void {
  const folder = process.env.HELR_CATALOG_CAPTURE;
  if (folder === undefined) return () => {};
  const { testPath = "", currentTestName = "" } = expect.getState();
  const test = `${basename(testPath)} ${currentTestName}`;
  const order = (captured.get(test) ?? 0) + 1;
  captured.set(test, order);
  const name = `${test} ${String(order).padStart(2, "0")} ${kind} ${basename(file)}`;
  const path = join(folder, `${name.replace(/[^\w.-]+/g, "_")}.${kind === "run" ? "ndjson" : "json"}`);
  return (stdout) => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path, stdout);
  };
}

function parseLines(stdout: string): OutputLine[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as OutputLine);
}

/**
 * When a mock received each request (epoch ms), for rate-limit assertions made on the mock's side
 * ("the retry arrived after the reset the 429 announced") rather than on timings. Every mock pushes
 * a record into its `requests` array on arrival, before answering; this stamps those pushes.
 */
export function arrivalTimes<T extends object>(requests: T[]): (request: T) => number {
  const times = new WeakMap<T, number>();
  const push = requests.push.bind(requests);
  requests.push = (...items: T[]): number => {
    const now = Date.now();
    for (const item of items) times.set(item, now);
    return push(...items);
  };
  return (request) => {
    const time = times.get(request);
    if (time === undefined) throw new Error("request arrived before arrivalTimes() was installed");
    return time;
  };
}

/**
 * `analyze()` of catalog files (paths relative to the repository root) compiled together with
 * `--strict`: every diagnostic as `file:code message`, and the IR with `origin` blanked, so a YAML
 * file and its `.helr` twin compare equal.
 */
export function catalogIr(...paths: string[]): { diagnostics: string[]; program: ProgramIR | undefined } {
  const files = paths.map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") }));
  const result = analyze(files, { strict: true });
  const diagnostics = result.diagnostics.map((d) => `${d.span.file}: ${d.code} ${d.message}`);
  const program =
    result.program === undefined
      ? undefined
      : { ...result.program, sources: result.program.sources.map((s) => ({ ...s, origin: "" })) };
  return { diagnostics, program };
}
