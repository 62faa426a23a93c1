/** The replica settings check (`helrc check`, `helr run`) and the keeper's derived timings. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  leaseTimings,
  type ReplicaContext,
  replicaSettingProblems,
} from "../../../runtime/state/lease-settings.ts";

const redis = (requestTimeoutSecs = 5): ReplicaContext => ({
  backend: "redis",
  sources: [{ id: "okta", requestTimeoutSecs }],
});

describe("replica settings", () => {
  it("accepts the issue's example on a shared store with short requests, and anything when off", () => {
    expect(replicaSettingProblems({ enabled: true, leaseTtlSecs: 10 }, redis(5))).toEqual([]);
    expect(
      replicaSettingProblems({ enabled: false, leaseTtlSecs: 0 }, { backend: "sqlite", sources: [] }),
    ).toEqual([]);
  });

  it("refuses replicas on a store that belongs to one process", () => {
    for (const backend of ["sqlite", "memory"] as const) {
      const [problem] = replicaSettingProblems({ enabled: true, leaseTtlSecs: 10 }, { backend, sources: [] });
      expect(problem).toEqual({
        severity: "error",
        path: "global.replicas.enabled",
        message: `replicas need a state store they all share, but state.backend is ${backend}, which belongs to one process; set global.state.backend to redis or postgres (with state.url), or turn replicas off`,
      });
    }
  });

  it("refuses a TTL under a second and a renewal period that leaves no room for a retry", () => {
    expect(replicaSettingProblems({ enabled: true, leaseTtlSecs: 0.5 }, redis())).toEqual([
      {
        severity: "error",
        path: "global.replicas.lease_ttl_secs",
        message: "lease_ttl_secs is 0.5; it must be at least 1",
      },
    ]);
    const [problem] = replicaSettingProblems({ enabled: true, leaseTtlSecs: 10, renewEverySecs: 6 }, redis());
    expect(problem).toMatchObject({ severity: "error", path: "global.replicas.renew_every_secs" });
    expect(problem?.message).toContain("at most half of lease_ttl_secs (10)");
  });

  it("warns about a source whose request can outlast the lease, naming the source and the fix", () => {
    const problems = replicaSettingProblems({ enabled: true, leaseTtlSecs: 10 }, redis(30));
    expect(problems).toEqual([
      {
        severity: "warning",
        path: "global.replicas.lease_ttl_secs",
        message:
          'source "okta": lease_ttl_secs (10 s) is not longer than its request timeout (30 s) plus the renewal ' +
          "period (3.3 s), so a state store outage can cut one of its page requests off (a replica stops a source " +
          "before its lease can expire) and the page is fetched again; raise lease_ttl_secs to 46 or more, or " +
          "lower the source's resilience.timeouts.request_secs",
      },
    ]);
  });

  it("suggests the smallest whole TTL that clears the warning", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 600 }),
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        (ttl, request, renew) => {
          const problems = (t: number) =>
            replicaSettingProblems(
              { enabled: true, leaseTtlSecs: t, ...(renew === undefined ? {} : { renewEverySecs: renew }) },
              redis(request),
            );
          const warns = (t: number) => problems(t).some((p) => p.severity === "warning");
          const warning = problems(ttl).find((p) => p.severity === "warning");
          if (warning === undefined) return;
          const suggested = Number(/raise lease_ttl_secs to (\d+) or more/.exec(warning.message)?.[1]);
          expect(suggested).toBeGreaterThan(ttl);
          // With a fixed renewal period too long for the suggested TTL, that TTL is an error instead.
          if (problems(suggested).some((p) => p.severity === "error")) return;
          expect(warns(suggested)).toBe(false);
          expect(problems(suggested - 1).length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it("derives the renewal period and a safety margin from the TTL", () => {
    expect(leaseTimings(10_000)).toMatchObject({ ttlMs: 10_000, marginMs: 2_000, validMs: 8_000 });
    expect(leaseTimings(10_000).renewEveryMs).toBeCloseTo(3_333.3, 1);
    expect(leaseTimings(60_000, 5_000)).toEqual({
      ttlMs: 60_000,
      renewEveryMs: 5_000,
      marginMs: 2_000,
      validMs: 58_000,
    });
    expect(leaseTimings(1_000)).toMatchObject({ marginMs: 200, validMs: 800 });
  });
});
