/**
 * `diagnose`: run every tier there are inputs for — JWT, storage, refresh, upstream, GitHub-side
 * evidence, configuration hazards — and reason to one verdict naming the first failing tier in
 * FastMCP's order of checks. Later tiers still run where they can: their evidence explains.
 */
import { buildReport } from '../diagnosis/engine.js';
import { collected, skipped, type Collected, type Evidence, type IdpEvidence, type StoreEvidence, type UpstreamSetValue } from '../diagnosis/evidence.js';
import { pathOf } from '../diagnosis/facts.js';
import type { TierName } from '../diagnosis/types.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { collectSecurityLogs, storeEstimateFromInventory } from '../github/collect-idp.js';
import { knownToken, type KnownToken } from '../github/audit.js';
import { classifyClientId } from '../github/classify.js';
import { GithubProber } from '../github/probe.js';
import { readSecret } from '../inputs.js';
import type { Secret } from '../secrets.js';
import { parseAt } from '../time.js';
import { collectTokenEvidence, inferVersion } from './collect-token.js';
import { collectStoreEvidence, type StoreCliOptions, type StoreCollection } from './collect-store.js';
import type { CommandContext, CommandResult } from './context.js';
import { githubApiUrl, githubTimeout } from './probe-github.js';
import { buildSettings, deriveWithProgress, ENV, keyEvidence, resolveKeyInputs, resolveStorageKey, type ExpectationOptions, type KeyOptions } from './shared.js';
import { readTokenInput } from './token-input.js';

export type DiagnoseOptions = KeyOptions &
  ExpectationOptions &
  StoreCliOptions & {
    tokenFile?: string;
    presentedAs?: 'access' | 'refresh';
    githubApiUrl?: string;
    upstreamClientId?: string;
    requiredScopes?: string;
    githubTimeout?: number;
    checkToken?: boolean;
    offline?: boolean;
    upstreamTokenFile?: string;
    securityLog?: string[];
    app?: string;
    since?: string;
    replicas?: number;
    mcpClients?: number;
  };

export async function run(opts: DiagnoseOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const input = await readTokenInput(undefined, opts.tokenFile, ctx);
  const apiUrl = githubApiUrl(opts.githubApiUrl, ctx);
  const timeoutMs = githubTimeout(opts.githubTimeout);
  const since = opts.since !== undefined ? parseAt(opts.since) : undefined;

  const resolved = await resolveKeyInputs(opts, ctx);
  const storageKey = await resolveStorageKey(opts, ctx);
  const keys = await deriveWithProgress(resolved, opts, ctx);
  const settings = buildSettings(
    { expectations: opts, keys: resolved, upstreamClientId: opts.upstreamClientId, requiredScopes: opts.requiredScopes, githubApiUrl: apiUrl, replicas: opts.replicas, mcpClients: opts.mcpClients },
    ctx,
  );
  if (opts.presentedAs) settings.presentedAs = opts.presentedAs;
  const ev: Evidence = { command: 'diagnose', now: ctx.now, settings, keys: collected(keyEvidence(keys, storageKey)) };

  // 1. The FastMCP JWT.
  if (input) ev.token = await collectTokenEvidence(input, keys, settings);
  const token = ev.token?.status === 'collected' ? ev.token.value : undefined;
  if (token?.malformed || token?.rejectedAlg !== undefined) return badToken(ev, token.malformed, token.rejectedAlg, ctx);

  // 2. Storage (inventory + the token's chain). Without --store, try the default FASTMCP_HOME quietly.
  let store: StoreCollection | undefined;
  try {
    store = await collectStoreEvidence(opts, ctx, keys, storageKey, token, { inventory: true });
  } catch (e) {
    if (opts.store !== undefined || !(e instanceof InputError)) throw e;
    ev.store = skipped(`no --store given and ${e.message}`);
  }
  if (store) Object.assign(ev, store.evidence);
  inferVersion(settings, token, store?.kind, store?.hints);
  if (!input && !store) throw new UsageError('nothing to diagnose: no token and no store', 'give the token a client sent (--token-file <path|->) and/or the store the server uses (--store <path|redis-url>)');

  // 3. Upstream: the GitHub token behind the session (from the chain), or one given directly.
  const upstreamTarget = await upstreamTarget_(opts, ev, ctx);
  if (opts.offline) ev.upstream = skipped('--offline: GitHub was not contacted');
  else if (!upstreamTarget.target) {
    if (input || opts.upstreamTokenFile) ev.upstream = skipped(upstreamTarget.why);
  } else {
    const prober = new GithubProber({
      apiUrl,
      timeoutMs,
      requiredScopes: settings.requiredScopes,
      clientId: settings.upstreamClientId,
      clientSecret: resolved.clientSecret,
      checkToken: opts.checkToken !== false,
      userAgent: `mcp-auth-doctor/${ctx.version}`,
      signal: ctx.signal,
    });
    ctx.progress.update(`asking GitHub (${new URL(apiUrl).host}) about ${upstreamTarget.target.token}…`);
    try {
      ev.upstream = await prober.probe(upstreamTarget.target);
    } finally {
      await prober.close();
    }
  }

  // 4. GitHub-side evidence: security-log exports, or the store's cap estimate for OAuth Apps.
  ev.idp = await idpEvidence(opts, ev, upstreamTarget.target, since, ctx);

  // 5. Verdict.
  const tiers: TierName[] = ['config'];
  const deciding: TierName[] = [];
  if (input) {
    tiers.push('jwt');
    deciding.push('jwt');
  }
  tiers.push('storage');
  if (token?.kind !== 'id-jag') deciding.push('storage');
  if (input && pathOf(ev) === 'refresh') {
    tiers.push('refresh');
    deciding.push('refresh');
  }
  if (input || ev.upstream) {
    tiers.push('upstream');
    if (input) deciding.push('upstream');
  }
  tiers.push('idp');
  const report = buildReport(ev, { version: ctx.version, tiers, deciding, ...(ctx.signal.aborted ? { partial: 'interrupted (SIGINT)' } : {}) });
  return { report };
}

function badToken(ev: Evidence, malformed: string | undefined, alg: string | undefined, ctx: CommandContext): CommandResult {
  const report = buildReport(ev, { version: ctx.version, tiers: ['jwt'], deciding: ['jwt'] });
  const errorLine = malformed
    ? `the token is not a JWT: ${malformed} — pass the token exactly as the client sends it (without "Bearer ")`
    : `the token is signed with alg ${JSON.stringify(alg)}, and FastMCP accepts HS256 only — it was not issued by this FastMCP server`;
  return { report, exitCode: EXIT.badInput, errorLine };
}

interface UpstreamTarget {
  target?: { token: Secret; source: string; storedExpiresAt?: number | null; hasRefreshToken?: boolean };
  why: string;
}

/** The upstream token to probe: --upstream-token-file / GITHUB_UPSTREAM_TOKEN, else the one the chain leads to. */
async function upstreamTarget_(opts: DiagnoseOptions, ev: Evidence, ctx: CommandContext): Promise<UpstreamTarget> {
  const given = await readSecret({ file: opts.upstreamTokenFile, env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
  if (given) return { target: { token: given, source: given.source }, why: '' };
  const chain = ev.chain?.status === 'collected' ? ev.chain.value : undefined;
  if (!chain) {
    const c = ev.chain;
    return { why: c && c.status !== 'collected' ? `no upstream token: the chain could not be followed (${c.reason})` : 'no upstream token: give --store (or --upstream-token-file)' };
  }
  const set = chain.upstreamSet;
  let value: UpstreamSetValue | undefined;
  if (set?.state === 'present' || set?.state === 'expired') value = set.value;
  else if (set?.state === 'undecryptable') value = set.decryptsWithValue;
  if (!value) {
    const stop = !chain.mapping ? 'the token has no JTI mapping to follow' : chain.mapping.state !== 'present' ? `the chain stops at the JTI mapping (${chain.mapping.state})` : `the chain stops at the upstream token set (${set?.state ?? 'not looked up'})`;
    return { why: `no upstream token to probe: ${stop}` };
  }
  return {
    target: { token: value.accessToken, source: `upstream token set ${value.upstreamTokenId.slice(0, 8)}…`, storedExpiresAt: value.expiresAt, hasRefreshToken: value.refreshToken !== null },
    why: '',
  };
}

async function idpEvidence(opts: DiagnoseOptions, ev: Evidence, target: UpstreamTarget['target'], since: number | undefined, ctx: CommandContext): Promise<Collected<IdpEvidence> | undefined> {
  const inventory: StoreEvidence | undefined = ev.store?.status === 'collected' ? ev.store.value : undefined;
  const tokens: KnownToken[] = target ? [knownToken(target.token, `the upstream token behind this session (${target.token})`, { ...(target.hasRefreshToken !== undefined ? { hasRefreshToken: target.hasRefreshToken } : {}), ...(target.storedExpiresAt !== undefined ? { expiresAt: target.storedExpiresAt } : {}) })] : [];
  const app = opts.app?.trim() || ev.settings.upstreamClientId;
  if (opts.securityLog?.length) {
    const idp = await collectSecurityLogs(opts.securityLog, { app, since, tokens }, ctx);
    if (inventory && idp.status !== 'skipped' && idp.value) idp.value.storeEstimate = storeEstimateFromInventory(inventory);
    return idp;
  }
  const oauthApp = (inventory?.chainHealth.tokensByPrefix['gho_'] ?? 0) > 0 || classifyClientId(ev.settings.upstreamClientId) === 'oauth-app';
  if (inventory && oauthApp) {
    return collected<IdpEvidence>({
      source: 'store-estimate',
      eventsRead: 0,
      eventsForApp: 0,
      matches: [],
      destroysByExplanation: {},
      timelines: [],
      storeEstimate: storeEstimateFromInventory(inventory),
    });
  }
  return undefined;
}
