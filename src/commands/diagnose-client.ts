/**
 * `diagnose --client NAME`: the tokens come from the MCP client's own cache instead of --token-file.
 * For each session the client holds for the server: the cached access token through the access path
 * (bearer at /mcp), the cached refresh token through the refresh path (grant at /token), the store
 * read once, GitHub asked at most once per upstream token; the core judges the session
 * (diagnosis/session.ts). Several sessions: one report each, the worst verdict wins.
 */
import { scanClients, sessionsForServer } from '../clients/index.js';
import { buildSessionReport, worstSession } from '../diagnosis/session.js';
import { UsageError } from '../errors.js';
import type { readSecret } from '../inputs.js';
import { resolveDiagnoseInputs, type DiagnoseInputOptions } from './diagnose-inputs.js';
import { idpEvidence } from './idp-evidence.js';
import { collected, type ClientEvidence, type ClientSession, type Evidence, type Report, type SettingsEvidence, valueOf, type Collected, type IdpEvidence, type UpstreamToken } from '../model/index.js';
import type { CommandContext, CommandResult } from './context.js';
import { collectStoreEvidence, collectTokenAndStore, collectTokenEvidence, inferVersion, probeUpstream, upstreamFor } from './inside-out.js';
import { diagnosableClient, resolveClientScan, serverUrlFlag, type ClientFlags } from './resolve/client.js';
import { githubPlan } from './resolve/github.js';
import type { KeyBundle } from './resolve/keys.js';
import type { resolveStoreTarget } from './resolve/store.js';
import type { TokenInput } from './resolve/token.js';

/** diagnose's options (kept apart from diagnose.ts, which loads this module). */
export type ClientDiagnoseOptions = DiagnoseInputOptions & ClientFlags & { tokenFile?: string; presentedAs?: 'access' | 'refresh'; securityLog?: string[]; app?: string };

function tokenInput(s: ClientSession, which: 'access' | 'refresh'): TokenInput | undefined {
  const t = which === 'access' ? s.accessToken : s.refreshToken;
  return t ? { text: t.reveal(), source: `${which} token cached by ${s.client} (${s.cache.path})` } : undefined;
}

const copySettings = (s: SettingsEvidence, presentedAs?: 'access' | 'refresh'): SettingsEvidence => ({ ...s, requiredScopes: [...s.requiredScopes], ...(presentedAs ? { presentedAs } : {}) });

export async function runClient(opts: ClientDiagnoseOptions, ctx: CommandContext): Promise<CommandResult> {
  if (opts.tokenFile !== undefined) throw new UsageError('--client and --token-file were both given', 'give one: --client reads the tokens from the client\'s cache, --token-file takes one token');
  if (opts.presentedAs !== undefined) throw new UsageError('--presented-as does not apply with --client', 'the client\'s access token is judged at /mcp and its refresh token at /token');
  const client = diagnosableClient(opts.client!);
  const { flags, since, keys, settings, storeTarget, given } = await resolveDiagnoseInputs(opts, ctx);
  const serverUrl = opts.serverUrl !== undefined ? serverUrlFlag(opts.serverUrl) : settings.expectedAudience;
  if (!serverUrl) throw new UsageError('--client needs the server: no --server-url and no --base-url', 'give the MCP URL the client is configured with (--server-url https://host/mcp) or the server\'s --base-url');
  const scanOpts = resolveClientScan(opts, ctx.env, [client]);

  ctx.progress.update(`reading ${client}'s token cache…`);
  const scan = await scanClients(scanOpts);
  const matches = sessionsForServer(scan.sessions, serverUrl);
  const otherServers = [...new Set(scan.sessions.filter((s) => !matches.some((m) => m.session === s)).map((s) => s.serverUrl ?? `(unknown server, ${s.cache.path})`))];
  const clientBase = { client, home: scan.home, serverUrl, otherServers, notes: scan.notes, searched: scan.searched };

  // The store's inventory (and the keys) once for every session.
  const base: Evidence = { command: 'diagnose', now: ctx.now, settings: copySettings(settings) };
  await collectTokenAndStore(base, { token: undefined, keys, store: storeTarget, storeRequired: false, inventory: true }, ctx);
  const github = githubPlan(flags, settings, keys.inputs);

  if (!matches.length) {
    base.client = collected<ClientEvidence>({ ...clientBase });
    return { report: buildSessionReport({ base }, { version: ctx.version, interrupted: ctx.signal.aborted }) };
  }

  const derived = await keys.derive(ctx);
  const reports: Report[] = [];
  for (const [i, m] of matches.entries()) {
    const ce: ClientEvidence = { ...clientBase, session: m.session, matchedBy: m.matchedBy };
    if (matches.length > 1) {
      ce.index = i + 1;
      ce.of = matches.length;
    }
    const sessionBase: Evidence = { ...base, settings: copySettings(base.settings), client: collected(ce) };
    reports.push(await judgeSession(sessionBase, m.session, { derived, keys, store: storeTarget, github, given, idp: (ev, target) => idpEvidence(opts, ev, target, since, ctx) }, ctx));
  }
  return { report: worstSession(reports) };
}

export interface SessionTools {
  derived: Awaited<ReturnType<KeyBundle['derive']>>;
  keys: KeyBundle;
  store: Awaited<ReturnType<typeof resolveStoreTarget>>;
  github: ReturnType<typeof githubPlan>;
  given: Awaited<ReturnType<typeof readSecret>>;
  /** False: GitHub is not asked at all (the `clients` listing); the upstream tier is then not judged. */
  probeGithub?: boolean;
  /** The GitHub-side evidence for the session (security-log exports, the cap estimate), given the upstream token behind it. */
  idp?: (ev: Evidence, target: UpstreamToken | undefined) => Promise<Collected<IdpEvidence> | undefined>;
}

/** One session judged: both paths collected (GitHub at most once per upstream token), then the core's session report. */
export async function judgeSession(sessionBase: Evidence, s: ClientSession, tools: SessionTools, ctx: CommandContext): Promise<Report> {
  const access = await pathEvidence(sessionBase, s, 'access', tools.derived, tools.keys, tools.store, ctx);
  const refresh = await pathEvidence(sessionBase, s, 'refresh', tools.derived, tools.keys, tools.store, ctx);
  const asked = new Map<string, Evidence['upstream']>();
  for (const ev of [access, refresh]) {
    if (!ev || ctx.signal.aborted || tools.probeGithub === false) continue;
    const up = upstreamFor(tools.given ? { token: tools.given, source: tools.given.source } : undefined, ev);
    const key = up.target?.token.fingerprint;
    if (key !== undefined && asked.has(key)) {
      const prior = asked.get(key);
      if (prior) ev.upstream = prior;
      continue;
    }
    await probeUpstream(ev, tools.github, up, ctx);
    if (key !== undefined) asked.set(key, ev.upstream);
  }
  // GitHub-side evidence once, on the path that decides first (the access path when there is one).
  const main = access ?? refresh;
  if (main && tools.idp && !ctx.signal.aborted) {
    const idp = await tools.idp(main, upstreamFor(tools.given ? { token: tools.given, source: tools.given.source } : undefined, main).target);
    if (idp) main.idp = idp;
  }
  return buildSessionReport({ base: sessionBase, ...(access ? { access } : {}), ...(refresh ? { refresh } : {}) }, { version: ctx.version, interrupted: ctx.signal.aborted });
}

/** One path's evidence: the cached token's JWT and its chain through the (already opened) store. */
async function pathEvidence(
  base: Evidence,
  s: ClientSession,
  which: 'access' | 'refresh',
  derived: Awaited<ReturnType<KeyBundle['derive']>>,
  keys: KeyBundle,
  store: Awaited<ReturnType<typeof resolveStoreTarget>>,
  ctx: CommandContext,
): Promise<Evidence | undefined> {
  const input = tokenInput(s, which);
  if (!input) return undefined;
  const ev: Evidence = { ...base, settings: copySettings(base.settings, which) };
  delete ev.client;
  ev.token = await collectTokenEvidence(input, derived, ev.settings, ctx.signal);
  const token = ev.token.status === 'collected' ? ev.token.value : undefined;
  if (base.store?.status !== 'skipped' && base.settings.storeSource !== undefined && token && !ctx.signal.aborted) {
    const { evidence } = await collectStoreEvidence(store, derived, keys.storageKey, token, { inventory: false }, ctx);
    if (evidence.chain) ev.chain = evidence.chain;
  }
  inferVersion(ev.settings, token, valueOf(base.store)?.kind);
  return ev;
}
