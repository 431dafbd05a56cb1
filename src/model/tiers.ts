/** The tiers a diagnosis speaks of, their titles and statuses, and finding severities. */

/** Tiers, listed in FastMCP's own order of checks (used to pick the failing tier). */
export const TIERS = ['config', 'discovery', 'jwt', 'storage', 'refresh', 'upstream', 'idp'] as const;
export type TierName = (typeof TIERS)[number];

export const TIER_TITLES: Record<TierName, string> = {
  config: 'Configuration',
  discovery: 'Discovery (outside-in)',
  jwt: 'FastMCP JWT',
  storage: 'Storage',
  refresh: 'Refresh',
  upstream: 'Upstream token (GitHub)',
  idp: 'GitHub-side evidence',
};

export type TierStatus = 'pass' | 'fail' | 'skipped' | 'error';

export type Severity = 'error' | 'warning' | 'info';

/** The report's one-word answer. */
export type Verdict = 'healthy' | 'failing' | 'inconclusive';
