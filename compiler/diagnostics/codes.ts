/**
 * The catalog of every diagnostic the compiler can report. Codes are grouped by stage
 * (1xxx syntax, 2xxx schema, 3xxx semantic, 4xxx cross-file, 9xxx internal) and are never
 * reused: a retired code stays here, marked as retired, so old reports keep their meaning.
 * docs/diagnostics.md is generated from this table.
 */
export const DIAGNOSTIC_CODES = {
  HLR1001: {
    stage: "syntax",
    severity: "error",
    title: "YAML syntax error",
    example: "url: 'https://example.com   # missing closing quote",
  },
  HLR1002: {
    stage: "syntax",
    severity: "error",
    title: "Duplicate key in a map",
    example: "schedule:\n  interval_secs: 60\n  interval_secs: 300",
  },
  HLR1003: {
    stage: "syntax",
    severity: "error",
    title: "Map key is not a plain scalar",
    example: "? [a, b]\n: value",
  },
  HLR1004: {
    stage: "syntax",
    severity: "warning",
    title: "YAML warning (for example an unknown tag)",
    example: "url: !vault secret/okta",
  },
  HLR1005: {
    stage: "syntax",
    severity: "error",
    title: "Alias refers to its own node",
    example: "a: &loop [*loop]",
  },
  HLR1006: {
    stage: "syntax",
    severity: "error",
    title: "Merge key `<<` given something other than maps",
    example: "defaults: &d 5\nsources:\n  a:\n    <<: *d",
  },
  HLR1007: {
    stage: "syntax",
    severity: "error",
    title: "Config file larger than the 4 MiB helrc parses",
    example: "# a sources.yaml of 50 MB: split it into files of at most 4 MiB each",
  },
  HLR1101: {
    stage: "syntax",
    severity: "error",
    title: "`.helr` lexical error (unexpected character, unclosed string, bad escape)",
    example: "source okta {\n  get https://example.com/logs   # a URL must be quoted\n}",
  },
  HLR1102: {
    stage: "syntax",
    severity: "error",
    title: "`.helr` syntax error",
    example: 'source okta {\n  get "https://example.com/logs"',
  },
  HLR1103: {
    stage: "syntax",
    severity: "error",
    title: "Duration or size given to a key that does not take one",
    example: "pagination link_header { max_pages = 20s }",
  },
  HLR1104: {
    stage: "syntax",
    severity: "error",
    title: "`.helr` statement with words that are not a form",
    example: "resilience { timeout 30s }   # write timeout = 30s",
  },
  HLR1105: {
    stage: "syntax",
    severity: "error",
    title: "`env`/`file` reference where no secret can go",
    example: "headers { Authorization = env OKTA_TOKEN }",
  },
  HLR1106: {
    stage: "syntax",
    severity: "error",
    title: "`.helr` blocks or lists nested too deeply",
    example: "a { b { c { … 65 levels … } } }",
  },
  HLR2001: {
    stage: "schema",
    severity: "error",
    title: "Unknown key",
    example: "sources:\n  okta:\n    paginaton: { strategy: link_header }",
  },
  HLR2002: {
    stage: "schema",
    severity: "error",
    title: "Value has the wrong type",
    example: 'schedule:\n  interval_secs: "abc"',
  },
  HLR2003: {
    stage: "schema",
    severity: "error",
    title: "Missing required key",
    example: "sources:\n  okta:\n    method: get   # no url",
  },
  HLR2004: {
    stage: "schema",
    severity: "error",
    title: "Unknown value for an enumerated key",
    example: "method: GET   # values are lower case",
  },
  HLR2005: {
    stage: "schema",
    severity: "error",
    title: "Number or size out of range",
    example: "pagination:\n  strategy: link_header\n  max_pages: 0",
  },
  HLR2006: {
    stage: "schema",
    severity: "error",
    title: "Value does not have the expected form",
    example: "auth:\n  type: bearer\n  token_env: ${OKTA_TOKEN}   # the variable's name, not its value",
  },
  HLR2101: {
    stage: "schema",
    severity: "error",
    title: "Flicker setting with no Helr equivalent",
    example:
      "api_sources:\n  - name: okta\n    endpoint: https://example.okta.com/api/v1/logs\n    polling_frequency_ms: 1500   # Helr polls in whole seconds",
  },
  HLR2102: {
    stage: "schema",
    severity: "warning",
    title: "Secret written inline in a Flicker config",
    example:
      'api_sources:\n  - name: vendor\n    endpoint: https://api.vendor.com/v1/audit\n    api_key: "your-api-key"   # write "${VENDOR_API_KEY}"',
  },
  HLR1201: {
    stage: "syntax",
    severity: "error",
    title: "Hook script syntax error (at the script's own line and column)",
    example:
      "function parseResponse(ctx, response) {\n  return response.body.items.map((e) => ({ event: e })\n}",
  },
  HLR3001: {
    stage: "semantic",
    severity: "warning",
    title: "Key accepted but not implemented by the runtime yet",
    example: "resilience:\n  retries: { max_attempts: 5 }",
  },
  HLR3002: {
    stage: "semantic",
    severity: "error",
    title: "Auth type not supported yet",
    example: "auth:\n  type: oauth2\n  token_url: https://example.com/token\n  client_id_env: ID",
    retired:
      "every auth type the schema accepts (bearer, api_key, basic, oauth2, google_service_account) runs",
  },
  HLR3003: {
    stage: "semantic",
    severity: "error",
    title: "Pagination strategy not supported yet",
    example: "pagination:\n  strategy: cursor\n  cursor_param: cursor\n  cursor_path: next",
    retired: "every pagination strategy is implemented",
  },
  HLR3004: {
    stage: "semantic",
    severity: "error",
    title: "State backend not available yet",
    example: "global:\n  state: { backend: redis, url: redis://localhost }",
    retired: "redis and postgres state backends are available",
  },
  HLR3005: {
    stage: "semantic",
    severity: "error",
    title: "Malformed `${…}` placeholder",
    example: 'url: "https://${OKTA_DOMAIN/api/v1/logs"',
  },
  HLR3006: {
    stage: "semantic",
    severity: "error",
    title: "Placeholder in a field that is not expanded",
    example: "auth:\n  type: bearer\n  prefix: ${AUTH_PREFIX}",
  },
  HLR3007: {
    stage: "semantic",
    severity: "warning",
    title: "`$NAME` without braces is kept literally",
    example: 'url: "https://$OKTA_DOMAIN/api/v1/logs"',
  },
  HLR3008: {
    stage: "semantic",
    severity: "error",
    title: "Auth without a source for a secret it needs",
    example: "auth:\n  type: bearer\n  prefix: SSWS",
  },
  HLR3009: {
    stage: "semantic",
    severity: "error",
    title: "URL is not an absolute http(s) URL",
    example: "url: api.github.com/orgs/acme/audit-log",
  },
  HLR3010: {
    stage: "semantic",
    severity: "error",
    title: "A key that another key's value requires is missing",
    example: "pagination:\n  strategy: page_offset\n  page_param: page\n  limit_param: per_page   # no limit",
  },
  HLR3011: {
    stage: "semantic",
    severity: "error",
    title: "Keys that exclude each other are both set",
    example: 'hooks:\n  script: audit.js\n  script_inline: "function getAuth() {}"',
  },
  HLR3012: {
    stage: "semantic",
    severity: "error",
    title: "Invalid regular expression",
    example: 'include_regex: ["user\\.(login"]',
  },
  HLR3013: {
    stage: "semantic",
    severity: "error",
    title: "Invalid dotted path",
    example: "transform:\n  timestamp_field: event..time",
  },
  HLR3014: {
    stage: "semantic",
    severity: "error",
    title: "Settings contradict each other",
    example: "retries:\n  initial_backoff_secs: 30\n  max_backoff_secs: 5",
  },
  HLR3015: {
    stage: "semantic",
    severity: "warning",
    lint: true,
    title: "Key has no effect in this combination",
    example: "method: get\nbody: { limit: 100 }   # a GET request has no body",
  },
  HLR3016: {
    stage: "semantic",
    severity: "error",
    title: "Request body value JSON cannot carry",
    example: "method: post\nbody: { limit: .inf }",
  },
  HLR3017: {
    stage: "semantic",
    severity: "error",
    title: "Header name is not an HTTP token (a space, colon or control character)",
    example: "auth:\n  type: api_key\n  header: 'X-API-Key:'\n  key_env: VENDOR_KEY",
  },
  HLR3018: {
    stage: "semantic",
    severity: "error",
    title: "Header value with a character HTTP cannot carry (CR, LF, NUL, another control character)",
    example: 'auth:\n  type: bearer\n  token_env: OKTA_TOKEN\n  prefix: "SSWS\\r\\nX-Injected: 1"',
  },
  HLR3019: {
    stage: "semantic",
    severity: "error",
    title: "`replicas` enabled with a state store that belongs to one process (sqlite or memory)",
    example: "global:\n  state: { backend: sqlite }\n  replicas: { enabled: true }",
  },
  HLR3101: {
    stage: "semantic",
    severity: "warning",
    lint: true,
    title: "Credentials sent over plain http:// to a non-loopback host",
    example: "url: http://api.example.com/logs\nauth: { type: bearer, token_env: TOKEN }",
  },
  HLR3102: {
    stage: "semantic",
    severity: "warning",
    lint: true,
    title: "`dedupe` without an id path does nothing",
    example: "dedupe:\n  capacity: 10000   # no id_path and no transform.id_field",
  },
  HLR3103: {
    stage: "semantic",
    severity: "warning",
    lint: true,
    title: "Incremental parameter also set in `query_params`",
    example:
      "incremental_from: { state_key: t, event_timestamp_path: ts, param_name: oldest }\nquery_params: { oldest: 0 }",
  },
  HLR3104: {
    stage: "semantic",
    severity: "warning",
    lint: true,
    title: "API that always returns a next link, without `max_pages`",
    example: "url: https://acme.okta.com/api/v1/logs\npagination: { strategy: link_header }",
  },
  HLR3105: {
    stage: "semantic",
    severity: "warning",
    lint: true,
    title: "poll schedule can exceed the vendor's documented request budget",
    example:
      "url: https://api.slack.com/audit/v1/logs\nschedule: { interval_secs: 10 }\npagination: { strategy: cursor, max_pages: 25 }",
  },
  HLR3201: {
    stage: "semantic",
    severity: "error",
    title: "Hook script imports a module (the sandbox has no module loader)",
    example: 'import { parse } from "./helpers.js";',
  },
  HLR3202: {
    stage: "semantic",
    severity: "error",
    title: "Hook script defines none of the five hooks",
    example: "function parse(ctx, response) { return []; }",
  },
  HLR3203: {
    stage: "semantic",
    severity: "error",
    title: "Hook script reads `ctx.env` dynamically without a `hooks.env` list",
    example: "const token = ctx.env[name];",
  },
  HLR3204: {
    stage: "semantic",
    severity: "error",
    title: "Hook script reads an environment variable `hooks.env` does not list",
    example: "hooks: { script: a.js, env: [API_KEY] }   # a.js reads ctx.env.API_TOKEN",
  },
  HLR3205: {
    stage: "semantic",
    severity: "warning",
    title: "Hook script defines a name close to a hook's (it is not called)",
    example: "function getauth(ctx) { … }",
  },
  HLR3206: {
    stage: "semantic",
    severity: "warning",
    title: "Hook defined but not exported in a script with exports (it is not called)",
    example: "export function getAuth() {}\nfunction parseResponse() {}",
  },
  HLR3207: {
    stage: "semantic",
    severity: "warning",
    title: "Hook script uses a Node.js global the sandbox does not have",
    example: "const fs = require('fs');",
  },
  HLR3208: {
    stage: "semantic",
    severity: "warning",
    title: "Hook script calls fetch() but `global.hooks.allow_network` is not true",
    example: "await fetch('https://api.example.com/login')   # allow_network: false",
  },
  HLR3209: {
    stage: "semantic",
    severity: "warning",
    title: "Source has hooks but `global.hooks.enabled` is not true (they are not run)",
    example: "sources:\n  a:\n    hooks: { script: a.js }   # no global.hooks.enabled: true",
  },
  HLR4001: {
    stage: "cross-file",
    severity: "error",
    title: "Source id defined in more than one file",
    example: "a.yaml and b.yaml both define sources.okta-audit",
  },
  HLR4002: {
    stage: "cross-file",
    severity: "error",
    title: "More than one file has a `global:` block",
    example: "a.yaml and b.yaml both have global:",
  },
  HLR4003: {
    stage: "cross-file",
    severity: "error",
    title: "No sources defined",
    example: "global:\n  log_level: info   # and no sources: anywhere",
  },
  HLR4004: {
    stage: "cross-file",
    severity: "error",
    title: "Hook script file is missing or unreadable",
    example: "hooks:\n  script: andromeda-audit.js   # no hooks/andromeda-audit.js next to the config",
  },
  HLR9001: {
    stage: "internal",
    severity: "error",
    title: "Internal compiler error (a bug in helrc)",
    example: "(cannot be triggered by a config; please report it)",
  },
} as const satisfies Readonly<Record<`HLR${number}`, CodeInfo>>;

/** One catalog entry. */
export interface CodeInfo {
  readonly stage: "syntax" | "schema" | "semantic" | "cross-file" | "internal";
  readonly severity: Severity;
  readonly title: string;
  readonly example: string;
  /** A lint: likely a mistake but not wrong; a warning that `--strict` turns into an error. */
  readonly lint?: boolean;
  /** Set when the compiler no longer reports the code: why. The code is never reused. */
  readonly retired?: string;
}

/** Errors stop the build; warnings are printed and the build goes on. */
export type Severity = "error" | "warning";

/** Every code the compiler can report. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
