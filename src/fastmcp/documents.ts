/**
 * py-key-value's stored documents (fastmcp-oauth-proxy.md §5.2), the Fernet envelope (§6) and
 * FastMCP's value models (§4.2). Pure parsing; no I/O, no keys.
 *
 * - Format A (py-key-value 0.2.x): `{"value": {...}, "created_at": "<iso>"}` (+ `expires_at` in Redis).
 * - Format B (0.3.0+): sorted keys `collection, created_at, expires_at?, key, value, version: 1`;
 *   FileTree entry files omit `collection` and `key`.
 * - Envelope: `{"__encrypted_data__": <std base64 of a Fernet token>, "__encryption_version__": 1}`.
 */
import type { UpstreamSetValue } from '../model/index.js';
import { Secret, safePrefix } from '../secrets.js';

export type DocumentFormat = 'A' | 'B';

export interface StoredDocument {
  format: DocumentFormat;
  /** The document's `value`: the model dict (plaintext store) or the Fernet envelope. */
  value: unknown;
  /** unix seconds */
  createdAt?: number;
  /** unix seconds; null when the document carries no expiry */
  expiresAt: number | null;
  collection?: string;
  key?: string;
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):?(\d\d))?$/;

/** Python `datetime.isoformat()` text (UTC offset, microseconds) → unix seconds (float). Naive times are UTC. */
export function parseIsoTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  const m = ISO.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!];
  // setUTCFullYear, not Date.UTC: years 0–99 are years, not 1900–1999. A field out of range (month 13,
  // 30 February, 25:00) is not a time: Python's fromisoformat refuses it, so does this.
  const date = new Date(0);
  date.setUTCFullYear(y, mo, d);
  date.setUTCHours(h, mi, s, 0);
  const ms = date.getTime();
  if (Number.isNaN(ms) || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s) return undefined;
  let offset = 0;
  if (m[9]) offset = (m[9] === '-' ? -1 : 1) * (+m[10]! * 3600 + +m[11]! * 60);
  const frac = m[7] ? Number(`0.${m[7]}`) : 0;
  return ms / 1000 - offset + frac;
}

export interface ParseOptions {
  /** Parse `created_at` (default true). */
  createdAt?: boolean;
  /** Parse `expires_at` (default true; the diskcache adapter has its own authoritative expiry). */
  expiresAt?: boolean;
}

/** Parse a stored document. Returns a reason string when it is not a py-key-value document. */
export function parseDocument(text: string, opts: ParseOptions = {}): StoredDocument | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'not a JSON object';
  const d = doc as Record<string, unknown>;
  if (!('value' in d)) return 'no "value" field (not a py-key-value document)';
  const format: DocumentFormat = 'version' in d ? 'B' : 'A';
  if (format === 'B' && d.version !== 1) return `unsupported document version ${JSON.stringify(d.version)}`;
  const out: StoredDocument = { format, value: d.value, expiresAt: null };
  if (opts.createdAt !== false) {
    const created = parseIsoTime(d.created_at);
    if (created !== undefined) out.createdAt = created;
  }
  if (opts.expiresAt !== false && d.expires_at !== undefined && d.expires_at !== null) {
    const exp = parseIsoTime(d.expires_at);
    if (exp === undefined) return `unreadable expires_at ${JSON.stringify(d.expires_at)}`;
    out.expiresAt = exp;
  }
  if (typeof d.collection === 'string') out.collection = d.collection;
  if (typeof d.key === 'string') out.key = d.key;
  return out;
}

export interface Envelope {
  data: string;
  version: number;
}

/**
 * The Fernet envelope in a document's value: an Envelope, `undefined` for a plaintext value, or a
 * reason string when the envelope is malformed (FastMCP would fail to read it too).
 */
export function envelopeOf(value: unknown): Envelope | undefined | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (!('__encrypted_data__' in v)) return undefined;
  if (typeof v.__encrypted_data__ !== 'string') return '__encrypted_data__ is not a string';
  const version = v.__encryption_version__;
  if (typeof version !== 'number' || version > 1) return `unsupported __encryption_version__ ${JSON.stringify(version)}`;
  return { data: v.__encrypted_data__, version };
}

// ---------------------------------------------------------------------------------------------
// Models (§4.2). Each returns undefined when required fields are missing: the entry is then
// "corrupt" (FastMCP's pydantic validation would fail too).

type Dict = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

export interface JtiMapping {
  jti: string;
  upstreamTokenId: string;
  createdAt?: number;
}

export function jtiMappingOf(v: Dict): JtiMapping | undefined {
  const jti = str(v.jti);
  const upstreamTokenId = str(v.upstream_token_id);
  if (jti === undefined || upstreamTokenId === undefined) return undefined;
  const out: JtiMapping = { jti, upstreamTokenId };
  const c = num(v.created_at);
  if (c !== undefined) out.createdAt = c;
  return out;
}

export function upstreamSetOf(v: Dict): UpstreamSetValue | undefined {
  const id = str(v.upstream_token_id);
  const access = str(v.access_token);
  if (id === undefined || access === undefined) return undefined;
  const refresh = str(v.refresh_token);
  const out: UpstreamSetValue = {
    upstreamTokenId: id,
    accessToken: new Secret(access, 'upstream access token (store)'),
    refreshToken: refresh ? new Secret(refresh, 'upstream refresh token (store)') : null,
    expiresAt: num(v.expires_at) ?? null,
    refreshTokenExpiresAt: num(v.refresh_token_expires_at) ?? null,
  };
  const clientId = str(v.client_id);
  if (clientId !== undefined) out.clientId = clientId;
  const scope = str(v.scope);
  if (scope !== undefined) out.scope = scope;
  const tokenType = str(v.token_type);
  if (tokenType !== undefined) out.tokenType = tokenType;
  const createdAt = num(v.created_at);
  if (createdAt !== undefined) out.createdAt = createdAt;
  return out;
}

export interface RefreshMeta {
  clientId?: string;
  scopes?: string[];
  expiresAt: number | null;
  createdAt?: number;
}

export function refreshMetaOf(v: Dict): RefreshMeta | undefined {
  if (!('expires_at' in v) && !('client_id' in v)) return undefined;
  const out: RefreshMeta = { expiresAt: num(v.expires_at) ?? null };
  const clientId = str(v.client_id);
  if (clientId !== undefined) out.clientId = clientId;
  const scopes = strList(v.scopes);
  if (scopes) out.scopes = scopes;
  const createdAt = num(v.created_at);
  if (createdAt !== undefined) out.createdAt = createdAt;
  return out;
}

export interface ClientInfo {
  clientId: string;
  redirectUris?: string[];
  clientName?: string;
  tokenEndpointAuthMethod?: string;
  hasSecret: boolean;
}

export function clientOf(v: Dict): ClientInfo | undefined {
  const clientId = str(v.client_id);
  if (clientId === undefined) return undefined;
  const out: ClientInfo = { clientId, hasSecret: typeof v.client_secret === 'string' && v.client_secret !== '' };
  const uris = strList(v.redirect_uris);
  if (uris) out.redirectUris = uris;
  const name = str(v.client_name);
  if (name !== undefined) out.clientName = name;
  const m = str(v.token_endpoint_auth_method);
  if (m !== undefined) out.tokenEndpointAuthMethod = m;
  return out;
}

/** The token-kind prefix of an upstream token for the inventory ("gho_", "ghu_", …, "other"). */
export function tokenPrefix(token: string): string {
  const p = safePrefix(token);
  return p === '' || p === 'jwt:' || p === 'fernet:' ? 'other' : p;
}

// ---------------------------------------------------------------------------------------------
// --show-entries: a non-secret summary of a model. Ids, hashes, jti, client ids, URIs, scopes,
// timestamps are shown; tokens, secrets, codes, CSRF/consent tokens, PKCE values only as Secret
// (fingerprints).

export type FieldValue = string | number | boolean | null | string[] | Secret;

const SECRET_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code',
  'code_challenge',
  'proxy_code_verifier',
  'code_verifier',
  'csrf_token',
  'consent_token',
  'client_state',
  'token',
]);

const SHOWN_FIELDS = new Set([
  'jti',
  'upstream_token_id',
  'client_id',
  'txn_id',
  'expires_at',
  'refresh_token_expires_at',
  'created_at',
  'csrf_expires_at',
  'token_type',
  'scope',
  'scopes',
  'redirect_uri',
  'redirect_uris',
  'client_redirect_uri',
  'client_name',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'code_challenge_method',
  'resource',
  'cimd_fetched_at',
]);

/**
 * A summary of a decoded value for --show-entries: known non-secret fields as they are, secrets as
 * `Secret`, anything else only as "(present)". `idp_tokens` / `raw_token_data` yield their tokens as
 * secrets.
 */
export function summarizeValue(collection: string, v: Dict): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, val] of Object.entries(v)) {
    if (SECRET_FIELDS.has(k)) {
      if (typeof val === 'string' && val !== '') out[k] = new Secret(val, `${collection} ${k}`);
      else if (val === null) out[k] = null;
      continue;
    }
    if (k === 'idp_tokens' || k === 'raw_token_data') {
      if (val && typeof val === 'object') {
        for (const tk of ['access_token', 'refresh_token', 'id_token']) {
          const t = (val as Dict)[tk];
          if (typeof t === 'string' && t !== '') out[`${k}.${tk}`] = new Secret(t, `${collection} ${k}.${tk}`);
        }
      }
      continue;
    }
    if (SHOWN_FIELDS.has(k)) {
      if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean' || val === null) out[k] = val;
      else if (Array.isArray(val)) out[k] = val.map((x) => String(x));
      else out[k] = '(present)';
      continue;
    }
    if (val !== null && val !== undefined) out[k] = '(present)';
  }
  return out;
}
