/** The FastMCP JWT under diagnosis: what decoding and verifying it showed. */
import type { Secret } from '../secrets.js';

export interface TokenEvidence {
  token: Secret;
  /** Set when the token cannot be parsed; the rest is then partial. */
  malformed?: string;
  /** `alg` from the header when it is not HS256 (including "none"). */
  rejectedAlg?: string;
  header?: Record<string, unknown>;
  /** 'authlib' = {"alg","typ"} (2.13–3.3), 'joserfc' = {"typ","alg"} (3.4+). */
  headerFamily?: 'authlib' | 'joserfc' | 'other';
  claims?: Record<string, unknown>;
  kind?: 'access' | 'refresh' | 'id-jag';
  /** sha256 hex of the exact token text: the `mcp-refresh-tokens` key. Not secret. */
  sha256?: string;
  signature: {
    /** false when no key material was available. */
    checked: boolean;
    /** Verified with the deployment's current key. */
    validWithCurrent?: boolean;
    /** Label of the key (current or a candidate) that verified, if any. */
    validWith?: string;
    validWithRole?: 'current' | 'candidate';
    /** Why the signature was not checked although key material was given (e.g. interrupted). */
    notCheckedBecause?: string;
    /** Labels tried. */
    tried: string[];
    /** The current key's 32 decoded bytes were also tried (a common implementation mistake): did they verify? */
    decodedBytesVerify?: boolean;
  };
}
