/**
 * Configuration hazards: how the deployment is set up, independent of one token. Pure.
 */
import { classifyClientId, isOauthAppClient } from '../../github/classify.js';
import { CLIENT_ID_KIND_TEXT, type Evidence, type Finding, GITHUB_TOKEN_CAP, valueOf } from '../../model/index.js';
import { capital } from '../facts.js';
import { finding } from '../finding.js';

export function configRules(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  const s = ev.settings;
  const store = valueOf(ev.store);
  const upstream = valueOf(ev.upstream);

  // OAuth App behind a multi-client proxy → GitHub's 10-token cap evicts sessions.
  const clientKind = s.upstreamClientId ? classifyClientId(s.upstreamClientId) : upstream?.clientIdKind;
  const oauthTokensInStore = store?.chainHealth.tokensByPrefix['gho_'] ?? 0;
  const upstreamIsOauth = upstream?.tokenKind.prefix === 'gho_';
  const oauthEvidence: string[] = [];
  if (clientKind && isOauthAppClient(clientKind)) oauthEvidence.push(`the client id looks like an ${CLIENT_ID_KIND_TEXT[clientKind]}`);
  if (upstreamIsOauth) oauthEvidence.push('the upstream token is a gho_ OAuth App token');
  if (oauthTokensInStore > 0) oauthEvidence.push(`the store holds ${oauthTokensInStore} live gho_ upstream token${oauthTokensInStore > 1 ? 's' : ''}`);
  if (oauthEvidence.length) {
    const clients = store ? Object.keys(store.chainHealth.upstreamSetsPerClient).length : 0;
    const several: string[] = [];
    if (s.mcpClients !== undefined && s.mcpClients > 1) several.push(`${s.mcpClients} MCP clients per user (--mcp-clients)`);
    if (clients > 1) several.push(`${clients} MCP clients hold live upstream tokens in the store`);
    if (oauthTokensInStore >= GITHUB_TOKEN_CAP) several.push(`${oauthTokensInStore} live OAuth App tokens are stored (the cap is ${GITHUB_TOKEN_CAP} per user/app/scope)`);
    const detail = `${capital(oauthEvidence.join('; '))}. GitHub keeps at most ${GITHUB_TOKEN_CAP} tokens per user, OAuth App and scope set and silently revokes the least recently used one when an 11th is created (security log: oauth_access.destroy, explanation max_for_app).${several.length ? ` Several clients share it: ${several.join('; ')}.` : ' Every MCP client a user connects (Claude Code, VS Code, Gemini CLI, ChatGPT…) and every reconnect mints another token.'}`;
    out.push(finding('CONFIG_OAUTH_APP_TOKEN_CAP', detail, { stage: 'config', severity: several.length ? 'warning' : 'info', data: { clientIdKind: clientKind ?? null, oauthTokensInStore } }));
  }

  // Several replicas with a per-instance store.
  // --store-shared: a FileTree directory on a volume every replica mounts is one store. A diskcache
  // SQLite file is not made safe by sharing it (SQLite over a network volume corrupts under
  // concurrent writers), so it stays a finding, saying why.
  const sharedFileTree = s.storeShared === true && store?.kind === 'filetree';
  if (s.replicas !== undefined && s.replicas > 1 && store && (store.kind === 'diskcache' || store.kind === 'filetree') && !sharedFileTree) {
    out.push(
      finding('CONFIG_PER_INSTANCE_STORE', `--replicas ${s.replicas}, but the store is a ${store.kind === 'diskcache' ? 'diskcache SQLite file' : 'FileTree directory'} (${store.location}), local to one instance unless every replica mounts the same volume: JTI mappings, authorization codes and refresh metadata written by one replica are missing on the others.${s.storeShared && store.kind === 'diskcache' ? ' --store-shared does not apply to a diskcache SQLite file: SQLite on a volume shared by several writers is not safe (locking over network filesystems); use Redis or a FileTree store.' : ''}`, {
        stage: 'config',
      }),
    );
  }

  if (s.keySource === 'jwt-signing-key' && s.signingKeyLength !== undefined && s.signingKeyLength < 12) {
    out.push(finding('CONFIG_SHORT_SIGNING_KEY', `The jwt_signing_key has ${s.signingKeyLength} characters.`, { stage: 'config' }));
  }

  if (s.keySource === 'client-secret' && (ev.command === 'diagnose' || ev.command === 'check')) {
    out.push(finding('CONFIG_KEY_DERIVED_FROM_CLIENT_SECRET', 'No jwt_signing_key is set: the JWT key (HKDF of the client secret) and the default store\'s key and directory all change when the GitHub client secret is rotated.', { stage: 'config' }));
  }
  return out;
}

