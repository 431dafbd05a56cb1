/**
 * What every `diagnose` run resolves before it collects, with a token (diagnose.ts) or with the
 * client's cache (diagnose-client.ts): the GitHub flags, `--since`, the key inputs, the settings, the
 * store target and an upstream token given directly.
 */
import { readSecret } from '../inputs.js';
import { parseAt } from '../time.js';
import type { CommandContext } from './context.js';
import { ENV } from './resolve/env.js';
import { resolveGithubFlags, type GithubOptions } from './resolve/github.js';
import { KeyBundle, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { buildSettings, type ExpectationOptions } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';

export type DiagnoseInputOptions = KeyOptions & ExpectationOptions & StoreOptions & GithubOptions & { replicas?: number; storeShared?: boolean; mcpClients?: number; since?: string };

export async function resolveDiagnoseInputs(opts: DiagnoseInputOptions, ctx: CommandContext) {
  const flags = resolveGithubFlags(opts, ctx);
  const since = opts.since !== undefined ? parseAt(opts.since, '--since') : undefined;
  const keys = new KeyBundle(await readKeyInputs(opts, ctx));
  const settings = buildSettings(
    { expectations: opts, keys: keys.inputs, upstreamClientId: opts.upstreamClientId, requiredScopes: opts.requiredScopes, githubApiUrl: flags.apiUrl, replicas: opts.replicas, storeShared: opts.storeShared, mcpClients: opts.mcpClients },
    ctx.env,
  );
  const storeTarget = await resolveStoreTarget(opts, ctx);
  const given = await readSecret({ file: opts.upstreamTokenFile, env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
  return { flags, since, keys, settings, storeTarget, given };
}
