/**
 * Okta System Log events for the benchmark, from the test suite's generator
 * (test/support/okta-events.ts), shaped to a target size. Used by the mock vendor and by the
 * per-page micro-benchmark.
 */
import { OktaEventGenerator } from "../test/support/okta-events.ts";

/** `published` of the first event. */
export const START_MS = Date.parse("2024-05-21T13:00:00.000Z");

export type Event = Record<string, unknown>;

/** Fields left out, in this order, to bring a generated event (about 1,300 bytes) down to size. */
const DROP_ORDER = [
  "client",
  "request",
  "securityContext",
  "authenticationContext",
  "debugContext",
  "transaction",
  "actor",
];

/**
 * Shapes events to about `target` bytes on average: fields are dropped (order kept for the
 * rest) or, above the generator's natural size, a `padding` string is appended.
 */
export function sizer(sample: readonly Event[], target: number): (event: Event) => Event {
  const average = (events: readonly Event[]) => JSON.stringify(events).length / events.length;
  const drop = new Set<string>();
  for (const field of DROP_ORDER) {
    const trimmed = sample.map((e) => without(e, drop));
    if (average(trimmed) <= target * 1.05) break;
    drop.add(field);
  }
  const natural = average(sample.map((e) => without(e, drop)));
  const pad = Math.max(0, Math.round(target - natural - 14));
  return (event) => {
    const out = without(event, drop);
    if (pad > 0) out.padding = "x".repeat(pad);
    return out;
  };
}

function without(event: Event, drop: ReadonlySet<string>): Event {
  const out: Event = {};
  for (const [key, value] of Object.entries(event)) if (!drop.has(key)) out[key] = value;
  return out;
}

/** One page body (a JSON array) of `count` events of about `eventBytes` bytes each. */
export function pageBody(count: number, eventBytes: number, seed = 1): Buffer {
  const shape = sizer(new OktaEventGenerator(seed, START_MS).generate(1000), eventBytes);
  return Buffer.from(JSON.stringify(new OktaEventGenerator(seed, START_MS).generate(count).map(shape)));
}
