/**
 * `diagnose --client`: the session as the client lives it. Pure: evidence in, one report out.
 *
 * The client holds an access token (sent as a bearer at /mcp, judged in FastMCP's access order) and a
 * refresh token (sent with the cached client_id at /token, judged in the refresh order). The session:
 * - is healthy when the access token works and the refresh token would work — and also when the
 *   access token has merely expired and the refresh token works (the client refreshes by itself);
 * - fails at `refresh` when the access token works but the refresh token is dead (the session ends
 *   when the access token expires: said, with the time);
 * - otherwise fails where the access path fails, explained by the refresh path and the store (root
 *   cause first: a registration the server lost, a token issued elsewhere, no session at all).
 */
import { isoTime } from '../time.js';
import {
  type ClientEvidence,
  type ClientSession,
  type Evidence,
  type Finding,
  type FindingCode,
  type Report,
  type SessionAssessment,
  type SessionPath,
  type SessionSummary,
  TIER_TITLES,
  type TierName,
  type TierResult,
  TIERS,
  valueOf,
  type Verdict,
} from '../model/index.js';
import { buildReport, type ReportOptions } from './engine.js';
import { finding } from './finding.js';

export interface SessionInputs {
  /** Evidence every path shares (settings, keys, the store inventory) and the client tier's. */
  base: Evidence;
  /** The access path: the cached access token at /mcp (absent when the client holds none). */
  access?: Evidence;
  /** The refresh path: the cached refresh token at /token (absent when the client holds none). */
  refresh?: Evidence;
}

const errorsOf = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'error');

/** A path report's deciding finding: the root cause its verdict names (FastMCP's stop, followed along explainedBy). */
function causeOf(report: Report, findings: readonly Finding[]): Finding | undefined {
  const stop = report.failingStage ? findings.find((f) => f.code === report.failingStage!.code) : undefined;
  let f = stop;
  const seen = new Set<Finding>();
  while (f?.explainedBy && !seen.has(f)) {
    seen.add(f);
    const next = findings.find((x) => x.code === f!.explainedBy);
    if (!next) break;
    f = next;
  }
  return f ?? errorsOf(findings)[0];
}

/** A URL compared the way the client matcher does: scheme/host lower-case, default port and trailing slashes dropped. */
function normal(url: string): string | null {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return null;
  }
}

/** Text from the user's cache files (URLs, paths, names) with control characters shown as \xNN. */
function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function where(s: ClientSession): string {
  return safe(s.cache.path);
}

function clearHint(s: ClientSession): string {
  return s.registration ? ` To clear it: ${safe(s.registration.howToClear)}` : '';
}

/** The client tier's findings: what the cache holds for the server, judged before anything is sent. */
export function clientFindings(c: ClientEvidence, ev: Evidence): Finding[] {
  const out: Finding[] = [];
  const s = c.session;
  const stage = { stage: 'client.cache' as const };
  if (!s) {
    const others = c.otherServers.length ? ` It holds sessions for: ${c.otherServers.map(safe).join(', ')}.` : ' It holds no MCP OAuth session at all.';
    const looked = [...new Set(c.searched.filter((x) => x.client === c.client).map((x) => `${safe(x.path)}${x.present ? '' : ' (absent)'}`))];
    const notes = c.notes.filter((n) => n.client === c.client).map((n) => safe(`${n.message}${n.hint ? ` (${n.hint})` : ''}`));
    out.push(
      finding('CLIENT_NO_SESSION', `${c.client} holds no session for ${c.serverUrl}.${others}${looked.length ? ` Looked in: ${looked.join(', ')}.` : ''}${notes.length ? ` ${notes.join(' ')}` : ''}`, {
        ...stage,
        data: { client: c.client, serverUrl: c.serverUrl, otherServers: c.otherServers },
      }),
    );
    return out;
  }
  if (!s.accessToken && !s.refreshToken) {
    out.push(finding('CLIENT_NO_TOKEN', `${c.client} has an entry for ${c.serverUrl} in ${where(s)} but no access or refresh token in it.`, stage));
  } else if (s.accessToken && !s.refreshToken) {
    const exp = s.expiresAt ?? s.accessTokenPeek?.exp;
    out.push(
      finding('CLIENT_NO_REFRESH_TOKEN', `${c.client} caches an access token for ${c.serverUrl} in ${where(s)} but no refresh token${exp !== undefined && exp !== null ? `: the session ends when the access token expires (${isoTime(exp)})` : ''}.`, stage),
    );
  }
  // Issued for another server: the cached JWT's iss / aud (read without verification) against this server's.
  const peek = s.accessTokenPeek?.kind === 'jwt' ? s.accessTokenPeek : s.refreshTokenPeek?.kind === 'jwt' ? s.refreshTokenPeek : null;
  if (peek) {
    const auds = peek.aud === undefined ? [] : Array.isArray(peek.aud) ? peek.aud : [peek.aud];
    const wantAud = normal(ev.settings.expectedAudience ?? c.serverUrl);
    const wantIss = ev.settings.expectedIssuer ? normal(ev.settings.expectedIssuer) : null;
    const audOff = auds.length > 0 && wantAud !== null && !auds.some((a) => normal(a) === wantAud);
    const issOff = peek.iss !== undefined && wantIss !== null && normal(peek.iss) !== wantIss;
    if (audOff || issOff) {
      const parts = [audOff ? `aud ${auds.map(safe).join(', ')} (this server: ${ev.settings.expectedAudience ?? c.serverUrl})` : '', issOff ? `iss ${safe(peek.iss ?? '')} (this server: ${ev.settings.expectedIssuer})` : ''].filter(Boolean);
      out.push(finding('CLIENT_TOKEN_FOR_OTHER_SERVER', `The token ${c.client} caches for ${c.serverUrl} (${where(s)}) has ${parts.join(' and ')}.${clearHint(s)}`, { ...stage, data: { aud: auds, iss: peek.iss ?? null } }));
    }
  }
  const open = s.files.filter((f) => f.readableByOthers);
  if (open.length) {
    out.push(
      finding('CLIENT_CACHE_READABLE_BY_OTHERS', open.map((f) => `${safe(f.path)} has mode ${f.mode === null ? 'unknown' : `0${f.mode.toString(8)}`}`).join('; ') + '.', {
        ...stage,
        data: { files: open.map((f) => ({ path: f.path, mode: f.mode })) },
      }),
    );
  }
  const problems = s.problems.filter((p) => p.kind !== 'orphan');
  if (problems.length) out.push(finding('CLIENT_CACHE_MALFORMED', problems.map((p) => safe(p.message)).join('; '), stage));
  return out;
}

/**
 * The cached client_id is unknown to the server: a path's chain found no registration for it.
 * (The chain looks up the JWT's client_id claim; the client sends its cached one — normally the same.)
 */
function registrationUnknown(c: ClientEvidence, paths: (Evidence | undefined)[]): Finding | undefined {
  const s = c.session;
  if (!s) return undefined;
  for (const ev of paths) {
    const chain = ev ? valueOf(ev.chain) : undefined;
    const l = chain?.client;
    if (!l || l.state !== 'missing') continue;
    const claim = ev?.token?.status === 'collected' ? ev.token.value.claims?.client_id : undefined;
    const id = s.clientId ?? (typeof claim === 'string' ? claim : undefined);
    if (!id) continue;
    const reg = s.registration ? ` It is cached in ${safe(s.registration.file)}${s.registration.entry ? ` (${safe(s.registration.entry)})` : ''}.` : '';
    return finding('STORE_CACHED_CLIENT_ID_UNKNOWN', `${c.client} holds client_id ${safe(id)} for ${safe(c.serverUrl)}; it is absent from ${l.where}.${reg}`, {
      stage: 'storage.client',
      fixNote: s.registration ? `For ${c.client}: ${safe(s.registration.howToClear)}` : '',
      data: { clientId: id, registrationFile: s.registration?.file ?? null },
    });
  }
  return undefined;
}

function pathOf(report: Report, endpoint: SessionPath['endpoint']): SessionPath {
  return { endpoint, verdict: report.verdict, failingTier: report.failingTier, errors: errorsOf(report.findings).map((f) => f.code), stages: report.stages ?? [] };
}

function tagged(findings: readonly Finding[], path: 'access' | 'refresh'): Finding[] {
  return findings.map((f) => ({ ...f, data: { ...(f.data ?? {}), sessionPath: path } }));
}

/** Head first, then the rest, each code once (the first occurrence wins). */
function merge(...lists: Finding[][]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const list of lists) {
    for (const f of list) {
      const key = f.code;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

const STATUS_RANK = { fail: 0, error: 1, pass: 2, skipped: 3 } as const;

function tiersOf(findings: readonly Finding[], reports: (Report | undefined)[], clientTier: TierResult): Partial<Record<TierName, TierResult>> {
  const out: Partial<Record<TierName, TierResult>> = { client: clientTier };
  for (const tier of TIERS) {
    if (tier === 'client') continue;
    const results = reports.flatMap((r) => (r?.tiers[tier] ? [r.tiers[tier]!] : []));
    if (!results.length) continue;
    const err = findings.find((f) => f.tier === tier && f.severity === 'error');
    if (err) {
      out[tier] = { status: 'fail', reason: err.title };
      continue;
    }
    // No error left in this tier (e.g. an expired access token the client refreshes): the best non-fail answer.
    const rest = results.filter((r) => r.status !== 'fail').sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]);
    out[tier] = rest[0] ?? { status: 'pass', reason: 'no error for this session' };
  }
  return out;
}

const VERDICT_RANK: Record<Verdict, number> = { failing: 0, inconclusive: 1, healthy: 2 };

/** The one report for one client session. */
export function buildSessionReport(inputs: SessionInputs, opts: ReportOptions): Report {
  const { base, access, refresh } = inputs;
  const c = valueOf(base.client);
  const a = access ? buildReport(access, opts) : undefined;
  const r = refresh ? buildReport(refresh, opts) : undefined;
  const b = buildReport(base, opts);
  const cf = c ? clientFindings(c, base) : [];
  const reg = c ? registrationUnknown(c, [refresh, access]) : undefined;
  const aFind = a ? tagged(a.findings, 'access') : [];
  const rFind = r ? tagged(r.findings, 'refresh') : [];
  const aErrs = errorsOf(aFind);
  const rErrs = errorsOf(rFind);
  // FastMCP stops at the first failing stage: an access token rejected at jwt.exp is merely expired
  // (what the doctor sees behind it — e.g. its JTI mapping gone with it — is the expiry's consequence).
  const accessExpiredOnly = (a?.failingStage?.code ?? aErrs[0]?.code) === 'JWT_EXPIRED';
  const accessWorks = a?.verdict === 'healthy';
  const refreshWorks = r?.verdict === 'healthy';
  const accessExp = valueOf(access?.token)?.claims?.exp;
  const sessionEnds = typeof accessExp === 'number' ? accessExp : c?.session?.expiresAt ?? undefined;

  let verdict: Verdict;
  let failingTier: TierName | null = null;
  let head: Finding | undefined;
  let summary: string;
  let findings: Finding[];
  let endsAt: number | undefined;
  const clientErr = errorsOf(cf)[0];
  let refreshes = false;
  let fromPath: Report | undefined;

  if (clientErr) {
    head = clientErr;
    findings = merge(cf, aFind, rFind, c?.session ? [] : b.findings);
  } else if (reg) {
    head = reg;
    fromPath = a ?? r;
    // The lost registration is why the refresh grant is refused (invalid_client) — the same lookup.
    const linked = (fs: Finding[]) => fs.map((f) => (f.code === 'STORE_CLIENT_NOT_FOUND' && !f.explainedBy ? { ...f, explainedBy: reg.code } : f));
    findings = merge(cf, [reg], linked(aErrs), linked(rErrs), linked(aFind), linked(rFind));
  } else if (accessWorks && (refreshWorks || !r)) {
    findings = merge(cf, aFind, rFind);
  } else if (accessExpiredOnly && refreshWorks) {
    const demoted = aFind.map((f) => (f.severity === 'error' ? { ...f, severity: 'info' as const, detail: `${f.detail} (Expected: the access token has expired and the client refreshes it by itself.)` } : f));
    const info = finding('CLIENT_ACCESS_EXPIRED_REFRESHES', `The access token expired at ${typeof accessExp === 'number' ? isoTime(accessExp) : 'an earlier time'}; the refresh token works at /token, so ${c?.client ?? 'the client'} gets a new pair on its next request.`, { stage: 'client.cache' });
    findings = merge(cf, [info], demoted, rFind);
    refreshes = true;
  } else if ((accessWorks || (a !== undefined && aErrs.length === 0)) && r?.verdict === 'failing') {
    // The access token works (or passes every check that could be made, e.g. GitHub not asked).
    head = r ? causeOf(r, rFind) : undefined;
    failingTier = 'refresh';
    fromPath = r;
    const ends = typeof sessionEnds === 'number' ? sessionEnds : undefined;
    if (ends !== undefined) endsAt = ends;
    const info = finding('CLIENT_SESSION_ENDS', `The access token ${accessWorks ? 'works' : 'passes every check made here'} until ${ends !== undefined ? isoTime(ends) : 'it expires'}; after that the refresh fails and ${c?.client ?? 'the client'} needs a new browser login.`, { stage: 'client.cache', ...(ends !== undefined ? { data: { endsAt: ends } } : {}) });
    findings = merge(cf, head ? [head] : [], rErrs, [info], rFind, aFind);
  } else if (a && aErrs.length && !accessExpiredOnly) {
    head = causeOf(a, aFind);
    fromPath = a;
    findings = merge(cf, head ? [head] : [], aErrs, rErrs, aFind, rFind);
  } else if (r && rErrs.length) {
    // No access token, or an expired one: the refresh path decides.
    head = causeOf(r, rFind);
    fromPath = r;
    findings = merge(cf, head ? [head] : [], rErrs, aErrs, rFind, aFind);
  } else {
    findings = merge(cf, aFind, rFind);
  }

  if (head) {
    verdict = 'failing';
    failingTier ??= head.tier;
    const sentence = `${TIER_TITLES[failingTier]} fails: ${head.title} (${head.code}).`;
    summary = failingTier === 'refresh' && endsAt !== undefined ? `${sentence} The session works until ${isoTime(endsAt)}, when the access token expires; then it needs a new browser login.` : sentence;
  } else {
    const paths = (refreshes ? [r] : [a, r]).filter((x): x is Report => x !== undefined);
    const undecided = paths.find((p) => p.verdict !== 'healthy');
    if (undecided || opts.interrupted || (!a && !r)) {
      verdict = 'inconclusive';
      summary = undecided?.summary ?? b.summary;
    } else {
      verdict = 'healthy';
      summary = accessWorks
        ? `Healthy: ${c?.client ?? 'the client'}'s access token works at /mcp${r ? ' and its refresh token would work at /token' : ''}.`
        : `Healthy: the access token has expired and ${c?.client ?? 'the client'} will refresh it by itself (the refresh token works at /token).`;
    }
  }
  const fix = head ? head.fix : verdict === 'inconclusive' ? ([a, r].find((p) => p && p.verdict === 'inconclusive')?.fix ?? b.fix) : '';
  const clientTier: TierResult = clientErr ? { status: 'fail', reason: clientErr.title } : c ? { status: 'pass', reason: cf.some((f) => f.severity === 'warning') ? `session found (${cf.filter((f) => f.severity === 'warning').length} warning(s))` : 'session found' } : { status: 'skipped', reason: 'no MCP client cache read' };
  const main = a ?? r ?? b;
  const failingStage: Report['failingStage'] = !head ? null : fromPath?.failingStage ?? { stage: head.stage ?? null, tier: head.tier, code: head.code };
  const report: Report = {
    ...main,
    verdict,
    failingTier,
    failingStage,
    summary,
    fix,
    tiers: tiersOf(findings, c?.session ? [a, r] : [b], clientTier),
    findings,
    evidence: { ...(access ?? base), client: base.client!, ...(refresh ? { refreshPath: { ...(refresh.token ? { token: refresh.token } : {}), ...(refresh.chain ? { chain: refresh.chain } : {}), ...(refresh.upstream ? { upstream: refresh.upstream } : {}) } } : {}) },
  };
  if (!a) delete report.stages;
  const session: SessionAssessment = { client: c?.client ?? 'unknown', serverUrl: c?.serverUrl ?? '', access: a ? pathOf(a, 'POST /mcp') : null, refresh: r ? pathOf(r, 'POST /token') : null };
  if (endsAt !== undefined) session.endsAt = endsAt;
  report.session = session;
  return report;
}

/** Several sessions for the server: the worst report, with every session's line (worst first). */
export function worstSession(reports: readonly Report[]): Report {
  const sorted = [...reports].sort((x, y) => VERDICT_RANK[x.verdict] - VERDICT_RANK[y.verdict]);
  const worst = sorted[0]!;
  if (reports.length < 2) return worst;
  const lines: SessionSummary[] = sorted.map((rep) => {
    const s = valueOf(rep.evidence.client)?.session;
    return {
      client: rep.session?.client ?? 'unknown',
      serverUrl: s?.serverUrl ?? null,
      cacheFile: s?.cache.path ?? '',
      verdict: rep.verdict,
      failingTier: rep.failingTier,
      codes: errorsOf(rep.findings).map((f): FindingCode => f.code),
      summary: rep.summary,
    };
  });
  return { ...worst, summary: `${worst.summary} (the worst of ${reports.length} sessions ${worst.session?.client ?? 'the client'} holds for this server; see sessions)`, sessions: lines };
}
