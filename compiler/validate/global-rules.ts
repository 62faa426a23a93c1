/**
 * Rules between keys of the `global:` block: what a chosen strategy, destination or backend
 * needs, and keys that the chosen one never reads.
 */
import type { AstNode, MapEntry } from "../ast/nodes.ts";
import { entryAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { flagAt, has, hasSecret, secretKeys, textAt } from "./lookup.ts";
import type { ConfigUnit } from "./units.ts";

/** Every global-block rule. */
export function checkGlobalRules(unit: ConfigUnit): Diagnostic[] {
  if (unit.kind !== "global") return [];
  const global = unit.node;
  return [
    ...backpressure(entryAt(global, "backpressure")),
    ...dumpDestination(entryAt(global, "dump_on_sigusr1")),
    ...stateBackend(entryAt(global, "state")),
    ...loadShedding(global),
    ...sinkAuth(global),
    ...replicasStore(global),
    ...apiAuth(entryAt(entryAt(global, "api")?.value, "auth")),
  ];
}

/**
 * `api.auth` names exactly one place for the token: both would leave an operator unsure which
 * one the API checks, and an empty block would silently leave the API open.
 */
function apiAuth(block: MapEntry | undefined): Diagnostic[] {
  if (block === undefined) return [];
  const env = entryAt(block.value, "token_env");
  const file = entryAt(block.value, "token_file");
  if (env === undefined && file === undefined) {
    return [
      diagnostic("HLR3010", block.key.span, "`api.auth` needs `token_env` or `token_file`", {
        hint: "name the variable or file that holds the API token, e.g. `token_env: HELR_API_TOKEN`, or remove `auth` (the API then only listens on loopback)",
      }),
    ];
  }
  if (env === undefined || file === undefined) return [];
  return [
    diagnostic("HLR3011", file.key.span, "`token_env` and `token_file` cannot both be set", {
      hint: "they are two ways to give the API token; keep one",
      related: [{ message: "`token_env` is set here", span: env.key.span }],
    }),
  ];
}

/** Replicas share sources through the store, so it must be one they all reach (HLR3019). */
function replicasStore(global: AstNode): Diagnostic[] {
  const enabled = entryAt(entryAt(global, "replicas")?.value, "enabled");
  if (enabled === undefined || flagAt(global, "replicas", "enabled") !== true) return [];
  const backend = textAt(global, "state", "backend") ?? "sqlite";
  if (backend === "redis" || backend === "postgres") return [];
  return [
    diagnostic(
      "HLR3019",
      enabled.value.span,
      `\`replicas: { enabled: true }\` needs a state store every replica shares, but \`state.backend\` is \`${backend}\`, which belongs to one process`,
      {
        hint: 'set `state: { backend: redis, url: "redis://…" }` or `backend: postgres` with a `url`, or turn replicas off',
      },
    ),
  ];
}

function backpressure(block: MapEntry | undefined): Diagnostic[] {
  if (block === undefined) return [];
  const strategy = entryAt(block.value, "strategy");
  const chosen = textAt(strategy?.value) ?? "block";
  const out: Diagnostic[] = [];
  if (chosen === "disk_buffer" && strategy !== undefined && !has(block.value, "disk_buffer")) {
    out.push(
      diagnostic(
        "HLR3010",
        strategy.value.span,
        "`strategy: disk_buffer` needs a `disk_buffer:` block with a `path`",
        {
          hint: "add `disk_buffer: { path: /var/lib/helr/spill.ndjson }`",
        },
      ),
    );
  }
  if (chosen !== "disk_buffer") out.push(...unused(block.value, "disk_buffer", `strategy \`${chosen}\``));
  if (chosen !== "drop") out.push(...unused(block.value, "drop_policy", `strategy \`${chosen}\``));
  return out;
}

function dumpDestination(block: MapEntry | undefined): Diagnostic[] {
  if (block === undefined) return [];
  const destination = entryAt(block.value, "destination");
  const chosen = textAt(destination?.value) ?? "log";
  if (chosen === "file" && destination !== undefined && !has(block.value, "path")) {
    return [
      diagnostic("HLR3010", destination.value.span, "`destination: file` needs `path`", {
        hint: "name the file to write, e.g. `path: /tmp/helr-dump.txt`",
      }),
    ];
  }
  return chosen === "file" ? [] : unused(block.value, "path", "destination `log`");
}

function stateBackend(block: MapEntry | undefined): Diagnostic[] {
  if (block === undefined) return [];
  const backend = entryAt(block.value, "backend");
  const chosen = textAt(backend?.value) ?? "sqlite";
  if (chosen === "postgres" && backend !== undefined && !has(block.value, "url")) {
    return [
      diagnostic("HLR3010", backend.value.span, "`backend: postgres` needs `url`", {
        hint: 'e.g. `url: "postgres://helr:${PGPASSWORD}@db/helr"`',
      }),
    ];
  }
  const networked = chosen === "redis" || chosen === "postgres";
  return unused(block.value, networked ? "path" : "url", `backend \`${chosen}\``);
}

/**
 * Load shedding acts only while backpressure is active (the reference's rule); without it the key
 * would silently do nothing, so it is an error.
 */
function loadShedding(global: AstNode): Diagnostic[] {
  const shedding = entryAt(global, "load_shedding");
  if (shedding === undefined || flagAt(global, "backpressure", "enabled") === true) return [];
  return [
    diagnostic("HLR3010", shedding.key.span, "`load_shedding` needs `backpressure.enabled: true`", {
      hint: "sources are skipped only while backpressure is active; set `backpressure: { enabled: true }`",
    }),
  ];
}

function unused(node: AstNode, key: string, because: string): Diagnostic[] {
  const entry = entryAt(node, key);
  if (entry === undefined) return [];
  return [
    diagnostic("HLR3015", entry.key.span, `\`${key}\` has no effect with ${because}`, { hint: "remove it" }),
  ];
}

/** `global.output.http.auth`: the secret its type needs, and no keys of the other type. */
function sinkAuth(global: AstNode): Diagnostic[] {
  const auth = entryAt(entryAt(entryAt(global, "output")?.value, "http")?.value, "auth");
  const type = textAt(auth?.value, "type");
  if (auth === undefined || type === undefined) return [];
  const needed = type === "bearer" ? "token" : "user";
  const out: Diagnostic[] = [];
  if (!hasSecret(auth.value, needed)) {
    out.push(
      diagnostic("HLR3008", auth.key.span, `${type} auth of the HTTP sink needs ${secretKeys(needed)}`, {
        hint: `name the environment variable (or file) that holds it, e.g. \`${needed}_env: SIEM_${needed.toUpperCase()}\``,
      }),
    );
  }
  const others = type === "bearer" ? ["user", "password"] : ["token"];
  for (const other of others) {
    for (const key of [`${other}_env`, `${other}_file`])
      out.push(...unused(auth.value, key, `\`type: ${type}\``));
  }
  if (type === "basic") out.push(...unused(auth.value, "prefix", "`type: basic`"));
  return out;
}
