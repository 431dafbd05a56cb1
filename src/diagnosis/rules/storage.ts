/**
 * The storage tier. Pure: evidence in, findings out.
 *
 * Two kinds of findings:
 * - the token's own chain (verify-token, diagnose): client registration, JTI mapping, upstream set.
 *   Failures are errors at their stage, with the line FastMCP logs there. FastMCP's reaction to an
 *   entry that does not decrypt depends on the store: the 3.x+ default store reads it as missing
 *   (`raise_on_decryption_error=False`), the 2.x default store and user wrappers raise
 *   (`/mcp` → 401, refresh → 500).
 * - the inventory (inspect-cache, diagnose): observations about the whole store, warnings unless they
 *   break every session (nothing decrypts with the key in use; the current key's directory missing
 *   or empty while an orphan holds the sessions).
 * On the refresh path a missing refresh hash decides (refresh tier); the refresh JTI mapping being
 * gone too is then its consequence (rotation deletes both), not a second storage failure.
 */
import { logLineFor, type LogContext } from '../../fastmcp/loglines.js';
import { isoTime, relative } from '../../time.js';
import type { ChainEvidence, CollectionCounts, Evidence, Finding, Lookup, StageId, StoreEvidence } from '../../model/index.js';
import { pathOf, tokenOf } from '../facts.js';
import { finding } from '../finding.js';

/** The store raises on decryption errors (2.x default store, user FernetEncryptionWrapper) rather than reading "missing". */
export function raisesOnDecryptError(generation: ChainEvidence['generation'] | StoreEvidence['generation'] | undefined): boolean {
  return generation !== '3.x+';
}

/** Is the refresh hash lookup a failure that REFRESH_TOKEN_NOT_FOUND reports? (shared with refresh.ts) */
export function refreshHashGone(chain: ChainEvidence): boolean {
  const l = chain.refreshMeta;
  if (!l) return false;
  if (l.state === 'undecryptable') return !raisesOnDecryptError(chain.generation);
  return l.state === 'missing' || l.state === 'expired' || l.state === 'corrupt';
}

export function chainLogContext(ev: Evidence, chain: ChainEvidence): LogContext {
  const t = tokenOf(ev);
  const ctx: LogContext = { path: pathOf(ev) };
  if (ev.settings.fastmcpVersion) ctx.version = ev.settings.fastmcpVersion;
  if (t?.headerFamily) ctx.headerFamily = t.headerFamily;
  if (chain.jti) ctx.jti = chain.jti;
  if (typeof t?.claims?.client_id === 'string') ctx.clientId = t.claims.client_id;
  if (t?.sha256) ctx.tokenSha256 = t.sha256;
  const m = chain.mapping;
  const id = m?.state === 'present' ? m.value.upstreamTokenId : m?.state === 'expired' ? m.value?.upstreamTokenId : undefined;
  if (id) ctx.upstreamTokenId = id;
  return ctx;
}

/** "absent from mcp-jti-mappings in fingerprint directory c714…", "expired 3 h ago (…)", … */
export function lookupWords(l: Lookup<unknown>, now: number): string {
  switch (l.state) {
    case 'present':
      return `present in ${l.where}${l.expiresAt !== null ? ` (expires ${isoTime(l.expiresAt)})` : ''}`;
    case 'expired':
      return `expired ${relative(l.expiresAt, now)} (${isoTime(l.expiresAt)}) in ${l.where}; FastMCP treats it as missing`;
    case 'missing':
      return `absent from ${l.where}`;
    case 'undecryptable':
      return `present in ${l.where} but not decryptable with the key in use${l.decryptsWith ? ` — it decrypts with ${l.decryptsWith}` : ''}`;
    case 'corrupt':
      return `unreadable in ${l.where} (${l.reason})`;
  }
}

function elsewhere(chain: ChainEvidence): string {
  return chain.foundElsewhere ? ` The chain is in ${chain.foundElsewhere}.` : '';
}

const isBad = (l: Lookup<unknown> | undefined): l is Lookup<unknown> => l !== undefined && l.state !== 'present';

function chainFindings(ev: Evidence): Finding[] {
  const chain = ev.chain?.status === 'collected' ? ev.chain.value : undefined;
  const token = tokenOf(ev);
  if (!chain || !token) return [];
  const out: Finding[] = [];
  const path = pathOf(ev);
  const lc = chainLogContext(ev, chain);
  const raises = raisesOnDecryptError(chain.generation);
  const storeWords = chain.generation === '3.x+' ? 'FastMCP 3.x+ default store' : chain.generation === '2.13-2.14' ? 'FastMCP 2.13–2.14 default store' : 'this store (a user FernetEncryptionWrapper raises by default)';
  const data = (stage: StageId, l: Lookup<unknown>) => ({ stage, lookup: l.state, where: l.where, ...(chain.foundElsewhere ? { foundElsewhere: chain.foundElsewhere } : {}) });

  const decryptFailure = (stage: StageId, what: string, l: Lookup<unknown>, severity: 'error' | 'warning' = 'error') =>
    finding('STORE_DECRYPT_FAILED', `The ${what} is ${lookupWords(l, ev.now)}${chain.keyUsed ? ` (the key in use: ${chain.keyUsed})` : ''}. ${storeWords} raises on decryption errors${path === 'refresh' ? ', so the refresh grant fails with HTTP 500' : ', so the request fails with 401 invalid_token'}.${elsewhere(chain)}`, {
      stage,
      severity,
      logLine: logLineFor(stage === 'storage.jti_mapping' ? 'storage.jti_mapping' : stage, { ...lc, decryptFailed: true }) ?? '',
      data: data(stage, l),
    });

  // Client registration (looked up first on the refresh path; /mcp does not need it).
  const client = chain.client;
  if (isBad(client)) {
    const onPath = path === 'refresh';
    if (client.state === 'undecryptable' && raises) {
      out.push(decryptFailure('storage.client', `client registration ${JSON.stringify(lc.clientId ?? '')}`, client, onPath ? 'error' : 'warning'));
    } else {
      out.push(
        finding(
          'STORE_CLIENT_NOT_FOUND',
          `The MCP client registration ${JSON.stringify(lc.clientId ?? '')} (the token's client_id) is ${lookupWords(client, ev.now)}.${onPath ? ' The refresh grant fails with 401 invalid_client "Invalid client_id" before the refresh token is even looked at.' : ' The access token itself is not affected at /mcp, but the next refresh fails with invalid_client.'}${elsewhere(chain)}`,
          { stage: 'storage.client', severity: onPath ? 'error' : 'warning', logLine: logLineFor('storage.client', lc) ?? '', data: data('storage.client', client) },
        ),
      );
    }
  }

  // Refresh hash (refresh path): decided in refresh.ts; here only the "raises" variant.
  const hashGone = path === 'refresh' && refreshHashGone(chain);
  if (path === 'refresh' && chain.refreshMeta?.state === 'undecryptable' && raises) {
    out.push(decryptFailure('refresh.hash', `refresh-token metadata (hash ${(lc.tokenSha256 ?? '').slice(0, 12)}…)`, chain.refreshMeta));
  }

  // JTI mapping, then the upstream set it points to.
  const mapping = chain.mapping;
  if (isBad(mapping) && !hashGone) {
    if (mapping.state === 'undecryptable' && raises) {
      out.push(decryptFailure('storage.jti_mapping', `JTI mapping for jti ${chain.jti ?? '?'}`, mapping));
    } else {
      const why =
        mapping.state === 'undecryptable'
          ? ` ${storeWords} reads an entry it cannot decrypt as missing.`
          : mapping.state === 'expired'
            ? ' Its TTL follows the token lifetime; a mapping that expires before the token means a TTL mismatch, one that expired with the token is expected.'
            : '';
      out.push(
        finding('STORE_JTI_MAPPING_MISSING', `The JTI mapping for jti ${chain.jti ?? '?'} is ${lookupWords(mapping, ev.now)}.${why}${elsewhere(chain)}`, {
          ...(mapping.state === 'undecryptable' ? { title: "The token's JTI mapping does not decrypt with the key in use (FastMCP reads it as missing)" } : mapping.state === 'expired' ? { title: "The token's JTI mapping has expired (FastMCP reads it as missing)" } : {}),
          stage: 'storage.jti_mapping',
          logLine: logLineFor('storage.jti_mapping', lc) ?? '',
          data: data('storage.jti_mapping', mapping),
        }),
      );
    }
  }
  const up = chain.upstreamSet;
  if (mapping?.state === 'present' && isBad(up) && !hashGone) {
    const id = lc.upstreamTokenId ?? '?';
    if (up.state === 'undecryptable' && raises) {
      out.push(decryptFailure('storage.upstream_set', `upstream token set ${id}`, up));
    } else {
      out.push(
        finding('STORE_UPSTREAM_TOKEN_MISSING', `The mapping points to upstream token set ${id}, which is ${lookupWords(up, ev.now)}.${up.state === 'undecryptable' ? ` ${storeWords} reads it as missing.` : ''}`, {
          stage: 'storage.upstream_set',
          logLine: logLineFor('storage.upstream_set', lc) ?? '',
          data: data('storage.upstream_set', up),
        }),
      );
    }
  }
  return out;
}

function sum(counts: Record<string, CollectionCounts>, field: keyof CollectionCounts): number {
  let n = 0;
  for (const c of Object.values(counts)) n += c[field];
  return n;
}

function byCollection(counts: Record<string, CollectionCounts>, field: keyof CollectionCounts): string {
  return Object.entries(counts)
    .filter(([, c]) => c[field] > 0)
    .map(([name, c]) => `${name} ${c[field]}`)
    .join(', ');
}

function inventoryFindings(ev: Evidence): Finding[] {
  const c = ev.store;
  if (!c || c.status === 'skipped' || !c.value) return [];
  const s = c.value;
  const out: Finding[] = [];
  const stage: StageId = 'storage.inventory';
  const partial = c.status === 'collected' ? c.partial : c.reason;
  const incomplete = Boolean(partial) || Boolean(s.limited);

  if (incomplete) {
    const what = [partial, s.limited].filter(Boolean).join('; ');
    out.push(finding('STORE_PARTIAL_READ', `Read ${s.entriesRead} entries of ${s.location}, then stopped: ${what}.`, { stage, data: { entriesRead: s.entriesRead, ...(partial ? { partial } : {}), ...(s.limited ? { limited: s.limited } : {}) } }));
  }

  const live = sum(s.collections, 'live');
  const undecryptable = sum(s.collections, 'undecryptable');
  const corrupt = sum(s.collections, 'corrupt');
  const expired = sum(s.collections, 'expired');
  const fp = s.fingerprints;
  const dirMissing = Boolean(fp && fp.expected && !fp.selected);

  if (fp && dirMissing) {
    const names = fp.dirs.map((d) => `${d.name}${d.selectedBy ? ` (selected by ${d.selectedBy})` : ''}`).join(', ') || 'none';
    out.push(
      finding('STORE_FINGERPRINT_DIR_MISSING', `The current key${s.keyUsed ? ` (${s.keyUsed})` : ''} selects fingerprint directory ${fp.expected}, which is not in ${s.location}; it holds: ${names}.`, {
        stage,
        data: { expected: fp.expected, dirs: fp.dirs.map((d) => d.name) },
      }),
    );
  }

  if (fp) {
    const orphans = fp.dirs.filter((d) => d.name !== fp.selected);
    if (orphans.length) {
      const sessionsHere = live > 0 || undecryptable > 0;
      const orphanEntries = orphans.reduce((n, d) => n + d.entries, 0);
      const breaksAll = !dirMissing && !sessionsHere && orphanEntries > 0 && fp.selected !== undefined;
      const list = orphans
        .map((d) => `${d.name}: ${d.entries} entr${d.entries === 1 ? 'y' : 'ies'}${d.newest !== undefined ? `, newest ${isoTime(d.newest)}` : ''}, ${d.selectedBy ? `selected by ${d.selectedBy}` : 'not selected by any given key'}`)
        .join('; ');
      out.push(
        finding(
          'STORE_ORPHANED_DIRECTORY',
          `${orphans.length} fingerprint director${orphans.length === 1 ? 'y is' : 'ies are'} not the one FastMCP reads${fp.selected ? ` (${fp.selected})` : ''}: ${list}.${breaksAll ? ' The directory in use holds no session, so every session issued before the key change is gone for FastMCP.' : ''}`,
          { stage, severity: breaksAll ? 'error' : 'warning', data: { selected: fp.selected ?? null, orphans: orphans.map((d) => ({ name: d.name, entries: d.entries, newest: d.newest ?? null, selectedBy: d.selectedBy ?? null })) } },
        ),
      );
    }
  }

  const hasSource = !dirMissing;
  if (hasSource && !incomplete && live + undecryptable + corrupt === 0) {
    out.push(
      finding('STORE_EMPTY', `${fp?.selected ? `Fingerprint directory ${fp.selected}` : s.location} holds no live entry${expired ? ` (${expired} expired entr${expired === 1 ? 'y' : 'ies'} only)` : ''}.`, { stage, data: { expired } }),
    );
  }

  if (undecryptable > 0) {
    const noKey = (s.keysTried?.length ?? 0) === 0;
    const candidates = Object.entries(s.decryptsWithCandidate);
    const cand = candidates.length ? ` They decrypt with ${candidates.map(([l, n]) => `${l} (${n})`).join(', ')}.` : '';
    if (noKey) {
      out.push(
        finding('STORE_DECRYPT_FAILED', `${undecryptable} encrypted entr${undecryptable === 1 ? 'y' : 'ies'} could not be checked: no key was given (${byCollection(s.collections, 'undecryptable')}).`, {
          stage,
          severity: 'warning',
          fixNote: 'To read them, give the key material the server uses: --upstream-client-secret-file or --jwt-signing-key-file (default store), or --storage-encryption-key-file (user store).',
          data: { undecryptable, noKey: true },
        }),
      );
    } else {
      const none = live === 0;
      out.push(
        finding('STORE_DECRYPT_FAILED', `${undecryptable} entr${undecryptable === 1 ? 'y does' : 'ies do'} not decrypt with ${s.keyUsed ?? 'the key in use'}${none ? ' — nothing in the store does' : ` (${live} live entries do)`}: ${byCollection(s.collections, 'undecryptable')}.${cand}`, {
          stage,
          severity: none ? 'error' : 'warning',
          data: { undecryptable, live, decryptsWithCandidate: s.decryptsWithCandidate },
        }),
      );
    }
  }

  if (s.chainHealth.plaintextUpstreamTokens > 0) {
    out.push(
      finding('STORE_PLAINTEXT_TOKENS', `${s.chainHealth.plaintextUpstreamTokens} upstream token set${s.chainHealth.plaintextUpstreamTokens === 1 ? '' : 's'} in ${s.location} hold${s.chainHealth.plaintextUpstreamTokens === 1 ? 's' : ''} GitHub tokens in clear text (${Object.entries(s.chainHealth.tokensByPrefix).map(([p, n]) => `${p} ${n}`).join(', ')}).`, {
        stage,
        data: { plaintextUpstreamTokens: s.chainHealth.plaintextUpstreamTokens },
      }),
    );
  }

  if (!incomplete && s.chainHealth.danglingMappings > 0) {
    out.push(
      finding('STORE_DANGLING_MAPPINGS', `${s.chainHealth.danglingMappings} live JTI mapping${s.chainHealth.danglingMappings === 1 ? ' points' : 's point'} to an upstream token set that is missing or expired; tokens behind them fail with "Upstream token not found".`, {
        stage,
        data: { danglingMappings: s.chainHealth.danglingMappings },
      }),
    );
  }

  if (s.legacyCacheDb) {
    out.push(finding('STORE_LEGACY_CACHE_IGNORED', `${s.legacyCacheDb} (FastMCP 2.13–2.14's store) lies beside the 3.x+ fingerprint directories; FastMCP 3 never reads it.`, { stage, data: { legacyCacheDb: s.legacyCacheDb } }));
  }

  for (const l of s.leftoverCollectionDirs ?? []) {
    out.push(
      finding('STORE_LEFTOVER_COLLECTION_DIR', `${printable(l.dir)} (${l.entries} entr${l.entries === 1 ? 'y' : 'ies'}) holds ${l.collection} under an older directory name; FastMCP reads ${l.readDir}, and so does the doctor (the leftover is not counted).`, {
        stage,
        data: { ...l },
      }),
    );
  }

  if (corrupt > 0) {
    out.push(finding('STORE_UNREADABLE_ENTRIES', `${corrupt} entr${corrupt === 1 ? 'y is' : 'ies are'} not readable as py-key-value documents or FastMCP values: ${byCollection(s.collections, 'corrupt')}.`, { stage, data: { corrupt } }));
  }
  return out;
}

/** A name read from the file system, with control characters escaped (as JSON does). */
function printable(name: string): string {
  return JSON.stringify(name).slice(1, -1);
}

/** Rules of the storage tier. Pure: evidence in, findings out. */
export function storageRules(ev: Evidence): Finding[] {
  return [...chainFindings(ev), ...inventoryFindings(ev)];
}
