/**
 * CPU per page of a parseResponse hook, in-process: one Okta-style page through the hook
 * runner (the bench's `hooks` section script: every event, with `ts` and `meta.id`), and the
 * steps it is made of — the body copied into QuickJS as text, parsed there, the events mapped,
 * the result encoded as JSON, copied out, parsed and shape-checked on the host — beside the
 * host's own `JSON.parse` of the same page. No I/O, so the figures are the code's own.
 *
 * Usage: node --import tsx bench/hook-cost.ts [EVENTS_PER_PAGE] [EVENT_BYTES]
 */
import type { QuickJSContext } from "quickjs-emscripten-core";
import { hookResponse } from "../runtime/hooks/contract.ts";
import { eventTexts } from "../runtime/hooks/event-spans.ts";
import { newQuickJS } from "../runtime/hooks/quickjs.ts";
import { createHookRunner } from "../runtime/hooks/runner.ts";
import { checkEvents } from "../runtime/hooks/shape.ts";
import type { HttpResponse } from "../runtime/http/client.ts";
import { pageBody } from "./events.ts";

// The `hooks` section's script (a plain .mjs without types, hence the untyped specifier).
const hooksSection: string = "./hooks.mjs";
const { PARSE_SCRIPT } = (await import(hooksSection)) as { PARSE_SCRIPT: string };
const count = Number(process.argv[2] ?? 1000);
const eventBytes = Number(process.argv[3] ?? 700);
const body = pageBody(count, eventBytes);
const text = body.toString("utf8");
const response: HttpResponse = {
  status: 200,
  headers: new Map([["x-okta-request-id", ["req-1"]]]),
  body,
  url: "http://127.0.0.1/api/v1/logs?limit=1000",
};
const MAP = "(e) => ({ ts: e.published, event: e, meta: { id: e.uuid } })";
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const runner = await createHookRunner(
  { name: "parse.js", code: PARSE_SCRIPT, sha256: "", hooks: ["parseResponse"], env: [] },
  {
    sourceId: "okta",
    limits: { timeoutMs: 5000, memoryLimitMb: 128 },
    log: silent,
    env: {},
    allowedHosts: [],
  },
);
const ctx = { sourceId: "okta", requestId: "helr-0-1", state: {}, env: {}, headers: {} };

// A bare QuickJS context for the steps inside the sandbox, with the page already parsed.
const quickjs = await newQuickJS(256 * 1024 * 1024);
const vm: QuickJSContext = quickjs.module.newContext();
const evaluate = (code: string): void => vm.unwrapResult(vm.evalCode(code)).dispose();
const setText = (name: string, value: string): void => {
  const handle = vm.newString(value);
  vm.setProp(vm.global, name, handle);
  handle.dispose();
};
setText("pageText", text);
evaluate(`globalThis.page = JSON.parse(pageText); globalThis.mapped = page.map(${MAP});`);
evaluate("globalThis.encoded = JSON.stringify(mapped)");
const resultJson = vm.getString(vm.getProp(vm.global, "encoded"));

const cases: Record<string, () => unknown> = {
  "runner.parseResponse, whole call": () => runner.parseResponse(ctx, response),
  "events → lines (JSON.stringify each)": () =>
    (checkEvents(JSON.parse(resultJson)) ?? []).map((e) => JSON.stringify(e.event ?? null)),
  "host: bytes → text (hookResponse)": () => hookResponse(response),
  "host: JSON.parse of the page": () => JSON.parse(text),
  "copy the page text into QuickJS": () => vm.newString(text).dispose(),
  "copy the page bytes into QuickJS": () => quickjs.newString(vm, text, body)?.dispose(),
  "QuickJS: JSON.parse of the page": () => evaluate("globalThis.page = JSON.parse(pageText)"),
  "QuickJS: map to {ts, event, meta}": () => evaluate(`globalThis.mapped = page.map(${MAP})`),
  "QuickJS: JSON.stringify of the events": () => evaluate("globalThis.encoded = JSON.stringify(mapped)"),
  "copy the result out of QuickJS": () => {
    const handle = vm.getProp(vm.global, "encoded");
    vm.getString(handle);
    handle.dispose();
  },
  "read the result out of QuickJS's heap": () => {
    const handle = vm.getProp(vm.global, "encoded");
    quickjs.readString(vm, handle);
    handle.dispose();
  },
  "host: JSON.parse of the result": () => JSON.parse(resultJson),
  "host: shape check (checkEvents)": () => checkEvents(JSON.parse(resultJson)),
  "host: each event's text in the result": () => eventTexts(resultJson),
};

const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < 8; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const started = process.cpuUsage();
    for (let i = 0; i < 10; i++) await run();
    const used = process.cpuUsage(started);
    if (round >= 2) samples.get(name)?.push((used.user + used.system) / 1000 / 10);
  }
}
console.log(
  `one page: ${count} events, ${(body.length / 1000).toFixed(0)} KB; CPU ms per page, median of 6 rounds`,
);
for (const [name, values] of samples) {
  const sorted = values.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(40)} ${(sorted[sorted.length >> 1] ?? 0).toFixed(2)}`);
}
vm.dispose();
await runner.close();
