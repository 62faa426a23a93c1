/** Reads a dotted path (`actor.id`, `id.time`) from a parsed JSON value. */
export function getPath(value: unknown, path: string): unknown {
  // Most paths are one key (`uuid`, `published`): no split, no array per call.
  if (!path.includes(".")) return ownMember(value, path);
  let current = value;
  for (const part of path.split(".")) current = ownMember(current, part);
  return current;
}

function ownMember(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}
