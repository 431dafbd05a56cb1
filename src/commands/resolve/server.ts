/**
 * check's server flags → a `ServerTarget`, once, at the command boundary (exit 2 with one line for a
 * bad --server, --spec or --http-timeout).
 */
import { UsageError } from '../../errors.js';
import { LATEST_SPEC, SPEC_REVISIONS, type SpecRevision } from '../../model/index.js';
import { redactUrl } from '../../secrets.js';
import { DEFAULT_HTTP_TIMEOUT_MS } from '../../server/http.js';
import type { ServerTarget } from '../../server/target.js';
import { httpTarget } from './http.js';

export interface ServerOptions {
  server: string;
  spec?: string;
  probeRegistration?: boolean;
  httpTimeout?: number;
}

/** --server: an absolute http(s) URL without credentials or fragment; kept exactly as given (trimmed). */
export function parseServerUrl(text: string | undefined): string {
  const raw = (text ?? '').trim();
  const hint = 'give the URL clients are configured with, e.g. --server https://mcp.example.com/mcp';
  if (!raw) throw new UsageError('--server is empty', hint);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--server "${raw}" is not a URL`, hint);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--server "${raw}" is not an http(s) URL`, hint);
  if (!/^https?:\/\/[^/?#]/i.test(raw)) throw new UsageError(`--server "${raw}" has no host`, hint);
  if (u.username || u.password) throw new UsageError(`--server ${redactUrl(raw)} carries credentials`, 'MCP clients do not send URL credentials; give the bare URL');
  if (u.hash) throw new UsageError(`--server "${raw}" has a fragment`, 'a resource URL has no fragment; drop the "#…" part');
  return raw;
}

export function parseSpec(text: string | undefined): SpecRevision {
  if (text === undefined) return LATEST_SPEC;
  if ((SPEC_REVISIONS as readonly string[]).includes(text)) return text as SpecRevision;
  throw new UsageError(`--spec "${text}" is not a known revision`, `use one of ${SPEC_REVISIONS.join(', ')}`);
}

export function httpTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_HTTP_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError('--http-timeout must be more than 0 ms', 'use e.g. --http-timeout 10000');
  return ms;
}

export function resolveServerTarget(opts: ServerOptions, ctx: { env: NodeJS.ProcessEnv; version: string }): ServerTarget {
  const url = parseServerUrl(opts.server);
  const spec = parseSpec(opts.spec);
  const target: ServerTarget = { url, spec, http: httpTarget(httpTimeout(opts.httpTimeout), ctx) };
  if (opts.probeRegistration) target.probeRegistration = true;
  return target;
}
