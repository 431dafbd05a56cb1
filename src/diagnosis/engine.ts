/**
 * Evidence → findings → tiers → verdict. Pure: no I/O, no clock (`ev.now` is the time).
 */
import { type Collected, entry, type Evidence, type FailingStage, type Finding, type Report, type StageId, TIER_TITLES, type TierName, type TierResult, TIERS, valueOf, type Verdict } from '../model/index.js';
import { capital, pathOf } from './facts.js';
import { assessSurface } from './rules/discovery.js';
import { ALL_RULES } from './rules/index.js';
import { INTERRUPTED } from './exit.js';
import { explain, rootCause } from './explanations.js';
import { planTiers, type TierPlan } from './plan.js';
import { stagesFor } from './stages.js';

/** FastMCP's order of checks for a bearer at /mcp. */
export const ACCESS_ORDER: StageId[] = [
  'client.cache',
  'config',
  'discovery',
  'jwt.decode',
  'jwt.signature',
  'jwt.token_use',
  'jwt.exp',
  'jwt.iss',
  'jwt.aud',
  'jwt.jti',
  'storage.jti_mapping',
  'storage.upstream_set',
  'storage.client',
  'refresh.hash',
  'storage.inventory',
  'upstream.verify',
  'upstream.scopes',
  'idp.events',
  'idp.cap',
  'canary',
];

/**
 * FastMCP's order of checks for a refresh grant at /token: the client registration and the refresh
 * hash are looked up before the JWT is verified; the rest follows the access order.
 */
const REFRESH_FIRST: StageId[] = ['storage.client', 'refresh.hash'];
export const REFRESH_ORDER: StageId[] = [...ACCESS_ORDER.slice(0, ACCESS_ORDER.indexOf('jwt.decode') + 1), ...REFRESH_FIRST, ...ACCESS_ORDER.slice(ACCESS_ORDER.indexOf('jwt.decode') + 1).filter((s) => !REFRESH_FIRST.includes(s))];

const STAGE_TIER: Record<StageId, TierName> = {
  'client.cache': 'client',
  config: 'config',
  discovery: 'discovery',
  'jwt.decode': 'jwt',
  'jwt.signature': 'jwt',
  'jwt.token_use': 'jwt',
  'jwt.exp': 'jwt',
  'jwt.iss': 'jwt',
  'jwt.aud': 'jwt',
  'jwt.jti': 'jwt',
  'storage.client': 'storage',
  'refresh.hash': 'refresh',
  'storage.jti_mapping': 'storage',
  'storage.upstream_set': 'storage',
  'storage.inventory': 'storage',
  'upstream.verify': 'upstream',
  'upstream.scopes': 'upstream',
  'idp.events': 'idp',
  'idp.cap': 'idp',
  canary: 'discovery',
};

export function stageTier(stage: StageId): TierName {
  return STAGE_TIER[stage];
}

export { pathOf } from './facts.js';

/** Position of a finding in FastMCP's order; findings without a stage sort by tier at the tier's first stage. */
function rank(f: Finding, order: StageId[]): number {
  const stage = f.stage ?? order.find((s) => STAGE_TIER[s] === f.tier);
  const i = stage ? order.indexOf(stage) : -1;
  return i === -1 ? order.length + TIERS.indexOf(f.tier) : i;
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

export function runRules(ev: Evidence): Finding[] {
  const findings = ALL_RULES.flatMap((rule) => rule(ev));
  const order = pathOf(ev) === 'refresh' ? REFRESH_ORDER : ACCESS_ORDER;
  // Stable sort: by stage order, then severity.
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f, order) - rank(b.f, order) || SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

/** Which evidence feeds each tier. */
function tierEvidence(ev: Evidence, tier: TierName): Collected<unknown>[] | 'always' | undefined {
  switch (tier) {
    case 'client':
      return ev.client ? [ev.client] : ev.clients ? [ev.clients] : undefined;
    case 'config':
      return 'always';
    case 'discovery':
      return ev.discovery ? [ev.discovery] : undefined;
    case 'jwt':
      return ev.token ? [ev.token] : undefined;
    case 'storage': {
      const parts: Collected<unknown>[] = [];
      if (ev.store) parts.push(ev.store);
      if (ev.chain) parts.push(ev.chain);
      return parts.length ? parts : undefined;
    }
    case 'refresh': {
      if (pathOf(ev) !== 'refresh') return undefined;
      return ev.chain ? [ev.chain] : undefined;
    }
    case 'upstream':
      return ev.upstream ? [ev.upstream] : undefined;
    case 'idp':
      return ev.idp ? [ev.idp] : undefined;
  }
}

export function tierResults(ev: Evidence, findings: Finding[], tiers: readonly TierName[]): Partial<Record<TierName, TierResult>> {
  const out: Partial<Record<TierName, TierResult>> = {};
  for (const tier of tiers) {
    const errs = findings.filter((f) => f.tier === tier && f.severity === 'error');
    if (errs.length) {
      out[tier] = { status: 'fail', reason: errs[0]!.title };
      continue;
    }
    const sources = tierEvidence(ev, tier);
    if (sources === undefined) {
      out[tier] = { status: 'skipped', reason: notGivenReason(tier) };
      continue;
    }
    if (sources === 'always') {
      out[tier] = { status: 'pass', reason: passReason(findings, tier) };
      continue;
    }
    const error = sources.find((s) => s.status === 'error');
    if (error && error.status === 'error') {
      out[tier] = { status: 'error', reason: error.reason };
      continue;
    }
    const collectedAny = sources.some((s) => s.status === 'collected');
    if (!collectedAny) {
      const sk = sources.find((s) => s.status === 'skipped');
      out[tier] = { status: 'skipped', reason: sk && sk.status === 'skipped' ? sk.reason : notGivenReason(tier) };
      continue;
    }
    const partial = partialOf(ev, tier);
    out[tier] = { status: 'pass', reason: partial ? `no error found, but incomplete: ${partial}` : passReason(findings, tier) };
  }
  return out;
}

/** Why a tier's evidence is incomplete although collected (e.g. signature not checked, --limit). */
export function partialOf(ev: Evidence, tier: TierName): string | undefined {
  const sources = tierEvidence(ev, tier);
  if (!sources || sources === 'always') return undefined;
  for (const s of sources) {
    if (s.status !== 'collected') continue;
    if (s.partial) return s.partial;
    // A read capped by --limit/--sample is partial too (README: a capped read is inconclusive).
    const limited = (s.value as { limited?: unknown } | undefined)?.limited;
    if (typeof limited === 'string') return limited;
  }
  return undefined;
}

function passReason(findings: Finding[], tier: TierName): string {
  const warns = findings.filter((f) => f.tier === tier && f.severity === 'warning').length;
  return warns ? `no error (${warns} warning${warns > 1 ? 's' : ''})` : 'no problem found';
}

function notGivenReason(tier: TierName): string {
  switch (tier) {
    case 'discovery':
      return 'not checked (give --server to check the discovery surface)';
    case 'jwt':
      return 'no token given';
    case 'storage':
      return 'no store given';
    case 'refresh':
      return 'not a refresh token';
    case 'upstream':
      return 'GitHub not probed';
    case 'idp':
      return 'no security-log export or audit-log source given';
    case 'client':
      return 'no MCP client cache read (give --client)';
    case 'config':
      return '';
  }
}

export interface ReportOptions {
  version: string;
  /** The run was interrupted (SIGINT): the report is marked partial and is never healthy. */
  interrupted: boolean;
  /** The tiers to show and decide on; by default `planTiers(ev.command, ev)`. (Engine tests choose their own.) */
  plan?: TierPlan;
}

/**
 * Link every finding to the finding that explains it (explanations.ts), and follow the links from
 * FastMCP's stopping point (the first error) to the deepest proven cause. A cause on that chain is an
 * error itself: it is why FastMCP rejects the token.
 */
function linkExplanations(ev: Evidence, findings: Finding[]): { stop: Finding; cause: Finding } | undefined {
  for (const f of findings) {
    const cause = explain(ev, f, findings);
    if (cause) f.explainedBy = cause.code;
  }
  const stop = findings.find((f) => f.severity === 'error');
  if (!stop) return undefined;
  const cause = rootCause(ev, stop, findings);
  for (let f: Finding | undefined = stop; f && f !== cause; f = explain(ev, f, findings)) {
    const next = explain(ev, f, findings);
    if (next) next.severity = 'error';
  }
  return { stop, cause };
}

export function buildReport(ev: Evidence, opts: ReportOptions): Report {
  const plan = opts.plan ?? planTiers(ev.command, ev);
  const findings = runRules(ev);
  const failing = linkExplanations(ev, findings);
  const tiers = tierResults(ev, findings, plan.tiers);
  let verdict: Verdict;
  let failingTier: TierName | null = null;
  let failingStage: FailingStage | null = null;
  let summary: string;
  let fix = '';
  if (failing) {
    const { stop, cause } = failing;
    verdict = 'failing';
    failingTier = cause.tier;
    failingStage = { stage: stop.stage ?? null, tier: stop.tier, code: stop.code };
    summary = `${TIER_TITLES[cause.tier]} fails: ${cause.title} (${cause.code}).`;
    fix = cause.fix;
  } else {
    const undecided = plan.deciding.filter((t) => {
      const s = tiers[t]?.status;
      return s === undefined || s === 'skipped' || s === 'error' || partialOf(ev, t) !== undefined;
    });
    if (undecided.length || opts.interrupted) {
      verdict = 'inconclusive';
      const t = undecided[0];
      summary = t
        ? `Inconclusive: nothing failed, but the ${TIER_TITLES[t]} tier was not ${partialOf(ev, t) ? 'fully ' : ''}checked (${partialOf(ev, t) ?? tiers[t]?.reason ?? 'no evidence'}).`
        : `Inconclusive: nothing failed in what was collected, but collection stopped early (${INTERRUPTED}).`;
      fix = !t ? 'Re-run to completion.' : tiers[t]?.status === 'error' ? couldNotCollectFix(t, tiers[t]?.reason) : inconclusiveFix(ev, t, opts.interrupted);
    } else {
      verdict = 'healthy';
      summary = `Healthy: no error found in ${listTitles(plan.deciding)}.`;
    }
  }
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'mcp-auth-doctor', version: opts.version },
    command: ev.command,
    now: ev.now,
    evaluatedAt: new Date(ev.now * 1000).toISOString(),
    verdict,
    failingTier,
    failingStage,
    summary,
    fix,
    tiers,
    findings,
    evidence: ev,
  };
  if (ev.token) report.stages = stagesFor(ev, findings);
  const surface = valueOf(ev.discovery);
  if (surface) report.discovery = assessSurface(surface);
  if (opts.interrupted) report.partial = INTERRUPTED;
  return report;
}

/** A deciding tier whose evidence could not be collected. */
function couldNotCollectFix(t: TierName, reason: string | undefined): string {
  // A server that was given but does not answer: the catalogue's advice for it, not "give --server".
  if (t === 'discovery') return entry('DISCOVERY_SERVER_UNREACHABLE').fix;
  return `Could not collect the evidence for the ${TIER_TITLES[t]} tier (${reason}); fix that and re-run.`;
}

function listTitles(tiers: readonly TierName[]): string {
  const t = tiers.map((x) => TIER_TITLES[x]);
  return t.length <= 1 ? (t[0] ?? 'nothing') : `${t.slice(0, -1).join(', ')} and ${t[t.length - 1]}`;
}

/**
 * What to do about a deciding tier that was not (fully) checked. Never asks for an input that was
 * given or for evidence the run already has: an interrupted run is re-run; an incomplete tier names
 * what is missing (its `partial`); only a tier without evidence asks for its input.
 */
function inconclusiveFix(ev: Evidence, t: TierName, interrupted: boolean): string {
  if (interrupted) return `Re-run to completion: the run was interrupted before the ${TIER_TITLES[t]} tier was ${partialOf(ev, t) ? 'fully ' : ''}checked.`;
  const token = valueOf(ev.token);
  if (t === 'jwt' && token) {
    const gaps: string[] = [];
    if (!token.signature.checked) gaps.push(token.signature.notCheckedBecause ? `re-run so the signature gets checked (${token.signature.notCheckedBecause})` : 'give the key material the deployment uses (--upstream-client-secret-file or --jwt-signing-key-file)');
    if (!ev.settings.expectedIssuer || !ev.settings.expectedAudience) gaps.push('give the server\'s base URL (--base-url) so iss and aud can be compared');
    if (gaps.length) return `${capital(gaps.join('; and '))}.`;
  }
  const partial = partialOf(ev, t);
  if (partial) return `Complete the ${TIER_TITLES[t]} check: ${partial}; then re-run.`;
  switch (t) {
    case 'jwt':
      return ev.token ? 'Give the key material the deployment uses (--upstream-client-secret-file or --jwt-signing-key-file).' : 'Give the token (--token-file) and the key material the deployment uses (--upstream-client-secret-file or --jwt-signing-key-file).';
    case 'storage':
      return 'Give the store the server uses (--store <path|redis-url>) and its key.';
    case 'upstream': {
      const up = ev.upstream;
      // Skipped for another reason than --offline: say that reason (it names the missing input).
      if (up?.status === 'skipped' && !up.reason.startsWith('--offline')) return `GitHub was not probed: ${up.reason}.`;
      return 'Let the doctor probe GitHub once with the upstream token (drop --offline, or pass --github-api-url for GitHub Enterprise).';
    }
    case 'idp':
      return 'Give a security-log export (--security-log) or an audit-log source (--org/--enterprise).';
    case 'discovery':
      return ev.discovery ? 'Re-run the outside-in checks against the MCP server.' : 'Give the MCP server URL (--server).';
    case 'refresh':
      return 'Give the store so the refresh-token hash can be looked up.';
    case 'client':
      return 'Name the MCP client whose cache to read (--client, and --client-home when it is not your home directory).';
    case 'config':
      return '';
  }
}
