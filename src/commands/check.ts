/**
 * `mcp-auth-doctor check --server <url>`: the post-deploy CI gate.
 *
 * Outside-in (no secrets): the discovery surface a client walks before it has a token (checks C1–C11
 * of mcp-authorization.md), under the chosen spec revision. With --token-file: the canary, one
 * authenticated initialize with a token issued before the deploy.
 *
 * The evidence is assembled in one place (`run`); the inside-out tiers (keys, token, store, chain,
 * upstream, hazards) plug in through `insideOut`, which adds their evidence; the core plans the tiers
 * from the evidence (planTiers).
 */
import { buildReport } from '../diagnosis/engine.js';
import { type Evidence, skipped } from '../model/index.js';
import { UsageError } from '../errors.js';
import { Secret, redactUrl } from '../secrets.js';
import { probeCanary } from '../server/canary.js';
import { probeDiscovery, type SpecRevision } from '../server/discovery.js';
import { DEFAULT_HTTP_TIMEOUT_MS } from '../server/http.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import type { StoreCliOptions } from './collect-store.js';
import { collectTokenAndStore, probeUpstream, upstreamTarget, type GithubOptions } from './inside-out.js';
import { githubApiUrl, githubTimeout } from './probe-github.js';
import { buildSettings, ENV, prepareKeys, type ExpectationOptions, type KeyBundle, type KeyOptions } from './shared.js';
import { readTokenInput, type TokenInput } from './token-input.js';

export interface CheckOptions extends CommonOptions, KeyOptions, ExpectationOptions, StoreCliOptions, GithubOptions {
  server: string;
  spec?: string;
  probeRegistration?: boolean;
  httpTimeout?: number;
  tokenFile?: string;
  replicas?: number;
  mcpClients?: number;
  [key: string]: unknown;
}

export const SPEC_REVISIONS: readonly SpecRevision[] = ['2025-06-18', '2025-11-25', '2026-07-28'];
export const LATEST_SPEC: SpecRevision = '2026-07-28';

/** --server: an absolute http(s) URL without credentials or fragment; kept exactly as given (trimmed). */
export function parseServerUrl(text: string | undefined): string {
  const raw = (text ?? '').trim();
  const hint = 'give the URL clients are configured with, e.g. --server https://mcp.example.com/mcp';
  if (!raw) throw new UsageError('--server is empty', hint);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--server "${raw}" is not a URL`, hint);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--server "${raw}" is not an http(s) URL`, hint);
  if (!/^https?:\/\/[^/?#]/i.test(raw)) throw new UsageError(`--server "${raw}" has no host`, hint);
  if (u.username || u.password) throw new UsageError(`--server ${redactUrl(raw)} carries credentials`, 'MCP clients do not send URL credentials; give the bare URL');
  if (u.hash) throw new UsageError(`--server "${raw}" has a fragment`, 'a resource URL has no fragment; drop the "#…" part');
  return raw;
}

export function parseSpec(text: string | undefined): SpecRevision {
  if (text === undefined) return LATEST_SPEC;
  if ((SPEC_REVISIONS as readonly string[]).includes(text)) return text as SpecRevision;
  throw new UsageError(`--spec "${text}" is not a known revision`, `use one of ${SPEC_REVISIONS.join(', ')}`);
}

export function httpTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_HTTP_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError('--http-timeout must be more than 0 ms', 'use e.g. --http-timeout 10000');
  return ms;
}

/**
 * Inside-out tiers, with the operator's secrets and store: the deployment's keys, the canary token
 * checked as FastMCP would (against the iss/aud the running server advertises when --base-url is not
 * given), the store (reachable, decryptable, fingerprint directory present, no orphans), and — when
 * the canary was rejected — the upstream token behind it. Configuration hazards come from the same
 * evidence (replicas vs a per-instance store, OAuth App token cap, plaintext store).
 */
export async function insideOut(opts: CheckOptions, ctx: CommandContext, ev: Evidence, token: TokenInput | undefined): Promise<void> {
  // Without the operator's secrets or store there is nothing inside to look at: the canary's HTTP
  // answer (outside-in) is the whole story.
  const keyGiven = Boolean(opts.upstreamClientSecretFile || opts.jwtSigningKeyFile || opts.jwtRawKeyFile || opts.storageEncryptionKeyFile || opts.candidateSecretFile?.length) || hasKeyEnv(ctx);
  if (!opts.store && !keyGiven) return;
  expectationsFromDiscovery(ev);

  const kb = await prepareKeys(opts, ctx);
  applyKeySettings(ev, kb);
  ev.settings.presentedAs = 'access';
  // The canary is judged as FastMCP would only with key material: without it the signature cannot be
  // checked and the server's own answer is the better evidence.
  const judged = keyGiven ? token : undefined;
  await collectTokenAndStore(opts, ctx, ev, kb, judged, { inventory: true, storeRequired: opts.store !== undefined });
  // A rejected canary gets the rest of the diagnose chain: the upstream token behind it.
  const rejected = ev.canary?.status === 'collected' && ev.canary.value.outcome === 'rejected';
  if (rejected && ev.chain) {
    const github = { apiUrl: githubApiUrl(opts.githubApiUrl, ctx), timeoutMs: githubTimeout(opts.githubTimeout) };
    await probeUpstream(opts, ctx, ev, kb, await upstreamTarget(opts, ev, ctx), github);
  }
}

function hasKeyEnv(ctx: CommandContext): boolean {
  return [...ENV.clientSecret, ...ENV.jwtSigningKey, ...ENV.jwtRawKey, ...ENV.storageKey].some((n) => Boolean(ctx.env[n]?.trim()));
}

/**
 * Without --base-url, the running server's own metadata says what it expects: the AS issuer is the
 * JWT iss (base_url, or issuer_url on 4.x) and the PRM resource is the JWT aud (2.14.2+).
 */
function expectationsFromDiscovery(ev: Evidence): void {
  const s = ev.settings;
  const d = ev.discovery?.status === 'skipped' ? undefined : ev.discovery?.value;
  if (s.baseUrl || !d) return;
  const issuer = typeof d.asMetadata?.issuer === 'string' ? d.asMetadata.issuer : undefined;
  const resource = typeof d.prm?.resource === 'string' ? d.prm.resource : undefined;
  if (issuer) {
    s.expectedIssuer = issuer;
    s.baseUrl = issuer;
  }
  if (resource && issuer) s.expectedAudience = resource;
}

function applyKeySettings(ev: Evidence, kb: KeyBundle): void {
  ev.settings.candidateCount = kb.resolved.candidateCount;
  if (kb.resolved.keySource) ev.settings.keySource = kb.resolved.keySource;
  if (kb.resolved.signingKeyLength !== undefined) ev.settings.signingKeyLength = kb.resolved.signingKeyLength;
}

export async function run(opts: CheckOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const serverUrl = parseServerUrl(opts.server);
  const spec = parseSpec(opts.spec);
  const timeoutMs = httpTimeout(opts.httpTimeout);
  const token = await readTokenInput(undefined, opts.tokenFile, ctx);

  const expectations: ExpectationOptions = {};
  if (opts.baseUrl !== undefined) expectations.baseUrl = opts.baseUrl;
  if (opts.mcpPath !== undefined) expectations.mcpPath = opts.mcpPath;
  if (opts.issuer !== undefined) expectations.issuer = opts.issuer;
  if (opts.fastmcpVersion !== undefined) expectations.fastmcpVersion = opts.fastmcpVersion;
  const settings = buildSettings(
    {
      expectations,
      ...(opts.upstreamClientId !== undefined ? { upstreamClientId: opts.upstreamClientId } : {}),
      ...(opts.requiredScopes !== undefined ? { requiredScopes: opts.requiredScopes } : {}),
      ...(opts.githubApiUrl !== undefined ? { githubApiUrl: opts.githubApiUrl } : {}),
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      ...(opts.mcpClients !== undefined ? { mcpClients: opts.mcpClients } : {}),
    },
    ctx,
  );

  // The evidence, assembled here and only here.
  const ev: Evidence = { command: 'check', now: ctx.now, settings };

  // Outside-in.
  ctx.progress.update(`checking ${redactUrl(serverUrl)} from outside…`);
  ev.discovery = await probeDiscovery(serverUrl, {
    spec,
    timeoutMs,
    signal: ctx.signal,
    env: ctx.env,
    probeRegistration: Boolean(opts.probeRegistration),
    progress: (text) => ctx.progress.update(text),
  });

  // The canary (only when the server answered at all).
  if (token && !ctx.signal.aborted) {
    if (ev.discovery.status === 'error') ev.canary = skipped('the server could not be reached');
    else {
      ctx.progress.update('sending the canary initialize…');
      ev.canary = await probeCanary(serverUrl, new Secret(token.text, token.source), { timeoutMs, signal: ctx.signal, env: ctx.env });
    }
  }

  // Inside-out (keys, store, chain, upstream, hazards).
  if (!ctx.signal.aborted) await insideOut(opts, ctx, ev, token);

  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
