import { describe, expect, it } from "vitest";
import { findLink, parseLinkHeaders } from "../../../runtime/paginate/link-header.ts";

const base = "https://acme.okta.com/api/v1/logs?since=2024-01-01T00%3A00%3A00Z";

describe("Link header parsing", () => {
  it("reads next from separate header lines, as Okta sends them", () => {
    const lines = [
      '<https://acme.okta.com/api/v1/logs?limit=2>; rel="self"',
      '<https://acme.okta.com/api/v1/logs?limit=2&after=1716300000123_1>; rel="next"',
    ];
    expect(findLink(lines, "next", base)).toBe(
      "https://acme.okta.com/api/v1/logs?limit=2&after=1716300000123_1",
    );
  });

  it("reads next from one comma-joined value, as GitHub sends it", () => {
    const value =
      '<https://api.github.com/orgs/o/audit-log?after=MS4x&before=>; rel="next", ' +
      '<https://api.github.com/orgs/o/audit-log?before=>; rel="first"';
    expect(findLink([value], "next", base)).toBe(
      "https://api.github.com/orgs/o/audit-log?after=MS4x&before=",
    );
  });

  it("resolves relative links against the response URL", () => {
    expect(findLink(['</api/v1/logs?after=abc>; rel="next"'], "next", base)).toBe(
      "https://acme.okta.com/api/v1/logs?after=abc",
    );
    expect(findLink(["<?page=2>; rel=next"], "next", "https://h.example/x/y?page=1")).toBe(
      "https://h.example/x/y?page=2",
    );
  });

  it("matches rel case-insensitively and in multi-valued rel lists", () => {
    expect(findLink(['<https://h.example/2>; rel="Next"'], "next", base)).toBe("https://h.example/2");
    expect(findLink(['<https://h.example/9>; rel="next last"'], "last", base)).toBe("https://h.example/9");
  });

  it("keeps commas inside the URL and inside quoted parameters", () => {
    const value =
      '<https://h.example/a?x=1,2>; title="a, b; c"; rel="next", <https://h.example/first>; rel=first';
    const links = parseLinkHeaders([value]);
    expect(links).toEqual([
      { target: "https://h.example/a?x=1,2", rels: ["next"] },
      { target: "https://h.example/first", rels: ["first"] },
    ]);
  });

  it("drops only the malformed entry and keeps the others", () => {
    const value = '<https://h.example/bad> garbage, <https://h.example/good>; rel="next"';
    expect(findLink([value], "next", base)).toBe("https://h.example/good");
  });

  it("returns undefined when there is no such relation or no header", () => {
    expect(findLink([], "next", base)).toBeUndefined();
    expect(findLink(['<https://h.example/p>; rel="prev"'], "next", base)).toBeUndefined();
    expect(findLink([""], "next", base)).toBeUndefined();
  });
});
