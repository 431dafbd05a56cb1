/**
 * Text sections of the storage tier: the inventory (inspect-cache), the token's chain through the
 * store (verify-token) and a one-paragraph store summary (diagnose). Secrets only as fingerprints
 * (Secret renders itself; upstream tokens are Secrets in the evidence).
 */
import type { ChainEvidence, CollectionCounts, Evidence, Lookup, Report, StoreEvidence } from '../../model/index.js';
import { KNOWN_COLLECTIONS } from '../../fastmcp/collections.js';
import { isoTime, relative } from '../../time.js';
import { indent, type Style } from '../style.js';

function evidenceOf(report: Report): Evidence | undefined {
  const e = report.evidence;
  return e && typeof e === 'object' && 'settings' in e ? e : undefined;
}

function storeOf(report: Report): { s: StoreEvidence; partial?: string; error?: string } | undefined {
  const c = evidenceOf(report)?.store;
  if (!c || c.status === 'skipped' || !c.value) return undefined;
  const out: { s: StoreEvidence; partial?: string; error?: string } = { s: c.value };
  if (c.status === 'collected' && c.partial) out.partial = c.partial;
  if (c.status === 'error') out.error = c.reason;
  return out;
}

const GENERATION: Record<StoreEvidence['generation'], string> = {
  '2.13-2.14': 'FastMCP 2.13–2.14 default store (diskcache)',
  '3.x+': 'FastMCP 3.x+ default store (FileTree)',
  'user-store': 'a store the operator configured (client_storage)',
};

function encryptionWords(s: StoreEvidence): string {
  switch (s.encryption) {
    case 'fernet':
      return 'Fernet-encrypted';
    case 'none':
      return 'NOT encrypted';
    case 'mixed':
      return `partly encrypted (${s.encryptedEntries ?? '?'} encrypted, ${s.plaintextEntries ?? '?'} plain)`;
    default:
      return 'encryption unknown (no readable value)';
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** inspect-cache: the inventory. */
export function storeSection(report: Report, st: Style): string {
  const got = storeOf(report);
  if (!got) return '';
  const { s } = got;
  const out: string[] = [];
  out.push(st.bold('Store'));
  out.push(`  ${s.kind} ${s.location}`);
  out.push(`  ${GENERATION[s.generation]}; document format ${s.documentFormat}; ${encryptionWords(s)}`);
  if (s.keysTried?.length) {
    out.push(`  keys tried: ${s.keysTried.map((k, i) => `${i === 0 && k.role !== 'candidate' ? st.bold(k.label) + ' (in use)' : k.label}${s.kind === 'filetree' && s.generation === '3.x+' ? ` → ${k.fingerprint}` : ''}`).join('; ')}`);
  } else if (s.encryption !== 'none') {
    out.push(st.yellow('  no key given: encrypted values cannot be checked'));
  }
  out.push(`  ${plural(s.entriesRead, 'entry', 'entries')} read${s.limited ? ` (${s.limited})` : ''}${s.foreignKeys ? `; ${plural(s.foreignKeys, 'foreign key')} skipped` : ''}`);
  if (got.partial) out.push(st.yellow(`  partial: ${got.partial}`));
  if (got.error) out.push(st.yellow(`  stopped: ${got.error}`));

  const fp = s.fingerprints;
  if (fp) {
    out.push('', st.bold('Fingerprint directories'));
    if (fp.expected && !fp.selected) out.push(st.red(`  ✘ ${fp.expected}  (the current key's directory) does not exist`));
    for (const d of fp.dirs) {
      const read = d.name === fp.selected;
      const mark = read ? st.status('pass') : st.status('warn');
      const role = read ? (s.fingerprintSelection === 'newest' ? 'read (newest; no key selects a directory)' : s.fingerprintSelection === 'given' ? 'read (given with --store)' : 'read') : 'orphaned';
      const newest = d.newest !== undefined ? `, newest ${isoTime(d.newest)}` : '';
      out.push(`  ${mark} ${d.name}  ${plural(d.entries, 'entry', 'entries')}${newest}; ${d.selectedBy ? `selected by ${d.selectedBy}` : 'selected by no given key'} — ${role}`);
    }
  }
  if (s.legacyCacheDb) out.push(st.yellow(`  ▲ ${s.legacyCacheDb}: a 2.x cache.db, ignored by FastMCP 3`));

  out.push('', st.bold('Collections'));
  const names = [...KNOWN_COLLECTIONS, ...Object.keys(s.collections).filter((c) => !KNOWN_COLLECTIONS.includes(c)).sort()];
  const rows: string[][] = [['collection', 'live', 'expired', 'undecryptable', 'corrupt']];
  for (const n of names) {
    const c: CollectionCounts = s.collections[n] ?? { total: 0, live: 0, expired: 0, undecryptable: 0, corrupt: 0 };
    rows.push([KNOWN_COLLECTIONS.includes(n) ? n : `${n || '(no collection)'} (unknown)`, String(c.live), String(c.expired), String(c.undecryptable), String(c.corrupt)]);
  }
  const t = table(rows, ['l', 'r', 'r', 'r', 'r']);
  out.push(`  ${st.dim(t[0]!)}`, ...t.slice(1).map((l) => `  ${l}`));
  const cands = Object.entries(s.decryptsWithCandidate);
  if (cands.length) out.push(`  undecryptable entries that open with a candidate key: ${cands.map(([l, n]) => `${l}: ${n}`).join('; ')}`);

  const h = s.chainHealth;
  out.push('', st.bold('Chain health') + (s.limited || got.partial ? st.dim(' (not computed across sessions: the store was read only in part)') : ''));
  out.push(`  JTI mappings whose upstream set is missing or expired: ${h.danglingMappings}`);
  out.push(`  live upstream sets no mapping points to: ${h.unreferencedUpstreamSets}`);
  const perClient = Object.entries(h.upstreamSetsPerClient).sort((a, b) => b[1] - a[1]);
  out.push(`  live upstream sets per MCP client: ${perClient.length ? perClient.slice(0, 10).map(([c, n]) => `${c} ${n}`).join(', ') + (perClient.length > 10 ? `, … (${perClient.length} clients)` : '') : 'none'}`);
  const prefixes = Object.entries(h.tokensByPrefix);
  out.push(`  upstream tokens by kind: ${prefixes.length ? prefixes.map(([p, n]) => `${p} ${n}`).join(', ') : 'none'}; with a refresh token: ${h.withRefreshToken}`);
  const e = h.tokensByExpiry;
  out.push(`  upstream tokens by own expiry: expired ${e.expired}, within 24 h ${e.within24h}, later ${e.later}, never ${e.never}`);
  if (h.plaintextUpstreamTokens) out.push(st.yellow(`  ${plural(h.plaintextUpstreamTokens, 'upstream set')} in clear text`));

  if (s.entries) {
    out.push('', st.bold(`Entries (${s.entries.length})`));
    for (const en of s.entries) {
      const exp = en.expiresAt === null || en.expiresAt === undefined ? 'no expiry' : `expires ${isoTime(en.expiresAt)}`;
      const state = en.state === 'live' ? st.green(en.state) : en.state === 'expired' ? st.dim(en.state) : st.yellow(en.state);
      out.push(`  ${en.collection}  ${en.key}${en.keyExact === false ? st.dim(' (sanitised file name)') : ''}  ${state}, ${exp}${en.decryptsWith ? `, decrypts with ${en.decryptsWith}` : ''}${en.reason && en.state === 'corrupt' ? ` (${en.reason})` : ''}`);
      if (en.fields) {
        const f = Object.entries(en.fields)
          .filter(([, v]) => v !== null)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(' ')}]` : String(v)}`)
          .join(' ');
        if (f) out.push(indent(st.dim(f), 6));
      }
    }
  }
  return out.join('\n');
}

const LOOKUP_TITLES: [keyof ChainEvidence, string][] = [
  ['client', 'client registration'],
  ['refreshMeta', 'refresh hash'],
  ['mapping', 'JTI mapping'],
  ['upstreamSet', 'upstream token set'],
];

function lookupLine(l: Lookup<unknown>, now: number, st: Style): string {
  switch (l.state) {
    case 'present':
      return `${st.status('pass')} present in ${l.where}${l.expiresAt !== null ? `, expires ${isoTime(l.expiresAt)} (${relative(l.expiresAt, now)})` : ', no expiry'}`;
    case 'expired':
      return `${st.status('fail')} expired ${relative(l.expiresAt, now)} in ${l.where}`;
    case 'missing':
      return `${st.status('fail')} absent from ${l.where}`;
    case 'undecryptable':
      return `${st.status('fail')} present in ${l.where}, not decryptable with the key in use${l.decryptsWith ? ` (decrypts with ${l.decryptsWith})` : ''}`;
    case 'corrupt':
      return `${st.status('fail')} unreadable in ${l.where}: ${l.reason}`;
  }
}

/** verify-token: the token's chain through the store. */
export function chainSection(report: Report, st: Style): string {
  const ev = evidenceOf(report);
  const c = ev?.chain;
  if (!ev || !c) return '';
  if (c.status !== 'collected') return `${st.bold('Store chain')}\n  ${st.dim(c.status === 'skipped' ? `skipped: ${c.reason}` : `could not read the store: ${c.reason}`)}`;
  const chain = c.value;
  const out = [st.bold('Store chain') + st.dim(` (${chain.storeKind ?? 'store'} ${chain.location ?? ''}${chain.directory ? `, directory ${chain.directory}` : ''}${chain.keyUsed ? `, key ${chain.keyUsed}` : ''})`)];
  for (const [k, title] of LOOKUP_TITLES) {
    const l = chain[k] as Lookup<unknown> | undefined;
    if (!l) continue;
    out.push(`  ${title.padEnd(20)} ${lookupLine(l, ev.now, st)}`);
  }
  const up = chain.upstreamSet;
  const set = up?.state === 'present' ? up.value : up?.state === 'expired' ? up.value : undefined;
  if (set && typeof set === 'object') {
    const v = set as { accessToken: unknown; refreshToken: unknown; expiresAt: number | null; clientId?: string; scope?: string };
    out.push(indent(st.dim(`upstream access token ${String(v.accessToken)}, ${v.expiresAt !== null ? `GitHub expiry ${isoTime(v.expiresAt)} (${relative(v.expiresAt, ev.now)})` : 'no expiry'}; refresh token ${v.refreshToken ? String(v.refreshToken) : 'none'}; MCP client ${v.clientId ?? '?'}; scope "${v.scope ?? ''}"`), 23));
  }
  if (chain.foundElsewhere) out.push(st.yellow(`  found elsewhere: ${chain.foundElsewhere}`));
  return out.join('\n');
}

/** diagnose: a one-paragraph store summary. */
export function storeSummarySection(report: Report, st: Style): string {
  const got = storeOf(report);
  if (!got) return '';
  const { s } = got;
  const sum = (f: keyof CollectionCounts) => Object.values(s.collections).reduce((n, c) => n + c[f], 0);
  const parts = [
    `${s.kind} ${s.location} — ${GENERATION[s.generation]}, ${encryptionWords(s)}`,
    `${sum('live')} live, ${sum('expired')} expired, ${sum('undecryptable')} undecryptable, ${sum('corrupt')} corrupt entries`,
  ];
  const ups = s.collections['mcp-upstream-tokens']?.live ?? 0;
  parts.push(`${plural(ups, 'live upstream set')} for ${plural(Object.keys(s.chainHealth.upstreamSetsPerClient).length, 'MCP client')}`);
  if (s.chainHealth.danglingMappings) parts.push(`${plural(s.chainHealth.danglingMappings, 'dangling mapping')}`);
  if (s.fingerprints) {
    const orphans = s.fingerprints.dirs.filter((d) => d.name !== s.fingerprints!.selected).length;
    parts.push(s.fingerprints.selected ? `directory ${s.fingerprints.selected}${orphans ? ` (+${plural(orphans, 'orphaned directory', 'orphaned directories')})` : ''}` : `the current key's directory ${s.fingerprints.expected ?? ''} is missing`);
  }
  if (got.partial || s.limited) parts.push(`read in part (${got.partial ?? s.limited})`);
  return `${st.bold('Store')}\n${indent(parts.join('; ') + '.', 2)}`;
}
