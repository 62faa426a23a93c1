/**
 * A paginator is pure policy: given what a page looked like, it decides the next request and
 * the position to store. The engine does all I/O, so every strategy gets the same retries,
 * checkpointing and error handling.
 */

export interface PageRequest {
  readonly url: string;
}

/** What a paginator may look at after a page was received and its events written. */
export interface PageView {
  readonly request: PageRequest;
  readonly status: number;
  /** Header name (lower case) → every value received for it. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly eventCount: number;
  /** 1-based number of this page within the current pass. */
  readonly pageNumber: number;
  /** URLs already requested in this pass, for the loop guard. */
  readonly seen: ReadonlySet<string>;
}

/** Why a pass ended; shown in summaries and logs. */
export type StopReason = "end" | "empty_page" | "max_pages" | "loop" | "single";

export type Step =
  | { readonly kind: "next"; readonly request: PageRequest; readonly position: string }
  | { readonly kind: "stop"; readonly reason: StopReason; readonly position?: string };

export interface FirstRequestInput {
  /** The configured URL with placeholders resolved. */
  readonly url: string;
  /** First-request query parameters, placeholders resolved. */
  readonly queryParams: Readonly<Record<string, string>>;
  /** The stored position, when a previous pass left one. */
  readonly saved: string | undefined;
}

export interface Paginator {
  /** State key holding the resume position; undefined when the strategy keeps none. */
  readonly positionKey: string | undefined;
  first(input: FirstRequestInput): PageRequest;
  next(page: PageView): Step;
}

/** Appends query parameters to a URL, keeping any it already has. */
export function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of entries) parsed.searchParams.set(key, value);
  return parsed.href;
}
