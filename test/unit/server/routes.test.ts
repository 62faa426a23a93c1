import { describe, expect, it } from "vitest";
import { type Route, routeTable } from "../../../runtime/server/routes.ts";

const ok = () => ({ status: 200, json: {} });
const route = (method: Route["method"], path: string): Route => ({ method, path, handle: ok });

describe("route table", () => {
  const table = routeTable([
    route("GET", "/healthz"),
    route("GET", "/api/v1/sources/:id"),
    route("GET", "/api/v1/sources/:id/state"),
    route("POST", "/api/v1/sources/:id/poll"),
    route("POST", "/api/v1/reload"),
  ]);

  it("matches exact paths and binds percent-decoded parameters", () => {
    expect(table.match("GET", "/healthz")).toMatchObject({ kind: "found", params: {} });
    expect(table.match("GET", "/api/v1/sources/okta%2Faudit/state")).toMatchObject({
      kind: "found",
      route: { path: "/api/v1/sources/:id/state" },
      params: { id: "okta/audit" },
    });
  });

  it("is exact: no trailing slash, case or empty-parameter leniency", () => {
    for (const path of ["/healthz/", "/HEALTHZ", "/api/v1/sources/", "/api/v1/sources//state", "/", ""]) {
      expect(table.match("GET", path), path).toEqual({ kind: "none" });
    }
  });

  it("a malformed percent-encoding does not match (404, not a thrown URIError)", () => {
    expect(table.match("GET", "/api/v1/sources/%E0%A4%A")).toEqual({ kind: "none" });
  });

  it("tells a wrong method from a missing path, listing the allowed methods", () => {
    expect(table.match("DELETE", "/healthz")).toEqual({ kind: "method", allow: ["GET", "HEAD"] });
    expect(table.match("GET", "/api/v1/reload")).toEqual({ kind: "method", allow: ["POST"] });
    expect(table.match("GET", "/api/v1/sources/x/poll")).toEqual({ kind: "method", allow: ["POST"] });
  });

  it("answers HEAD with the GET route", () => {
    expect(table.match("HEAD", "/healthz")).toMatchObject({ kind: "found", route: { method: "GET" } });
    expect(table.match("HEAD", "/api/v1/reload")).toEqual({ kind: "method", allow: ["POST"] });
  });

  it("refuses two routes of the same method and shape at construction", () => {
    expect(() => routeTable([route("GET", "/a/:x"), route("GET", "/a/:y")])).toThrow(/two routes for GET/);
    expect(() => routeTable([route("GET", "/a/:x"), route("POST", "/a/:y")])).not.toThrow();
    expect(() => routeTable([route("GET", "healthz")])).toThrow(/must start with \//);
  });
});
