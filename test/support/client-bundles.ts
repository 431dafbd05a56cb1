/**
 * The real MCP-client bundles in fixtures/real-clients (copied from shared/real-clients), and a
 * copy of a bundle's client home with the file modes the client wrote (git keeps no 0600).
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
