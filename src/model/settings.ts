/**
 * The settings tier: what the operator told us (non-secret), plus what follows from it; and the
 * key material the doctor derived (secrets only as `Secret`, rendered as fingerprints).
 */
import type { Secret } from '../secrets.js';

/** A FastMCP version range inferred from the artifacts. */
export interface VersionRange {
  /** Inclusive lower bound. */
  min?: string;
  /** Exclusive upper bound. */
  below?: string;
  /** What the range was inferred from, in words. */
  hints: string[];
}

export type FastmcpGeneration = '2.13-2.14' | '3.x+';

export interface SettingsEvidence {
  baseUrl?: string;
  mcpPath: string;
  /** Explicit --issuer, else derived from base URL (pydantic normalisation: bare origin gets '/'). */
  expectedIssuer?: string;
  /** Derived: resource URL (2.14.2+) = base + mcp path. */
  expectedAudience?: string;
  /** As given (--fastmcp-version) or inferred (JWT header order, store layout). */
  fastmcpVersion?: string;
  fastmcpVersionSource?: 'flag' | 'inferred';
  /** Inferred from the token header, the store layout and lifetimes when no version was given. */
  fastmcpVersionRange?: VersionRange;
  /** Where the token was presented: 'access' = bearer at /mcp, 'refresh' = refresh grant at /token (default: by token kind). */
  presentedAs?: 'access' | 'refresh';
  upstreamClientId?: string;
  requiredScopes: string[];
  replicas?: number;
  /** --store-shared: the on-disk store is on a volume every replica mounts. */
  storeShared?: boolean;
  /** Which input the current JWT key comes from. */
  keySource?: 'client-secret' | 'jwt-signing-key' | 'raw-key';
  /** Length of the jwt_signing_key string (FastMCP warns under 12). */
  signingKeyLength?: number;
  candidateCount: number;
  githubApiUrl: string;
  /** Number of MCP clients (--mcp-clients) sharing the deployment, when the operator says so. */
  mcpClients?: number;
  /** Whether the store was named (--store) or the default FASTMCP_HOME was tried; absent when no store was looked for. */
  storeSource?: 'given' | 'default';
}

// ---------------------------------------------------------------------------------------------
// Keys

export interface KeyEvidence {
  keys: {
    label: string;
    role: 'current' | 'candidate';
    derivation: 'hkdf' | 'pbkdf2' | 'pbkdf2-test-mode' | 'raw';
    /** Default-store directory fingerprint this key selects (3.x+). */
    fingerprint?: string;
    hs256Key?: Secret;
    storageKey?: Secret;
    ms: number;
  }[];
  /** Explicit storage (Fernet) key given by the operator. */
  explicitStorageKey?: { label: string; key: Secret };
}
