/**
 * The human view of `helr run --once` on a terminal: one live line on stderr with each source's
 * pages, events, events per second and where it stands, redrawn in place at most five times a
 * second. Only on a TTY and with pretty logs (`cli/run.ts` decides); a log line written while it
 * shows clears it first and the line comes back under it, so the two never share a row.
 */
import type { RunEvent } from "./events.ts";

/** Where the line goes: a terminal (`process.stderr` fits). */
export interface ProgressTerminal {
  write(text: string): boolean;
  readonly columns?: number;
}

interface SourceProgress {
  pages: number;
  events: number;
  startedMs: number | undefined;
  endedMs: number | undefined;
  /** `polling`, the stop reason once done, or `failed`. */
  state: string;
}

/** One source's part of the line: `okta 3 pages 1,200 ev 850 ev/s polling`. */
export function describeProgress(id: string, p: Readonly<SourceProgress>, nowMs: number): string {
  const seconds = p.startedMs === undefined ? 0 : ((p.endedMs ?? nowMs) - p.startedMs) / 1000;
  const rate = seconds > 0 ? Math.round(p.events / seconds) : 0;
  const pages = `${p.pages} page${p.pages === 1 ? "" : "s"}`;
  return `${id} ${pages} ${p.events.toLocaleString("en")} ev ${rate.toLocaleString("en")} ev/s ${p.state}`;
}

/** The whole line for the sources, cut to the terminal's width (never wraps). */
export function renderProgress(
  sources: ReadonlyMap<string, Readonly<SourceProgress>>,
  nowMs: number,
  columns?: number,
): string {
  const text = [...sources].map(([id, p]) => describeProgress(id, p, nowMs)).join(" │ ");
  // A terminal that does not say its width (0, as a bare pty reports) counts as 80 columns.
  const width = Math.max(10, (columns || 80) - 1);
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export interface ProgressLine {
  readonly observe: (event: RunEvent) => void;
  /** Draws the final state, ends the line, and stops redrawing. */
  stop(): void;
  /** Clears the line before someone else writes to the terminal; it is redrawn on the next tick. */
  clear(): void;
}

export interface ProgressOptions {
  readonly terminal: ProgressTerminal;
  readonly sources: readonly string[];
  /** Epoch ms. */
  readonly now: () => number;
  /** Redraw period; default 200 ms. */
  readonly everyMs?: number;
}

/** Starts the line (nothing is drawn until the first event). */
export function startProgressLine(options: ProgressOptions): ProgressLine {
  const state = new Map<string, SourceProgress>(
    options.sources.map((id) => [
      id,
      { pages: 0, events: 0, startedMs: undefined, endedMs: undefined, state: "waiting" },
    ]),
  );
  let shown = "";
  let dirty = false;
  const draw = (): void => {
    if (!dirty) return;
    dirty = false;
    const line = renderProgress(state, options.now(), options.terminal.columns);
    if (line === shown) return;
    shown = line;
    options.terminal.write(`\r\x1b[K${line}`);
  };
  const timer = setInterval(draw, options.everyMs ?? 200);
  timer.unref();
  return {
    observe: (event) => {
      const p = "sourceId" in event ? state.get(event.sourceId) : undefined;
      if (!p) return;
      switch (event.type) {
        case "poll_started":
          p.startedMs = event.atMs;
          p.state = "polling";
          break;
        case "page":
          p.pages++;
          break;
        case "written":
          p.events += event.emitted;
          break;
        case "poll_ended":
          p.endedMs = event.atMs;
          p.state = event.error ? "failed" : (event.stopReason ?? "done");
          break;
        case "retry":
          p.state = `retrying (${event.cause})`;
          break;
        default:
          return;
      }
      dirty = true;
    },
    clear: () => {
      if (shown === "") return;
      options.terminal.write("\r\x1b[K");
      shown = "";
      dirty = true;
    },
    stop: () => {
      clearInterval(timer);
      dirty = true;
      draw();
      if (shown !== "") options.terminal.write("\n");
      shown = "";
    },
  };
}
