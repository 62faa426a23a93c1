import type { BoundSource } from "../app.ts";
import { closeHookRunners } from "../engine/hook-stages.ts";
import type { PollDeps, PollSummary } from "../engine/poll.ts";
import type { ScheduleSet } from "../engine/schedule-set.ts";
import type { SourceRuntime } from "../engine/source-runtime.ts";
import type { ScheduleSpec } from "../spec.ts";

/** A source ready to poll: auth dropped under replay, and its own HTTP sender. */
export interface Prepared {
  readonly source: BoundSource;
  readonly deps: PollDeps;
  /** The source's resilient HTTP stack (absent under replay). */
  readonly runtime?: SourceRuntime;
}

/** A polled source as the schedule holds it: prepared, and the poll that goes through the run's gates. */
export interface Running {
  readonly prepared: Prepared;
  readonly schedule: ScheduleSpec;
  /** One poll through the run's replica gate, slots and lock; undefined: not polled (lease not held). */
  readonly poll: () => Promise<PollSummary | Error | undefined>;
}

/** What {@link RunningSources} needs from the run. */
export interface RunningSourcesDeps {
  /** Builds the source's sender (cli/run.ts `prepareSource`) with the deps given. */
  readonly prepare: (source: BoundSource, deps: PollDeps) => Promise<Prepared>;
  /** The deps every source shares (store, sink, log, shutdown signals). */
  readonly deps: PollDeps;
  /** The poll of one prepared source through the run's gates; `stop` ends a wait for a lease. */
  readonly poll: (p: Prepared, stop: AbortSignal) => Promise<PollSummary | Error | undefined>;
  readonly schedule: ScheduleSet<Running>;
}

interface Entry {
  readonly running: Running;
  /** Raised when the source is retired (reload): its poll ends after the page in flight. */
  readonly retiring: AbortController;
}

/**
 * The sources `helr run` polls, as a set a reload can change: {@link start} prepares and
 * schedules sources, {@link retire} stops them after their page in flight is written and
 * checkpointed, then closes their connections and hook sandboxes. A retired source's state stays
 * in the store. Every poll of a source — scheduled or triggered — goes through its lock, so a
 * retired source and the source that replaces it never poll at the same time.
 */
export class RunningSources {
  readonly #deps: RunningSourcesDeps;
  readonly #entries = new Map<string, Entry>();

  constructor(deps: RunningSourcesDeps) {
    this.#deps = deps;
  }

  /** The sources polled now, in the order they were started. */
  get sources(): readonly BoundSource[] {
    return [...this.#entries.values()].map((e) => e.running.prepared.source);
  }

  get prepared(): readonly Prepared[] {
    return [...this.#entries.values()].map((e) => e.running.prepared);
  }

  /** The running entry of a source id. */
  get(id: string): Running | undefined {
    return this.#entries.get(id)?.running;
  }

  /** Prepares every source (in parallel) without scheduling it; {@link schedule} starts them. */
  async add(sources: readonly BoundSource[]): Promise<void> {
    const entries = await Promise.all(sources.map((s) => this.#entry(s)));
    for (const entry of entries) this.#entries.set(entry.running.prepared.source.spec.id, entry);
  }

  /** Schedules the given ids (all added ones when none): each polls now, then every interval. */
  schedule(ids: readonly string[] = [...this.#entries.keys()]): void {
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (entry) this.#deps.schedule.add(id, entry.running);
    }
  }

  /**
   * Stops the sources after their poll in flight (the page being fetched is written and
   * checkpointed first, later pages are left for the next poll), then closes them. Resolves once
   * none of them polls any more.
   */
  async retire(ids: readonly string[]): Promise<void> {
    const entries = ids.flatMap((id) => {
      const entry = this.#entries.get(id);
      return entry ? [[id, entry] as const] : [];
    });
    for (const [, entry] of entries) entry.retiring.abort();
    await Promise.all(entries.map(([id]) => this.#deps.schedule.remove(id)));
    for (const [id, entry] of entries) if (this.#entries.get(id) === entry) this.#entries.delete(id);
    await this.#close(entries.map(([, entry]) => entry.running.prepared));
  }

  /** Closes every source's connections and hook sandboxes (at the end of the run). */
  async close(): Promise<void> {
    await this.#close(this.prepared);
  }

  async #close(prepared: readonly Prepared[]): Promise<void> {
    await Promise.all(prepared.map((p) => p.runtime?.close()));
    await closeHookRunners(prepared.map((p) => p.source));
  }

  async #entry(source: BoundSource): Promise<Entry> {
    const retiring = new AbortController();
    const shared = this.#deps.deps;
    // Retiring a source is a shutdown of that source alone: waits end, the pass stops after the page.
    const deps: PollDeps = {
      ...shared,
      stopping: () => shared.stopping() || retiring.signal.aborted,
      waitSignal: shared.waitSignal ? AbortSignal.any([shared.waitSignal, retiring.signal]) : retiring.signal,
    };
    const prepared = await this.#deps.prepare(source, deps);
    const poll = () => this.#deps.poll(prepared, retiring.signal);
    return { retiring, running: { prepared, schedule: source.spec.schedule, poll } };
  }
}
