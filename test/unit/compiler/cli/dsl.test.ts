/** `helrc fmt` and `helrc convert`, run in-process against files in a temporary directory. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYamlText } from "yaml";
import { main } from "../../../../compiler/cli/main.ts";
import { analyze } from "../../../../compiler/pipeline.ts";
import { configOf } from "../syntax/dsl/support.ts";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "helr-dsl-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function helrc(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
    env: {},
    cwd: dir,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const MESSY = "# keep me\nsource a{url='https://x'\n\n\nevery 300s}\n";
const CANONICAL = '# keep me\nsource a {\n  url = "https://x"\n\n  every 5m\n}\n';
const YAML =
  '# a comment\nsources:\n  a:\n    url: "https://x/${HOST}"\n    schedule:\n      interval_secs: 300\n';

describe("helrc fmt", () => {
  it("prints canonical text, leaving the file alone", async () => {
    writeFileSync(join(dir, "a.helr"), MESSY);
    expect(await helrc("fmt", "a.helr")).toEqual({ code: 0, stdout: CANONICAL, stderr: "" });
    expect(readFileSync(join(dir, "a.helr"), "utf8")).toBe(MESSY);
  });

  it("--check exits 1 for a file that is not canonical and 0 for one that is", async () => {
    writeFileSync(join(dir, "a.helr"), MESSY);
    writeFileSync(join(dir, "b.helr"), CANONICAL.replace("source a", "source b"));
    const result = await helrc("fmt", "--check", ".");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('helrc: a.helr is not formatted; run "helrc fmt --write a.helr"\n');
    expect((await helrc("fmt", "--check", "b.helr")).code).toBe(0);
  });

  it("--write rewrites only files that change, and finds .helr files in directories", async () => {
    writeFileSync(join(dir, "a.helr"), MESSY);
    writeFileSync(join(dir, "b.yaml"), YAML);
    expect(await helrc("fmt", "--write", ".")).toEqual({
      code: 0,
      stdout: "helrc: formatted a.helr\n",
      stderr: "",
    });
    expect(readFileSync(join(dir, "a.helr"), "utf8")).toBe(CANONICAL);
    expect(readFileSync(join(dir, "b.yaml"), "utf8")).toBe(YAML);
    expect((await helrc("fmt", "--write", "a.helr")).stdout).toBe("");
  });

  it("reports syntax errors instead of formatting, and exits 1", async () => {
    writeFileSync(join(dir, "bad.helr"), "source a {\n");
    const result = await helrc("fmt", "--write", "bad.helr");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bad.helr:1:10 - error HLR1102: `{` is never closed");
    expect(readFileSync(join(dir, "bad.helr"), "utf8")).toBe("source a {\n");
  });

  it("refuses YAML files and conflicting flags", async () => {
    writeFileSync(join(dir, "b.yaml"), YAML);
    expect((await helrc("fmt", "b.yaml")).stderr).toContain("b.yaml is not a .helr file");
    expect((await helrc("fmt", "--write", "--check", "b.yaml")).code).toBe(2);
  });
});

describe("helrc convert", () => {
  it("turns YAML into .helr with the same config, saying that comments are dropped", async () => {
    writeFileSync(join(dir, "a.yaml"), YAML);
    const result = await helrc("convert", "a.yaml", "--to", "helr");
    expect(result).toEqual({
      code: 0,
      stdout: 'source a {\n  url = "https://x/${HOST}"\n  every 5m\n}\n',
      stderr: "helrc: note: comments in a.yaml are not carried over\n",
    });
    expect(configOf(result.stdout)).toEqual(parseYamlText(YAML));
  });

  it("turns .helr into YAML with keys in input order and placeholders verbatim", async () => {
    writeFileSync(join(dir, "a.helr"), CANONICAL);
    const result = await helrc("convert", "a.helr", "--to", "yaml", "-o", "out/a.yaml");
    expect(result.code).toBe(0);
    const yaml = readFileSync(join(dir, "out/a.yaml"), "utf8");
    expect(yaml).toBe("sources:\n  a:\n    url: https://x\n    schedule:\n      interval_secs: 300\n");
    const fromYaml = analyze([{ path: "a", text: yaml }]).program;
    const fromHelr = analyze([{ path: "a.helr", text: CANONICAL }]).program;
    expect(fromYaml).toBeDefined();
    expect({ ...fromYaml, sources: fromYaml?.sources.map((s) => ({ ...s, origin: "" })) }).toEqual({
      ...fromHelr,
      sources: fromHelr?.sources.map((s) => ({ ...s, origin: "" })),
    });
  });

  it("needs --to, one file, and reports syntax errors", async () => {
    writeFileSync(join(dir, "a.yaml"), YAML);
    expect((await helrc("convert", "a.yaml")).code).toBe(2);
    expect((await helrc("convert", "a.yaml", "--to", "json")).code).toBe(2);
    expect((await helrc("convert", "a.yaml", "b.yaml", "--to", "helr")).code).toBe(2);
    writeFileSync(join(dir, "bad.yaml"), "a: [\n");
    const bad = await helrc("convert", "bad.yaml", "--to", "helr");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error HLR1001");
  });

  it("explains a config .helr cannot hold", async () => {
    writeFileSync(join(dir, "list.yaml"), "- a\n- b\n");
    const result = await helrc("convert", "list.yaml", "--to", "helr");
    expect(result).toMatchObject({
      code: 1,
      stderr:
        "helrc: cannot convert list.yaml: the top level of a config must be a map of keys, not a list\n",
    });
  });
});
