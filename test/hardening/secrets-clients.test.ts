/**
 * Secret hygiene of the client tier, through the built CLI: `diagnose --client` and `clients` over
 * every real client bundle, in text, --json and --format github. No cached access or refresh token,
 * client secret, deployment secret or upstream GitHub token may appear — not whole, not as any
 * 12-character piece. With --show-secrets the tokens do appear, which proves the check can fail.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanClients } from '../../src/clients/index.js';
import { runCli } from '../support/cli.js';
import { clientBundleArgs, copyClientHome, fakeGithubFromClientBundle, listClientBundles, type ClientBundle } from '../support/client-bundles.js';
import type { FakeGithub } from '../support/fake-github.js';
import { leaks, program, type KnownSecret } from './secrets-support.js';

const work = mkdtempSync(join(tmpdir(), 'mad-secrets-clients-'));

async function secretsOf(b: ClientBundle, home: string): Promise<KnownSecret[]> {
  const out: KnownSecret[] = [];
  const add = (label: string, v: unknown) => {
    if (typeof v === 'string' && v.trim().length >= 16 && !out.some((s) => s.value === v.trim())) out.push({ label, value: v.trim() });
  };
  for (const s of (await scanClients({ home })).sessions) {
    add(`${s.client} access token`, s.accessToken?.reveal());
    add(`${s.client} refresh token`, s.refreshToken?.reveal());
    add(`${s.client} client secret`, s.clientSecret?.reveal());
  }
  const cur = (b.settings as unknown as { current_server: Record<string, unknown> }).current_server;
  add('jwt_signing_key', cur['jwt_signing_key (as passed to GitHubProvider)']);
  add('upstream client secret', cur['upstream_client_secret (GitHub app client_secret)']);
  add('HS256 key', cur['jwt_hs256_key_as_used']);
  add('Fernet key', (cur.storage as Record<string, unknown> | undefined)?.['fernet_key (derived)']);
  const gh = JSON.parse(readFileSync(join(b.dir, 'fake_github_state.json'), 'utf8')) as { access_tokens: Record<string, unknown>; refresh_tokens: Record<string, unknown> };
  for (const t of [...Object.keys(gh.access_tokens), ...Object.keys(gh.refresh_tokens ?? {})]) add('upstream GitHub token', t);
  return out;
}

describe.each(listClientBundles().map((b) => [b.id, b] as const))('%s', (_id, b) => {
  let github: FakeGithub;
  beforeAll(async () => {
    github = await fakeGithubFromClientBundle(b);
  });
  afterAll(async () => {
    await github?.close();
  });

  it('diagnose --client and clients: no secret in text, JSON or GitHub output; --show-secrets shows them', async () => {
    const home = copyClientHome(b);
    const secrets = await secretsOf(b, home);
    const diag = ['diagnose', '--client', b.client, '--client-home', home, ...clientBundleArgs(b, mkdtempSync(join(work, 'k-'))), '--github-api-url', github.apiUrl];
    const key = clientBundleArgs(b, mkdtempSync(join(work, 'k-')));
    const list = ['clients', '--client-home', home, '--store', join(b.dir, 'server', 'storage'), '--jwt-signing-key-file', key[key.indexOf('--jwt-signing-key-file') + 1]!, '--base-url', b.settings.base_url, '--at', String(b.scenario.captured_at)];
    for (const args of [diag, list]) {
      for (const format of [[], ['--json'], ['--format', 'github']]) {
        const r = await runCli([...args, ...format]);
        expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
        expect(leaks(r.stdout + r.stderr, secrets, program())).toEqual([]);
      }
    }
    if (b.scenario.expect_tier !== 'client') {
      const shown = await runCli([...diag, '--json', '--show-secrets']);
      expect(leaks(shown.stdout, secrets, program()).length).toBeGreaterThan(0);
    }
  });
});
