/**
 * The server tiers: what the outside-in probe of an MCP server's authorization surface observed
 * (discovery, checks C1–C11 of mcp-authorization.md) and the canary request. Observations only: the
 * discovery rules in the core judge them.
 */

import type { Collected } from './collected.js';

/** MCP authorization spec revisions whose MUSTs `check` applies, oldest first. */
export const SPEC_REVISIONS = ['2025-06-18', '2025-11-25', '2026-07-28'] as const;
export type SpecRevision = (typeof SPEC_REVISIONS)[number];
export const LATEST_SPEC: SpecRevision = '2026-07-28';

/** A request that got no HTTP answer at all, named (the HTTP edge's one vocabulary). */
export interface NetError {
  kind: 'timeout' | 'refused' | 'dns' | 'no-route' | 'tls' | 'reset' | 'aborted' | 'other';
  /** One line, e.g. "connection refused (ECONNREFUSED)", "TLS certificate problem: … (CERT_HAS_EXPIRED)". */
  message: string;
}

/** One HTTP request the discovery probe or the canary made, with the parts of the answer that matter. */
export interface DiscoveryExchange {
  /** initialize | forged-token | prm | as-metadata | registration | token | canary | canary-delete */
  step: string;
  /** Which URL form was tried: header, path-suffixed, root; rfc8414, oidc-insert, oidc-append, oidc. */
  form?: string;
  method: string;
  url: string;
  status?: number;
  /** Selected response headers (content-type, www-authenticate, location, cache-control, mcp-session-id as present/absent). */
  headers: Record<string, string>;
  /** First bytes of the body, as text (secret members fingerprinted when the body is JSON). */
  body?: string;
  /** The body parsed as JSON (secret members fingerprinted), when it is JSON. */
  json?: unknown;
  /** Network-level failure: no HTTP answer at all. */
  error?: NetError;
  ms: number;
}

/** One parsed challenge of a WWW-Authenticate header (RFC 9110 §11.6.1). */
export interface WwwAuthChallenge {
  /** As sent (compare case-insensitively). */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

export interface DiscoveryEvidence {
  serverUrl: string;
  spec: SpecRevision;
  prmUrl?: string;
  prm?: Record<string, unknown>;
  issuer?: string;
  asMetadataUrl?: string;
  asMetadata?: Record<string, unknown>;
  /** Every request made, in order. */
  exchanges?: DiscoveryExchange[];
  /** The parsed WWW-Authenticate challenges of the unauthenticated 401. */
  challenges?: WwwAuthChallenge[];
  /** The parsed WWW-Authenticate challenges of the answer to a forged bearer token (C10). */
  forgedTokenChallenges?: WwwAuthChallenge[];
  /** Which PRM URL form worked (header, path-suffixed, root). */
  prmForm?: string;
  /** Which AS metadata URL form worked (rfc8414, oidc-insert, oidc-append, oidc). */
  asMetadataForm?: string;
  /** --probe-registration was given. */
  probeRegistration?: boolean;
}

/** check with several --server: what another replica answered (the same outside-in probes and canary). */
export interface ReplicaEvidence {
  /** The --server URL of this replica. */
  server: string;
  discovery: Collected<DiscoveryEvidence>;
  canary?: Collected<CanaryEvidence>;
}

export interface CanaryEvidence {
  status?: number;
  outcome: 'accepted' | 'rejected' | 'error';
  wwwAuthenticate?: string;
  message?: string;
  /** The URL the canary was sent to. */
  url?: string;
  ms?: number;
  /** The parsed challenge of a rejection. */
  challenges?: WwwAuthChallenge[];
  contentType?: string;
  /** From the initialize result, when accepted. */
  protocolVersion?: string;
  serverInfo?: { name?: string; version?: string };
  /** An MCP session was opened and closed again with DELETE (status of the DELETE, or the error). */
  sessionClosed?: { status?: number; error?: string };
}
