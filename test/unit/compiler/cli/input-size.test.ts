/**
 * The config size limit (issue 14): a file over 4 MiB is refused with HLR1007 at 1:1 before it is
 * parsed, and is never read whole: not by check, build, fmt or convert, not from a pipe either.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInputs } from "../../../../compiler/cli/inputs.ts";
import { main } from "../../../../compiler/cli/main.ts";
import { MAX_CONFIG_BYTES } from "../../../../compiler/syntax/size-limit.ts";

const dir = mkdtempSync(join(tmpdir(), "helrc-size-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid config of exactly `bytes` bytes: one source, then a comment that pads it. */
function config(bytes: number): string {
  const head = "sources:\n  okta:\n    url: https://acme.okta.com/api/v1/logs\n# ";
  return `${head}${"x".repeat(bytes - head.length - 1)}\n`;
}

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

const AT_LIMIT = file("at-limit.yaml", config(MAX_CONFIG_BYTES));
const OVER = file("over.yaml", config(MAX_CONFIG_BYTES + 1));
const OVER_HELR = file(
  "over.helr",
  `# ${"x".repeat(MAX_CONFIG_BYTES)}\nsource a { get "https://a.example.com" }\n`,
);

describe("the config size limit", () => {
  it("is 4 MiB per file", () => {
    expect(MAX_CONFIG_BYTES).toBe(4 * 1024 * 1024);
  });

  it("accepts a file of exactly the limit", async () => {
    const result = await helrc("check", AT_LIMIT);
    expect(result.stderr).toBe("0 errors, 0 warnings\n");
    expect(result.code).toBe(0);
  });

  it("refuses a larger one at 1:1, naming its size, the limit and how to split it", async () => {
    const result = await helrc("check", OVER);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        "over.yaml:1:1 - error HLR1007: config file is 4.0 MiB (4,194,305 bytes), over the limit of 4 MiB per file; it was not parsed",
        "",
        "1 sources:",
        "  ~",
        "hint: split the sources over several files (a directory input takes every file in it), each under the limit",
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("stops build, emit, fmt and convert the same way, writing nothing", async () => {
    for (const argv of [
      ["build", OVER, "-o", "out/helr.js"],
      ["emit", OVER, "-o", "out"],
      ["fmt", OVER_HELR],
      ["convert", OVER, "--to", "helr"],
    ]) {
      const result = await helrc(...argv);
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.stderr, argv.join(" ")).toMatch(/:1:1 - error HLR1007: config file is 4\.0 MiB/);
      expect(result.stdout, argv.join(" ")).toBe("");
    }
  });

  it("reads only the first line of a file over the limit", async () => {
    const [input] = await readInputs([OVER], dir);
    expect(input).toEqual({ path: OVER, text: "sources:", size: MAX_CONFIG_BYTES + 1 });
  });

  it("reads a pipe to its end to learn its size, keeping only its first line", async () => {
    const fifo = join(dir, "config.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const bytes = MAX_CONFIG_BYTES * 2;
    // Another process writes the pipe, as `helrc check <(generate-config)` would.
    const writer = spawn(process.execPath, [
      "-e",
      `require("fs").writeFileSync(process.argv[1], "sources:\\n" + "#".repeat(${bytes - 10}) + "\\n")`,
      fifo,
    ]);
    // Listen before reading: the writer may be done (and closed) before readInputs resolves.
    const written = new Promise((done) => writer.on("close", done));
    const [input] = await readInputs([fifo], dir);
    await written;
    expect(input).toEqual({ path: fifo, text: "sources:", size: bytes });
  });
});
