/** The tiers a diagnosis speaks of, their titles and statuses, and finding severities. */

/**
 * Tiers, listed in FastMCP's own order of checks (used to pick the failing tier). `client` (the MCP
 * client's own token cache) comes first: what the client holds is what reaches the server.
 */
export const TIERS = ['client', 'config', 'discovery', 'jwt', 'storage', 'refresh', 'upstream', 'idp'] as const;
export type TierName = (typeof TIERS)[number];

export const TIER_TITLES: Record<TierName, string> = {
  client: 'MCP client cache',
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
