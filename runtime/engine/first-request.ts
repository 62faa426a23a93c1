import { ApiError } from "../extract/response-errors.ts";
import { HttpStatusError } from "../http/errors.ts";
import { type FirstRequestInput, withBodyFields, withQuery } from "../paginate/types.ts";
import type { JsonValue, SourceSpec } from "../spec.ts";
import type { PassState } from "./pass-state.ts";
import type { ResolvedRequest } from "./resolve.ts";
import { markParam } from "./watermark.ts";

/**
 * The first request of a pass carries `query_params` and where to start from: the committed
 * high-water mark when there is one (query or body), else a non-empty `from`. Later pages carry neither,
 * except what the strategy repeats (cursor pages repeat the first request's parameters).
 */
export function firstInput(
  resolved: ResolvedRequest,
  pass: PassState,
  spec: SourceSpec,
  now: Date,
): FirstRequestInput {
  const query: Record<string, string> = { ...resolved.queryParams };
  const bodyFields: Record<string, JsonValue> = {};
  const mark = pass.committedMark;
  if (spec.watermark && mark !== undefined) {
    const value = markParam(mark, spec.watermark);
    if (spec.watermark.location === "body")
      bodyFields[spec.watermark.param] = /^-?\d+$/.test(value) ? Number(value) : value;
    else query[spec.watermark.param] = value;
  } else if (resolved.from && resolved.from.value !== "") {
    // An empty start (`from: "${SINCE:-}"` with SINCE unset) means "the API's own default".
    query[resolved.from.param] = resolved.from.value;
  }
  const firstBody = resolved.body === undefined ? undefined : withBodyFields(resolved.body, bodyFields);
  return {
    firstUrl: withQuery(resolved.url, query),
    pageUrl: resolved.url,
    firstBody,
    pageBody: resolved.body,
    saved: pass.saved,
    now,
  };
}

const EXPIRY = /invalid[_ ]cursor|cursor[_ ]invalid|expired|invalid[_ ]page[_ ]?token|bad[_ ]cursor/i;

/**
 * A rejected stored position: HTTP 410, or a 4xx or API error whose text says the cursor is
 * expired or invalid (Slack `invalid_cursor`, Google "invalid page token", …). Works whether or
 * not retries are configured, because it reads the final error, not a raw response.
 */
export function isCursorExpiry(error: unknown): boolean {
  if (error instanceof ApiError) return EXPIRY.test(error.apiError);
  if (error instanceof HttpStatusError) {
    return error.status === 410 || (error.status >= 400 && error.status < 500 && EXPIRY.test(error.message));
  }
  const wrapped = error as { cause?: unknown; code?: string; message?: string };
  if (wrapped?.code === "HELR_HTTP_410") return true;
  const code = wrapped?.code ?? "";
  return (code === "HELR_API_ERROR" || /^HELR_HTTP_4\d\d$/.test(code)) && EXPIRY.test(wrapped.message ?? "");
}
