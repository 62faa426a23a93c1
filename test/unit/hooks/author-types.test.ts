import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { hookContext, hookResponse } from "../../../runtime/hooks/contract.ts";
import type * as Authors from "../../../runtime/hooks/hooks.d.ts";

const dir = mkdtempSync(join(tmpdir(), "helr-hook-types-"));
copyFileSync(new URL("../../../runtime/hooks/hooks.d.ts", import.meta.url), join(dir, "hooks.d.ts"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks hook scripts against hooks.d.ts as an author's strict project would: errors per file. */
function typeErrors(sources: Readonly<Record<string, string>>): Record<string, string[]> {
  const files = Object.keys(sources).map((name) => {
    writeFileSync(join(dir, name), sources[name] ?? "");
    return join(dir, name);
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts"],
    types: [],
  });
  const errors: Record<string, string[]> = Object.fromEntries(Object.keys(sources).map((name) => [name, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file ? d.file.fileName.slice(dir.length + 1) : "(global)";
    errors[name] = [...(errors[name] ?? []), ts.flattenDiagnosticMessageText(d.messageText, "\n")];
  }
  return errors;
}

const HEADER = [
  'import type { GetAuth, ParseResponse, GetNextPage, CommitState, HookFetch } from "./hooks";',
  "declare const fetch: HookFetch;",
].join("\n");

const GOOD = `${HEADER}
export const getAuth: GetAuth = async (ctx) => {
  const res = await fetch("https://api.example.com/login", { method: "POST", body: JSON.stringify({ code: ctx.env.PAT }) });
  return res.ok ? { cookie: res.headers.get("set-cookie") ?? "" } : null;
};
export const parseResponse: ParseResponse = (ctx, response) => {
  const body = response.body as { items?: Array<{ id: string; published: string }> };
  return (body.items ?? []).map((e) => ({ ts: e.published, source: ctx.sourceId, event: e, meta: { id: e.id } }));
};
export const getNextPage: GetNextPage = (_ctx, request, response) =>
  response.headers.link ? { url: request.url } : null;
export const commitState: CommitState = (ctx, events) => ({ watermark: events.at(-1)?.ts ?? ctx.state.watermark ?? null });
`;

const BAD = `${HEADER}
export const parseResponse: ParseResponse = () => [{ ts: 1700000000, event: {} }];
export const commitState: CommitState = () => ({ skip: 50 });
`;

describe("hooks.d.ts for hook authors", () => {
  const errors = typeErrors({ "good.ts": GOOD, "bad.ts": BAD });

  it("accepts hooks written to the documented contract", () => {
    expect(errors).toMatchObject({ "good.ts": [] });
    expect(errors["(global)"]).toBeUndefined();
  });

  it("rejects a wrong return shape at compile time", () => {
    expect(errors["bad.ts"]).toHaveLength(2);
    expect(errors["bad.ts"]?.join("\n")).toMatch(/Type 'number' is not assignable to type 'string'/);
  });

  it("describes what the runtime really passes", () => {
    // Checked by tsc: the runtime's ctx and response fit the authors' types.
    const ctx: Authors.HookContext = hookContext({ sourceId: "s", requestId: "r", state: {}, env: {} }, []);
    const { head } = hookResponse({ status: 200, headers: new Map(), body: "{}" });
    const response: Authors.HookResponse = { ...head, body: {} };
    expect([ctx.sourceId, response.status]).toEqual(["s", 200]);
  });
});
