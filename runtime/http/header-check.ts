/**
 * What an HTTP header can carry, checked before a request is sent. A value that reaches a header
 * from an environment variable or a secret file (`${VAR}` in `headers`, a bearer token) is only
 * known at run time; a CR or LF in it would end the header early and start another (header
 * injection). undici refuses such a request too, but its message does not name the source.
 *
 * The rules are undici's, which are RFC 9110's: a name is a token; a value is HTAB, visible ASCII,
 * space or a byte 0x80–0xFF (a string character above U+00FF cannot be sent). helrc applies the
 * same rules to the configured names and values at build time (compiler/validate/headers.ts).
 */
import { HttpError } from "./errors.ts";

/** RFC 9110 `token`: the characters a header name may have. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Why `name` cannot be a header name, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (TOKEN.test(name)) return undefined;
  return "is not an HTTP token: only letters, digits and !#$%&'*+-.^_`|~ (no spaces, colons or control characters)";
}

/** Why `value` cannot be a header value, or undefined when it can. Never quotes the value. */
export function headerValueProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff)) continue;
    if (code === 0x0a || code === 0x0d) return "contains a line break (CR or LF)";
    if (code === 0x00) return "contains a NUL character";
    if (code < 0x20 || code === 0x7f) return `contains the control character ${codePoint(code)}`;
    return `contains ${codePoint(value.codePointAt(i) ?? code)}, and a header value can carry only Latin-1 characters`;
  }
  return undefined;
}

/** A request header HTTP cannot carry: the request is not sent. Names the source and header, never the value. */
export class HeaderError extends HttpError {
  constructor(
    /** Who sends the request, as messages name it: `source "okta"`, `output https://siem…`. */
    readonly sender: string,
    readonly header: string,
    readonly part: "name" | "value",
    problem: string,
  ) {
    super(
      "HELR_HEADER_INVALID",
      part === "name"
        ? `${sender}: header name ${JSON.stringify(header)} ${problem}; the request was not sent`
        : `${sender}: the value of header ${JSON.stringify(header)} ${problem}; the request was not sent` +
            " (check the environment variable or file it comes from)",
    );
  }
}

/**
 * Checks every outgoing header (the source's, with placeholders expanded, and the ones auth
 * added). @throws HeaderError for the first that HTTP cannot carry.
 */
export function checkHeaders(headers: Readonly<Record<string, string>>, sender: string): void {
  for (const [name, value] of Object.entries(headers)) {
    const nameProblem = headerNameProblem(name);
    if (nameProblem !== undefined) throw new HeaderError(sender, name, "name", nameProblem);
    const valueProblem = headerValueProblem(value);
    if (valueProblem !== undefined) throw new HeaderError(sender, name, "value", valueProblem);
  }
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
