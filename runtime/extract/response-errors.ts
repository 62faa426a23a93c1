/**
 * When a 2xx response is not a page of events (issue: a 200 must never be a silent "ok, 0
 * events" that advances the position). The rules are data in the source's spec
 * (`responseErrors`), filled by the compiler, so a generated module shows every rule that
 * applies to it:
 * - a body that is JSON but neither an object nor an array (`null`, `"text"`, `42`) is a parse
 *   error, so `on_parse_error` applies;
 * - `okField: false` (Slack's `{"ok": false, "error": "invalid_auth"}`) is an API error;
 * - an object with no events array but one of `errorFields` (`error`, `errors`) is an API error.
 * An object that simply omits the events member (Google, when a page is empty) stays an empty page.
 */
import { redactSecrets } from "../config/secret-registry.ts";
import { HelrError } from "../errors/helr-error.ts";
import type { ResponseErrorSpec } from "../spec.ts";
import { type Extraction, ParseError } from "./events.ts";

/** A 2xx response that reports an error in its body; the message quotes it (redacted, shortened). */
export class ApiError extends HelrError {
  constructor(
    /** The API's own error text or code (Slack `invalid_auth`), for hints and cursor-expiry checks. */
    readonly apiError: string,
    detail?: string,
  ) {
    super("HELR_API_ERROR", `API error: ${apiError}${detail !== undefined ? ` (${detail})` : ""}`);
  }
}

/** Throws when the extracted response is an error report rather than a page. */
export function checkResponse(extraction: Extraction, rules: ResponseErrorSpec, body: Buffer): void {
  if (extraction.root === "other") {
    throw new ParseError(
      `response body is ${jsonKind(extraction.document)}, not an object or an array of events: ${excerpt(body)}`,
    );
  }
  const top = extraction.top;
  if (rules.okField !== undefined && top[rules.okField] === false) {
    const text = rules.messageField !== undefined ? top[rules.messageField] : undefined;
    throw new ApiError(typeof text === "string" && text !== "" ? text : `${rules.okField}: false`);
  }
  if (extraction.found && extraction.events.length > 0) return;
  const reported = rules.errorFields.find((key) => isReported(top[key]));
  if (reported !== undefined) throw new ApiError(`"${reported}" in a response without events`, excerpt(body));
}

/** A member that carries an error: not absent, null, false or empty. */
function isReported(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  return !(typeof value === "object" && Object.keys(value).length === 0);
}

function jsonKind(value: unknown): string {
  if (value === null) return "JSON null";
  return `a JSON ${typeof value}`;
}

/** The start of a body for a message: secrets masked before it is cut, whitespace folded. */
export function excerpt(body: Buffer, max = 300): string {
  const text = redactSecrets(body.toString("utf8", 0, Math.min(body.length, 65_536)));
  const folded = text.replace(/\s+/g, " ").trim();
  return folded.length > max ? `${folded.slice(0, max)}…` : folded;
}
