/**
 * The GitHub-side evidence of a diagnosis (diagnose, diagnose --client): security-log exports, or the
 * store's live-token estimate against the 10-token cap for OAuth Apps.
 */
import { knownToken, type KnownToken } from '../github/audit.js';
import { classifyClientId } from '../github/classify.js';
import { collectSecurityLogs, storeEstimateFromInventory } from '../github/collect-idp.js';
import { collected, type Collected, type Evidence, type IdpEvidence, type StoreEvidence, type UpstreamToken } from '../model/index.js';
import type { CommandContext } from './context.js';

export interface IdpOptions {
  securityLog?: string[];
  app?: string;
}

export async function idpEvidence(opts: IdpOptions, ev: Evidence, target: UpstreamToken | undefined, since: number | undefined, ctx: CommandContext): Promise<Collected<IdpEvidence> | undefined> {
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
