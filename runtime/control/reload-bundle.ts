/**
 * Loading a rebuilt bundle into the running process (SIGHUP, `POST /api/v1/reload`): the file
 * the collector was started from is read again, evaluated in this process without running its
 * CLI, and its {@link App} returned, so the same PID polls the new set of sources. Then
 * {@link diffSources} says which sources were added, removed, changed or left alone.
 *
 * Mechanism (docs/architecture.md, "How a bundle is reloaded"): the bundle is one CommonJS file
 * whose entry, when a global hook is set ({@link BUNDLE_LOAD_HOOK}), hands its app to the hook
 * instead of calling `main`. The file is compiled with `vm.compileFunction` into the CommonJS
 * wrapper Node itself uses (exports, require, module, __filename, __dirname), in this realm, with
 * a `require` from `createRequire(file)`. Not `require()` after deleting its `require.cache`
 * entry: that entry is the running bundle's own (`require.main`), and a bundle named `.mjs` cannot
 * be required on Node 20; compiling the text ourselves touches no cache and works for both.
 *
 * The new app carries its own copy of the runtime (each bundle is self-contained). Process-wide
 * state is shared between copies by `Symbol.for` keys on `globalThis` — the secret registry (so
 * this process's logs mask the secrets the new authenticators read) and the audit log — and
 * `instanceof` on Helr's errors matches errors thrown by the other copy (errors/helr-error.ts).
 *
 * Nothing here changes the running collector: a file that cannot be read, does not compile,
 * throws while loading, is not a Helr bundle, or whose configuration fails {@link validateApp}
 * is a {@link ReloadRejected} error, and the old app keeps running.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { compileFunction } from "node:vm";
import type { App, BoundSource } from "../app.ts";
import { validateApp } from "../cli/validate.ts";
import type { Env } from "../config/env.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import { HelrError } from "../errors/helr-error.ts";
import { BUNDLE_LOAD_HOOK } from "./bundle-hook.ts";

export { BUNDLE_LOAD_HOOK } from "./bundle-hook.ts";

/** A reload that was refused; the message says why (redacted), the old app is untouched. */
export class ReloadRejected extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_RELOAD_REJECTED", redactSecrets(message), options);
  }
}

export interface LoadBundleOptions {
  /** The environment the config is validated against (placeholders, secret files); default `process.env`. */
  readonly env?: Env;
  /** Run {@link validateApp} on the new app; default true. */
  readonly validate?: boolean;
}

/**
 * Evaluates the bundle at `path` again and returns its app, validated. Its CLI does not run; no
 * source is polled, no store opened, no server started by loading it.
 *
 * @throws ReloadRejected when the file does not load or its configuration fails.
 */
export async function loadBundleApp(path: string, options: LoadBundleOptions = {}): Promise<App> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ReloadRejected(`cannot read bundle ${file}: ${(error as Error).message}`, { cause: error });
  }
  const app = evaluate(file, text);
  checkShape(file, app);
  if (options.validate !== false) {
    const problems = await validateApp(app, options.env ?? process.env);
    if (problems.length > 0) {
      throw new ReloadRejected(`bundle ${file}: configuration fails: ${problems.join("; ")}`);
    }
  }
  return app;
}

/** Runs the bundle's text in the CommonJS wrapper with the load hook set; returns what it handed over. */
function evaluate(file: string, text: string): App {
  // A shebang is only valid at the very start of a script, not in a function body; keep line numbers.
  const body = text.startsWith("#!") ? `//${text.slice(2)}` : text;
  let wrapper: (...args: unknown[]) => unknown;
  try {
    wrapper = compileFunction(body, ["exports", "require", "module", "__filename", "__dirname"], {
      filename: file,
    }) as (...args: unknown[]) => unknown;
  } catch (error) {
    throw new ReloadRejected(`bundle ${file} does not compile: ${describe(error)}`, { cause: error });
  }
  const key = Symbol.for(BUNDLE_LOAD_HOOK);
  const slot = globalThis as unknown as Record<symbol, unknown>;
  const previous = slot[key];
  const handed: unknown[] = [];
  slot[key] = (app: unknown) => handed.push(app);
  const module = { exports: {}, filename: file, id: file, loaded: false };
  try {
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  } catch (error) {
    throw new ReloadRejected(`bundle ${file} fails while loading: ${describe(error)}`, {
      cause: error,
    });
  } finally {
    if (previous === undefined) delete slot[key];
    else slot[key] = previous;
  }
  if (handed.length !== 1) {
    throw new ReloadRejected(
      `${file} is not a Helr bundle that can be reloaded (rebuild it with this helrc: bundles hand over their app since the reload support)`,
    );
  }
  return handed[0] as App;
}

/** `SyntaxError: Unexpected token`: the name says what kind of failure it was. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The checks the type system cannot make on a value from another file. */
function checkShape(file: string, app: App): void {
  const fail = (what: string) => {
    throw new ReloadRejected(`bundle ${file}: ${what}`);
  };
  if (typeof app !== "object" || app === null) fail("handed over no app");
  if (typeof app.version !== "string") fail("the app has no version");
  if (typeof app.global !== "object" || app.global === null) fail("the app has no global settings");
  if (!Array.isArray(app.sources)) fail("the app has no source list");
  const ids = new Set<string>();
  for (const source of app.sources) {
    const id = source?.spec?.id;
    if (typeof id !== "string" || id === "") fail("a source has no id");
    if (ids.has(id)) fail(`two sources are named "${id}"`);
    ids.add(id);
  }
}

/** How the new set of sources relates to the running one, by source id (each list sorted). */
export interface SourceDiff {
  /** In the new app only: start polling them. */
  readonly added: readonly string[];
  /** In the old app only: stop polling them after their in-flight poll; keep their state. */
  readonly removed: readonly string[];
  /** In both with a different spec: finish the in-flight poll, then poll with the new source. */
  readonly changed: readonly string[];
  /** In both with an equal spec: keep the running source, its schedule and its cached tokens. */
  readonly unchanged: readonly string[];
  /**
   * The sources to run after the reload, in the new app's order: the old {@link BoundSource}
   * for an unchanged id (its tokens, hook runner and per-source context stay), the new one for
   * an added or changed id.
   */
  readonly running: readonly BoundSource[];
}

/**
 * Compares specs (plain data, placeholders unexpanded) by deep equality, leaving out `origin`:
 * the same source built from a file of another name or place is the same source.
 */
export function diffSources(old: Pick<App, "sources">, next: Pick<App, "sources">): SourceDiff {
  const before = new Map(old.sources.map((s) => [s.spec.id, s]));
  const after = new Map(next.sources.map((s) => [s.spec.id, s]));
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  const running: BoundSource[] = [];
  for (const [id, source] of after) {
    const was = before.get(id);
    if (was === undefined) added.push(id);
    else if (sameSpec(was, source)) unchanged.push(id);
    else changed.push(id);
    running.push(was !== undefined && sameSpec(was, source) ? was : source);
  }
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const sorted = (ids: string[]) => ids.sort();
  return {
    added: sorted(added),
    removed: sorted(removed),
    changed: sorted(changed),
    unchanged: sorted(unchanged),
    running,
  };
}

function sameSpec(a: BoundSource, b: BoundSource): boolean {
  return isDeepStrictEqual({ ...a.spec, origin: "" }, { ...b.spec, origin: "" });
}

/**
 * The top-level `global` keys whose value differs (`state`, `api`, `output`, …), sorted; the
 * caller decides which it can apply in place and which need a restart (the state store and the
 * listen addresses are opened once).
 */
export function diffGlobal(old: Pick<App, "global">, next: Pick<App, "global">): string[] {
  const a = old.global as unknown as Record<string, unknown>;
  const b = next.global as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => !isDeepStrictEqual(a[key], b[key])).sort();
}
