/**
 * Google's JSON error envelope (vendor-apis §6, §7), shared by the Reports and Cloud Logging mocks.
 * Discovery-based APIs such as Admin SDK Reports also carry the legacy `errors[]` list; Cloud Logging
 * (a gRPC API behind JSON transcoding) sends only code, message and status.
 */
import type { MockReply } from "./http-mock.ts";

/** What one error looks like before it is wrapped. */
export interface GoogleErrorInfo {
  readonly code: number;
  readonly status: string;
  readonly message: string;
  /** Legacy `errors[0].reason` (e.g. `authError`, `rateLimitExceeded`); absent for gRPC-style APIs. */
  readonly reason?: string;
  readonly location?: { readonly location: string; readonly locationType: string };
}

/** The reply for one error: `{"error":{code,message,errors?,status}}`. */
export function googleError(info: GoogleErrorInfo): MockReply {
  const errors =
    info.reason === undefined
      ? {}
      : { errors: [{ message: info.message, domain: "global", reason: info.reason, ...info.location }] };
  return {
    status: info.code,
    body: { error: { code: info.code, message: info.message, ...errors, status: info.status } },
  };
}

/** 401 for a missing or wrong access token. */
export const unauthenticated = (legacy: boolean): GoogleErrorInfo => ({
  code: 401,
  status: "UNAUTHENTICATED",
  message:
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
  ...(legacy ? { reason: "authError", location: { location: "Authorization", locationType: "header" } } : {}),
});

/** 429 (or a legacy 403) for an exhausted quota. */
export const quotaExceeded = (code: 403 | 429, service: string, legacy: boolean): GoogleErrorInfo => ({
  code,
  status: "RESOURCE_EXHAUSTED",
  message: `Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service '${service}' for consumer 'project_number:123456789012'.`,
  ...(legacy ? { reason: code === 403 ? "userRateLimitExceeded" : "rateLimitExceeded" } : {}),
});

/** A 5xx: 503 `UNAVAILABLE` (backendError) or 500 `INTERNAL`. */
export const serverError = (code: number, legacy: boolean): GoogleErrorInfo => ({
  code,
  status: code === 503 ? "UNAVAILABLE" : "INTERNAL",
  message: code === 503 ? "The service is currently unavailable." : "Internal error encountered.",
  ...(legacy ? { reason: "backendError" } : {}),
});

/** 400 `INVALID_ARGUMENT`. */
export const invalidArgument = (message: string, legacy: boolean): GoogleErrorInfo => ({
  code: 400,
  status: "INVALID_ARGUMENT",
  message,
  ...(legacy ? { reason: "invalid" } : {}),
});

/** 403 `PERMISSION_DENIED`. */
export const permissionDenied = (message: string, legacy: boolean): GoogleErrorInfo => ({
  code: 403,
  status: "PERMISSION_DENIED",
  message,
  ...(legacy ? { reason: "forbidden" } : {}),
});
