/** The bearer-token check for protected routes (the REST API), compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";

/** Who is asking, for the audit line of a refused request (never a header value). */
export interface Caller {
  readonly remoteAddress?: string;
  readonly method?: string;
  readonly path?: string;
}

/** Decides whether a request's `Authorization` header may use a protected route. */
export type Authorize = (authorization: string | undefined, caller?: Caller) => boolean;

/**
 * Accepts exactly `Authorization: Bearer <token>`. Both sides are hashed (SHA-256) first, so
 * `timingSafeEqual` compares equal lengths and the time taken reveals neither the token's
 * length nor how much of a guess was right. The token itself is kept only as its digest.
 */
export function bearerAuthorizer(token: string): Authorize {
  if (token === "") throw new Error("bearerAuthorizer: the token is empty");
  const expected = digest(token);
  return (authorization) => {
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1] ?? "";
    // Compare even when nothing was presented, so a missing header costs the same as a wrong one.
    const same = timingSafeEqual(digest(presented), expected);
    return same && presented !== "";
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
