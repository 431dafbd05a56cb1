import type { Evidence, Finding } from '../../model/index.js';
import { configRules } from './config.js';
import { discoveryRules } from './discovery.js';
import { idpRules } from './idp.js';
import { jwtRules } from './jwt.js';
import { refreshRules } from './refresh.js';
import { storageRules } from './storage.js';
import { upstreamRules } from './upstream.js';

export type Rule = (ev: Evidence) => Finding[];

/** Every rule module, one per tier. Each returns findings for its own tier only. */
export const ALL_RULES: readonly Rule[] = [configRules, discoveryRules, jwtRules, storageRules, refreshRules, upstreamRules, idpRules];
