/**
 * check with several --server (the replicas of one deployment): everything a client can see before
 * and with a token must be identical on every replica — the answer to an unauthenticated initialize,
 * the challenge's resource_metadata and scope, the protected resource metadata, the authorization
 * server metadata (issuer, endpoints, what it supports) and the answer to the same canary token.
 * Each further replica is compared with the first --server; a difference is DISCOVERY_REPLICA_DRIFT
 * naming the replica and the difference. The checks C1–C11 themselves are judged on the first
 * --server (a replica reached at its own address legitimately differs from the URL clients use).
 */
import type { CanaryEvidence, Collected, DiscoveryEvidence, Evidence, Finding, ReplicaEvidence } from '../../model/index.js';
import { finding } from '../finding.js';

interface Answer {
  server: string;
  /** Why nothing could be compared (unreachable), if so. */
  unreachable?: string;
  fields: Record<string, string>;
  /** The answer to the canary, as one comparable line (status, outcome, error code, server version). */
  canary?: string;
  canaryOutcome?: CanaryEvidence['outcome'];
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

function bearerParam(d: DiscoveryEvidence, name: string): string | undefined {
  return d.challenges?.find((c) => c.scheme.toLowerCase() === 'bearer')?.params[name];
}

/** What must be identical, by name (the names are what the detail says). */
function fieldsOf(d: DiscoveryEvidence): Record<string, string> {
  const as = d.asMetadata ?? {};
  const prm = d.prm ?? {};
  const init = d.exchanges?.find((x) => x.step === 'initialize');
  const f: Record<string, unknown> = {
    'status of an unauthenticated initialize': init?.status,
    'challenge resource_metadata': bearerParam(d, 'resource_metadata'),
    'challenge scope': bearerParam(d, 'scope'),
    'PRM resource': prm.resource,
    'PRM authorization_servers': prm.authorization_servers,
    'PRM scopes_supported': prm.scopes_supported,
    issuer: as.issuer,
    authorization_endpoint: as.authorization_endpoint,
    token_endpoint: as.token_endpoint,
    registration_endpoint: as.registration_endpoint,
    scopes_supported: as.scopes_supported,
    grant_types_supported: as.grant_types_supported,
    code_challenge_methods_supported: as.code_challenge_methods_supported,
    token_endpoint_auth_methods_supported: as.token_endpoint_auth_methods_supported,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) out[k] = show(v);
  return out;
}

function canaryLine(c: Collected<CanaryEvidence> | undefined): { line?: string; outcome?: CanaryEvidence['outcome'] } {
  if (!c || c.status === 'skipped') return {};
  if (c.status === 'error') return { line: `no answer (${c.reason})`, outcome: 'error' };
  const v = c.value;
  const error = v.challenges?.find((x) => x.scheme.toLowerCase() === 'bearer')?.params.error;
  const server = [v.serverInfo?.name, v.serverInfo?.version].filter(Boolean).join(' ');
  const parts = [`${v.outcome}`, `HTTP ${v.status ?? 'no answer'}`];
  if (error) parts.push(`error=${error}`);
  if (server) parts.push(`server ${server}`);
  if (v.protocolVersion) parts.push(`protocol ${v.protocolVersion}`);
  return { line: parts.join(', '), outcome: v.outcome };
}

function answerOf(server: string, discovery: Collected<DiscoveryEvidence> | undefined, canary: Collected<CanaryEvidence> | undefined): Answer {
  const a: Answer = { server, fields: {} };
  const d = discovery && discovery.status !== 'skipped' ? discovery.value : undefined;
  const initError = d?.exchanges?.find((x) => x.step === 'initialize')?.error;
  if (!d || initError) a.unreachable = discovery?.status === 'error' ? discovery.reason : initError ? initError.message : 'not probed';
  else a.fields = fieldsOf(d);
  const c = canaryLine(canary);
  if (c.line) a.canary = c.line;
  if (c.outcome) a.canaryOutcome = c.outcome;
  return a;
}

export function replicaFindings(ev: Evidence): Finding[] {
  const replicas: ReplicaEvidence[] = ev.replicas ?? [];
  if (!replicas.length) return [];
  const primaryUrl = (ev.discovery && ev.discovery.status !== 'skipped' ? ev.discovery.value?.serverUrl : undefined) ?? 'the first --server';
  const first = answerOf(primaryUrl, ev.discovery, ev.canary);
  const out: Finding[] = [];
  replicas.forEach((r, i) => {
    const other = answerOf(r.server, r.discovery, r.canary);
    const name = `replica ${i + 2} (${r.server})`;
    const base = `replica 1 (${first.server})`;
    const diffs: string[] = [];
    if (other.unreachable && !first.unreachable) diffs.push(`it did not answer (${other.unreachable}), ${base} did`);
    else if (first.unreachable && !other.unreachable) diffs.push(`it answers, ${base} did not (${first.unreachable})`);
    else if (!first.unreachable) {
      for (const [k, v] of Object.entries(first.fields)) if (other.fields[k] !== v) diffs.push(`${k} ${other.fields[k]} where ${base} has ${v}`);
    }
    if (first.canary !== undefined && other.canary !== undefined && first.canary !== other.canary) {
      const flips = first.canaryOutcome !== other.canaryOutcome && (first.canaryOutcome === 'accepted' || other.canaryOutcome === 'accepted');
      const what = flips ? (other.canaryOutcome === 'accepted' ? 'it accepts the canary token that replica 1 rejects' : 'it rejects the canary token that replica 1 accepts') : 'its answer to the same canary token differs';
      diffs.push(`${what}: ${other.canary} where ${base} answered ${first.canary}`);
    }
    if (!diffs.length) return;
    out.push(
      finding('DISCOVERY_REPLICA_DRIFT', `${name} differs from ${base}: ${diffs.join('; ')}.`, {
        stage: 'discovery',
        data: { replica: i + 2, server: r.server, comparedWith: first.server, differences: diffs, ...(other.canary ? { canary: other.canary } : {}), ...(first.canary ? { canaryOfReplica1: first.canary } : {}) },
      }),
    );
  });
  return out;
}
