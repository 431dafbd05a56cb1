/**
 * Which tiers a command's report shows, and which of them a clean run needs before it may be called
 * healthy. Pure: decided from the command and the evidence it collected — never hand-built by the
 * commands. (A tier whose evidence is missing while it is deciding makes the run inconclusive.)
 */
import type { CommandName, Evidence, TierName } from '../model/index.js';
import { pathOf, tokenOf, unusableToken } from './facts.js';

export interface TierPlan {
  /** Tiers to show, in order. */
  tiers: TierName[];
  /** Tiers whose absence makes a clean run inconclusive rather than healthy. */
  deciding: TierName[];
}

export function planTiers(command: CommandName, ev: Evidence): TierPlan {
  const plan: TierPlan = { tiers: [], deciding: [] };
  const add = (tier: TierName, deciding: boolean) => {
    plan.tiers.push(tier);
    if (deciding) plan.deciding.push(tier);
  };
  const token = tokenOf(ev);
  const storeRead = Boolean(ev.store || ev.chain);
  switch (command) {
    case 'inspect-cache':
      add('storage', true);
      break;
    case 'verify-token':
      add('jwt', true);
      if (storeRead) {
        add('storage', true);
        if (pathOf(ev) === 'refresh') add('refresh', true);
      }
      break;
    case 'probe-github':
      add('config', false);
      add('upstream', true);
      break;
    case 'github-audit':
      add('idp', true);
      break;
    case 'demo':
    case 'diagnose': {
      // A token that is not a usable JWT is bad input: only the JWT tier speaks.
      if (token && unusableToken(token)) {
        add('jwt', true);
        break;
      }
      const tokenGiven = ev.token !== undefined;
      if (ev.client) add('client', true);
      add('config', false);
      if (tokenGiven) add('jwt', true);
      add('storage', token?.kind !== 'id-jag');
      if (tokenGiven && pathOf(ev) === 'refresh') add('refresh', true);
      if (ev.upstream) add('upstream', tokenGiven);
      add('idp', false);
      break;
    }
    case 'clients':
      add('client', true);
      break;
    case 'check':
      add('discovery', true);
      // Inside-out ran (the operator's keys or store were given): the deployment's own tiers.
      if (ev.keys) {
        add('config', false);
        if (ev.token) add('jwt', true);
        if (storeRead) add('storage', ev.settings.storeSource === 'given');
        // A rejected canary gets the upstream token behind it probed (explains, never decides).
        if (ev.upstream) add('upstream', false);
      }
      break;
  }
  return plan;
}
