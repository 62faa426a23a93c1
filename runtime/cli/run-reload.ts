import type { App, BoundSource } from "../app.ts";
import { auditConfigReloaded, auditReloadRejected } from "../audit.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import { diffGlobal, diffSources, loadBundleApp, type SourceDiff } from "../control/reload-bundle.ts";
import type { Logger } from "../log.ts";
import type { ReloadOutcome } from "../server/api-routes.ts";
import type { RunningSources } from "./run-sources.ts";

/** What triggered a reload, for the log and the audit line. */
export interface ReloadTrigger {
  readonly via: "sighup" | "api";
  /** The API caller's address. */
  readonly remote?: string;
}

/** What {@link BundleReloader} needs from the run. */
export interface ReloaderDeps {
  /** The bundle file this process runs: the file `helrc build` overwrites. */
  readonly bundlePath: string;
  /** The app running now (the one started, or the last one applied). */
  readonly app: App;
  readonly sources: RunningSources;
  /** `--source` ids: only these are polled after a reload too (empty: all). */
  readonly selected: readonly string[];
  /** With `global.replicas` the lease keeper's source set is fixed for the process. */
  readonly replicas: boolean;
  /** True once the run is shutting down: a reload then is refused. */
  readonly stopping: () => boolean;
  /** Called with the new app and its polled sources after they were applied. */
  readonly applied: (app: App, sources: readonly BoundSource[]) => void;
  readonly log: Logger;
  /** Loads and validates the bundle file; default `loadBundleApp` (tests pass apps directly). */
  readonly load?: (path: string) => Promise<App>;
}

/**
 * SIGHUP and `POST /api/v1/reload` (docs/operations/reload.md): the bundle file is loaded again
 * (runtime/control/reload-bundle.ts: evaluated without running its CLI, validated), compared
 * with the running sources by spec, and applied in the same process:
 *
 * - a removed or changed source stops after its page in flight is written and checkpointed;
 *   its state stays in the store (a changed source resumes from it, a removed one keeps it);
 * - an added or changed source is prepared and polled at once, then on its schedule;
 * - an unchanged source keeps polling on its schedule with its breaker, but drops its cached
 *   tokens, so its secrets are read again (`reload.restart_sources_on_sighup` restarts it too).
 *
 * A bundle that does not load or whose configuration fails changes nothing: the answer is
 * `{ok: false, error}`, the reason is logged and audited. One reload at a time: another one
 * meanwhile is `"busy"` (409).
 */
export class BundleReloader {
  readonly #deps: ReloaderDeps;
  #app: App;
  #running: Promise<ReloadOutcome> | undefined;

  constructor(deps: ReloaderDeps) {
    this.#deps = deps;
    this.#app = deps.app;
  }

  /** The app in effect: the one started or the last one a reload applied. */
  get app(): App {
    return this.#app;
  }

  /** Reloads unless a reload is running (`"busy"`). */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.#running) return Promise.resolve("busy");
    const running = this.#reload(trigger).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const { bundlePath, log } = this.#deps;
    const context = { trigger: trigger.via, ...(trigger.remote ? { remote: trigger.remote } : {}) };
    log.info({ ...context, bundle: bundlePath }, "reload: loading the bundle again");
    let next: App;
    let diff: SourceDiff;
    try {
      if (this.#deps.stopping()) throw new Error("the collector is shutting down");
      next = await (this.#deps.load ?? loadBundleApp)(bundlePath);
      diff = this.#check(next);
    } catch (error) {
      const reason = redactSecrets((error as Error).message);
      log.warn(
        { ...context, bundle: bundlePath },
        `reload rejected, the running sources are unchanged: ${reason}`,
      );
      auditReloadRejected(bundlePath, reason, trigger.via, trigger.remote);
      return { ok: false, error: reason };
    }
    // `reload` is read at each reload; `hooks` is applied by restarting the hooks sources (#check).
    const restartNeeded = diffGlobal(this.#app, next).filter((key) => key !== "reload" && key !== "hooks");
    await this.#apply(next, diff);
    const summary = {
      added: diff.added,
      removed: diff.removed,
      changed: diff.changed,
      unchanged: diff.unchanged,
      restart_needed: restartNeeded.map((key) => `global.${key}`),
    };
    log.info({ ...context, ...summary }, "reload: applied");
    if (restartNeeded.length > 0) {
      log.warn(
        { keys: summary.restart_needed },
        "reload: global settings changed that a reload does not apply (the state store, output, servers, logging and limits are opened once); they take effect at the next restart",
      );
    }
    auditConfigReloaded(bundlePath, trigger.via, trigger.remote);
    return { ok: true, ...summary };
  }

  /** The diff to apply, or why the new app cannot be applied in place. */
  #check(next: App): SourceDiff {
    if (next.version !== this.#app.version) {
      throw new Error(
        `the bundle was built by helrc ${next.version} and this process runs ${this.#app.version}: a new runtime needs a restart`,
      );
    }
    const pick = (app: App): readonly BoundSource[] => {
      const wanted = this.#deps.selected;
      return wanted.length === 0 ? app.sources : app.sources.filter((s) => wanted.includes(s.spec.id));
    };
    const diff = diffSources({ sources: this.#deps.sources.sources }, { sources: pick(next) });
    if (this.#deps.replicas && (diff.added.length > 0 || diff.removed.length > 0)) {
      const what = [...diff.added.map((id) => `+${id}`), ...diff.removed.map((id) => `-${id}`)].join(", ");
      throw new Error(
        `with global.replicas every replica must poll the same set of sources, and this reload changes it (${what}): roll the new bundle out by restarting the replicas one by one; a reload can only change sources`,
      );
    }
    // global.hooks (timeouts, memory, network) is bound into each hooks source: those restart.
    const restartAll = next.global.reload?.restartSourcesOnSighup === true;
    const hooksChanged = diffGlobal(this.#app, next).includes("hooks");
    const restart = diff.unchanged.filter(
      (id) => restartAll || (hooksChanged && this.#deps.sources.get(id)?.prepared.source.hooks !== undefined),
    );
    if (restart.length === 0) return diff;
    // They start afresh from the new bundle: new breaker, tokens, connections and sandbox.
    const fresh = new Map(pick(next).map((s) => [s.spec.id, s]));
    return {
      ...diff,
      changed: [...diff.changed, ...restart].sort(),
      unchanged: diff.unchanged.filter((id) => !restart.includes(id)),
      running: diff.running.map((s) => (restart.includes(s.spec.id) ? (fresh.get(s.spec.id) ?? s) : s)),
    };
  }

  async #apply(next: App, diff: SourceDiff): Promise<void> {
    const { sources } = this.#deps;
    for (const id of diff.unchanged) sources.get(id)?.prepared.source.auth?.reset?.();
    const retiring = [...diff.removed, ...diff.changed];
    if (retiring.length > 0)
      this.#deps.log.info({ sources: retiring }, "reload: stopping sources after their page in flight");
    await sources.retire(retiring);
    const starting = new Set([...diff.added, ...diff.changed]);
    const fresh = diff.running.filter((s) => starting.has(s.spec.id));
    await sources.add(fresh);
    sources.schedule(fresh.map((s) => s.spec.id));
    this.#app = next;
    this.#deps.applied(next, diff.running);
  }
}
