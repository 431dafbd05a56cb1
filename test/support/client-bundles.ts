/**
 * The real MCP-client bundles in fixtures/real-clients (copied from shared/real-clients), and a
 * copy of a bundle's client home with the file modes the client wrote (git keeps no 0600).
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeGithub, type FakeGithub, type TokenBehaviour } from './fake-github.js';

export const CLIENT_FIXTURES = fileURLToPath(new URL('../../fixtures/real-clients', import.meta.url));

export interface Claims {
  iss: string;
  aud: string;
  client_id: string;
  exp: number;
  iat: number;
  jti: string;
}

export interface ClientBundle {
  id: string;
  dir: string;
  client: 'mcp-remote' | 'fastmcp' | 'gemini-cli' | 'claude-code';
  scenario: {
    scenario: string;
    expect_tier: string;
    expect_reason: string;
    captured_at: number;
    cached: { client_id: string; access_token_claims: Claims; refresh_token_claims: Claims };
    client_home_modes: Record<string, string>;
    server_answers: Record<string, { status: number; error?: string }>;
  };
  settings: { server_url: string; base_url: string; mcp_client: { server_url_used_by_client: string } };
}

export function listClientBundles(): ClientBundle[] {
  const out: ClientBundle[] = [];
  for (const client of ['claude-code', 'fastmcp', 'gemini-cli', 'mcp-remote'] as const) {
    for (const scenario of readdirSync(join(CLIENT_FIXTURES, client)).sort()) {
      const dir = join(CLIENT_FIXTURES, client, scenario);
      out.push({
        id: `${client}/${scenario}`,
        dir,
        client,
        scenario: JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')),
        settings: JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')),
      });
    }
  }
  return out;
}

/** Copy `client-home` to a fresh temp dir and restore the modes recorded at capture. */
export function copyClientHome(b: ClientBundle): string {
  const home = mkdtempSync(join(tmpdir(), 'mad-client-home-'));
  cpSync(join(b.dir, 'client-home'), home, { recursive: true });
  const modes = Object.entries(b.scenario.client_home_modes).sort(([a], [c]) => c.length - a.length);
  // (The Gemini bundles list some paths under .gemini/srv/ that sit under .gemini/tmp/ in the copy.)
  for (const [rel, mode] of modes) if (existsSync(join(home, rel))) chmodSync(join(home, rel), Number.parseInt(mode.replace(/^0o/, ''), 8));
  return home;
}

/** Copy a from-source fixture home (fixtures/real-clients/from-source/<name>/client-home), files 0600. */
export function copyFromSourceHome(name: string, fileMode = 0o600): string {
  const home = mkdtempSync(join(tmpdir(), 'mad-client-home-'));
  cpSync(join(CLIENT_FIXTURES, 'from-source', name, 'client-home'), home, { recursive: true });
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else chmodSync(p, fileMode);
    }
  };
  walk(home);
  return home;
}

/**
 * The stand-in GitHub of a client bundle at capture (fake_github_state.json): its access tokens that
 * were live then answer 200, everything else 401 Bad credentials.
 */
export async function fakeGithubFromClientBundle(b: ClientBundle): Promise<FakeGithub> {
  const state = JSON.parse(readFileSync(join(b.dir, 'fake_github_state.json'), 'utf8')) as {
    app: { client_id: string };
    user: { login: string; id: number };
    access_tokens: Record<string, { token: string; revoked: boolean; expires_at: number | null; scope?: string }>;
  };
  const now = b.scenario.captured_at;
  const tokens: Record<string, TokenBehaviour> = {};
  for (const t of Object.values(state.access_tokens)) {
    const alive = !t.revoked && (t.expires_at === null || t.expires_at > now);
    tokens[t.token] = alive ? { kind: 'ok', login: state.user.login, id: state.user.id, scopes: '', expiresAt: t.expires_at, clientId: state.app.client_id, clientIdHeader: false } : { kind: 'bad-credentials' };
  }
  const secret = (b.settings as unknown as { current_server: Record<string, string> }).current_server['upstream_client_secret (GitHub app client_secret)']!;
  return startFakeGithub({ tokens, apps: { [state.app.client_id]: { secret, name: 'stand-in app' } }, now });
}

/** The acceptance command line's deployment flags for a client bundle (key files written to `dir`). */
export function clientBundleArgs(b: ClientBundle, dir: string): string[] {
  const cur = (b.settings as unknown as { current_server: Record<string, string> }).current_server;
  const sk = join(dir, 'signing-key');
  const cs = join(dir, 'client-secret');
  writeFileSync(sk, `${cur['jwt_signing_key (as passed to GitHubProvider)']}\n`);
  writeFileSync(cs, `${cur['upstream_client_secret (GitHub app client_secret)']}\n`);
  return [
    '--server-url', b.settings.server_url,
    '--store', join(b.dir, 'server', 'storage'),
    '--jwt-signing-key-file', sk,
    '--upstream-client-id', cur['upstream_client_id (GitHub app client_id)']!,
    '--upstream-client-secret-file', cs,
    '--base-url', b.settings.base_url,
    '--at', String(b.scenario.captured_at),
  ];
}
