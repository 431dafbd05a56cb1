/**
 * Every real FastMCP bundle diagnosed through the built CLI with that bundle's current settings,
 * --at its captured_at, a real redis-server for the Redis bundles, and a stand-in GitHub on
 * 127.0.0.1 answering as the bundle's GitHub did at capture time. The doctor must name the tier and
 * reason the bundle's scenario.json states — and the server's own answer for the refresh token.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { fakeGithubFromBundle, type FakeGithub } from '../support/fake-github.js';
import { bundleCliArgs, listBundles, type Bundle } from '../support/bundles.js';
import { hashTree } from '../support/hash.js';
import { loadRedisDump, startRedis, type RedisServer } from '../support/redis.js';

const REASON_CODE: Record<string, string> = {
  signature: 'JWT_SIGNATURE_INVALID',
  expired: 'JWT_EXPIRED',
  jti_mapping_missing: 'STORE_JTI_MAPPING_MISSING',
  upstream_token_revoked: 'UPSTREAM_TOKEN_REJECTED',
};

/** What FastMCP answered at /token for refresh_token.txt, as tier + code (scenario.json server_answers). */
const REFRESH_VERDICT: Record<string, { tier: string | null; code?: string }> = {
  'a-healthy': { tier: null },
  'b-upstream-revoked': { tier: 'upstream', code: 'UPSTREAM_TOKEN_REJECTED' },
  // 3.4.7: invalid_client — the registration lives in the orphaned fingerprint directory.
  '3.4.7/c-jwt-signing-key-rotated': { tier: 'storage', code: 'STORE_CLIENT_NOT_FOUND' },
  // 2.14.7 with an explicit Fernet key: storage intact, "Invalid refresh token" (the JWT check).
  '2.14.7/c-jwt-signing-key-rotated': { tier: 'jwt', code: 'JWT_SIGNATURE_INVALID' },
  'd-jti-mapping-deleted': { tier: 'storage', code: 'STORE_JTI_MAPPING_MISSING' },
  'e-access-jwt-expired': { tier: null },
};

const bundles = listBundles();
let redis: RedisServer;
const work = mkdtempSync(join(tmpdir(), 'mad-diagnose-'));

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function deploymentArgs(b: Bundle, db: number): string[] {
  const args = bundleCliArgs(b, mkdtempSync(join(work, 'b-')), { url: redis.url, db, load: (dump, n) => loadRedisDump(redis, dump, n) });
  return [...args, '--upstream-client-id', b.current['upstream_client_id (GitHub app client_id)']];
}

function tokenFile(b: Bundle, which: 'access' | 'refresh'): string {
  const p = join(mkdtempSync(join(work, 't-')), which);
  writeFileSync(p, `${which === 'access' ? b.accessToken : b.refreshToken}\n`);
  return p;
}

describe.each(bundles.map((b, i) => [b.id, b, i + 1] as const))('%s', (_id, b, db) => {
  let github: FakeGithub;
  beforeAll(async () => {
    github = await fakeGithubFromBundle(b);
  });
  afterAll(async () => {
    await github?.close();
  });

  it(`access token: ${b.scenario.expect_tier} / ${b.scenario.expect_reason}`, async () => {
    const before = b.redisDump ? undefined : hashTree(b.storePath);
    const r = await runCli(['diagnose', ...deploymentArgs(b, db), '--token-file', tokenFile(b, 'access'), '--github-api-url', github.apiUrl, '--json']);
    const report = JSON.parse(r.stdout) as Report;
    if (b.scenario.expect_tier === 'ok') {
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.verdict).toBe('healthy');
      expect(r.code).toBe(0);
    } else {
      expect(report.verdict).toBe('failing');
      expect(report.failingTier).toBe(b.scenario.expect_tier);
      expect(report.findings.find((f) => f.severity === 'error')?.code).toBe(REASON_CODE[b.scenario.expect_reason]);
      expect(r.code).toBe(1);
    }
    expect(r.stderr).toBe('');
    if (before) expect(hashTree(b.storePath)).toEqual(before);
    // GitHub was asked at most once about any token.
    const perToken = new Map<string, number>();
    for (const q of github.requests.filter((x) => x.path === '/user')) perToken.set(q.tokenFingerprint ?? '', (perToken.get(q.tokenFingerprint ?? '') ?? 0) + 1);
    for (const n of perToken.values()) expect(n).toBe(1);
  });

  it(`refresh token: as FastMCP answered (${b.scenario.server_answers['refresh_token.txt']?.status})`, async () => {
    const expected = REFRESH_VERDICT[`${b.version}/${b.scenario.scenario}`] ?? REFRESH_VERDICT[b.scenario.scenario]!;
    const r = await runCli(['diagnose', ...deploymentArgs(b, db), '--token-file', tokenFile(b, 'refresh'), '--github-api-url', github.apiUrl, '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.tiers.refresh).toBeDefined();
    if (expected.tier === null) {
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.verdict).toBe('healthy');
    } else {
      expect(report.failingTier).toBe(expected.tier);
      expect(report.findings.find((f) => f.severity === 'error')?.code).toBe(expected.code);
    }
  });
});
