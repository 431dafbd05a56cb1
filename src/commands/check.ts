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
import { readSecret } from '../inputs.js';
import { skipped, type Evidence } from '../model/index.js';
import { Secret, redactUrl } from '../secrets.js';
import { probeCanary } from '../server/canary.js';
import { probeDiscovery } from '../server/discovery.js';
import type { StoreTarget } from '../stores/index.js';
import { UsageError } from '../errors.js';
import type { ReplicaEvidence } from '../model/index.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import { collectTokenAndStore, probeUpstream, upstreamFor } from './inside-out.js';
import { ENV } from './resolve/env.js';
import { githubPlan, resolveGithubFlags, type GithubFlags, type GithubOptions } from './resolve/github.js';
import { KeyBundle, keysGiven, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { resolveServerTarget, type ServerOptions } from './resolve/server.js';
import { applyKeySettings, buildSettings, type ExpectationOptions } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';
import { readTokenInput, type TokenInput } from './resolve/token.js';

export interface CheckOptions extends CommonOptions, KeyOptions, ExpectationOptions, StoreOptions, GithubOptions, Omit<ServerOptions, 'server'> {
  /** --server, repeatable: the first is the URL clients use; the others are further replicas. */
  server: string | string[];
  tokenFile?: string;
  replicas?: number;
  storeShared?: boolean;
  mcpClients?: number;
  [key: string]: unknown;
}

/** What inside-out needs, read once at the start: the operator's keys, store and upstream token. */
interface InsideInputs {
  keys: KeyBundle;
  keyGiven: boolean;
  store: StoreTarget;
  storeGiven: boolean;
  upstreamToken?: Secret;
  github: GithubFlags;
}

/**
 * Inside-out tiers, with the operator's secrets and store: the deployment's keys, the canary token
 * checked as FastMCP would (against the iss/aud the running server advertises when --base-url is not
 * given), the store (reachable, decryptable, fingerprint directory present, no orphans), and — when
 * the canary was rejected — the upstream token behind it. Configuration hazards come from the same
 * evidence (replicas vs a per-instance store, OAuth App token cap, plaintext store).
 */
async function insideOut(inside: InsideInputs, ctx: CommandContext, ev: Evidence, token: TokenInput | undefined): Promise<void> {
  expectationsFromDiscovery(ev);
  applyKeySettings(ev.settings, inside.keys.inputs);
  ev.settings.presentedAs = 'access';
  // The canary is judged as FastMCP would only with key material: without it the signature cannot be
  // checked and the server's own answer is the better evidence.
  const judged = inside.keyGiven ? token : undefined;
  await collectTokenAndStore(ev, { token: judged, keys: inside.keys, store: inside.store, storeRequired: inside.storeGiven, inventory: true }, ctx);
  // A rejected canary gets the rest of the diagnose chain: the upstream token behind it.
  const rejected = ev.canary?.status === 'collected' && ev.canary.value.outcome === 'rejected';
  if (rejected && ev.chain) {
    const given = inside.upstreamToken ? { token: inside.upstreamToken, source: inside.upstreamToken.source } : undefined;
    await probeUpstream(ev, githubPlan(inside.github, ev.settings, inside.keys.inputs), upstreamFor(given, ev), ctx);
  }
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

export async function run(opts: CheckOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const urls = Array.isArray(opts.server) ? opts.server : [opts.server];
  const server = resolveServerTarget({ ...opts, server: urls[0]! }, ctx);
  const others = urls.slice(1).map((url) => ({ ...resolveServerTarget({ ...opts, server: url }, ctx), publicOrigin: new URL(server.url).origin }));
  const seen = new Set<string>([server.url]);
  for (const t of others) {
    if (seen.has(t.url)) throw new UsageError(`--server ${t.url} is given twice`, 'give each replica once (its own address), the URL clients use first');
    seen.add(t.url);
  }
  const github = resolveGithubFlags(opts, ctx);
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
      ...(opts.githubApiUrl !== undefined ? { githubApiUrl: github.apiUrl } : {}),
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : urls.length > 1 ? { replicas: urls.length } : {}),
      ...(opts.storeShared ? { storeShared: true } : {}),
      ...(opts.mcpClients !== undefined ? { mcpClients: opts.mcpClients } : {}),
    },
    ctx.env,
  );

  // Inside-out needs the operator's secrets or store; without them the canary's HTTP answer
  // (outside-in) is the whole story. Its inputs are read now, once, before any request goes out.
  const keyGiven = keysGiven(opts, ctx.env);
  let inside: InsideInputs | undefined;
  if (opts.store || keyGiven) {
    const keys = new KeyBundle(await readKeyInputs(opts, ctx));
    const store = await resolveStoreTarget(opts, ctx);
    const upstreamToken = await readSecret({ file: opts.upstreamTokenFile, env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
    inside = { keys, keyGiven, store, storeGiven: opts.store !== undefined, github, ...(upstreamToken ? { upstreamToken } : {}) };
  }

  // The evidence, assembled here and only here.
  const ev: Evidence = { command: 'check', now: ctx.now, settings };

  // Outside-in.
  ctx.progress.update(`checking ${redactUrl(server.url)} from outside…`);
  ev.discovery = await probeDiscovery(server, ctx);

  // The canary (only when the server answered at all).
  if (token && !ctx.signal.aborted) {
    if (ev.discovery.status === 'error') ev.canary = skipped('the server could not be reached');
    else {
      ctx.progress.update('sending the canary initialize…');
      ev.canary = await probeCanary(server, new Secret(token.text, token.source), ctx);
    }
  }

  // Further replicas (several --server): the same probes and the same canary, compared by the core.
  if (others.length && !ctx.signal.aborted) {
    const replicas: ReplicaEvidence[] = [];
    for (const [i, t] of others.entries()) {
      if (ctx.signal.aborted) break;
      ctx.progress.update(`checking replica ${i + 2} ${redactUrl(t.url)} from outside…`);
      const r: ReplicaEvidence = { server: t.url, discovery: await probeDiscovery(t, ctx) };
      if (token && !ctx.signal.aborted) {
        r.canary = r.discovery.status === 'error' ? skipped('the server could not be reached') : await probeCanary(t, new Secret(token.text, token.source), ctx);
      }
      replicas.push(r);
    }
    ev.replicas = replicas;
  }

  // Inside-out (keys, store, chain, upstream, hazards).
  if (inside && !ctx.signal.aborted) await insideOut(inside, ctx, ev, token);

  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
