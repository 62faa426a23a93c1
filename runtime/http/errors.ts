import type { ErrorCode } from "../errors/codes.ts";
import { HelrError } from "../errors/helr-error.ts";

/** Errors from the HTTP layer carry stable codes (`HELR_HTTP_<status>`, `HELR_HTTP_TRANSPORT`). */
export class HttpError extends HelrError {
  constructor(code: ErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, message, options);
  }
}

/** A non-2xx response. The message names the source, method, URL (redacted) and status. */
export class HttpStatusError extends HttpError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`HELR_HTTP_${status}`, message);
  }
}
