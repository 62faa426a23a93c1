/**
 * Baseline B of `npm run bench`: the collector a person would write by hand in a few lines.
 * An undici GET loop that follows the `Link: rel="next"` header, `JSON.parse`s each page and
 * writes one `JSON.stringify`'d envelope per event (same fields as Helr's) to a file, one write
 * per page. No state, no dedupe, no fsync: it is the floor Helr is compared against.
 *
 * Usage: node bench/baseline.mjs URL TOKEN OUTPUT
 * Prints `{"events": N, "bytes": B, "pages": P}` on stdout.
 */
import { open } from "node:fs/promises";
import { request } from "undici";

const [url, token, output] = process.argv.slice(2);
if (!url || !token || !output) {
  process.stderr.write("usage: node bench/baseline.mjs URL TOKEN OUTPUT\n");
  process.exit(2);
}

const NEXT = /<([^>]*)>\s*;\s*rel="?next"?/;
const file = await open(output, "w");
let next = url;
let events = 0;
let bytes = 0;
let pages = 0;
while (next) {
  const res = await request(next, {
    headers: { authorization: `SSWS ${token}`, accept: "application/json" },
  });
  if (res.statusCode !== 200) throw new Error(`${next}: HTTP ${res.statusCode}`);
  const page = JSON.parse(await res.body.text());
  pages++;
  if (page.length === 0) break;
  const endpoint = new URL(next).pathname;
  let lines = "";
  for (const event of page) {
    lines += `${JSON.stringify({ ts: event.published, source: "okta", endpoint, event, meta: { id: event.uuid } })}\n`;
  }
  const buffer = Buffer.from(lines);
  await file.write(buffer);
  bytes += buffer.length;
  events += page.length;
  const links = [res.headers.link ?? []].flat().join(", ");
  next = NEXT.exec(links)?.[1];
}
await file.close();
process.stdout.write(`${JSON.stringify({ events, bytes, pages })}\n`);
