/**
 * `clients`: every MCP OAuth session every known client holds on this machine (or under
 * --client-home), tokens as fingerprints. With the server's store and keys (--store + key flags), each
 * session's status in one word, judged as `diagnose --client` would (GitHub is never asked here).
 */
import { scanClients, normalizeServerUrl, sessionsForServer, type ClientSession } from '../clients/index.js';
import { buildReport } from '../diagnosis/engine.js';
import { UsageError } from '../errors.js';
import { fingerprint } from '../secrets.js';
import { collected, type ClientEvidence, type ClientInventory, type ClientListEntry, type Evidence, type Report } from '../model/index.js';
import type { CommandContext, CommandResult } from './context.js';
import { judgeSession } from './diagnose-client.js';
import { collectTokenAndStore } from './inside-out.js';
import { listedClient, resolveClientScan, serverUrlFlag, type ClientFlags } from './resolve/client.js';
import { githubPlan, resolveGithubFlags } from './resolve/github.js';
import { KeyBundle, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { buildSettings, type ExpectationOptions } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';

export type ClientsOptions = KeyOptions & ExpectationOptions & StoreOptions & ClientFlags;

function entryOf(s: ClientSession, now: number): ClientListEntry {
  const p = s.accessTokenPeek;
  const exp = s.expiresAt ?? p?.exp ?? null;
  const e: ClientListEntry = {
    client: s.client,
    serverUrl: s.serverUrl,
    serverUrlSource: s.serverUrlSource,
    clientId: s.clientId ? fingerprint(s.clientId) : null,
    accessToken: s.accessToken,
    accessKind: !p ? null : p.kind === 'opaque' ? 'opaque' : p.jti !== undefined && p.clientId !== undefined ? 'fastmcp-jwt' : 'jwt',
    expiresAt: exp,
    expired: exp === null ? null : exp <= now,
    refreshToken: s.refreshToken !== null,
    cacheFile: s.cache.path,
    mode: s.cache.mode,
    readableByOthers: s.files.some((f) => f.readableByOthers),
    problems: s.problems.map((x) => x.message),
  };
  if (s.serverName !== undefined) e.serverName = s.serverName;
  if (p?.jti !== undefined) e.jti = fingerprint(p.jti);
  if (p?.iss !== undefined) e.iss = p.iss;
  if (p?.aud !== undefined) e.aud = p.aud;
  return e;
}

/** A session report in one word. */
function statusWord(r: Report): string {
  if (r.verdict === 'healthy') return r.findings.some((f) => f.code === 'CLIENT_ACCESS_EXPIRED_REFRESHES') ? 'refreshes' : 'ok';
  if (r.verdict === 'inconclusive') return 'unknown';
  if (r.failingTier === 'refresh') return r.findings.some((f) => f.code === 'REFRESH_TOKEN_SUPERSEDED') ? 'superseded' : 'refresh-dead';
  return `failing:${r.failingTier ?? 'unknown'}`;
}

export async function run(opts: ClientsOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const only = opts.client !== undefined ? [listedClient(opts.client)] : undefined;
  const scanOpts = resolveClientScan(opts, ctx.env, only);
  const serverUrl = opts.serverUrl !== undefined ? serverUrlFlag(opts.serverUrl) : undefined;
  ctx.progress.update('reading the MCP clients\' token caches…');
  const scan = await scanClients(scanOpts);
  const sessions = serverUrl ? sessionsForServer(scan.sessions, serverUrl).map((m) => m.session) : scan.sessions;
  const entries = sessions.map((s) => entryOf(s, ctx.now));

  const perServer = new Map<string, { serverUrl: string; sessions: number; live: number; clients: Set<ClientSession['client']> }>();
  for (const [i, s] of sessions.entries()) {
    const url = (s.serverUrl && normalizeServerUrl(s.serverUrl)) ?? s.serverUrl ?? '(unknown server)';
    const row = perServer.get(url) ?? { serverUrl: url, sessions: 0, live: 0, clients: new Set() };
    row.sessions += 1;
    if (entries[i]!.expired === false || (entries[i]!.expired === null && s.accessToken)) row.live += 1;
    row.clients.add(s.client);
    perServer.set(url, row);
  }
  const keyInputs = await readKeyInputs(opts, ctx);
  const settings = buildSettings({ expectations: opts, keys: keyInputs }, ctx.env);
  const ev: Evidence = { command: 'clients', now: ctx.now, settings };

  // With the store and a key: each session's status (never GitHub).
  const keyGiven = keyInputs.candidateCount > 0 || keyInputs.keySource !== undefined;
  if (opts.store !== undefined && keyGiven && !serverUrl && !settings.expectedAudience) {
    throw new UsageError('the store belongs to one server: say which with --base-url (or --server-url) to judge its sessions', 'e.g. clients --store <path> --jwt-signing-key-file <f> --base-url https://mcp.example.com');
  }
  if (opts.store !== undefined && keyGiven && sessions.length) {
    const keys = new KeyBundle(keyInputs);
    const store = await resolveStoreTarget(opts, ctx);
    const base: Evidence = { command: 'diagnose', now: ctx.now, settings: { ...settings } };
    await collectTokenAndStore(base, { token: undefined, keys, store, storeRequired: true, inventory: false }, ctx);
    const derived = await keys.derive(ctx);
    const github = githubPlan({ ...resolveGithubFlags({}, ctx), offline: true }, settings, keyInputs);
    const target = serverUrl ?? settings.expectedAudience;
    for (const [i, s] of sessions.entries()) {
      if (ctx.signal.aborted) break;
      // The store belongs to one server: only that server's sessions are judged against it.
      if (!sessionsForServer([s], target!).length) {
        entries[i]!.status = 'other-server';
        continue;
      }
      const ce: ClientEvidence = { client: s.client, home: scan.home, serverUrl: target!, session: s, otherServers: [], notes: [], searched: [] };
      const r = await judgeSession({ ...base, settings: { ...base.settings, requiredScopes: [...base.settings.requiredScopes] }, client: collected(ce) }, s, { derived, keys, store, github, given: undefined, probeGithub: false }, ctx);
      entries[i]!.status = statusWord(r);
      entries[i]!.statusSummary = r.summary;
    }
  }
  const inventory: ClientInventory = {
    home: scan.home,
    sessions: entries,
    notes: scan.notes,
    searched: scan.searched,
    perServer: [...perServer.values()].map((r) => ({ serverUrl: r.serverUrl, sessions: r.sessions, live: r.live, clients: [...r.clients] })),
  };
  ev.clients = collected(inventory);
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
