/** Errors from the HTTP layer carry stable codes (`HELR_HTTP_<status>`, `HELR_HTTP_TRANSPORT`). */
export class HttpError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
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
