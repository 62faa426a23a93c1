/**
 * The headline command on the repository as shipped (issue 14): `helrc build sources/` takes the
 * whole folder, and the bundle it writes validates once every placeholder and token the catalog
 * names is set. The `.helr` twins live in sources-helr/, so the folder holds each source id once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../compiler/pipeline.ts";
import { cleanEnv, helrc, ROOT, type Run, runProcess, tempDir } from "../support/bundle.ts";

/**
 * A dummy value for every `${VAR}` without a default and every bearer token the catalog reads.
 * A new source with a new variable must be added here: the test fails naming it.
 */
const CATALOG_ENV = {
  OKTA_DOMAIN: "acme.okta.com",
  OKTA_API_TOKEN: "dummy-okta-token",
  GITHUB_ORG: "acme",
  GITHUB_ENTERPRISE: "acme-enterprise",
  GITHUB_TOKEN: "dummy-github-token",
  SLACK_AUDIT_TOKEN: "dummy-slack-token",
  ONEPASSWORD_EVENTS_TOKEN: "dummy-1password-token",
  GOOGLE_LOGGING_RESOURCE: "projects/acme",
  EVENTS_API_HOST: "events.example.com",
  EVENTS_API_TOKEN: "dummy-events-token",
  HELR_DEMO_TOKEN: "dummy-demo-token",
};

/** How many sources the files of sources/ define, counted by the front end itself. */
function catalogSourceCount(): number {
  const files = readdirSync(join(ROOT, "sources")).filter((name) => name.endsWith(".yaml"));
  const result = analyze(
    files.map((name) => ({ path: name, text: readFileSync(join(ROOT, "sources", name), "utf8") })),
  );
  return result.program?.sources.length ?? 0;
}

describe("helrc build sources/ -o <dir>/helr.js, then helr.js validate", () => {
  let dir: string;
  let built: Run;
  beforeAll(async () => {
    dir = tempDir();
    built = await helrc(["build", "sources/", "-o", join(dir, "helr.js")]);
  });

  const validate = (env: Record<string, string>) =>
    runProcess(process.execPath, [join(dir, "helr.js"), "validate"], { cwd: dir, env: cleanEnv(env) });

  it("builds the folder as shipped, without a diagnostic", () => {
    expect(built.stderr).toBe("");
    expect(built.stdout).toMatch(/^helrc: wrote .*helr\.js \(\d+(\.\d)? [kM]B\)\n$/);
    expect(built.code).toBe(0);
  });

  it("validates every source with the catalog's variables set", async () => {
    const result = await validate(CATALOG_ENV);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`config valid: ${catalogSourceCount()} source(s)\n`);
    expect(result.code).toBe(0);
  });

  it("names a variable that is missing (so the check above is a real one)", async () => {
    const { OKTA_DOMAIN: _, ...rest } = CATALOG_ENV;
    const result = await validate(rest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('source "okta-system-log": environment variable OKTA_DOMAIN is not set');
  });

  it("checks the folder, and its .helr twin folder, as directory inputs", async () => {
    for (const folder of ["sources/", "sources-helr/"]) {
      const checked = await helrc(["check", folder]);
      expect(checked.stderr, folder).toBe("0 errors, 0 warnings\n");
      expect(checked.code, folder).toBe(0);
    }
  });
});
