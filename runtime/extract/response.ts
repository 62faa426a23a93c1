/**
 * One response → its events: the one place that chooses how a body is read.
 *
 * - The **byte path** (byte-scan.ts, raw-events.ts) validates the body and cuts the events out of
 *   its bytes without `JSON.parse`; it is taken whenever the paginator does not read the body.
 * - Pages of 64 KiB to 16 MiB take it on the **scan thread** (scan-thread.ts): {@link receivePage}
 *   starts the scan as soon as the response arrived, while the engine is still writing the page
 *   before.
 * - The **text path** (decode under `on_invalid_utf8`, `JSON.parse`, events.ts) decides
 *   everything else: paginators that read cursors or `has_more`, invalid UTF-8, a BOM, nested
 *   paths, a body with no events array, and every error message. {@link extractText} is it alone,
 *   the reference the byte path is tested against.
 *
 * Whichever path ran, the response rules (response-errors.ts) then decide whether a 2xx body is an
 * error report. A page is all or nothing: any failure here throws before one line is rendered.
 */
import type { HttpResponse } from "../http/client.ts";
import type { SourceSpec } from "../spec.ts";
import { scanDocument } from "./byte-scan.ts";
import { type Extraction, type ExtractOptions, extractEvents, ParseError } from "./events.ts";
import { type BytePlan, bytePlan, extractScanned } from "./raw-events.ts";
import { checkResponse } from "./response-errors.ts";
import { sharedScanThread } from "./scan-thread.ts";
import { decodeBody } from "./utf8.ts";

/** A response, and the byte path's result when the scan thread computed it already. */
export interface ReceivedPage {
  readonly response: HttpResponse;
  readonly scanned?: { readonly extraction: Extraction | undefined };
}

/** What reading a source's responses depends on besides its spec. */
export interface ReadPlan {
  readonly spec: SourceSpec;
  /** The paginator reads the parsed body (cursor, `has_more`): the text path must run. */
  readonly readsBody: boolean;
}

/** Bodies of this many bytes and up to {@link THREAD_MAX_BYTES} go to the scan thread, when the process has one. */
const THREAD_MIN_BYTES = 64 * 1024;
/** Larger pages are scanned inline: the thread's heap is kept small, and one page has nothing to overlap with. */
const THREAD_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Scans a big response on the scan thread as soon as it arrived, so the scan runs while the engine
 * finishes the page before. Resolves once the scan is done; a failed thread rejects
 * (`HELR_SCAN_THREAD`, the page is then fetched again by a later poll).
 */
export async function receivePage(response: HttpResponse, plan: ReadPlan): Promise<ReceivedPage> {
  const thread = sharedScanThread();
  const body = response.body;
  const size = body.length;
  if (thread === undefined || size < THREAD_MIN_BYTES || size > THREAD_MAX_BYTES) return { response };
  if (response.oversizeBytes !== undefined) return { response };
  // The body moves to the thread: only a buffer that is the body's alone can go.
  const alone =
    body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.buffer.byteLength === size;
  if (!alone) return { response };
  const scan = bytePlanFor(body, plan);
  if (scan === undefined) return { response };
  const back = await thread.scan(body, scan.scan);
  const returned = { ...response, body: back.body };
  return { response: returned, scanned: { extraction: extractScanned(back.body, scan, back.scan) } };
}

/**
 * The events of a received page, by the byte path when it applies, else the text path; then the
 * response rules. @throws ParseError (not JSON, not UTF-8 under `fail`, too large, …) or ApiError.
 */
export function extractPage(received: ReceivedPage, plan: ReadPlan): Extraction {
  const { response } = received;
  rejectOversize(response, plan.spec);
  const fast = received.scanned
    ? received.scanned.extraction
    : fromBytes(response.body, bytePlanFor(response.body, plan));
  const extraction =
    fast ?? extractEvents(decodeBody(response.body, plan.spec.policy.onInvalidUtf8), options(plan.spec));
  checkResponse(extraction, plan.spec.responseErrors, response.body);
  return extraction;
}

/** The text path alone (the reference the byte path must match; tests and tools). */
export function extractText(response: HttpResponse, spec: SourceSpec): Extraction {
  rejectOversize(response, spec);
  const extraction = extractEvents(decodeBody(response.body, spec.policy.onInvalidUtf8), options(spec));
  checkResponse(extraction, spec.responseErrors, response.body);
  return extraction;
}

function rejectOversize(response: HttpResponse, spec: SourceSpec): void {
  const max = spec.limits.maxResponseBytes;
  if (max === undefined) return;
  if (response.oversizeBytes !== undefined) {
    throw new ParseError(
      `response of more than ${max} bytes (${response.oversizeBytes} known) exceeds max_response_bytes (${max})`,
    );
  }
  if (response.body.length > max)
    throw new ParseError(`response of ${response.body.length} bytes exceeds max_response_bytes (${max})`);
}

function fromBytes(body: Buffer, plan: BytePlan | undefined): Extraction | undefined {
  return plan && extractScanned(body, plan, scanDocument(body, plan.scan));
}

/** What the byte path scans `body` for, or undefined when this source or body takes the text path. */
function bytePlanFor(body: Buffer, plan: ReadPlan): BytePlan | undefined {
  if (plan.readsBody) return undefined;
  let fields = FIELDS.get(plan.spec);
  if (fields === undefined) {
    fields = eventFields(plan.spec);
    FIELDS.set(plan.spec, fields);
  }
  return bytePlan(body, options(plan.spec), fields);
}

const FIELDS = new WeakMap<SourceSpec, readonly string[]>();
const OPTIONS = new WeakMap<SourceSpec, ExtractOptions>();

/** The source's extract settings plus the root members its response rules read. */
function options(spec: SourceSpec): ExtractOptions {
  let found = OPTIONS.get(spec);
  if (found === undefined) {
    const rules = spec.responseErrors;
    const topKeys = [rules.okField, rules.messageField, ...rules.errorFields].filter(
      (key): key is string => key !== undefined,
    );
    found = { ...spec.extract, topKeys: [...new Set(topKeys)] };
    OPTIONS.set(spec, found);
  }
  return found;
}

/** Top-level members of an event that the engine reads (ids, times, watermark, message). */
function eventFields(spec: SourceSpec): readonly string[] {
  const paths = [
    spec.watermark?.eventPath,
    spec.dedupe?.idPath,
    spec.transform.idField,
    spec.transform.messageField,
    ...spec.transform.timeFields,
  ];
  return paths.flatMap((p) => (p === undefined ? [] : [p.split(".")[0] ?? ""]));
}
