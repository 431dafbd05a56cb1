/**
 * The refresh tier. Pure: evidence in, findings out.
 *
 * REFRESH_TOKEN_NOT_FOUND: on the refresh path FastMCP hashes the presented refresh JWT and reads
 * `mcp-refresh-tokens[sha256]` right after the client lookup (before it even verifies the JWT). A
 * rotated refresh token has neither its hash nor its refresh JTI mapping any more — the verdict is
 * this finding, not a storage error.
 * REFRESH_METADATA_IN_MEMORY: 2.13.0–2.13.1 kept that metadata per process.
 */
import { atLeast } from '../../fastmcp/version.js';
import { logLineFor } from '../../fastmcp/loglines.js';
import type { Evidence, Finding } from '../../model/index.js';
import { isoTime } from '../../time.js';
import { pathOf, tokenOf, versionAtLeast } from '../facts.js';
import { finding } from '../finding.js';
import { chainLogContext, lookupWords, refreshHashGone } from './storage.js';

function inMemoryVersion(ev: Evidence): 'yes' | 'probably' | undefined {
  const v = ev.settings.fastmcpVersion;
  if (v) return atLeast(v, '2.13.0') === true && atLeast(v, '2.13.2') === false ? 'yes' : undefined;
  // Inferred: a py-key-value 0.2.x store (format A, 2.13.0–2.13.3) with refreshable upstream sets
  // but no refresh-token metadata at all.
  const s = ev.store?.status === 'collected' ? ev.store.value : undefined;
  if (!s || s.limited || versionAtLeast(ev.settings, '2.13.2') === true) return undefined;
  const refresh = s.collections['mcp-refresh-tokens'];
  if (s.documentFormat === 'A' && (refresh?.total ?? 0) === 0 && s.chainHealth.withRefreshToken > 0) return 'probably';
  return undefined;
}

export function refreshRules(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  const memory = inMemoryVersion(ev);
  if (memory) {
    out.push(
      finding(
        'REFRESH_METADATA_IN_MEMORY',
        memory === 'yes'
          ? `FastMCP ${ev.settings.fastmcpVersion} keeps refresh-token metadata in process memory: every refresh token dies when the server restarts, and on another replica.`
          : 'The store is in py-key-value 0.2.x format and holds upstream sets with refresh tokens but no mcp-refresh-tokens entries: this looks like FastMCP 2.13.0–2.13.1, which keeps refresh-token metadata in process memory.',
        { stage: 'refresh.hash', data: { evidence: memory } },
      ),
    );
  }

  const chain = ev.chain?.status === 'collected' ? ev.chain.value : undefined;
  if (!chain || pathOf(ev) !== 'refresh' || !chain.refreshMeta || !refreshHashGone(chain)) return out;
  const l = chain.refreshMeta;
  const lc = chainLogContext(ev, chain);
  const mappingGone = chain.mapping !== undefined && chain.mapping.state !== 'present';
  const rotated = mappingGone ? ' Its refresh JTI mapping is gone too — exactly what a rotation leaves behind (FastMCP deletes both when it issues the next pair).' : '';
  const memoryNote = memory ? ' (This version never persisted the hash: any restart loses it.)' : '';
  const successors = chain.refreshSuccessors ?? [];
  const newest = successors[0];
  out.push(
    finding('REFRESH_TOKEN_NOT_FOUND', `The refresh token's hash ${(lc.tokenSha256 ?? '').slice(0, 12)}… is ${lookupWords(l, ev.now)}.${rotated}${memoryNote}${chain.foundElsewhere ? ` The chain is in ${chain.foundElsewhere}.` : ''} FastMCP answers invalid_grant.`, {
      stage: 'refresh.hash',
      logLine: logLineFor('refresh.hash', lc) ?? '',
      data: { lookup: l.state, where: l.where, refreshMappingGone: mappingGone },
    }),
  );
  // FastMCP stops at the missing hash (above); a successor for the same client proves why (explanations.ts).
  if (newest) {
    const claims = tokenOf(ev)?.claims;
    const iat = typeof claims?.iat === 'number' ? claims.iat : undefined;
    const clientId = lc.clientId ?? 'the same client';
    out.push(
      finding(
        'REFRESH_TOKEN_SUPERSEDED',
        `A newer refresh token for client_id ${clientId} exists: its entry ${newest.hashPrefix}… in mcp-refresh-tokens was created at ${isoTime(newest.createdAt)}${iat !== undefined ? `, after this token was issued (${isoTime(iat)})` : ''}${successors.length > 1 ? ` (${successors.length} newer entries in all)` : ''}. This token was rotated and its successor went to whoever redeemed it.`,
        { stage: 'refresh.hash', data: { successorCreatedAt: newest.createdAt, successorHashPrefix: newest.hashPrefix, successors: successors.length, ...(iat !== undefined ? { presentedIssuedAt: iat } : {}) } },
      ),
    );
  }
  return out;
}
