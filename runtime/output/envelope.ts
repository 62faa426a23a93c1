/** Fields of one NDJSON line, in output order. */
export interface Envelope {
  readonly ts: string;
  readonly labelKey: string;
  readonly labelValue: string;
  readonly endpoint: string;
  /** The event's JSON text exactly as received (one line). */
  readonly rawEvent: string;
  readonly meta: Readonly<Record<string, string>>;
}

/**
 * One NDJSON line: `ts`, the producer label, `endpoint`, `event`, `meta`, in that order.
 * The event is spliced in as received, so its key order and number formatting are kept.
 */
export function envelopeLine(e: Envelope): string {
  return (
    `{"ts":${JSON.stringify(e.ts)},${JSON.stringify(e.labelKey)}:${JSON.stringify(e.labelValue)},` +
    `"endpoint":${JSON.stringify(e.endpoint)},"event":${e.rawEvent},"meta":${JSON.stringify(e.meta)}}\n`
  );
}
