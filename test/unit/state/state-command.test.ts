import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App, BoundSource } from "../../../runtime/app.ts";
import { type StateIo, stateCommand } from "../../../runtime/cli/state.ts";
import { UsageError } from "../../../runtime/cli/usage.ts";
import { sqliteStore } from "../../../runtime/state/sqlite.ts";
import { StateError } from "../../../runtime/state/store.ts";

let dir: string;
let app: App;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "helr-state-cli-"));
  app = {
    version: "0.0.0",
    global: { state: { backend: "sqlite", path: join(dir, "state.db") } } as App["global"],
    sources: ["okta", "github"].map((id) => ({ spec: { id } }) as BoundSource),
    stores: { sqlite: sqliteStore },
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `helr state …` with captured output. */
async function state(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: StateIo = {
    env: {},
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    stdin: async () => stdin,
  };
  const code = await stateCommand(app, args, io);
  return { code, out, err };
}

describe("helr state", () => {
  it("shows, sets, and resets one source with the Rust Helr's output", async () => {
    expect(await state(["show", "okta"])).toEqual({ code: 0, out: "okta (no state)\n", err: "" });
    expect((await state(["set", "okta", "watermark", "2024-01-01T00:00:00Z"])).out).toBe(
      'set okta watermark = "2024-01-01T00:00:00Z"\n',
    );
    expect((await state(["set", "okta", "next_url", 'https://h/logs?after="x"'])).out).toBe(
      'set okta next_url = "https://h/logs?after=\\"x\\""\n',
    );
    expect((await state(["show", "okta"])).out).toBe(
      'okta\n  next_url: https://h/logs?after="x"\n  watermark: 2024-01-01T00:00:00Z\n',
    );
    expect((await state(["reset", "okta"])).out).toBe('reset state for source "okta"\n');
    expect((await state(["show", "okta"])).out).toBe("okta (no state)\n");
  });

  it("exports pretty JSON and imports it back (upsert: other keys stay)", async () => {
    await state(["set", "okta", "next_url", "https://h/1"]);
    await state(["set", "github", "cursor", "c1"]);
    await state(["set", "github", "b", "ü😀"]);
    const exported = await state(["export"]);
    expect(exported.out).toBe(
      `${JSON.stringify({ github: { b: "ü😀", cursor: "c1" }, okta: { next_url: "https://h/1" } }, null, 2)}\n`,
    );
    await state(["reset", "okta"]);
    await state(["set", "github", "cursor", "c2"]);
    await state(["set", "github", "extra", "kept"]);
    const imported = await state(["import"], exported.out);
    expect(imported).toEqual({ code: 0, out: "imported 3 key(s) for 2 source(s)\n", err: "" });
    expect(JSON.parse((await state(["export"])).out)).toEqual({
      github: { b: "ü😀", cursor: "c1", extra: "kept" },
      okta: { next_url: "https://h/1" },
    });
  });

  it("imports from --file", async () => {
    const file = join(dir, "state.json");
    writeFileSync(file, '{"okta": {"watermark": "9"}}');
    expect((await state(["import", "--file", file])).out).toBe("imported 1 key(s) for 1 source(s)\n");
    expect((await state(["show", "okta"])).out).toBe("okta\n  watermark: 9\n");
  });

  it.each([
    ["[1]", /^state import: stdin: expected an object \{"<source>": \{"<key>": "<value>"\}\}, got an array$/],
    [
      '{"okta": "x"}',
      /^state import: stdin: source "okta": expected an object of string values, got a string$/,
    ],
    [
      '{"okta": {"a": "1"}, "github": {"cursor": 5}}',
      /^state import: stdin: source "github", key "cursor": value must be a string, got a number$/,
    ],
    ['{"okta": {"a": null}}', /source "okta", key "a": value must be a string, got null$/],
    ['{"": {}}', /a source id is empty/],
    ["{oops", /^state import: stdin is not valid JSON: /],
  ])("refuses %s before writing anything", async (text, message) => {
    const error = await state(["import"], text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe("HELR_STATE_IMPORT");
    expect((error as Error).message).toMatch(message);
    expect((await state(["export"])).out).toBe("{}\n");
  });

  it("notes a source the bundle does not define, and still shows, resets and imports it", async () => {
    expect(await state(["import"], '{"renamed": {"k": "v"}}')).toMatchObject({
      code: 0,
      err: 'note: source "renamed" is not defined in this bundle\n',
    });
    expect(await state(["show", "renamed"])).toEqual({
      code: 0,
      out: "renamed\n  k: v\n",
      err: 'note: source "renamed" is not defined in this bundle\n',
    });
    expect((await state(["reset", "renamed"])).out).toBe('reset state for source "renamed"\n');
  });

  it("refuses to set a key for a source the bundle does not define, naming the ones it does", async () => {
    const error = await state(["set", "otka", "k", "v"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'state set: source "otka" is not defined in this bundle; it has: okta, github',
    );
    expect((await state(["export"])).out).toBe("{}\n");
  });

  it("honours --state-path", async () => {
    const other = join(dir, "other.db");
    await state(["set", "okta", "k", "v", "--state-path", other]);
    expect((await state(["show", "okta"])).out).toBe("okta (no state)\n");
    expect((await state(["show", "okta", "--state-path", other])).out).toBe("okta\n  k: v\n");
  });

  it.each([
    [[], /state needs a subcommand; use one of: show, reset, set, export, import/],
    [["frob"], /state has no subcommand "frob"/],
    [["show"], /usage: helr state show <source>/],
    [["set", "okta", "k"], /usage: helr state set <source> <key> <value>/],
    [["export", "extra"], /usage: helr state export/],
    [["show", "okta", "--file", "x"], /--file is only for `state import`/],
    [["show", "okta", "--bogus"], /Unknown option '--bogus'/],
    [["import"], /state import reads JSON from stdin \(pipe it in\) or --file FILE/],
  ])("usage error for %j", async (args, message) => {
    const error = await state(args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});
