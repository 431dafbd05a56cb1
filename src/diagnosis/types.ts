/**
 * The findings model shared by every command: tiers, statuses, findings and the report.
 * Pure data; no I/O.
 */

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

export interface TierResult {
  status: TierStatus;
  /** Why: for fail the first error finding's title; for skipped/error what was missing or went wrong. */
  reason: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable code, e.g. STORE_JTI_MAPPING_MISSING. Documented in docs/findings.md. */
  code: string;
  tier: TierName;
  severity: Severity;
  title: string;
  /** The evidence, in words. Never a secret: fingerprints only. */
  detail: string;
  fix: string;
  /** The FastMCP stage this finding belongs to (see stages.ts); orders findings within a path. */
  stage?: StageId;
  /** What FastMCP logs at this stage (verbatim shape for the version), when relevant. */
  logLine?: string;
  /** Structured, non-secret evidence for JSON consumers. */
  data?: Record<string, unknown>;
}

export type Verdict = 'healthy' | 'failing' | 'inconclusive';

/**
 * FastMCP's verification stages. `access` path = load_access_token at /mcp; `refresh` path = the refresh grant at /token.
 * Order matters: see stages.ts.
 */
export type StageId =
  | 'config'
  | 'discovery'
  | 'jwt.decode'
  | 'jwt.signature'
  | 'jwt.token_use'
  | 'jwt.exp'
  | 'jwt.iss'
  | 'jwt.aud'
  | 'jwt.jti'
  | 'storage.client'
  | 'refresh.hash'
  | 'storage.jti_mapping'
  | 'storage.upstream_set'
  | 'storage.inventory'
  | 'upstream.verify'
  | 'upstream.scopes'
  | 'idp.events'
  | 'idp.cap'
  /** check: the end-to-end canary request; last, so that a tier that explains the rejection wins. */
  | 'canary';

export interface StageResult {
  id: StageId;
  title: string;
  status: TierStatus;
  detail: string;
  /** The log line FastMCP would have written at this stage when it fails. */
  logLine?: string;
}

export type CommandName = 'inspect-cache' | 'verify-token' | 'probe-github' | 'github-audit' | 'diagnose' | 'check' | 'demo';

export interface Report {
  schemaVersion: 1;
  tool: { name: 'mcp-auth-doctor'; version: string };
  command: CommandName;
  /** Evaluation time (unix seconds) and its ISO form: `--at` or the wall clock at start. */
  now: number;
  evaluatedAt: string;
  verdict: Verdict;
  failingTier: TierName | null;
  /** One sentence: the verdict in words. */
  summary: string;
  /** The fix of the deciding finding (empty when healthy). */
  fix: string;
  tiers: Partial<Record<TierName, TierResult>>;
  findings: Finding[];
  /** FastMCP's verification path for the token, in order (verify-token, diagnose). */
  stages?: StageResult[];
  /** Non-secret evidence the verdict was reached from (shape per command, see evidence.ts). */
  evidence: unknown;
  /** Set when collection stopped early (interrupt, fault): the report holds what was collected so far. */
  partial?: string;
}
