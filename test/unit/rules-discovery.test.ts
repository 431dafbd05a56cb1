/**
 * assessDiscovery (pure) on what real FastMCP servers answered (fixtures/real-fastmcp transcripts),
 * and the severity each revision gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCOVERY_CATALOGUE, type DiscoveryEvidence, type DiscoveryExchange } from '../../src/model/index.js';
import { assessDiscovery, CHECK_IDS, discoveryRules, firstFailure } from '../../src/diagnosis/rules/discovery.js';
import { parseWwwAuthenticate } from '../../src/server/www-authenticate.js';

const ROOT = new URL('../../fixtures/real-fastmcp/', import.meta.url).pathname;

interface Line {
  label: string;
  request: { method: string; url: string };
  response: { status: number; headers: Record<string, string>; body: string | null };
}

function transcript(version: string): Line[] {
  const dir = join(ROOT, version, 'a-healthy');
  const variant = readdirSync(dir)[0]!;
  return readFileSync(join(dir, variant, 'transcript.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

function exchange(step: string, l: Line, form?: string): DiscoveryExchange {
  const body = l.response.body ?? '';
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  const x: DiscoveryExchange = { step, method: l.request.method, url: l.request.url, status: l.response.status, headers: l.response.headers, body, ms: 1 };
  if (json !== undefined) x.json = json;
  if (form) x.form = form;
  return x;
}

/** The discovery evidence a probe would have built from the transcript's first three answers. */
function fromTranscript(version: string, spec: DiscoveryEvidence['spec']): DiscoveryEvidence {
  const t = transcript(version);
  const init = t.find((l) => l.label === 'unauthenticated /mcp')!;
  const prm = t.find((l) => l.label === 'protected resource metadata')!;
  const as = t.find((l) => l.label === 'AS metadata')!;
  const prmDoc = JSON.parse(prm.response.body!) as Record<string, unknown>;
  const asDoc = JSON.parse(as.response.body!) as Record<string, unknown>;
  return {
    serverUrl: init.request.url,
    spec,
    exchanges: [exchange('initialize', init), exchange('prm', prm, 'header'), exchange('as-metadata', as, 'rfc8414')],
    challenges: parseWwwAuthenticate(init.response.headers['www-authenticate']),
    prmUrl: prm.request.url,
    prmForm: 'header',
    prm: prmDoc,
    issuer: (prmDoc.authorization_servers as string[])[0]!,
    asMetadataUrl: as.request.url,
    asMetadataForm: 'rfc8414',
    asMetadata: asDoc,
  };
}

const settings = { mcpPath: '/mcp', requiredScopes: [], candidateCount: 0, githubApiUrl: '' };
const codesOf = (d: DiscoveryEvidence) => {
  return discoveryRules({ command: 'check', now: 0, settings, discovery: { status: 'collected', value: d } }).map((f) => `${f.severity}:${f.code}`);
};

describe('real FastMCP transcripts', () => {
  it('3.4.7: no error under any revision; scope warning from 2025-11-25; iss info in 2026-07-28', () => {
    expect(codesOf(fromTranscript('3.4.7', '2025-06-18'))).toEqual([]);
    expect(codesOf(fromTranscript('3.4.7', '2025-11-25'))).toEqual(['warning:DISCOVERY_CHALLENGE_NO_SCOPE']);
    expect(codesOf(fromTranscript('3.4.7', '2026-07-28'))).toEqual(['warning:DISCOVERY_CHALLENGE_NO_SCOPE', 'info:DISCOVERY_ISS_NOT_ADVERTISED']);
  });

  it('2.14.7: error= on the credential-less 401 is reported (info), never failed; no CIMD, no "none" method', () => {
    const codes = codesOf(fromTranscript('2.14.7', '2026-07-28'));
    expect(codes).toEqual([
      'warning:DISCOVERY_CHALLENGE_NO_SCOPE',
      'info:DISCOVERY_CHALLENGE_ERROR_PARAM',
      'info:DISCOVERY_NO_CIMD',
      'info:DISCOVERY_PUBLIC_CLIENTS_NOT_ADVERTISED',
      'info:DISCOVERY_ISS_NOT_ADVERTISED',
    ]);
  });

  it('every check is listed, in order; the token endpoint is "not probed" when no probe was made', () => {
    const d = fromTranscript('3.4.7', '2026-07-28');
    const checks = assessDiscovery(d);
    expect(checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(checks.find((c) => c.id === 'token-endpoint')).toMatchObject({ status: 'skipped', detail: 'not probed' });
    expect(firstFailure(checks)).toBeUndefined();
  });

  it('a configured URL with a trailing slash against the real 3.4.7 metadata is a resource mismatch', () => {
    const d = fromTranscript('3.4.7', '2026-07-28');
    d.serverUrl = `${d.serverUrl}/`;
    const checks = assessDiscovery(d);
    const c = checks.find((x) => x.id === 'prm-resource')!;
    expect(c).toMatchObject({ status: 'fail', code: 'DISCOVERY_PRM_RESOURCE_MISMATCH' });
    expect(c.evidence).toMatchObject({ differences: ['trailing-slash'] });
    expect(firstFailure(checks)?.id).toBe('prm-resource');
  });
});

describe('severity per revision', () => {
  const base = () => fromTranscript('3.4.7', '2026-07-28');
  const at = (d: DiscoveryEvidence, id: string) => assessDiscovery(d).find((c) => c.id === id)!;

  it('PKCE S256 absent: warn in 2025-06-18, fail from 2025-11-25', () => {
    for (const [spec, status] of [['2025-06-18', 'warn'], ['2025-11-25', 'fail'], ['2026-07-28', 'fail']] as const) {
      const d = base();
      d.spec = spec;
      delete d.asMetadata!.code_challenge_methods_supported;
      expect(at(d, 'pkce').status, spec).toBe(status);
    }
  });

  it('no Bearer challenge: fail in 2025-06-18; from 2025-11-25 warn when a well-known URL served the PRM, fail otherwise', () => {
    const cases = [
      ['2025-06-18', 'path-suffixed', 'fail'],
      ['2025-11-25', 'path-suffixed', 'warn'],
      ['2026-07-28', 'root', 'warn'],
      ['2026-07-28', 'header', 'fail'],
    ] as const;
    for (const [spec, form, status] of cases) {
      const d = base();
      d.spec = spec;
      d.challenges = [];
      d.exchanges!.find((x) => x.step === 'prm')!.form = form;
      expect(at(d, 'challenge').status, `${spec} ${form}`).toBe(status);
    }
  });

  it('DCR without CIMD: pass in 2025-06-18, info later; neither: warn', () => {
    const d = base();
    delete d.asMetadata!.client_id_metadata_document_supported;
    d.spec = '2025-06-18';
    expect(at(d, 'registration').status).toBe('pass');
    d.spec = '2025-11-25';
    expect(at(d, 'registration').status).toBe('info');
    delete d.asMetadata!.registration_endpoint;
    expect(at(d, 'registration')).toMatchObject({ status: 'warn', code: 'DISCOVERY_NO_REGISTRATION_METHOD' });
  });

  it('a 5xx at the MCP URL is an outage, a 404 a wrong status; AS checks are still reached through the well-known PRM', () => {
    const d = base();
    const init = d.exchanges![0]!;
    init.status = 502;
    init.headers = { 'content-type': 'text/html' };
    let checks = assessDiscovery(d);
    expect(checks[0]).toMatchObject({ code: 'DISCOVERY_SERVER_ERROR' });
    expect(checks.find((c) => c.id === 'challenge')!.detail).toBe('not reached: the MCP URL answered 502, not 401');
    expect(checks.find((c) => c.id === 'pkce')!.status).toBe('pass');
    init.status = 404;
    checks = assessDiscovery(d);
    expect(checks[0]).toMatchObject({ code: 'DISCOVERY_WRONG_STATUS' });
  });
});

describe('the DISCOVERY_* catalogue', () => {
  it('has unique DISCOVERY_ codes in the discovery tier, each with a title, a fix and where it was seen', () => {
    const codes = DISCOVERY_CATALOGUE.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of DISCOVERY_CATALOGUE) {
      expect(e.code).toMatch(/^DISCOVERY_[A-Z0-9_]+$/);
      expect(e.tier).toBe('discovery');
      expect(e.title.length).toBeGreaterThan(10);
      expect(e.fix.length).toBeGreaterThan(40);
      expect(e.seenIn.length).toBeGreaterThan(3);
    }
  });
});
