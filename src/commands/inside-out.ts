/**
 * The inside-out chain, orchestrated once for verify-token, probe-github, diagnose and check:
 * the run's key bundle → the FastMCP JWT → the store (inventory and the token's chain) → the upstream
 * GitHub token behind it → GitHub. Each step fills its evidence; a step that cannot run records why.
 * Targets come resolved (src/commands/resolve/*); the adapters get only them plus `{signal, progress}`.
 */
import { upstreamTargetOf, unusableToken } from '../diagnosis/facts.js';
import { CollectError, InputError } from '../errors.js';
import { collectToken } from '../fastmcp/jwt.js';
import type { DerivedKey } from '../fastmcp/keys.js';
import { inferVersionRange } from '../fastmcp/version.js';
import { collected, failed, skipped, type ChainEvidence, type Collected, type Evidence, type SettingsEvidence, type StoreEvidence, type StoreKind, type TokenEvidence, type UpstreamToken } from '../model/index.js';
import { buildKeyring, collectChain, collectInventory, readStore, type OpenedStore, type StoreTarget } from '../stores/index.js';
import type { CommandContext } from './context.js';
import type { GithubPlan } from './resolve/github.js';
import { keyEvidence, type KeyBundle } from './resolve/keys.js';
import type { TokenInput } from './resolve/token.js';

// ---------------------------------------------------------------------------------------------
// The FastMCP JWT

/** What the JWT tier could not check, in words (makes a clean result inconclusive, never healthy). */
export function tokenGaps(t: TokenEvidence, settings: SettingsEvidence): string | undefined {
  if (unusableToken(t)) return undefined;
  const gaps: string[] = [];
  if (!t.signature.checked) gaps.push(`signature not checked (${t.signature.notCheckedBecause ?? 'no key material'})`);
  if (!settings.expectedIssuer || !settings.expectedAudience) gaps.push('iss/aud not checked (give --base-url)');
  return gaps.length ? gaps.join('; ') : undefined;
}

export async function collectTokenEvidence(input: TokenInput, keys: DerivedKey[], settings: SettingsEvidence, signal?: AbortSignal): Promise<Collected<TokenEvidence>> {
  const t = await collectToken(input.text, keys, input.source);
  // The key bundle hands back no keys when interrupted: say so rather than "no key material".
  if (!t.signature.checked && signal?.aborted) t.signature.notCheckedBecause = 'interrupted before the keys were derived';
  return collected(t, tokenGaps(t, settings));
}

interface StoreHints {
  hasRefreshTokenCollection?: boolean;
  hasConsentCsrfCollection?: boolean;
}

/** Fill settings.fastmcpVersionRange from the artifacts when --fastmcp-version was not given. */
export function inferVersion(settings: SettingsEvidence, token: TokenEvidence | undefined, storeKind?: StoreKind, storeHints: StoreHints = {}): void {
  if (settings.fastmcpVersion) return;
  const claims = token?.claims;
  const refreshLifetime = token?.kind === 'refresh' && typeof claims?.exp === 'number' && typeof claims?.iat === 'number' ? claims.exp - claims.iat : undefined;
  const range = inferVersionRange({ headerFamily: token?.headerFamily, storeKind, refreshLifetime, ...storeHints });
  if (range.hints.length) {
    settings.fastmcpVersionRange = range;
    settings.fastmcpVersionSource = 'inferred';
  }
}

// ---------------------------------------------------------------------------------------------
// The store

export interface StoreCollection {
  evidence: Pick<Evidence, 'store' | 'chain'>;
  kind?: StoreKind;
  hints: StoreHints;
}

/**
 * The storage tier's evidence: open the store, optionally take the inventory, and follow the token's
 * chain. Bad input (a wrong path) propagates (exit 2); a store that cannot be reached becomes `error`
 * evidence, so the other tiers still report.
 */
export async function collectStoreEvidence(target: StoreTarget, keys: DerivedKey[], storageKey: KeyBundle['storageKey'], token: TokenEvidence | undefined, want: { inventory: boolean }, ctx: CommandContext): Promise<StoreCollection> {
  const keyring = buildKeyring(keys, storageKey);
  const io = { signal: ctx.signal, progress: ctx.progress };
  const read = async (opened: OpenedStore): Promise<StoreCollection> => {
    const evidence: StoreCollection['evidence'] = {};
    const hints: StoreHints = {};
    let kind: StoreKind | undefined;
    if (want.inventory) {
      ctx.progress.update('reading the store…');
      const inv: Collected<StoreEvidence> = await collectInventory(opened, keyring, ctx.now, { ...io, ...(target.threads ? { threads: target.threads } : {}) });
      evidence.store = inv;
      const v = inv.status === 'skipped' ? undefined : inv.value;
      if (v) {
        kind = v.kind;
        hints.hasRefreshTokenCollection = (v.collections['mcp-refresh-tokens']?.total ?? 0) > 0;
        hints.hasConsentCsrfCollection = (v.collections['mcp-consent-csrf-tokens']?.total ?? 0) > 0;
      }
    }
    if (token && !unusableToken(token)) {
      ctx.progress.update('following the token through the store…');
      evidence.chain = await collectChain(opened, keyring, token, ctx.now);
    }
    kind ??= opened.kind;
    return kind ? { evidence, kind, hints } : { evidence, hints };
  };
  try {
    return await readStore(target, io, read);
  } catch (e) {
    // The store could not be opened or read (Redis down, …): the tier is in error, the rest goes on.
    if (e instanceof CollectError) {
      const reason = e.line();
      const evidence: StoreCollection['evidence'] = { store: failed<StoreEvidence>(reason) };
      if (token) evidence.chain = failed<ChainEvidence>(reason);
      return { evidence, hints: {} };
    }
    throw e;
  }
}

/**
 * Fill ev.keys, ev.token (when a token is given), ev.store and ev.chain. Without a named store the
 * default FASTMCP_HOME is tried quietly (unless `storeRequired`).
 */
export async function collectTokenAndStore(
  ev: Evidence,
  run: { token: TokenInput | undefined; keys: KeyBundle; store: StoreTarget; storeRequired: boolean; inventory: boolean },
  ctx: CommandContext,
): Promise<StoreCollection | undefined> {
  const keys = await run.keys.derive(ctx);
  ev.keys = collected(keyEvidence(keys, run.keys.storageKey));
  if (run.token) ev.token = await collectTokenEvidence(run.token, keys, ev.settings, ctx.signal);
  const token = ev.token?.status === 'collected' ? ev.token.value : undefined;
  if (token && unusableToken(token)) return undefined;
  if (ctx.signal.aborted) {
    // Interrupted (maybe while deriving keys): reading the store now, without the keys, would only mislead.
    ev.store = skipped('interrupted (SIGINT) before the store was read');
    inferVersion(ev.settings, token);
    return undefined;
  }
  const given = run.store.location.kind !== 'default';
  ev.settings.storeSource = given ? 'given' : 'default';
  let store: StoreCollection | undefined;
  try {
    store = await collectStoreEvidence(run.store, keys, run.keys.storageKey, token, { inventory: run.inventory }, ctx);
  } catch (e) {
    if (run.storeRequired || given || !(e instanceof InputError)) throw e;
    ev.store = skipped(`no --store given and ${e.message}`);
  }
  if (store) Object.assign(ev, store.evidence);
  inferVersion(ev.settings, token, store?.kind, store?.hints);
  return store;
}

// ---------------------------------------------------------------------------------------------
// The upstream token and GitHub

/** The upstream token to probe: the one given (--upstream-token-file / GITHUB_UPSTREAM_TOKEN), else the one the chain leads to. */
export function upstreamFor(given: UpstreamToken | undefined, ev: Evidence): { target?: UpstreamToken; why: string } {
  if (given) return { target: given, why: '' };
  const c = ev.chain;
  if (!c) return { why: 'no upstream token: give --store (or --upstream-token-file)' };
  if (c.status !== 'collected') return { why: `no upstream token: the chain could not be followed (${c.reason})` };
  const found = upstreamTargetOf(c.value);
  return 'target' in found ? { target: found.target, why: '' } : { why: `no upstream token to probe: ${found.stop}` };
}

/** Probe GitHub once for the upstream token (or record why not) into ev.upstream. */
export async function probeUpstream(ev: Evidence, github: GithubPlan, upstream: { target?: UpstreamToken; why: string }, ctx: CommandContext): Promise<void> {
  if (github.offline) {
    ev.upstream = skipped('--offline: GitHub was not contacted');
    return;
  }
  if (ctx.signal.aborted) {
    ev.upstream = skipped('interrupted (SIGINT) before GitHub was asked');
    return;
  }
  if (!upstream.target) {
    ev.upstream = skipped(upstream.why);
    return;
  }
  // The prober (and the HTTP edge behind it) is loaded when GitHub is asked, not with the command.
  const { GithubProber } = await import('../github/probe.js');
  const prober = new GithubProber(github.target, { signal: ctx.signal });
  ctx.progress.update(`asking GitHub (${new URL(github.target.apiUrl).host}) about ${upstream.target.token}…`);
  try {
    ev.upstream = await prober.probe(upstream.target);
  } finally {
    await prober.close();
  }
}

/**
 * probe-github's third source: the upstream token behind a FastMCP JWT, followed through the store
 * as FastMCP does. Bad input (not a JWT, a chain that leads nowhere) is an InputError (exit 2).
 */
export async function upstreamFromChain(input: TokenInput, tokenFile: string, keys: KeyBundle, store: StoreTarget, settings: SettingsEvidence, ctx: CommandContext): Promise<UpstreamToken> {
  const derived = await keys.derive(ctx);
  const token = await collectTokenEvidence(input, derived, settings, ctx.signal);
  const t = token.status === 'collected' ? token.value : undefined;
  if (!t || t.malformed) throw new InputError(`the FastMCP token in ${tokenFile} is not a JWT${t?.malformed ? `: ${t.malformed}` : ''}`, 'pass the token exactly as the client sends it');
  const { evidence } = await collectStoreEvidence(store, derived, keys.storageKey, t, { inventory: false }, ctx);
  const chain = evidence.chain;
  if (!chain || chain.status !== 'collected') throw new InputError(`could not follow the token through the store${chain ? `: ${chain.reason}` : ''}`, 'check --store and the key inputs');
  const found = upstreamTargetOf(chain.value);
  if ('stop' in found) {
    throw new InputError(`no upstream token found for this FastMCP token in the store: ${found.stop}`, 'run `mcp-auth-doctor verify-token` with the same inputs to see which stage fails, or give the GitHub token with --upstream-token-file');
  }
  return found.target;
}
