/**
 * The findings model shared by every command: commands, tiers, stages, findings and the report.
 * Pure data; no I/O.
 */
import type { FindingCode } from './catalogue.js';
import type { CommandName } from './command.js';
import type { Evidence } from './evidence.js';
import type { Severity, TierName, TierStatus, Verdict } from './tiers.js';

export interface TierResult {
  status: TierStatus;
  /** Why: for fail the first error finding's title; for skipped/error what was missing or went wrong. */
  reason: string;
}

/**
 * FastMCP's verification stages. `access` path = load_access_token at /mcp; `refresh` path = the refresh grant at /token.
 * Order matters: see src/diagnosis/stages.ts.
 */
export type StageId =
  /** diagnose --client: what the client's cache holds for the server (before anything is sent). */
  | 'client.cache'
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

export interface Finding {
  /** Stable code, e.g. STORE_JTI_MAPPING_MISSING. Documented in docs/findings.md. */
  code: FindingCode;
  tier: TierName;
  severity: Severity;
  title: string;
  /** The evidence, in words. Never a secret: fingerprints only. */
  detail: string;
  fix: string;
  /** The FastMCP stage this finding belongs to; orders findings within a path. */
  stage?: StageId;
  /** What FastMCP logs at this stage (verbatim shape for the version), when relevant. */
  logLine?: string;
  /** Structured, non-secret evidence for JSON consumers. */
  data?: Record<string, unknown>;
  /** The finding that explains this one (src/diagnosis/explanations.ts): this one is its symptom. */
  explainedBy?: FindingCode;
}

/** Where FastMCP stops: its first failing check (the verdict may name a deeper cause). */
export interface FailingStage {
  stage: StageId | null;
  tier: TierName;
  code: FindingCode;
}


export interface StageResult {
  id: StageId;
  title: string;
  status: TierStatus;
  detail: string;
  /** The log line FastMCP would have written at this stage when it fails. */
  logLine?: string;
}

/** One judged check of the discovery surface (check, outside-in), made by the discovery rules. */
export interface DiscoveryCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'info' | 'skipped';
  detail: string;
  /** Finding code to raise when status is fail/warn/info. */
  code?: FindingCode;
  evidence?: Record<string, unknown>;
  /** Finding severity when it differs from the status (fail → error, warn → warning, info → info). */
  severity?: Severity;
  /** Which spec check this is (C1–C11 of mcp-authorization.md) and why it has this severity under the chosen revision. */
  ref?: string;
}

/** The discovery rules' judgement of the observed surface, check by check. */
export interface DiscoveryAssessment {
  checks: DiscoveryCheck[];
  /** Id of the first failing check (the one the verdict names). */
  firstFailure?: string;
}

/** One path of a client session (`diagnose --client`): the cached access token at /mcp, or the cached refresh token at /token. */
export interface SessionPath {
  endpoint: 'POST /mcp' | 'POST /token';
  verdict: Verdict;
  failingTier: TierName | null;
  /** Codes of the path's error findings, in FastMCP's order. */
  errors: FindingCode[];
  stages: StageResult[];
}

/** `diagnose --client`: the session as the client lives it. */
export interface SessionAssessment {
  client: string;
  serverUrl: string;
  /** Null when the client holds no such token. */
  access: SessionPath | null;
  refresh: SessionPath | null;
  /** When the session stops working without a new browser login (unix seconds), if it does. */
  endsAt?: number;
}

/** `diagnose --client` with several sessions for the server: one line per session (the report is the worst one's). */
export interface SessionSummary {
  client: string;
  serverUrl: string | null;
  cacheFile: string;
  verdict: Verdict;
  failingTier: TierName | null;
  codes: FindingCode[];
  summary: string;
}

export interface Report<E = Evidence> {
  schemaVersion: 1;
  tool: { name: 'mcp-auth-doctor'; version: string };
  command: CommandName;
  /** Evaluation time (unix seconds) and its ISO form: `--at` or the wall clock at start. */
  now: number;
  evaluatedAt: string;
  verdict: Verdict;
  failingTier: TierName | null;
  /** FastMCP's first failing check; `failingTier` and the summary name the cause, which may lie deeper. */
  failingStage: FailingStage | null;
  /** One sentence: the verdict in words. */
  summary: string;
  /** The fix of the deciding finding (empty when healthy). */
  fix: string;
  tiers: Partial<Record<TierName, TierResult>>;
  findings: Finding[];
  /** FastMCP's verification path for the token, in order (verify-token, diagnose, check). */
  stages?: StageResult[];
  /** check: the discovery checks as judged (from the discovery evidence). */
  discovery?: DiscoveryAssessment;
  /** The evidence the verdict was reached from (non-secret: secrets render as fingerprints). */
  evidence: E;
  /** `diagnose --client`: the session's two paths and when it ends. */
  session?: SessionAssessment;
  /**
   * `diagnose --client` when the client holds several sessions for the server: every session's
   * verdict, worst first. The report itself (verdict, findings, evidence) is the worst session's.
   */
  sessions?: SessionSummary[];
  /** Set when the run was interrupted (SIGINT): the report holds what was collected until then. */
  partial?: string;
}
