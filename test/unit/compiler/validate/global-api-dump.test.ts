import { describe, expect, it } from "vitest";
import { analyze } from "../../../../compiler/pipeline.ts";

const SOURCE = "sources:\n  okta-audit:\n    url: https://example.okta.com/api/v1/logs\n";

function check(global: string) {
  const result = analyze([{ path: "a.yaml", text: `global:\n${global}${SOURCE}` }]);
  return {
    program: result.program,
    codes: result.diagnostics.map((d) => `${d.code} ${d.message}`),
  };
}

describe("global.api.auth", () => {
  it("takes the token from a variable or a file", () => {
    const env = check("  api:\n    enabled: true\n    auth: { token_env: HELR_API_TOKEN }\n");
    expect(env.program?.global.api.auth).toEqual({ env: "HELR_API_TOKEN" });
    const file = check("  api:\n    auth: { token_file: /run/secrets/helr-api }\n");
    expect(file.program?.global.api.auth).toEqual({ file: "/run/secrets/helr-api" });
    // Only the key's own "not served yet" warning (api is planned until run.ts serves it).
    expect(env.codes.filter((c) => !c.startsWith("HLR3001"))).toEqual([]);
  });

  it("leaves auth out when it is not configured", () => {
    const { program } = check("  api: { enabled: true }\n");
    expect(program?.global.api).toEqual({ enabled: true, address: "127.0.0.1", port: 8080 });
  });

  it("refuses both token_env and token_file", () => {
    const { program, codes } = check("  api:\n    auth: { token_env: T, token_file: /run/t }\n");
    expect(program).toBeUndefined();
    expect(codes).toContain("HLR3011 `token_env` and `token_file` cannot both be set");
  });

  it("refuses an auth block that names neither", () => {
    const { codes } = check("  api:\n    auth: {}\n");
    expect(codes).toContain("HLR3010 `api.auth` needs `token_env` or `token_file`");
  });

  it("refuses empty names", () => {
    const env = check('  api:\n    auth: { token_env: "" }\n');
    expect(env.program).toBeUndefined();
    expect(env.codes).toEqual(["HLR2006 `` is not an environment variable name"]);
    const file = check('  api:\n    auth: { token_file: "" }\n');
    expect(file.program).toBeUndefined();
    expect(file.codes.join("\n")).toMatch(/^HLR2/);
  });
});

describe("global.dump_on_sigusr1", () => {
  it("is implemented: no HLR3001, and the IR carries it", () => {
    const log = check("  dump_on_sigusr1: {}\n");
    expect(log.codes).toEqual([]);
    expect(log.program?.global.dumpOnSigusr1).toEqual({ destination: "log" });
    const file = check("  dump_on_sigusr1: { destination: file, path: /tmp/helr-dump.json }\n");
    expect(file.codes).toEqual([]);
    expect(file.program?.global.dumpOnSigusr1).toEqual({ destination: "file", path: "/tmp/helr-dump.json" });
  });

  it("is absent without the key", () => {
    expect(check("  log_level: info\n").program?.global.dumpOnSigusr1).toBeUndefined();
  });

  it("needs a path for a file", () => {
    expect(check("  dump_on_sigusr1: { destination: file }\n").codes).toContain(
      "HLR3010 `destination: file` needs `path`",
    );
  });
});
