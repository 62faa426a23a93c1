import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../compiler/ir/build-program.ts";
import { analyze } from "../../../compiler/pipeline.ts";
import { SourceFile } from "../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../compiler/syntax/yaml/parse-yaml.ts";

const text = readFileSync(new URL("./fixtures/reference-sources.yaml", import.meta.url), "utf8");

describe("the reference integration guides (helr.md §7)", () => {
  it("compile without errors, even with lints as errors (--strict)", () => {
    const result = analyze([{ path: "reference.yaml", text }], { strict: true });
    const problems = result.diagnostics.filter((d) => d.severity === "error");
    expect(problems.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(result.program?.sources).toHaveLength(11);
  });

  it("resolve into the IR the guides describe", () => {
    const { document } = parseYaml(new SourceFile("reference.yaml", text));
    const program = buildProgram([document]);
    const byId = new Map(program.sources.map((s) => [s.id, s]));
    expect(byId.size).toBe(11);
    expect(byId.get("slack-audit")?.watermark).toMatchObject({ stateKey: "oldest_ts", param: "oldest" });
    expect(byId.get("gws-login")?.watermark).toMatchObject({ stateKey: "watermark", eventPath: "id.time" });
    expect(byId.get("okta-audit-oauth2")?.auth).toMatchObject({ clientAuth: "private_key_jwt", dpop: true });
    expect(byId.get("okta-audit")?.from).toEqual({ param: "since", value: "2024-01-01T00:00:00Z" });
    expect(byId.get("1password-audit")?.resilience.retries.maxAttempts).toBe(5);
    expect(byId.get("gws-audit-cloud-logging")?.extract.eventsPath).toBe("entries");
    expect(byId.get("tailscale-audit")?.auth).toEqual({
      type: "basic",
      user: { env: "TAILSCALE_API_TOKEN" },
      password: { env: "TAILSCALE_API_TOKEN_PASSWORD" },
    });
  });
});
