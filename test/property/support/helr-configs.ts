/**
 * fast-check arbitraries for the `.helr` round-trip properties: valid Helr configs as plain
 * objects (what YAML or JSON would parse to), and arbitrary config-shaped data that need not
 * be valid but exercises every shorthand of the printer.
 */
import fc from "fast-check";

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
type Obj = { [key: string]: Plain };

/** Characters that stress quoting: quotes, backslashes, comment and bracket marks, separators, unicode. */
const TRICKY = fc.constantFrom(
  '"',
  "'",
  "\\",
  "#",
  "{",
  "}",
  "[",
  "]",
  "=",
  ":",
  ";",
  ",",
  " ",
  "\t",
  "é",
  "😀",
  "\u2028",
  "ß",
  "\u00a0",
  "/",
);

/** Text without `$` (placeholder syntax is generated separately) and without line breaks or NUL. */
const plainText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom("a", "Z", "0", "-", "_", "."),
      TRICKY,
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  })
  .map((s) => [...s].filter((c) => !["$", "\r", "\n", "\u0000"].includes(c)).join(""));

const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/);

/** A template string: text, `$$`, `${NAME}` and `${NAME:-default}` in any mix. */
const template = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: plainText },
      { weight: 1, arbitrary: fc.constant("$$") },
      { weight: 1, arbitrary: envName.map((n) => `\${${n}}`) },
      {
        weight: 1,
        arbitrary: fc.tuple(envName, plainText).map(([n, d]) => `\${${n}:-${d.replace(/}/g, "")}}`),
      },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(""));

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const dottedPath = fc.array(word, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("."));
const filePath = fc
  .tuple(plainText, template)
  .map(([a, b]) => `/run/${a}${b}`.replace(/^\/run\/$/, "/run/x"));
const headerName = fc.stringMatching(/^[A-Za-z0-9!#%&'*+.^_`|~-]{1,16}$/).filter((n) => !n.includes("$"));
const queryName = plainText.filter((n) => n.length > 0);
const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);

/** A secret from an env var or a file (or both), under `name_env` / `name_file`. */
function secret(name: string): fc.Arbitrary<Obj> {
  return fc.oneof(
    envName.map((v): Obj => ({ [`${name}_env`]: v })),
    filePath.map((v): Obj => ({ [`${name}_file`]: v })),
  );
}

const auth: fc.Arbitrary<Obj> = fc.oneof(
  fc
    .tuple(secret("token"), fc.option(fc.constantFrom("Bearer", "SSWS", "token"), { nil: undefined }))
    .map(([token, prefix]) => ({ type: "bearer", ...token, ...(prefix === undefined ? {} : { prefix }) })),
  fc
    .tuple(
      secret("key"),
      fc.oneof(
        headerName.map((header) => ({ header })),
        word.map((param) => ({ location: "query", param })),
      ),
    )
    .map(([key, where]) => ({ type: "api_key", ...where, ...key })),
  fc.tuple(secret("user"), fc.option(secret("password"), { nil: undefined })).map(([user, password]) => ({
    type: "basic",
    ...user,
    ...(password ?? {}),
  })),
  fc
    .tuple(secret("client_id"), secret("client_secret"), fc.array(word, { maxLength: 3 }))
    .map(([clientId, clientSecret, scopes]) => ({
      type: "oauth2",
      token_url: "https://auth.example.com/oauth2/token",
      ...clientId,
      ...clientSecret,
      ...(scopes.length > 0 ? { scopes } : {}),
    })),
  fc
    .tuple(secret("credentials"), fc.array(word, { minLength: 1, maxLength: 2 }))
    .map(([credentials, scopes]) => ({
      type: "google_service_account",
      ...credentials,
      scopes,
    })),
);

const maxPages = fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined });

const pagination: fc.Arbitrary<Obj> = fc.oneof(
  fc.tuple(fc.constantFrom("next", "Next"), maxPages).map(([rel, max]) => ({
    strategy: "link_header",
    rel,
    ...(max === undefined ? {} : { max_pages: max }),
  })),
  fc.tuple(word, dottedPath, maxPages).map(([param, path, max]) => ({
    strategy: "cursor",
    cursor_param: param,
    cursor_path: path,
    ...(max === undefined ? {} : { max_pages: max }),
  })),
  fc.tuple(word, word, fc.integer({ min: 1, max: 500 })).map(([page, limit, size]) => ({
    strategy: "page_offset",
    page_param: page,
    limit_param: limit,
    limit: size,
  })),
  fc.tuple(word, word, fc.integer({ min: 1, max: 500 })).map(([offset, limit, size]) => ({
    strategy: "offset",
    offset_param: offset,
    limit_param: limit,
    limit: size,
  })),
  fc.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1, max: 86400 })).map(([lag, window]) => ({
    strategy: "time_window",
    lag_secs: lag,
    max_window_secs: window,
  })),
);

const schedule: fc.Arbitrary<Obj> = fc
  .tuple(
    fc.integer({ min: 1, max: 172800 }),
    fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }),
  )
  .map(([interval, jitter]) => ({
    interval_secs: interval,
    ...(jitter === undefined ? {} : { jitter_secs: jitter }),
  }));

/** A template with only characters a header value can carry (HTAB, visible ASCII, space, Latin-1). */
const headerValue = template.map((v) =>
  [...v].filter((c) => c === "\t" || (c >= " " && c <= "~") || (c >= "\u0080" && c <= "\u00ff")).join(""),
);
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 3 });
const queryParams = fc.dictionary(queryName, fc.oneof(template, fc.integer({ min: -1e9, max: 1e9 })), {
  maxKeys: 3,
});

const resilience: fc.Arbitrary<Obj> = fc
  .tuple(
    fc.integer({ min: 1, max: 300 }),
    fc.option(
      fc.record({
        max_attempts: fc.integer({ min: 0, max: 10 }),
        initial_backoff_secs: fc.constantFrom(0.25, 0.5, 1, 2),
      }),
      { nil: undefined },
    ),
  )
  .map(([timeout, retries]) => ({ timeout_secs: timeout, ...(retries === undefined ? {} : { retries }) }));

/**
 * JSON without `$` in its strings (a `$` there is placeholder syntax, generated separately) and
 * without -0, which a JSON request body cannot carry apart from 0.
 */
function withoutDollars(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (typeof value === "string") return value.replace(/\$/g, "");
  if (Array.isArray(value)) return value.map(withoutDollars);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/\$/g, ""), withoutDollars(v)]),
    );
  }
  return value;
}
const body = fc.dictionary(
  plainText,
  fc.jsonValue({ maxDepth: 2 }).map(withoutDollars) as fc.Arbitrary<Plain>,
  {
    maxKeys: 3,
  },
);

/** One valid source with paging from `paging`. Optional parts are present or absent independently. */
const source = (paging: fc.Arbitrary<Obj>): fc.Arbitrary<Obj> =>
  fc
    .record(
      {
        url: fc
          .tuple(
            fc.constantFrom("https://${HOST}", "https://api.example.com"),
            fc.array(word, { maxLength: 3 }),
          )
          .map(([base, path]) => `${base}/${path.join("/")}`),
        post: fc.option(body, { nil: undefined }),
        auth,
        pagination: paging,
        schedule,
        headers,
        query_params: queryParams,
        resilience,
        transform: fc.record({ timestamp_field: dottedPath, id_field: dottedPath }, { requiredKeys: [] }),
        max_bytes: fc.integer({ min: 1, max: 2 ** 40 }),
        priority: fc.integer({ min: 0, max: 10 }),
      },
      { requiredKeys: ["url"] },
    )
    .map(({ post, ...rest }) => (post === undefined ? rest : { ...rest, method: "post", body: post }));

const global: fc.Arbitrary<Obj> = fc.record(
  {
    log_level: fc.constantFrom("trace", "debug", "info", "warn", "error"),
    log_format: fc.constantFrom("json", "pretty"),
    state: fc.oneof(
      filePath.map((path): Obj => ({ backend: "sqlite", path })),
      fc.constant<Obj>({ backend: "memory" }),
    ),
  },
  { requiredKeys: [] },
);

function configWith(paging: fc.Arbitrary<Obj>): fc.Arbitrary<Obj> {
  return fc
    .tuple(
      fc.option(global, { nil: undefined }),
      fc.uniqueArray(fc.tuple(id, source(paging)), { minLength: 1, maxLength: 3, selector: ([key]) => key }),
    )
    .map(([g, sources]) => ({
      ...(g === undefined ? {} : { global: g }),
      sources: Object.fromEntries(sources),
    }));
}

/**
 * A valid config file: an optional `global` and one to three sources with unique ids, using
 * every auth type and paging strategy of the schema.
 */
export const validConfig: fc.Arbitrary<Obj> = configWith(pagination);

/** A valid config whose sources page only with `link_header`, which every runtime version runs. */
export const linkHeaderConfig: fc.Arbitrary<Obj> = configWith(
  pagination.filter((p) => p.strategy === "link_header"),
);

/** Keys the printer treats specially, mixed with arbitrary ones. */
const configKey = fc.oneof(
  fc.constantFrom(
    "sources",
    "global",
    "source",
    "auth",
    "pagination",
    "schedule",
    "state",
    "method",
    "url",
    "type",
    "strategy",
    "backend",
    "path",
    "interval_secs",
    "jitter_secs",
    "timeout_secs",
    "batch_timeout_ms",
    "max_bytes",
    "token_env",
    "ca_file",
    "headers",
    "query_params",
    "body",
    "every",
    "get",
    "_secs",
    "_env",
    "x_secs",
    "true",
    "env",
  ),
  fc.string({ unit: "binary", maxLength: 6 }),
);

const scalar: fc.Arbitrary<Plain> = fc.oneof(
  fc.constantFrom("get", "post", "bearer", "sqlite", "link_header", "", "30s", "true", "env"),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

/** Config-shaped data, valid or not: nested maps with special keys and any scalars. */
export const configShaped: fc.Arbitrary<Obj> = fc.letrec<{ value: Plain; map: Obj }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    tie("map"),
    fc.array(tie("value"), { maxLength: 3 }),
  ),
  map: fc.dictionary(configKey, tie("value"), { maxKeys: 4 }),
})).map;
