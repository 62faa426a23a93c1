/**
 * The bundle reload loader against real bundles: `helrc build` writes one, the loader evaluates it
 * in this process without running its CLI, then a rebuild over the same file (a source added, one
 * removed, one changed, one left alone) is loaded and diffed. Files that do not load and configs
 * that fail are refused with a clear error. The second runtime copy shares this process's secret
 * registry and Helr's error classes. (Tests after the rebuild load bundle B; its okta source is A's.)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../runtime/app.ts";
import { auditCredential, configureAudit } from "../../runtime/audit.ts";
import { forgetSecrets, redactSecrets } from "../../runtime/config/secret-registry.ts";
import {
  diffGlobal,
  diffSources,
  loadBundleApp,
  ReloadRejected,
} from "../../runtime/control/reload-bundle.ts";
import { HelrError } from "../../runtime/errors/helr-error.ts";
import { HttpError } from "../../runtime/http/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { helrc, tempDir } from "../support/bundle.ts";

const TOKEN = "reload-token-5f4e3d2c1b0a";
const ENV = { OKTA_URL: "https://okta.example", OKTA_TOKEN: TOKEN, GH_URL: "https://gh.example" };

const source = (id: string, url: string, extra = "") => `  ${id}:
    url: "${url}"
    auth:
      type: bearer
      token_env: OKTA_TOKEN
      prefix: SSWS
    pagination:
      strategy: link_header
      rel: next
    schedule:
      interval_secs: 60
${extra}`;

const configA = `global:
  state:
    backend: sqlite
    path: "./state.db"
sources:
${source("okta", "${OKTA_URL}/api/v1/logs")}${source("github", "${GH_URL}/audit")}${source("legacy", "${OKTA_URL}/old")}`;

const configB = `global:
  state:
    backend: sqlite
    path: "./state.db"
  audit:
    enabled: true
sources:
${source("okta", "${OKTA_URL}/api/v1/logs")}${source("github", "${GH_URL}/audit", '    headers:\n      X-Changed: "yes"\n')}${source("slack", "${OKTA_URL}/slack")}`;

let dir: string;
let bundle: string;
let appA: App;

async function build(config: string): Promise<void> {
  writeFileSync(join(dir, "helr.yaml"), config);
  const built = await helrc(["build", join(dir, "helr.yaml"), "-o", bundle]);
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code).toBe(0);
}

beforeAll(async () => {
  dir = tempDir();
  bundle = join(dir, "helr.js");
  await build(configA);
  appA = await loadBundleApp(bundle, { env: ENV });
}, 120_000);

afterEach(() => {
  forgetSecrets();
  configureAudit(undefined, undefined);
});

describe("loadBundleApp", () => {
  it("returns the bundle's app without running its CLI", () => {
    expect(appA.sources.map((s) => s.spec.id)).toEqual(["okta", "github", "legacy"]);
    expect(appA.global.state.backend).toBe("sqlite");
    expect(typeof appA.stores.sqlite).toBe("function");
    expect(appA.sources[0]?.spec.url).toBe("${OKTA_URL}/api/v1/logs");
    // main() would have set an exit code (no command: usage, 0) and printed usage.
    expect(process.exitCode).toBeUndefined();
  });

  it("loads the rebuilt file again and diffs it against the running app", async () => {
    await build(configB);
    const appB = await loadBundleApp(bundle, { env: ENV });
    const diff = diffSources(appA, appB);
    expect(diff).toMatchObject({
      added: ["slack"],
      removed: ["legacy"],
      changed: ["github"],
      unchanged: ["okta"],
    });
    // The running set: the old object for the unchanged source, the new ones otherwise.
    expect(diff.running.map((s) => s.spec.id)).toEqual(["okta", "github", "slack"]);
    expect(diff.running[0]).toBe(appA.sources[0]);
    expect(diff.running[1]).toBe(appB.sources[1]);
    expect(diff.running[1]).not.toBe(appA.sources[1]);
    expect(diffGlobal(appA, appB)).toEqual(["audit"]);
    expect(diffSources(appB, appB)).toMatchObject({
      added: [],
      removed: [],
      changed: [],
      unchanged: ["github", "okta", "slack"],
    });
  }, 120_000);

  it("shares this process's secret registry and audit log with the loaded copy", async () => {
    const app = await loadBundleApp(bundle, { env: ENV });
    const okta = app.sources[0];
    const headers: Record<string, string> = {};
    await okta?.auth?.authorize(
      { method: "GET", url: "https://okta.example/api/v1/logs", headers },
      { env: ENV, sourceId: "okta" },
    );
    expect(headers.Authorization ?? headers.authorization).toBe(`SSWS ${TOKEN}`);
    // The token was remembered by the loaded copy's authenticator; this copy masks it.
    expect(redactSecrets(`sent ${TOKEN}`)).toBe("sent REDACTED");
    // And audits into this process's log.
    const lines: string[] = [];
    const log = { info: (_: unknown, message: string) => lines.push(message) } as unknown as Logger;
    configureAudit(log, { enabled: true, logCredentialAccess: true, logConfigChanges: true });
    auditCredential("okta", "bearer_token");
    await okta?.auth?.authorize(
      { method: "GET", url: "https://okta.example/", headers: {} },
      { env: ENV, sourceId: "okta" },
    );
    expect(lines.filter((l) => l === "audit: credential accessed").length).toBe(2);
  });

  it("makes errors thrown by the loaded copy match this copy's classes", async () => {
    const app = await loadBundleApp(bundle, { env: ENV });
    const failure = await app.sources[0]?.auth
      ?.authorize({ method: "GET", url: "https://okta.example/", headers: {} }, { env: {}, sourceId: "okta" })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(failure).constructor).not.toBe(HelrError); // another copy's class
    expect(failure instanceof HelrError).toBe(true);
    expect(failure instanceof HttpError).toBe(false);
    expect((failure as HelrError).code).toBe("HELR_SECRET_MISSING");
  });
});

describe("a reload that must be refused", () => {
  const refused = async (path: string, env: Record<string, string> = ENV) => {
    const error = await loadBundleApp(path, { env }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReloadRejected);
    expect((error as ReloadRejected).code).toBe("HELR_RELOAD_REJECTED");
    return (error as Error).message;
  };
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("names a missing file", async () => {
    expect(await refused(join(dir, "nope.js"))).toMatch(/cannot read bundle .*nope\.js: ENOENT/);
  });

  it("names a file that does not compile or throws while loading", async () => {
    expect(await refused(file("broken.js", "#!/usr/bin/env node\nfunction (\n"))).toMatch(
      /broken\.js does not compile: SyntaxError: /,
    );
    expect(await refused(file("throws.js", 'throw new Error("half-written bundle");'))).toMatch(
      /throws\.js fails while loading: Error: half-written bundle/,
    );
  });

  it("names a file that is not a Helr bundle", async () => {
    expect(await refused(file("other.js", "module.exports = { app: 1 };"))).toMatch(/not a Helr bundle/);
    expect(
      await refused(
        file(
          "twice.js",
          'const h = globalThis[Symbol.for("helr.bundle.load")]; h({ version: "1", global: {}, sources: [{ spec: { id: "a" } }, { spec: { id: "a" } }] });',
        ),
      ),
    ).toMatch(/two sources are named "a"/);
  });

  it("refuses a bundle whose config fails, without showing a secret", async () => {
    const message = await refused(bundle, { OKTA_URL: "https://okta.example", GH_URL: "https://gh.example" });
    expect(message).toMatch(/configuration fails: .*OKTA_TOKEN/);
    expect(message).not.toContain(TOKEN);
  });
});
