/** FastMCP version arithmetic: "2.14.7", "3.4", "4.0.0b3" → comparable tuples. */

export function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** True when `v` is at least `min`. Unknown versions return `undefined` (the caller decides). */
export function atLeast(v: string | undefined, min: string): boolean | undefined {
  if (!v) return undefined;
  const a = parseVersion(v);
  const b = parseVersion(min);
  if (!a || !b) return undefined;
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}

/** A lower bound for the version from the JWT header order: joserfc (typ first) is 3.4+. */
export function versionFloorFromHeader(family: 'authlib' | 'joserfc' | 'other' | undefined): string | undefined {
  if (family === 'joserfc') return '3.4.0';
  if (family === 'authlib') return '2.13.0';
  return undefined;
}
