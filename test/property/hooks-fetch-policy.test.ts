import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allowedHostSet, decideFetch, hostAllowed } from "../../runtime/hooks/fetch-policy.ts";

const domain = fc.domain().map((d) => d.toLowerCase());
const request = (url: string, method = "GET") => JSON.stringify({ url, method, headers: [] });

describe("the hook fetch allow list (property)", () => {
  it("lets a request through only to a listed host or under a listed *. wildcard", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.uniqueArray(domain, { maxLength: 4 }),
        fc.uniqueArray(domain, { maxLength: 2 }),
        (url, exact, wildcards) => {
          const allowed = allowedHostSet([...exact, ...wildcards.map((w) => `*.${w}`)]);
          const host = new URL(url).hostname.replace(/\.$/, "");
          const expected = exact.includes(host) || wildcards.some((w) => host.endsWith(`.${w}`));
          expect(hostAllowed(new URL(url).hostname, allowed)).toBe(expected);
          expect(decideFetch(request(url), allowed).allowed).toBe(expected);
        },
      ),
    );
  });

  it("a *. wildcard covers subdomains only: not the domain itself, nor a name that merely ends like it", () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(domain, label, (listed, prefix) => {
        const allowed = allowedHostSet([`*.${listed}`]);
        expect(hostAllowed(`${prefix}.${listed}`, allowed)).toBe(true);
        expect(hostAllowed(`a.${prefix}.${listed}`, allowed)).toBe(true);
        expect(hostAllowed(listed, allowed)).toBe(false);
        expect(hostAllowed(`${prefix}${listed}`, allowed)).toBe(false);
        expect(hostAllowed(`${listed}.${prefix}`, allowed)).toBe(false);
      }),
    );
  });

  it("judges the host the request really goes to, whatever the userinfo or path says", () => {
    fc.assert(
      fc.property(domain, domain, fc.webPath(), (listed, other, path) => {
        fc.pre(listed !== other && !other.endsWith(`.${listed}`));
        const allowed = allowedHostSet([listed]);
        for (const url of [
          `https://${listed}@${other}${path}`,
          `https://${other}/${listed}${path}`,
          `https://${other}?h=${listed}`,
        ]) {
          expect(decideFetch(request(url), allowed).allowed).toBe(false);
        }
        expect(decideFetch(request(`https://user:pw@${listed}${path}`), allowed).allowed).toBe(true);
      }),
    );
  });

  it("never throws, and never allows a method other than GET or POST or a scheme other than http(s)", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.uniqueArray(domain, { maxLength: 3 }),
        (url, method, hosts) => {
          const decision = decideFetch(request(url, method), allowedHostSet(hosts));
          if (decision.allowed) {
            expect(["GET", "POST"]).toContain(decision.request.method);
            expect(["http:", "https:"]).toContain(new URL(decision.request.url).protocol);
            expect(hostAllowed(new URL(decision.request.url).hostname, allowedHostSet(hosts))).toBe(true);
          }
        },
      ),
    );
  });
});
