import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../../compiler/cli/main.ts";
import { CONFIG_SCHEMA } from "../../../../compiler/config-shape/config.ts";

const dir = mkdtempSync(join(tmpdir(), "helrc-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function helrc(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const LINT_ONLY = file(
  "lint.yaml",
  "sources:\n  okta:\n    url: https://acme.okta.com/api/v1/logs\n    pagination: { strategy: link_header }\n",
);
const BROKEN = file("broken.yaml", "sources:\n  okta:\n    url: 5\n");

describe("helrc schema", () => {
  it("prints the validator's own schema as JSON, and it compiles as a JSON Schema", async () => {
    const result = await helrc("schema");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as unknown;
    expect(printed).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
    const validate = new Ajv({ strict: false, discriminator: true }).compile(printed as object);
    expect(validate({ sources: { a: { url: "https://a.example.com" } } })).toBe(true);
    expect(validate({ sources: { a: { url: "https://a.example.com", paginaton: {} } } })).toBe(false);
  });

  it("takes no arguments", async () => {
    expect((await helrc("schema", "extra")).code).toBe(2);
  });
});

describe("helrc check --format and --strict", () => {
  it("exits 0 with lints as warnings, 1 with --strict", async () => {
    const normal = await helrc("check", LINT_ONLY);
    expect(normal.code).toBe(0);
    expect(normal.stderr).toContain("warning HLR3104");
    const strict = await helrc("check", "--strict", LINT_ONLY);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("error HLR3104");
  });

  it("prints JSON to stdout and nothing to stderr", async () => {
    const result = await helrc("check", BROKEN, "--format", "json");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout) as { diagnostics: { code: string }[]; summary: unknown };
    expect(report.diagnostics.map((d) => d.code)).toEqual(["HLR2002"]);
    expect(report.summary).toEqual({ errors: 1, warnings: 0 });
  });

  it("prints SARIF to stdout with the exit code of the diagnostics", async () => {
    const result = await helrc("check", "-f", "sarif", LINT_ONLY);
    expect(result.code).toBe(0);
    const log = JSON.parse(result.stdout) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0]?.results.map((r) => r.ruleId)).toEqual(["HLR3104"]);
  });

  it("rejects an unknown format as a usage error", async () => {
    const result = await helrc("check", LINT_ONLY, "--format", "xml");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--format must be one of text, json, sarif");
  });

  it("lists every registered command in --help", async () => {
    const result = await helrc("--help");
    for (const name of ["check", "emit", "build", "schema"])
      expect(result.stdout).toMatch(new RegExp(`^  helrc ${name}\\b`, "m"));
  });
});
