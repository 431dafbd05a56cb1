/**
 * What FastMCP logs at each failing stage (fastmcp-oauth-proxy.md §7), by version.
 * Used to tell the operator which line to look for in their server log.
 */
import type { StageId } from '../model/index.js';
import { atLeast } from './version.js';

export interface LogContext {
  version?: string;
  /** joserfc (3.4+) vs authlib (≤3.3) error text for expiry. */
  headerFamily?: 'authlib' | 'joserfc' | 'other';
  path: 'access' | 'refresh';
  jti?: string;
  upstreamTokenId?: string;
  clientId?: string;
  tokenSha256?: string;
  githubStatus?: number;
  githubBody?: string;
  networkError?: string;
  scopesHave?: number;
  scopesNeed?: number;
  decryptFailed?: boolean;
}

const INVALID_TOKEN = 'INFO Auth error returned: invalid_token (status=401)';

function validationFailed(ctx: LogContext, text: string): string {
  return ctx.path === 'refresh'
    ? `DEBUG Token validation failed: ${text} → DEBUG FastMCP refresh token validation failed: ${text}`
    : `DEBUG Token validation failed: ${text} → DEBUG Token swap validation failed: ${text} → ${INVALID_TOKEN}`;
}

export function logLineFor(stage: StageId, ctx: LogContext): string | undefined {
  const v = ctx.version;
  switch (stage) {
    case 'jwt.signature':
      return validationFailed(ctx, 'bad_signature: ');
    case 'jwt.token_use':
      return `DEBUG Token type mismatch: expected access, got refresh → ${validationFailed(ctx, 'Token type mismatch')}`;
    case 'jwt.exp': {
      const joserfc = ctx.headerFamily === 'joserfc' || atLeast(v, '3.4.0') === true;
      return `DEBUG Token expired → ${validationFailed(ctx, joserfc ? ': Token has expired' : 'Token has expired: ')}`;
    }
    case 'jwt.iss':
      return `DEBUG Token has invalid issuer → ${validationFailed(ctx, 'Invalid token issuer')}`;
    case 'jwt.aud':
      return `DEBUG Token has invalid audience → ${validationFailed(ctx, 'Invalid token audience')}`;
    case 'jwt.jti':
      return `DEBUG Token swap validation failed: 'jti' → ${INVALID_TOKEN}`;
    case 'storage.jti_mapping': {
      if (ctx.path === 'refresh') return `ERROR JTI mapping not found for refresh token: ${(ctx.jti ?? '').slice(0, 8)}`;
      if (ctx.decryptFailed && atLeast(v, '3.0.0') !== true) return `DEBUG Token swap validation failed: Failed to decrypt value → ${INVALID_TOKEN}`;
      const modern = atLeast(v, '2.14.3') ?? ctx.headerFamily === 'joserfc';
      return modern || v === undefined
        ? `INFO JTI mapping not found (token may have expired): jti=${(ctx.jti ?? '').slice(0, 16)}... → ${INVALID_TOKEN}`
        : `DEBUG JTI mapping not found: ${ctx.jti ?? ''} → ${INVALID_TOKEN}`;
    }
    case 'storage.upstream_set':
      return ctx.path === 'refresh'
        ? `ERROR Upstream token set not found: ${(ctx.upstreamTokenId ?? '').slice(0, 8)}`
        : `DEBUG Upstream token not found: ${ctx.upstreamTokenId ?? ''} → ${INVALID_TOKEN}`;
    case 'storage.client':
      return ctx.path === 'refresh' ? '(no FastMCP line; the MCP SDK answers 401 invalid_client "Invalid client_id")' : undefined;
    case 'refresh.hash':
      return atLeast(v, '3.4.7') === true || (v === undefined && ctx.headerFamily === 'joserfc')
        ? `WARNING Refresh token not found for client=${ctx.clientId ?? '?'} (token_hash=${(ctx.tokenSha256 ?? '').slice(0, 8)}); it was already rotated, expired, or revoked. Rejecting with invalid_grant, which forces the client to re-authenticate.`
        : '(no FastMCP line before 3.4.7; the client gets invalid_grant "refresh token does not exist")';
    case 'upstream.verify':
      if (ctx.networkError) return `DEBUG Failed to verify GitHub token: ${ctx.networkError} → ${INVALID_TOKEN}`;
      return `DEBUG GitHub token verification failed: ${ctx.githubStatus ?? '?'} - ${(ctx.githubBody ?? '').slice(0, 200)} → DEBUG Upstream token validation failed → ${INVALID_TOKEN}`;
    case 'upstream.scopes':
      return `DEBUG GitHub token missing required scopes. Has ${ctx.scopesHave ?? '?'}, needs ${ctx.scopesNeed ?? '?'}`;
    default:
      return undefined;
  }
}
