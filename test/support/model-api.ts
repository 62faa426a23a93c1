import type { HttpRequest, HttpResponse, HttpSend } from "../../runtime/http/client.ts";

/** One event of the model log: `seq` is arrival order, `ts` the event time (seconds). */
export interface ModelEvent {
  readonly id: string;
  readonly seq: number;
  readonly ts: number;
}

/** How the model API pages, after real vendors. */
export type ModelStyle =
  | "link-polling" // Okta: next link on every page, even empty ones
  | "link-bounded" // GitHub order=asc: no next link on the last page
  | "cursor-newest-first" // Slack: newest first, inclusive `oldest`, cursor until the end
  | "cursor-body-has-more" // 1Password: POST, cursor always returned, has_more
  | "offset" // offset/limit, oldest first, inclusive `since`
  | "page" // page/per_page, oldest first, inclusive `since`
  | "time-window"; // Tailscale: inclusive start/end, no paging

export const BASE = "http://model.test/logs";

/**
 * An in-process paged API whose log grows between polls. It answers through an HttpSend, so
 * the whole engine runs unchanged; `crashAfter` makes the Nth next request fail like a dead
 * process would (the poll aborts there).
 */
export class ModelApi {
  readonly events: ModelEvent[] = [];
  clock = 1_700_000_000;
  requests = 0;
  private crashIn: number | undefined;
  private readonly cursors = new Map<string, { below: number; oldest: number }>();

  constructor(
    readonly style: ModelStyle,
    readonly pageSize: number,
  ) {}

  add(count: number): void {
    for (let i = 0; i < count; i++) {
      this.clock += 1;
      const seq = this.events.length + 1;
      this.events.push({ id: `e${seq}`, seq, ts: this.clock });
    }
  }

  /** The next `n`-th request fails with a crash. */
  crashAfter(n: number): void {
    this.crashIn = n;
  }

  readonly send: HttpSend = async (req) => {
    this.requests++;
    if (this.crashIn !== undefined && --this.crashIn <= 0) {
      this.crashIn = undefined;
      throw Object.assign(new Error("simulated crash"), { code: "MODEL_CRASH" });
    }
    const url = new URL(req.url);
    const body = req.body !== undefined ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    return this.answer(url, body, req);
  };

  now(): Date {
    return new Date(this.clock * 1000);
  }

  private answer(url: URL, body: Record<string, unknown>, req: HttpRequest): HttpResponse {
    const q = url.searchParams;
    switch (this.style) {
      case "link-polling":
      case "link-bounded": {
        const after = Number(q.get("after") ?? "0");
        const page = this.events.filter((e) => e.seq > after).slice(0, this.pageSize);
        const last = page.at(-1)?.seq ?? after;
        const more = this.events.some((e) => e.seq > last);
        const link = this.style === "link-polling" || more ? [`<${BASE}?after=${last}>; rel="next"`] : [];
        return json(req, page.map(event), { link });
      }
      case "cursor-newest-first":
        return this.newestFirst(q, req);
      case "cursor-body-has-more": {
        const after = typeof body.cursor === "number" ? body.cursor : 0;
        const page = this.events.filter((e) => e.seq > after).slice(0, this.pageSize);
        const cursor = page.at(-1)?.seq ?? after;
        return json(req, {
          items: page.map(event),
          cursor,
          has_more: this.events.some((e) => e.seq > cursor),
        });
      }
      case "offset":
      case "page": {
        const since = Number(q.get("since") ?? "0");
        const matching = this.events.filter((e) => e.ts >= since);
        const limit = Number(q.get("limit"));
        const offset =
          this.style === "offset" ? Number(q.get("offset")) : (Number(q.get("page")) - 1) * limit;
        return json(req, { data: matching.slice(offset, offset + limit).map(event) });
      }
      case "time-window": {
        const start = Date.parse(q.get("start") ?? "") / 1000;
        const end = Date.parse(q.get("end") ?? "") / 1000;
        return json(req, { logs: this.events.filter((e) => e.ts >= start && e.ts <= end).map(event) });
      }
    }
  }

  /** Slack: newest first among events with ts >= oldest; the cursor pins the pass's view. */
  private newestFirst(q: URLSearchParams, req: HttpRequest): HttpResponse {
    const token = q.get("cursor");
    const view = token
      ? this.cursors.get(token)
      : { below: this.events.length + 1, oldest: Number(q.get("oldest") ?? "0") };
    if (!view) return json(req, { ok: false, error: "invalid_cursor" });
    const matching = this.events.filter((e) => e.seq < view.below && e.ts >= view.oldest).reverse();
    const page = matching.slice(0, this.pageSize);
    const rest = matching.length > page.length;
    const lowest = page.at(-1)?.seq ?? view.below;
    const next = rest ? `c${this.cursors.size + 1}` : "";
    if (next) this.cursors.set(next, { below: lowest, oldest: view.oldest });
    return json(req, { ok: true, entries: page.map(event), response_metadata: { next_cursor: next } });
  }
}

function event(e: ModelEvent): Record<string, unknown> {
  return { id: e.id, date_create: e.ts, seq: e.seq };
}

function json(req: HttpRequest, body: unknown, headers: Record<string, string[]> = {}): HttpResponse {
  const map = new Map<string, string[]>([["content-type", ["application/json"]]]);
  for (const [name, values] of Object.entries(headers)) if (values.length > 0) map.set(name, values);
  return { status: 200, headers: map, body: Buffer.from(JSON.stringify(body)), url: req.url };
}
