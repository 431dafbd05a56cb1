/**
 * Every FastMCP JWT issued in every real bundle (tokens.json: the pre- and post-refresh pairs too),
 * judged by `verify-token --store` through the built CLI with the bundle's current settings at its
 * captured_at, as the bundle's own status for that token says.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/index.js';
import { bundleCliArgs, listBundles, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { loadRedisDump, startRedis, type RedisServer } from '../support/redis.js';

interface IssuedToken {
  label: string;
  kind: 'access' | 'refresh';
  token: string;
  status: string;
}

/** The bundle's own words for a token → what verify-token must find (first error code, or healthy). */
function expectation(b: Bundle, t: IssuedToken): { verdict: 'healthy' | 'failing'; code?: string; tier?: string; also?: string } {
  const s = t.status;
  if (s.startsWith('valid') || s.startsWith('JWT valid; upstream')) return { verdict: 'healthy' };
  // Rotated by the bundle's own later refresh: FastMCP stops at the missing hash, and its successor in
  // the store proves why (REFRESH_TOKEN_SUPERSEDED, the verdict's cause).
  if (s.startsWith('rotated')) return { verdict: 'failing', code: 'REFRESH_TOKEN_NOT_FOUND', tier: 'refresh', also: 'REFRESH_TOKEN_SUPERSEDED' };
  if (s.startsWith('expired')) return { verdict: 'failing', code: 'JWT_EXPIRED', tier: 'jwt' };
  if (s.includes('JTI mapping missing')) return { verdict: 'failing', code: 'STORE_JTI_MAPPING_MISSING', tier: 'storage' };
  if (s.startsWith('signature does not verify')) {
    // On the refresh path of the 3.4.7 default store, the client lookup in the new (empty) fingerprint
    // directory fails before the JWT is checked — FastMCP answered invalid_client there.
    if (t.kind === 'refresh' && b.backend === 'default-filetree') return { verdict: 'failing', code: 'STORE_CLIENT_NOT_FOUND', tier: 'storage' };
    return { verdict: 'failing', code: 'JWT_SIGNATURE_INVALID', tier: 'jwt' };
  }
  throw new Error(`no expectation for status "${s}"`);
}

const bundles = listBundles();
let redis: RedisServer;
const work = mkdtempSync(join(tmpdir(), 'mad-verify-'));

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(bundles.map((b, i) => [b.id, b, i + 1] as const))('%s', (_id, b, db) => {
  const tokens = JSON.parse(readFileSync(join(b.dir, 'tokens.json'), 'utf8')) as IssuedToken[];
  const args: string[] = [];

  beforeAll(() => {
    args.push(...bundleCliArgs(b, mkdtempSync(join(work, 'b-')), { url: redis.url, db, load: (dump, n) => loadRedisDump(redis, dump, n) }));
  });

  it.each(tokens.map((t) => [`${t.label}: ${t.status}`, t] as const))('%s', async (_label, t) => {
    const want = expectation(b, t);
    const r = await runCli(['verify-token', '-', ...args, '--json'], { input: t.token });
    const report = JSON.parse(r.stdout) as Report;
    const firstError = report.findings.find((f) => f.severity === 'error');
    expect(report.verdict).toBe(want.verdict);
    if (want.verdict === 'healthy') {
      expect(firstError).toBeUndefined();
      expect(r.code).toBe(0);
    } else {
      expect(firstError?.code).toBe(want.code);
      if (want.also) expect(report.summary).toContain(want.also);
      expect(report.failingTier).toBe(want.tier);
      expect(r.code).toBe(1);
    }
    expect(r.stdout).not.toContain(t.token);
  });
});
