/**
 * The whole program of the page scan thread (scan-thread.ts). compiler/bundle bundles this file
 * on its own and embeds the result in each bundle as a string, which the main thread starts
 * with `new Worker(source, { eval: true })`.
 */
import { parentPort } from "node:worker_threads";
import { serveScans } from "./scan-thread.ts";

if (parentPort) serveScans(parentPort);
