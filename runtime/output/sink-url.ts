/**
 * `--output` (or `HELR_OUTPUT`) as a sink target: `-` or nothing for stdout, a file path (or a
 * `file://` URL), `http://…`/`https://…`, or `nats://host:port/subject` as in the Rust Helr.
 * Pure: nothing connects here. Credentials in a URL are taken out of it (they become the sink's
 * auth) and never appear in {@link OutputTarget.display} or an error message.
 */
import { fileURLToPath } from "node:url";
import { redactUrl } from "../http/redact.ts";
import { OutputError } from "./sink.ts";

/** The subject the Rust Helr publishes to when the URL has none. */
export const DEFAULT_NATS_SUBJECT = "helr.events";
const DEFAULT_NATS_PORT = 4222;

/** Where output goes. */
export type OutputTarget =
  | { readonly kind: "stdout"; readonly display: "stdout" }
  | { readonly kind: "file"; readonly path: string; readonly display: string }
  | {
      readonly kind: "http";
      /** The URL without userinfo. */
      readonly url: string;
      /** From `user:password@` in the URL: Basic auth, unless `global.output.http.auth` is set. */
      readonly user?: string;
      readonly password?: string;
      /** Safe to print. */
      readonly display: string;
    }
  | {
      readonly kind: "nats";
      /** `host:port`. */
      readonly server: string;
      /** From the URL path, `helr.events` when empty. */
      readonly subject: string;
      /** `user:password@` in the URL. */
      readonly user?: string;
      readonly password?: string;
      /** `token@` (a user without a password) in the URL. */
      readonly token?: string;
      readonly display: string;
    };

/** `--output` is not a path or URL Helr can write to; stable code `HELR_OUTPUT_URL`. */
export class OutputUrlError extends OutputError {
  constructor(message: string) {
    super("HELR_OUTPUT_URL", message);
  }
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** `scheme://user:password@…`: the userinfo has a `:` (the password may be empty). */
const USERINFO_WITH_PASSWORD = /^[^:]+:\/\/[^/@]*:[^/@]*@/;
/** One publish subject: dot-separated tokens, no wildcards, no whitespace. */
const SUBJECT = /^[^\s.*>]+(?:\.[^\s.*>]+)*$/;

/** Parses an `--output` value; throws {@link OutputUrlError} naming the value (redacted) and the fix. */
export function parseOutputTarget(value: string | undefined): OutputTarget {
  if (value === undefined || value === "" || value === "-") return { kind: "stdout", display: "stdout" };
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "file", path: value, display: value };
  const url = parseUrl(value);
  switch (scheme) {
    case "http":
    case "https":
      return httpTarget(url);
    case "nats":
      return natsTarget(url, USERINFO_WITH_PASSWORD.test(value));
    case "file":
      return fileTarget(url);
    default:
      throw new OutputUrlError(
        `--output ${redactUrl(value)}: unknown scheme "${scheme}://"; use a file path, "-" for stdout, ` +
          "http:// or https:// (HTTP sink) or nats://host:port/subject (NATS sink)",
      );
  }
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new OutputUrlError(`--output ${redactUrl(value)}: not a valid URL`);
  }
}

function httpTarget(url: URL): OutputTarget {
  const user = decode(url.username);
  const password = decode(url.password);
  url.username = "";
  url.password = "";
  if (url.hostname === "") throw new OutputUrlError(`--output ${url.href}: the URL has no host`);
  return {
    kind: "http",
    url: url.href,
    ...(user !== "" || password !== "" ? { user, password } : {}),
    display: redactUrl(url.href),
  };
}

function natsTarget(url: URL, hasPassword: boolean): OutputTarget {
  const user = decode(url.username);
  const password = decode(url.password);
  url.username = "";
  url.password = "";
  const where = `--output ${url.href}`;
  if (url.hostname === "")
    throw new OutputUrlError(`${where}: the URL has no host (nats://host:port/subject)`);
  if (url.search !== "" || url.hash !== "")
    throw new OutputUrlError(
      `${where}: a NATS URL takes no query or fragment; set global.output.nats instead`,
    );
  const path = decode(url.pathname.replace(/^\//, ""));
  const subject = path === "" ? DEFAULT_NATS_SUBJECT : path;
  if (!isPublishSubject(subject)) {
    throw new OutputUrlError(
      `${where}: "${subject}" is not a NATS subject to publish to (dot-separated tokens, no spaces, no * or >)`,
    );
  }
  const server = `${url.hostname}:${url.port === "" ? DEFAULT_NATS_PORT : url.port}`;
  const display = `nats://${server}/${subject}`;
  // `nats://token@host` (a user and no `:`) is token auth, as in the NATS clients.
  if (user !== "" && !hasPassword) {
    return { kind: "nats", server, subject, token: user, display };
  }
  return {
    kind: "nats",
    server,
    subject,
    ...(user !== "" || password !== "" ? { user, password } : {}),
    display,
  };
}

/** A subject one can publish to: dot-separated tokens, no wildcards, no whitespace. */
export function isPublishSubject(subject: string): boolean {
  return SUBJECT.test(subject);
}

function fileTarget(url: URL): OutputTarget {
  try {
    const path = fileURLToPath(url);
    return { kind: "file", path, display: path };
  } catch (error) {
    throw new OutputUrlError(`--output ${url.href}: ${(error as Error).message}`);
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
