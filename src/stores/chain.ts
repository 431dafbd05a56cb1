/**
 * One token's path through the store, as FastMCP walks it (fastmcp-oauth-proxy.md §7, §10 item 6):
 * client registration (client_id claim) → for refresh tokens `mcp-refresh-tokens[sha256(token)]` →
 * `mcp-jti-mappings[jti]` → `mcp-upstream-tokens[upstream_token_id]`. Each step is a Lookup:
 * present / expired / missing / undecryptable (+ which candidate key opens it) / corrupt.
 *
 * FileTree: the lookups are made in the directory the current key selects — what FastMCP sees. When
 * the chain is not there but in another fingerprint directory, `foundElsewhere` says which (and which
 * given key selects it).
 */
import { type ChainEvidence, type Collected, collected, failed, type Lookup, type RefreshSuccessor, skipped, type TokenEvidence, type UpstreamSetValue } from '../model/index.js';
import { DoctorError, InputError, describeError } from '../errors.js';
import { COLLECTIONS } from '../fastmcp/collections.js';
import { clientOf, jtiMappingOf, refreshMetaOf, upstreamSetOf } from '../fastmcp/documents.js';
import { decodeEntry } from './decode.js';
import type { Keyring } from './keyring.js';
import { selectSource, selectedBy } from './select.js';
import type { EntrySource, OpenedStore } from './types.js';

type MappingValue = { upstreamTokenId: string; createdAt?: number };
type RefreshValue = { clientId?: string; scopes?: string[]; expiresAt: number | null };
type ClientValue = { clientId: string; redirectUris?: string[] };

/** Look one entry up and classify it; `model` turns the decoded dict into the lookup's value. */
export async function lookup<T>(source: EntrySource | undefined, whereLabel: string, collection: string, key: string, keyring: Keyring, now: number, model: (v: Record<string, unknown>) => T | undefined): Promise<Lookup<T>> {
  const where = `${collection} in ${whereLabel}`;
  if (!source) return { state: 'missing', where };
  const raw = await source.get(collection, key);
  if (!raw) return { state: 'missing', where };
  const d = decodeEntry(raw, keyring, now, { decryptExpired: true });
  const value = d.value ? model(d.value) : undefined;
  switch (d.state) {
    case 'corrupt':
      return { state: 'corrupt', where, reason: d.reason ?? 'unreadable' };
    case 'undecryptable': {
      const l: Lookup<T> = { state: 'undecryptable', where };
      if (d.openedWith) {
        l.decryptsWith = d.openedWith.label;
        if (value !== undefined) l.decryptsWithValue = value;
      }
      return l;
    }
    case 'expired': {
      const l: Lookup<T> = { state: 'expired', where, expiresAt: d.expiresAt ?? now };
      if (value !== undefined) l.value = value;
      return l;
    }
    case 'live':
      if (value === undefined) return { state: 'corrupt', where, reason: `not a valid ${collection} value` };
      return { state: 'present', value, expiresAt: d.expiresAt, where };
  }
}

const mappingModel = (v: Record<string, unknown>): MappingValue | undefined => {
  const m = jtiMappingOf(v);
  if (!m) return undefined;
  return m.createdAt === undefined ? { upstreamTokenId: m.upstreamTokenId } : { upstreamTokenId: m.upstreamTokenId, createdAt: m.createdAt };
};
const refreshModel = (v: Record<string, unknown>): RefreshValue | undefined => {
  const r = refreshMetaOf(v);
  if (!r) return undefined;
  const out: RefreshValue = { expiresAt: r.expiresAt };
  if (r.clientId !== undefined) out.clientId = r.clientId;
  if (r.scopes) out.scopes = r.scopes;
  return out;
};
const clientModel = (v: Record<string, unknown>): ClientValue | undefined => {
  const c = clientOf(v);
  if (!c) return undefined;
  return c.redirectUris ? { clientId: c.clientId, redirectUris: c.redirectUris } : { clientId: c.clientId };
};

/** At most this many successors are kept (newest first); the count of all is not needed. */
const MAX_SUCCESSORS = 5;

/**
 * The live `mcp-refresh-tokens` entries of `clientId` created after `after` (unix seconds): the
 * successors of a refresh token that was rotated. One pass over that collection only.
 */
async function successorsOf(source: EntrySource, keyring: Keyring, clientId: string, after: number, now: number): Promise<RefreshSuccessor[]> {
  const out: RefreshSuccessor[] = [];
  for await (const batch of source.scan({ collections: [COLLECTIONS.refreshTokens] })) {
    for (const raw of batch) {
      if (raw.collection !== COLLECTIONS.refreshTokens) continue;
      const d = decodeEntry(raw, keyring, now);
      if (d.state !== 'live' || !d.value) continue;
      const meta = refreshMetaOf(d.value);
      const createdAt = d.createdAt ?? meta?.createdAt;
      if (!meta || meta.clientId !== clientId || createdAt === undefined || createdAt <= after) continue;
      out.push({ hashPrefix: raw.key.slice(0, 12), createdAt, expiresAt: d.expiresAt });
    }
  }
  return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, MAX_SUCCESSORS);
}

const bad = (l: Lookup<unknown> | undefined) => l !== undefined && (l.state === 'missing' || l.state === 'undecryptable');
const found = (l: Lookup<unknown> | undefined) => l !== undefined && l.state !== 'missing';

function upstreamIdOf(l: Lookup<MappingValue> | undefined): string | undefined {
  if (!l) return undefined;
  if (l.state === 'present') return l.value.upstreamTokenId;
  if (l.state === 'expired') return l.value?.upstreamTokenId;
  if (l.state === 'undecryptable') return l.decryptsWithValue?.upstreamTokenId;
  return undefined;
}

interface Walk {
  client?: Lookup<ClientValue>;
  refreshMeta?: Lookup<RefreshValue>;
  mapping?: Lookup<MappingValue>;
  upstreamSet?: Lookup<UpstreamSetValue>;
}

async function walk(source: EntrySource | undefined, label: string, keyring: Keyring, token: TokenEvidence, now: number): Promise<Walk> {
  const claims = token.claims ?? {};
  const out: Walk = {};
  if (typeof claims.client_id === 'string') out.client = await lookup(source, label, COLLECTIONS.clients, claims.client_id, keyring, now, clientModel);
  if (token.kind === 'refresh' && token.sha256) out.refreshMeta = await lookup(source, label, COLLECTIONS.refreshTokens, token.sha256, keyring, now, refreshModel);
  if (typeof claims.jti === 'string') out.mapping = await lookup(source, label, COLLECTIONS.jtiMappings, claims.jti, keyring, now, mappingModel);
  const id = upstreamIdOf(out.mapping);
  if (id !== undefined) out.upstreamSet = await lookup(source, label, COLLECTIONS.upstreamTokens, id, keyring, now, upstreamSetOf);
  return out;
}

/**
 * Follow the token's claims through the store. `skipped` when the token has no claims to follow;
 * `error` when the store cannot be read.
 */
export async function collectChain(store: OpenedStore, keyring: Keyring, token: TokenEvidence, now: number): Promise<Collected<ChainEvidence>> {
  if (!token.claims) return skipped('the token has no readable claims to follow');
  if (token.kind === 'id-jag') return skipped('ID-JAG tokens are not mapped through storage');
  try {
    const sel = selectSource(store, keyring);
    const label = sel.dir ? `fingerprint directory ${sel.dir}` : sel.expected ? `fingerprint directory ${sel.expected} (does not exist)` : sel.source?.label ?? store.location;
    const w = await walk(sel.source, label, keyring, token, now);
    const ev: ChainEvidence = { storeKind: store.kind, generation: store.generation, location: store.location };
    if (typeof token.claims.jti === 'string') ev.jti = token.claims.jti;
    if (keyring.primary) ev.keyUsed = keyring.primary.label;
    if (sel.dir ?? sel.expected) ev.directory = (sel.dir ?? sel.expected)!;
    if (w.client) ev.client = w.client;
    if (w.refreshMeta) ev.refreshMeta = w.refreshMeta;
    if (w.mapping) ev.mapping = w.mapping;
    if (w.upstreamSet) ev.upstreamSet = w.upstreamSet;
    // A refresh token whose hash is not live: did a newer one for the same client replace it?
    const clientId = token.claims.client_id;
    const iat = token.claims.iat;
    if (token.kind === 'refresh' && w.refreshMeta && w.refreshMeta.state !== 'present' && sel.source && typeof clientId === 'string' && typeof iat === 'number') {
      ev.refreshSuccessors = await successorsOf(sel.source, keyring, clientId, iat, now);
    }

    // Not where FastMCP looks: is it somewhere else?
    if (bad(w.mapping) || bad(w.client) || bad(w.refreshMeta)) {
      const candidate = [w.mapping, w.client, w.refreshMeta].find((l) => l?.state === 'undecryptable' && l.decryptsWith);
      if (candidate && candidate.state === 'undecryptable') ev.foundElsewhere = `decrypts with ${candidate.decryptsWith}`;
      for (const d of store.fingerprintDirs) {
        if (d.name === sel.dir) continue;
        const other = await walk(store.source(d.name), `fingerprint directory ${d.name}`, keyring, token, now);
        if (found(other.mapping) || found(other.client) || found(other.refreshMeta)) {
          const by = selectedBy(keyring, d.name);
          ev.foundElsewhere = `fingerprint directory ${d.name} (${by ? `selected by ${by}` : 'not selected by any given key'})`;
          break;
        }
      }
    }
    return collected(ev);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return failed(e instanceof DoctorError ? e.line() : `reading ${store.location} failed: ${describeError(e)}`);
  }
}
