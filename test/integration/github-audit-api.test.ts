/** The org/enterprise audit-log API reader (Octokit pagination) against the stand-in GitHub. */
import { afterEach, describe, expect, it } from 'vitest';
import { auditPhrase, readAuditLog, type AuditApiOptions } from '../../src/github/audit-api.js';
import { CollectError } from '../../src/errors.js';
import type { RawRecord } from '../../src/github/events.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { Secret } from '../../src/secrets.js';

const AUDIT = 'gho_auditauditauditauditauditauditaudit';
let gh: FakeGithub | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

function events(n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ '@timestamp': 1795000000000 + i * 60_000, action: i % 3 === 2 ? 'oauth_access.destroy' : 'oauth_access.create', actor: 'owner-example', user: 'member-example', oauth_application_name: 'Example MCP Proxy', ...(i % 3 === 2 ? { explanation: 'max_for_app' } : {}) });
  }
  out.push({ '@timestamp': 1795000000000, action: 'repo.create', actor: 'owner-example' });
  // The app's authorization granted and removed (user revocation): read by a second query.
  out.push({ '@timestamp': 1794999000000, action: 'oauth_authorization.create', actor: 'member-example', user: 'member-example', oauth_application_name: 'Example MCP Proxy' });
  out.push({ '@timestamp': 1795001000000, action: 'oauth_authorization.destroy', actor: 'member-example', user: 'member-example', oauth_application_name: 'Example MCP Proxy' });
  return out;
}

async function setup(extra: Partial<NonNullable<Parameters<typeof startFakeGithub>[0]>['auditLog']> = {}) {
  gh = await startFakeGithub({ auditLog: { token: AUDIT, orgs: ['example-org'], enterprises: ['example-ent'], events: events(14), maxPerPage: 5, ...extra } });
  return gh;
}
const opts = (over: Partial<AuditApiOptions> = {}): AuditApiOptions => ({ kind: 'org', name: 'example-org', token: new Secret(AUDIT, 'audit-log token'), apiUrl: gh!.apiUrl, http: { timeoutMs: 2000, userAgent: 'test' }, ...over });

describe('audit-log API', () => {
  it('follows the Link cursor over every page (≥3), filtered by the phrase; reads oauth_access and oauth_authorization events', async () => {
    await setup();
    const recs: RawRecord[] = [];
    const r = await readAuditLog(opts(), (rec) => recs.push(rec));
    expect(r.pages).toBe(4);
    expect(r.records).toBe(16);
    expect(recs.filter((x) => String(x.action).startsWith('oauth_access.'))).toHaveLength(14);
    expect(recs.filter((x) => String(x.action).startsWith('oauth_authorization.')).map((x) => x.action)).toEqual(['oauth_authorization.destroy', 'oauth_authorization.create']);
    expect(recs.some((x) => x.action === 'repo.create')).toBe(false);
    const calls = gh!.requests.filter((x) => x.path === '/orgs/example-org/audit-log');
    expect(calls).toHaveLength(4);
    expect(calls[3]!.query).toMatchObject({ phrase: 'action:oauth_authorization', per_page: '100', include: 'web' });
    expect(calls[0]!.query).toMatchObject({ phrase: 'action:oauth_access', per_page: '100', include: 'web' });
    expect(calls[0]!.query.after).toBeUndefined();
    expect(calls[1]!.query.after).toBeTruthy();
    expect(calls[2]!.query.after).not.toBe(calls[1]!.query.after);
    expect(calls.every((x) => x.auth === 'token' || x.auth === 'bearer')).toBe(true);
  });

  it('enterprise endpoint; --since becomes a created:>= qualifier', async () => {
    await setup();
    const r = await readAuditLog(opts({ kind: 'enterprise', name: 'example-ent', since: 1795000000 }), () => {});
    expect(r.records).toBe(16);
    expect(gh!.requests[0]!.path).toBe('/enterprises/example-ent/audit-log');
    expect(gh!.requests[0]!.query.phrase).toBe(auditPhrase({ since: 1795000000 }));
    expect(auditPhrase({ since: 1795000000 })).toBe('action:oauth_access created:>=2026-11-18');
  });

  it('stops (partial) when the rate limit reaches 0, instead of asking again', async () => {
    await setup({ remaining: 0 });
    const r = await readAuditLog(opts(), () => {});
    expect(r.pages).toBe(1);
    expect(r.stopped).toMatch(/rate limit reached 0 after 1 page.*\(action:oauth_authorization events not read\)/);
  });

  it.each([
    ['401 for a bad token', { token: new Secret('gho_wrong', 'audit-log token') }, {}, /answered 401 "Bad credentials" for --org example-org — give a valid token with the read:audit_log scope/],
    ['403 without the plan or role', {}, { forbidden: true }, /answered 403 "Must have admin rights to Audit Log\." for --org example-org — the token needs read:audit_log and its user must be an organization owner, on GitHub Enterprise Cloud/],
    ['404 for an unknown org', { name: 'no-such-org' }, {}, /answered 404 "Not Found" for --org no-such-org — the organization must exist/],
  ] as const)('%s → CollectError, one line', async (_name, over, fake, re) => {
    await setup(fake);
    const err = await readAuditLog(opts(over), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectError);
    expect((err as CollectError).line()).toMatch(re);
    expect((err as CollectError).line()).not.toContain('\n');
    expect((err as CollectError).line()).not.toContain(AUDIT);
  });

  it('no answer → CollectError', async () => {
    await setup();
    const url = gh!.apiUrl;
    await gh!.close();
    gh = undefined;
    const err = await readAuditLog({ kind: 'org', name: 'x', token: new Secret(AUDIT, 'audit-log token'), apiUrl: url, http: { timeoutMs: 1000, userAgent: 't' } }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectError);
    expect((err as CollectError).message).toMatch(/did not answer/);
  });
});
