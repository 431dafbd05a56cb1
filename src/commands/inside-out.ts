/**
 * The inside-out chain shared by diagnose and check: keys → the FastMCP JWT → the store (inventory
 * and the token's chain) → the upstream GitHub token behind it. Each step fills its evidence; a step
 * that cannot run records why.
 */
import { collected, skipped, type Evidence, type UpstreamSetValue } from '../model/index.js';
import { InputError } from '../errors.js';
import { GithubProber } from '../github/probe.js';
import { readSecret } from '../inputs.js';
import type { Secret } from '../secrets.js';
import { collectTokenEvidence, inferVersion } from './collect-token.js';
import { collectStoreEvidence, type StoreCliOptions, type StoreCollection } from './collect-store.js';
import type { CommandContext } from './context.js';
import { ENV, keyEvidence, type KeyBundle } from './shared.js';
import type { TokenInput } from './token-input.js';

export interface UpstreamTarget {
  token: Secret;
  source: string;
  storedExpiresAt?: number | null;
  hasRefreshToken?: boolean;
}

/** The GitHub flags of probe-github, diagnose and check (see src/cli.ts `githubOptions`). */
export interface GithubOptions {
  githubApiUrl?: string;
  upstreamClientId?: string;
  requiredScopes?: string;
  githubTimeout?: number;
  /** commander: false with --no-check-token. */
  checkToken?: boolean;
  offline?: boolean;
  upstreamTokenFile?: string;
}

/** Fill ev.keys, ev.token (when a token is given), ev.store and ev.chain. Store-less runs may skip the store quietly. */
export async function collectTokenAndStore(
  opts: StoreCliOptions,
  ctx: CommandContext,
  ev: Evidence,
  kb: KeyBundle,
  input: TokenInput | undefined,
  want: { inventory: boolean; storeRequired: boolean },
): Promise<StoreCollection | undefined> {
  ev.keys = collected(keyEvidence(kb.keys, kb.storageKey));
  if (input) ev.token = await collectTokenEvidence(input, kb.keys, ev.settings, ctx.signal);
  const token = ev.token?.status === 'collected' ? ev.token.value : undefined;
  if (token?.malformed || token?.rejectedAlg !== undefined) return undefined;
  if (ctx.signal.aborted) {
    // Interrupted (maybe while deriving keys): reading the store now, without the keys, would only mislead.
    ev.store = skipped('interrupted (SIGINT) before the store was read');
    inferVersion(ev.settings, token);
    return undefined;
  }
  let store: StoreCollection | undefined;
  ev.settings.storeSource = opts.store !== undefined ? 'given' : 'default';
  try {
    store = await collectStoreEvidence(opts, ctx, kb.keys, kb.storageKey, token, { inventory: want.inventory });
  } catch (e) {
    if (want.storeRequired || opts.store !== undefined || !(e instanceof InputError)) throw e;
    ev.store = skipped(`no --store given and ${e.message}`);
  }
  if (store) Object.assign(ev, store.evidence);
  inferVersion(ev.settings, token, store?.kind, store?.hints);
  return store;
}

/** The upstream token to probe: --upstream-token-file / GITHUB_UPSTREAM_TOKEN, else the one the chain leads to. */
export async function upstreamTarget(opts: GithubOptions, ev: Evidence, ctx: CommandContext): Promise<{ target?: UpstreamTarget; why: string }> {
  const given = await readSecret({ file: opts.upstreamTokenFile, env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
  if (given) return { target: { token: given, source: given.source }, why: '' };
  const c = ev.chain;
  if (!c) return { why: 'no upstream token: give --store (or --upstream-token-file)' };
  if (c.status !== 'collected') return { why: `no upstream token: the chain could not be followed (${c.reason})` };
  const chain = c.value;
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

/** Probe GitHub once for the target (or record why not) into ev.upstream. */
export async function probeUpstream(
  opts: GithubOptions,
  ctx: CommandContext,
  ev: Evidence,
  kb: KeyBundle,
  target: { target?: UpstreamTarget; why: string },
  github: { apiUrl: string; timeoutMs: number },
): Promise<void> {
  if (opts.offline) {
    ev.upstream = skipped('--offline: GitHub was not contacted');
    return;
  }
  if (ctx.signal.aborted) {
    ev.upstream = skipped('interrupted (SIGINT) before GitHub was asked');
    return;
  }
  if (!target.target) {
    ev.upstream = skipped(target.why);
    return;
  }
  const prober = new GithubProber({
    apiUrl: github.apiUrl,
    timeoutMs: github.timeoutMs,
    requiredScopes: ev.settings.requiredScopes,
    clientId: ev.settings.upstreamClientId,
    clientSecret: kb.resolved.clientSecret,
    checkToken: opts.checkToken !== false,
    userAgent: `mcp-auth-doctor/${ctx.version}`,
    signal: ctx.signal,
  });
  ctx.progress.update(`asking GitHub (${new URL(github.apiUrl).host}) about ${target.target.token}…`);
  try {
    ev.upstream = await prober.probe(target.target);
  } finally {
    await prober.close();
  }
}
