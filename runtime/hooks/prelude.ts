/**
 * The sandbox's own JavaScript, evaluated in each QuickJS context before the hook script.
 *
 * It is a function of one argument, `host` (the only way out of the sandbox: `host.console` and,
 * with `allow_network`, `host.fetch`), and returns the internal API the host drives: `bind`,
 * `invoke`, `encode`, `settle`, `abandon`. `host` stays in this closure, so the script reaches
 * the outside only through `console` and `fetch`. Built-ins are captured before the script runs,
 * so a script that replaces `JSON.parse` changes only its own behaviour.
 *
 * `fetch` follows the WHATWG shape the Rust Helr's Boa runtime offers: `fetch(url, {method,
 * headers, body})` resolves to a Response with `status`, `ok`, `url`, `headers.get()` and
 * `text()`/`json()`; the body must be a string (as `JSON.stringify` gives).
 */
export const PRELUDE = `(function (host) {
  "use strict";
  const parse = JSON.parse, stringify = JSON.stringify, apply = Reflect.apply, toText = String;
  const pending = new Map();
  let table = {};

  function show(value) {
    if (typeof value === "string") return value;
    if (value instanceof Error) return value.name + ": " + value.message;
    try {
      const text = stringify(value);
      return text === undefined ? toText(value) : text;
    } catch (e) {
      return toText(value);
    }
  }
  const console = {};
  for (const level of ["log", "info", "warn", "error", "debug"]) {
    console[level] = function (...args) { host.console(level, args.map(show).join(" ")); };
  }
  globalThis.console = console;

  class Headers {
    #list = [];
    constructor(init) {
      if (init === undefined || init === null) return;
      const pairs = init instanceof Headers ? init.#list
        : Array.isArray(init) ? init
        : Object.keys(init).map((name) => [name, init[name]]);
      for (const pair of pairs) this.append(pair[0], pair[1]);
    }
    append(name, value) { this.#list.push([toText(name).toLowerCase(), toText(value)]); }
    set(name, value) { this.delete(name); this.append(name, value); }
    delete(name) { const key = toText(name).toLowerCase(); this.#list = this.#list.filter((p) => p[0] !== key); }
    has(name) { return this.get(name) !== null; }
    get(name) {
      const key = toText(name).toLowerCase();
      const values = this.#list.filter((p) => p[0] === key).map((p) => p[1]);
      return values.length === 0 ? null : values.join(", ");
    }
    getSetCookie() { return this.#list.filter((p) => p[0] === "set-cookie").map((p) => p[1]); }
    *entries() { for (const name of [...new Set(this.#list.map((p) => p[0]))].sort()) yield [name, this.get(name)]; }
    *keys() { for (const entry of this.entries()) yield entry[0]; }
    *values() { for (const entry of this.entries()) yield entry[1]; }
    forEach(callback, thisArg) { for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this); }
    [Symbol.iterator]() { return this.entries(); }
    toPairs() { return this.#list.map((p) => [p[0], p[1]]); }
  }

  class Response {
    #body;
    constructor(status, url, headers, body) {
      this.status = status;
      this.statusText = "";
      this.ok = status >= 200 && status < 300;
      this.url = url;
      this.redirected = false;
      this.headers = headers;
      this.#body = body;
    }
    text() { return Promise.resolve(this.#body); }
    json() { const body = this.#body; return new Promise((resolve) => resolve(parse(body))); }
  }

  function failure(message, site) {
    const error = new TypeError(message);
    error.stack = site;
    return error;
  }

  if (host.fetch) {
    globalThis.Headers = Headers;
    globalThis.fetch = function fetch(input, init) {
      const site = new Error().stack;
      const options = init === undefined || init === null ? {} : init;
      if (options.body !== undefined && options.body !== null && typeof options.body !== "string") {
        return Promise.reject(failure("fetch: the body must be a string (use JSON.stringify for JSON)", site));
      }
      const request = {
        url: toText(input !== null && typeof input === "object" && "url" in input ? input.url : input),
        method: toText(options.method === undefined ? "GET" : options.method).toUpperCase(),
        headers: new Headers(options.headers).toPairs(),
        body: options.body === null ? undefined : options.body,
      };
      const id = host.fetch(stringify(request));
      if (typeof id === "string") return Promise.reject(failure(id, site));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject, site }));
    };
  }

  return {
    bind(found) {
      table = found;
      const kinds = {};
      for (const name of Object.keys(found)) kinds[name] = typeof found[name];
      return stringify(kinds);
    },
    invoke(name, argsJson, bodyAt, bodyText) {
      const args = parse(argsJson);
      if (bodyAt >= 0) {
        try { args[bodyAt].body = parse(bodyText); } catch (e) { args[bodyAt].body = bodyText; }
      }
      return apply(table[name], undefined, args);
    },
    encode(value) { return stringify(value); },
    settle(id, ok, payload) {
      const waiter = pending.get(id);
      if (waiter === undefined) return;
      pending.delete(id);
      if (!ok) return waiter.reject(failure(payload, waiter.site));
      const res = parse(payload);
      waiter.resolve(new Response(res.status, res.url, new Headers(res.headers), res.body));
    },
    abandon() { pending.clear(); },
  };
})`;

/** The lookup evaluated after the script: each hook's binding, or undefined (let/const included). */
export function hookTable(names: readonly string[], exportsGlobal: string | undefined): string {
  if (exportsGlobal !== undefined) {
    const from = `(typeof ${exportsGlobal} === "object" && ${exportsGlobal} !== null ? ${exportsGlobal} : {})`;
    return `(function (e) { return { ${names.map((n) => `${n}: e.${n}`).join(", ")} }; })${from}`;
  }
  return `({ ${names.map((n) => `${n}: typeof ${n} === "undefined" ? undefined : ${n}`).join(", ")} })`;
}
