/**
 * Lints: configurations that are valid but probably not what the user meant. Warnings;
 * `--strict` turns them into errors (their codes are marked `lint` in the catalog).
 */
import type { AstNode } from "../ast/nodes.ts";
import { entryAt, valueAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { DEFAULTS } from "../ir/defaults.ts";
import { entryPath, has, numberAt, textAt } from "./lookup.ts";
import type { ConfigUnit } from "./units.ts";

/** Every lint, for one source. */
export function checkLints(unit: ConfigUnit): Diagnostic[] {
  if (unit.kind !== "source") return [];
  return [
    ...plainHttpAuth(unit.node),
    ...dedupeWithoutId(unit.node),
    ...incrementalInQuery(unit.node),
    ...endlessNextLink(unit.node),
    ...overVendorBudget(unit.node),
  ];
}

/** The host of an http(s) URL as written, or undefined when a placeholder supplies it. */
function urlParts(url: string): { scheme: string; host: string; path: string } | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/?#:]*)(?::[^/?#]*)?([^?#]*)/i.exec(url);
  if (match === null) return undefined;
  return {
    scheme: (match[1] ?? "").toLowerCase(),
    host: (match[2] ?? "").toLowerCase(),
    path: match[3] ?? "",
  };
}

function isLoopback(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === "[::1]"
  );
}

/** A token or password over http:// can be read by anyone on the path. */
function plainHttpAuth(source: AstNode): Diagnostic[] {
  const auth = entryAt(source, "auth");
  if (auth === undefined) return [];
  const targets = [valueAt(source, "url"), valueAt(auth.value, "token_url")];
  return targets.flatMap((node): Diagnostic[] => {
    const url = textAt(node);
    const parts = url === undefined ? undefined : urlParts(url);
    if (node === undefined || parts?.scheme !== "http" || parts.host.includes("${") || isLoopback(parts.host))
      return [];
    return [
      diagnostic("HLR3101", node.span, `credentials would be sent unencrypted to \`${parts.host}\``, {
        hint: "use https://; plain http:// is only reasonable for localhost",
      }),
    ];
  });
}

/** Without an id path there is nothing to compare, so nothing is deduplicated. */
function dedupeWithoutId(source: AstNode): Diagnostic[] {
  const dedupe = entryAt(source, "dedupe");
  if (dedupe === undefined || has(dedupe.value, "id_path") || has(valueAt(source, "transform"), "id_field"))
    return [];
  return [
    diagnostic("HLR3102", dedupe.key.span, "`dedupe` has no id path, so no event is deduplicated", {
      hint: "set `dedupe.id_path` (or `transform.id_field`) to the event's unique id, e.g. `uuid`",
    }),
  ];
}

/** Parameters that Helr itself sets on requests, with the key that sets them. */
function ownedParams(source: AstNode): [param: string, owner: string][] {
  const out: [string, string][] = [];
  const add = (owner: string, ...keys: string[]) => {
    const value = textAt(source, ...keys);
    if (value !== undefined) out.push([value, owner]);
  };
  const stateLocation = textAt(source, "state", "location");
  if (stateLocation !== "body") add("state.watermark_param", "state", "watermark_param");
  const fromLocation = textAt(source, "incremental_from", "location");
  if (fromLocation !== "body") add("incremental_from.param_name", "incremental_from", "param_name");
  if (has(source, "from")) out.push([textAt(source, "from_param") ?? "since", "from_param"]);
  for (const key of ["cursor_param", "page_param", "offset_param", "limit_param", "start_param", "end_param"])
    add(`pagination.${key}`, "pagination", key);
  return out;
}

/** A parameter Helr sets that is also fixed in `query_params` is sent twice, with two values. */
function incrementalInQuery(source: AstNode): Diagnostic[] {
  const owned = ownedParams(source);
  return ["query_params", "every_query_params"].flatMap((map) =>
    owned.flatMap(([param, owner]): Diagnostic[] => {
      const entry = entryPath(source, map, param);
      if (entry === undefined) return [];
      return [
        diagnostic("HLR3103", entry.key.span, `\`${param}\` is set by \`${owner}\` and also in \`${map}\``, {
          hint: `remove it from \`${map}\`; \`${owner}\` sends it`,
        }),
      ];
    }),
  );
}

/** Okta's System Log always returns a next link, so a pass only ends at `max_pages`. */
function endlessNextLink(source: AstNode): Diagnostic[] {
  const pagination = entryAt(source, "pagination");
  if (pagination === undefined || textAt(pagination.value, "strategy") !== "link_header") return [];
  if (has(pagination.value, "max_pages")) return [];
  const parts = urlParts(textAt(source, "url") ?? "");
  if (parts === undefined || !isOktaHost(parts.host) || !/^\/api\/v1\/logs\/?$/.test(parts.path)) return [];
  const message =
    "this API always returns a next link; without `max_pages` a busy poll reads up to 100 pages (the default)";
  return [
    diagnostic("HLR3104", pagination.key.span, message, {
      hint: "set `max_pages` to bound each poll and pair it with `page_delay_secs`, e.g. `max_pages: 20`",
    }),
  ];
}

/** An Okta org (`*.okta.com`, `*.oktapreview.com`, `*.okta-emea.com`) or a placeholder named for Okta. */
function isOktaHost(host: string): boolean {
  if (/(^|\.)(okta|oktapreview|okta-emea)\.com$/.test(host)) return true;
  return /^\$\{[^}]*okta[^}]*\}$/i.test(host);
}

/**
 * Documented request budgets of the catalog's APIs: requests allowed per window. A poll may
 * make up to `max_pages` requests, so polling every `interval_secs` can need
 * `max_pages × window / interval` requests per window.
 */
const VENDOR_BUDGETS: readonly {
  readonly name: string;
  readonly url: RegExp;
  readonly requests: number;
  readonly windowSecs: number;
  readonly source: string;
}[] = [
  {
    name: "GitHub audit log",
    url: /(github)[^/]*\/(orgs|enterprises)\/[^/]+\/audit-log/i,
    requests: 1750,
    windowSecs: 3600,
    source: "1,750 queries per hour",
  },
  {
    name: "Slack Audit Logs",
    url: /slack[^/]*\/audit\/v1\/logs/i,
    requests: 50,
    windowSecs: 60,
    source: "Tier 3: 50 calls per minute, organisation-wide",
  },
  {
    name: "Okta System Log",
    url: /okta[^/]*\/api\/v1\/logs/i,
    requests: 60,
    windowSecs: 60,
    source: "about 60 requests per minute",
  },
  {
    name: "Cloud Logging entries.list",
    url: /logging[^/]*\/v2\/entries:list/i,
    requests: 60,
    windowSecs: 60,
    source: "60 read requests per minute per project",
  },
];

/** A schedule that, at `max_pages` requests per poll, can exceed the vendor's request budget. */
function overVendorBudget(source: AstNode): Diagnostic[] {
  const url = textAt(source, "url");
  const budget = url === undefined ? undefined : VENDOR_BUDGETS.find((b) => b.url.test(url));
  if (budget === undefined) return [];
  const intervalEntry = entryPath(source, "schedule", "interval_secs");
  const interval = numberAt(source, "schedule", "interval_secs");
  // Only a chosen interval is judged; the default one is the vendor guides' business.
  if (intervalEntry === undefined || interval === undefined) return [];
  const paged = has(valueAt(source, "pagination"), "strategy");
  const pages = paged ? (numberAt(source, "pagination", "max_pages") ?? DEFAULTS.maxPages) : 1;
  if (!(interval > 0) || !(pages > 0)) return [];
  const needed = Math.ceil((pages * budget.windowSecs) / interval);
  if (needed <= budget.requests) return [];
  const safeInterval = Math.ceil((pages * budget.windowSecs) / budget.requests);
  const node = intervalEntry.value;
  const message = `${budget.name} allows ${budget.source}; up to ${pages} pages every ${interval} s can need ${needed}`;
  return [
    diagnostic("HLR3105", node.span, message, {
      hint: `raise \`interval_secs\` to at least ${safeInterval}, or lower \`max_pages\``,
    }),
  ];
}
