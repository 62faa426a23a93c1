/**
 * Per-source rules between keys: one of two keys required, two keys that exclude each other,
 * settings that contradict each other, and keys that have no effect next to another.
 */
import type { AstNode, MapEntry } from "../ast/nodes.ts";
import { entryAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { entryPath, flagAt, has, hasSecret, nodeAt, numberAt, secretKeys, textAt } from "./lookup.ts";
import type { ConfigUnit } from "./units.ts";

/** Every per-source combination rule. */
export function checkCombinations(unit: ConfigUnit): Diagnostic[] {
  if (unit.kind !== "source") return [];
  const source = unit.node;
  return [
    ...pageSize(source),
    ...exactlyOne(entryAt(source, "hooks"), "script", "script_inline", "a hook script"),
    ...tlsPair(source),
    ...resilienceRules(source),
    ...watermarkRules(source),
    ...requestRules(source),
  ];
}

/** page_offset and offset need the page size as `limit` or `page_size`, not both. */
function pageSize(source: AstNode): Diagnostic[] {
  const pagination = entryAt(source, "pagination");
  const strategy = textAt(pagination?.value, "strategy");
  if (strategy !== "page_offset" && strategy !== "offset") return [];
  return exactlyOne(pagination, "limit", "page_size", "the page size");
}

/** One of two keys of a block must be set, and not both. */
function exactlyOne(block: MapEntry | undefined, a: string, b: string, what: string): Diagnostic[] {
  if (block === undefined) return [];
  const first = entryAt(block.value, a);
  const second = entryAt(block.value, b);
  if (first === undefined && second === undefined) {
    return [
      diagnostic("HLR3010", block.key.span, `\`${block.key.value}\` needs \`${a}\` or \`${b}\``, {
        hint: `set ${what}`,
      }),
    ];
  }
  if (first === undefined || second === undefined) return [];
  return [
    diagnostic("HLR3011", second.key.span, `\`${a}\` and \`${b}\` cannot both be set`, {
      hint: `they are two ways to give ${what}; keep one`,
      related: [{ message: `\`${a}\` is set here`, span: first.key.span }],
    }),
  ];
}

/** Mutual TLS needs both the certificate and its key. */
function tlsPair(source: AstNode): Diagnostic[] {
  const tls = entryPath(source, "resilience", "tls");
  if (tls === undefined) return [];
  const cert = hasSecret(tls.value, "client_cert");
  const key = hasSecret(tls.value, "client_key");
  if (cert === key) return [];
  const [present, missing] = cert ? ["client_cert", "client_key"] : ["client_key", "client_cert"];
  return [
    diagnostic("HLR3010", tls.key.span, `a TLS \`${present}\` needs its \`${missing}\``, {
      hint: `mutual TLS needs both; set ${secretKeys(missing)}`,
    }),
  ];
}

function resilienceRules(source: AstNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const retries = nodeAt(source, "resilience", "retries");
  const initial = numberAt(retries, "initial_backoff_secs");
  const max = entryAt(retries, "max_backoff_secs");
  const maxValue = numberAt(max?.value);
  if (max !== undefined && initial !== undefined && maxValue !== undefined && maxValue < initial) {
    out.push(
      diagnostic(
        "HLR3014",
        max.value.span,
        `\`max_backoff_secs\` (${maxValue}) is below \`initial_backoff_secs\` (${initial})`,
        {
          hint: "the cap must be at least the first delay",
        },
      ),
    );
  }
  const breaker = entryPath(source, "resilience", "circuit_breaker");
  const rate = entryAt(breaker?.value, "failure_rate_threshold");
  if (rate !== undefined && !has(breaker?.value, "minimum_requests")) {
    out.push(
      diagnostic("HLR3010", rate.key.span, "`failure_rate_threshold` needs `minimum_requests`", {
        hint: "say after how many requests the rate counts, e.g. `minimum_requests: 10`",
      }),
    );
  }
  return [...out, ...rateLimitRules(nodeAt(source, "resilience", "rate_limit"))];
}

function rateLimitRules(rateLimit: AstNode | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const burst = entryAt(rateLimit, "burst_size");
  if (burst !== undefined && !has(rateLimit, "max_requests_per_second")) {
    out.push(
      diagnostic("HLR3010", burst.key.span, "`burst_size` needs `max_requests_per_second`", {
        hint: "a burst is measured against a rate; set `max_requests_per_second`",
      }),
    );
  }
  const adaptive = entryAt(rateLimit, "adaptive");
  const remaining = entryAt(rateLimit, "adaptive_remaining");
  if (adaptive !== undefined && remaining !== undefined && flagAt(adaptive.value) === false) {
    out.push(
      diagnostic(
        "HLR3014",
        remaining.key.span,
        "`adaptive_remaining` turns adaptive waiting on, but `adaptive` is false",
        {
          hint: "remove `adaptive: false`, or remove `adaptive_remaining`",
          related: [{ message: "`adaptive` is set here", span: adaptive.key.span }],
        },
      ),
    );
  }
  return out;
}

/** Watermarks: `state:` wins over `incremental_from:`; a body watermark needs a body. */
function watermarkRules(source: AstNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const state = entryAt(source, "state");
  const incremental = entryAt(source, "incremental_from");
  if (state !== undefined && incremental !== undefined) {
    out.push(
      diagnostic(
        "HLR3015",
        incremental.key.span,
        "`incremental_from` has no effect because `state:` is set",
        {
          hint: "`state:` takes precedence; keep one of the two",
          related: [{ message: "`state:` is set here", span: state.key.span }],
        },
      ),
    );
  }
  const post = textAt(source, "method") === "post";
  for (const block of [state, incremental]) {
    const location = entryAt(block?.value, "location");
    if (location === undefined || post || textAt(location.value) !== "body") continue;
    out.push(
      diagnostic("HLR3014", location.value.span, "`location: body` needs `method: post`", {
        hint: "a GET request has no body; use `location: query`, or `method: post`",
      }),
    );
  }
  return out;
}

/** `body` on GET and `from_param` without `from` are never sent. */
function requestRules(source: AstNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const body = entryAt(source, "body");
  if (body !== undefined && textAt(source, "method") !== "post") {
    out.push(
      diagnostic("HLR3015", body.key.span, "`body` has no effect on a GET request", {
        hint: "add `method: post`, or remove `body`",
      }),
    );
  }
  const fromParam = entryAt(source, "from_param");
  if (fromParam !== undefined && !has(source, "from")) {
    out.push(
      diagnostic("HLR3015", fromParam.key.span, "`from_param` has no effect without `from`", {
        hint: "set `from` to the start of the first request's range, or remove `from_param`",
      }),
    );
  }
  return out;
}
