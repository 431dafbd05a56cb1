/**
 * `verify-token`: is this a token the deployment would accept, and if not, at which check does it
 * fail? Re-derives the key, verifies HS256 over the raw segments, checks claims as FastMCP does,
 * and with --store follows the token's chain.
 */
import { buildReport } from '../diagnosis/engine.js';
import { collected, type Evidence } from '../model/index.js';
import { UsageError } from '../errors.js';
import { collectTokenEvidence, inferVersion } from './collect-token.js';
import { collectStoreEvidence, type StoreCliOptions } from './collect-store.js';
import type { CommandContext, CommandResult } from './context.js';
import { buildSettings, keyEvidence, prepareKeys, type ExpectationOptions, type KeyOptions } from './shared.js';
import { readTokenInput } from './token-input.js';

export type VerifyTokenOptions = KeyOptions &
  ExpectationOptions &
  StoreCliOptions & {
    tokenFile?: string;
    presentedAs?: 'access' | 'refresh';
    requiredScopes?: string;
  };

export async function run(opts: VerifyTokenOptions, args: string[], ctx: CommandContext): Promise<CommandResult> {
  const input = await readTokenInput(args[0], opts.tokenFile, ctx);
  if (!input) throw new UsageError('no token given', 'pass the JWT as an argument, - for stdin, or --token-file <path>');
  const { resolved, storageKey, keys } = await prepareKeys(opts, ctx);
  const settings = buildSettings({ expectations: opts, keys: resolved, requiredScopes: opts.requiredScopes }, ctx);
  if (opts.presentedAs) settings.presentedAs = opts.presentedAs;

  const token = await collectTokenEvidence(input, keys, settings, ctx.signal);
  const ev: Evidence = { command: 'verify-token', now: ctx.now, settings, keys: collected(keyEvidence(keys, storageKey)), token };
  const t = token.status === 'collected' ? token.value : undefined;

  if (t && !t.malformed && t.rejectedAlg === undefined && opts.store !== undefined && !ctx.signal.aborted) {
    ctx.progress.update('reading the store…');
    const store = await collectStoreEvidence(opts, ctx, keys, storageKey, t, { inventory: false });
    Object.assign(ev, store.evidence);
    inferVersion(settings, t, store.kind, store.hints);
  } else {
    inferVersion(settings, t);
  }

  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
