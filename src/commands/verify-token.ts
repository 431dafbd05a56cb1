/**
 * `verify-token`: is this a token the deployment would accept, and if not, at which check does it
 * fail? Re-derives the key, verifies HS256 over the raw segments, checks claims as FastMCP does,
 * and with --store follows the token's chain.
 */
import { buildReport } from '../diagnosis/engine.js';
import { unusableToken } from '../diagnosis/facts.js';
import { UsageError } from '../errors.js';
import { collected, type Evidence } from '../model/index.js';
import type { CommandContext, CommandResult } from './context.js';
import { collectStoreEvidence, collectTokenEvidence, inferVersion } from './inside-out.js';
import { KeyBundle, keyEvidence, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { buildSettings, type ExpectationOptions } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';
import { readTokenInput } from './resolve/token.js';

export type VerifyTokenOptions = KeyOptions &
  ExpectationOptions &
  StoreOptions & {
    tokenFile?: string;
    presentedAs?: 'access' | 'refresh';
    requiredScopes?: string;
  };

export async function run(opts: VerifyTokenOptions, args: string[], ctx: CommandContext): Promise<CommandResult> {
  const input = await readTokenInput(args[0], opts.tokenFile, ctx);
  if (!input) throw new UsageError('no token given', 'pass the JWT as an argument, - for stdin, or --token-file <path>');
  const keys = new KeyBundle(await readKeyInputs(opts, ctx));
  const settings = buildSettings({ expectations: opts, keys: keys.inputs, requiredScopes: opts.requiredScopes }, ctx.env);
  if (opts.presentedAs) settings.presentedAs = opts.presentedAs;
  const storeTarget = opts.store !== undefined ? await resolveStoreTarget(opts, ctx) : undefined;

  const derived = await keys.derive(ctx);
  const token = await collectTokenEvidence(input, derived, settings, ctx.signal);
  const ev: Evidence = { command: 'verify-token', now: ctx.now, settings, keys: collected(keyEvidence(derived, keys.storageKey)), token };
  const t = token.status === 'collected' ? token.value : undefined;

  if (t && !unusableToken(t) && storeTarget && !ctx.signal.aborted) {
    ctx.progress.update('reading the store…');
    const store = await collectStoreEvidence(storeTarget, derived, keys.storageKey, t, { inventory: false }, ctx);
    Object.assign(ev, store.evidence);
    inferVersion(settings, t, store.kind, store.hints);
  } else {
    inferVersion(settings, t);
  }
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
