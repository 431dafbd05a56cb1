/**
 * The client tier in text: the session `diagnose --client` judged (both paths), and the `clients`
 * listing. Paths and URLs come from the user's files: control characters are shown escaped.
 */
import { isoTime } from '../../time.js';
import { valueOf, type Report, type SessionPath } from '../../model/index.js';
import type { Style } from '../style.js';

/** Control characters from a cache file (names, URLs) shown as \xNN, never sent to the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function mode(m: number | null): string {
  return m === null ? '?' : `0${m.toString(8)}`;
}

function pathLine(label: string, p: SessionPath | null, s: Style): string {
  if (!p) return `  ${label.padEnd(34)} ${s.dim('no such token cached')}`;
  const word = p.verdict === 'healthy' ? s.green('works') : p.verdict === 'failing' ? s.red(`fails at ${p.failingTier} (${p.errors.join(', ')})`) : s.yellow('no error found, not fully checked (see below)');
  return `  ${label.padEnd(34)} ${word}`;
}

export function sessionSection(report: Report, s: Style): string {
  const c = valueOf(report.evidence.client);
  if (!c) return '';
  const out = [s.bold(`MCP client session: ${c.client} → ${printable(c.serverUrl)}`)];
  const ss = c.session;
  if (!ss) {
    out.push(`  no session for this server under ${printable(c.home)}`);
    if (c.otherServers.length) out.push(`  sessions it holds: ${c.otherServers.map(printable).join(', ')}`);
  } else {
    out.push(`  cache          ${printable(ss.cache.path)} (mode ${mode(ss.cache.mode)})`);
    out.push(`  matched by     ${c.matchedBy ?? '?'}${c.index ? `; session ${c.index} of ${c.of}` : ''}`);
    out.push(`  client_id      ${ss.clientId ? printable(ss.clientId) : s.dim('none cached')}`);
    out.push(`  access token   ${ss.accessToken ? String(ss.accessToken) : s.dim('none')}${ss.expiresAt !== null ? `, expires ${isoTime(ss.expiresAt)}` : ''}`);
    out.push(`  refresh token  ${ss.refreshToken ? String(ss.refreshToken) : s.dim('none')}`);
  }
  if (report.session) {
    out.push(pathLine('access token at POST /mcp', report.session.access, s));
    out.push(pathLine('refresh token at POST /token', report.session.refresh, s));
    if (report.session.endsAt !== undefined) out.push(`  ${s.yellow(`the session ends at ${isoTime(report.session.endsAt)} (access-token expiry)`)}`);
  }
  if (report.sessions?.length) {
    out.push('', s.bold(`All ${report.sessions.length} sessions for this server (worst first)`));
    for (const x of report.sessions) out.push(`  ${x.verdict.padEnd(12)} ${x.failingTier ?? '-'}  ${printable(x.cacheFile)}  ${x.codes.join(', ')}`);
  }
  return out.join('\n');
}

export function clientsSection(report: Report, s: Style): string {
  const inv = valueOf(report.evidence.clients);
  if (!inv) return '';
  const out = [s.bold(`MCP client sessions under ${printable(inv.home)}`)];
  if (!inv.sessions.length) {
    out.push('  none found; looked in:');
    for (const l of inv.searched) out.push(`    ${l.client.padEnd(12)} ${printable(l.path)}${l.present ? '' : s.dim(' (absent)')}`);
  }
  for (const e of inv.sessions) {
    const status = e.status ? ` [${e.status}]` : '';
    out.push(`  ${s.bold(e.client)} → ${e.serverUrl ? printable(e.serverUrl) : s.dim('(server URL not stored)')}${e.serverUrlSource && e.serverUrlSource !== 'cache' ? s.dim(` (from ${e.serverUrlSource})`) : ''}${status}`);
    const kind = e.accessKind === 'fastmcp-jwt' ? 'FastMCP JWT' : e.accessKind ?? 'none';
    const exp = e.expiresAt !== null ? `, ${e.expired ? 'expired' : 'expires'} ${isoTime(e.expiresAt)}` : '';
    out.push(`      access   ${e.accessToken ? `${String(e.accessToken)} (${kind}${e.jti ? `, jti ${e.jti}` : ''}${exp})` : s.dim('none')}`);
    if (e.iss !== undefined || e.aud !== undefined) out.push(`      iss/aud  ${printable(e.iss ?? '-')} / ${printable(Array.isArray(e.aud) ? e.aud.join(', ') : (e.aud ?? '-'))}`);
    out.push(`      refresh  ${e.refreshToken ? 'present' : s.dim('none')}; client_id ${e.clientId ?? s.dim('none')}`);
    out.push(`      file     ${printable(e.cacheFile)} (mode ${mode(e.mode)}${e.readableByOthers ? s.red(', readable by others') : ''})`);
    if (e.statusSummary) out.push(`      status   ${e.statusSummary}`);
    for (const p of e.problems) out.push(s.yellow(`      problem  ${printable(p)}`));
  }
  if (inv.perServer.length) {
    out.push('', s.bold('Live sessions per server (each holds one upstream token at GitHub)'));
    for (const r of inv.perServer) {
      const warn = r.live >= 3 ? s.yellow(' — with a GitHub OAuth App upstream, every session and reconnect holds one of the user\'s 10 tokens per app; more evict the oldest') : '';
      out.push(`  ${String(r.live).padStart(3)} live of ${r.sessions}  ${printable(r.serverUrl)} (${r.clients.join(', ')})${warn}`);
    }
  }
  const notes = inv.notes;
  if (notes.length) {
    out.push('', s.bold('Notes'));
    for (const n of notes) out.push(`  ${n.client}: ${printable(n.message)}${n.path ? ` (${printable(n.path)})` : ''}${n.hint ? s.dim(` — ${printable(n.hint)}`) : ''}`);
  }
  return out.join('\n');
}
