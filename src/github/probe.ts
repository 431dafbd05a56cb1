/**
 * The upstream probe: ask GitHub — once per token per run — whether the token behind a FastMCP
 * session still works, the way FastMCP's GitHubTokenVerifier does (fastmcp-oauth-proxy.md §8):
 * `GET /user`, then `GET /user/repos` only for `X-OAuth-Scopes`. With the app's client id and secret,
 * the check-token API goes first (it does not count as a failed login; github.md §3, §6).
 *
 * Discipline: memoised by SHA-256 of the token; never a second call after a 401/404; no call when the
 * rate limit says remaining 0; never a retry or a sleep.
 */
import type { Octokit } from '@octokit/rest';
import { classifyNetError, createHttpEdge, type HttpEdge } from '../http/edge.js';
import { collected, failed, type Collected, type GithubHttpProbe, type Io, type UpstreamEvidence, type UpstreamToken } from '../model/index.js';
import { sha256Hex } from '../secrets.js';
import { classifyClientId, classifyToken } from './classify.js';
import { BODY_KEEP as USER_BODY_CAP, classifyAnswer, getWithToken, isUnavailable, notReached, oneLineText, outcomeOf, probeHeaders } from './http.js';
import type { GithubTarget } from './target.js';

/** Per request; FastMCP's own default. */
export const DEFAULT_GITHUB_TIMEOUT_MS = 10_000;

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** FastMCP's view of the scopes: the header split on ',', or ["user"] when empty or absent. */
export function effectiveScopes(header: string | null | undefined): string[] {
  const list = (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : ['user'];
}

/** One prober per run: it remembers every token it has asked about. */
export class GithubProber {
  readonly http: HttpEdge;
  readonly #memo = new Map<string, Promise<Collected<UpstreamEvidence>>>();
  #octokit: Octokit | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(
    readonly target: GithubTarget,
    io: Io = {},
  ) {
    this.http = createHttpEdge(target.http, io);
    this.#signal = io.signal;
  }

  #url(path: string): string {
    return `${this.target.apiUrl.replace(/\/+$/, '')}${path}`;
  }

  /** Probe a token; a second call for the same token returns the first result without a request. */
  probe(target: UpstreamToken): Promise<Collected<UpstreamEvidence>> {
    const key = sha256Hex(target.token.reveal());
    let p = this.#memo.get(key);
    if (!p) {
      p = this.#probeOnce(target);
      this.#memo.set(key, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** Octokit without `auth` (the auth hook would overwrite the Basic header; github.md §3.1), loaded at its first use. */
  async #client(): Promise<Octokit> {
    const { Octokit } = await import('@octokit/rest');
    this.#octokit ??= new Octokit({
      baseUrl: this.target.apiUrl,
      userAgent: this.target.http.userAgent,
      log: silentLog,
      request: { fetch: this.http.fetch },
    });
    return this.#octokit;
  }

  async #probeOnce(target: UpstreamToken): Promise<Collected<UpstreamEvidence>> {
    const token = target.token.reveal();
    const kind = classifyToken(token);
    const ev: UpstreamEvidence = {
      token: target.token,
      tokenSource: target.source,
      tokenKind: { prefix: kind.prefix, kind: kind.kind, expires: kind.expires },
      apiUrl: this.target.apiUrl,
      requiredScopes: this.target.requiredScopes,
      clientIdKind: classifyClientId(this.target.clientId),
    };
    if (target.storedExpiresAt !== undefined) ev.storedExpiresAt = target.storedExpiresAt;
    if (target.hasRefreshToken !== undefined) ev.hasRefreshToken = target.hasRefreshToken;
    const notes: string[] = [];
    const done = (): Collected<UpstreamEvidence> => {
      if (notes.length) ev.notes = notes;
      ev.probedAt = Math.floor(Date.now() / 1000);
      return collected(ev);
    };

    if (kind.family === 'github-app-refresh') {
      return failed('the token is a GitHub App refresh token (ghr_); it cannot be checked against the API without using it — give the access token (ghu_)', ev);
    }

    // 1. check-token, when the app credentials are there.
    const canCheck = this.target.checkToken && Boolean(this.target.clientId) && Boolean(this.target.clientSecret);
    if (!this.target.checkToken) ev.checkToken = { outcome: 'skipped', message: 'disabled (--no-check-token)' };
    else if (!canCheck) ev.checkToken = { outcome: 'skipped', message: 'no app client id and secret given' };
    if (canCheck) {
      await this.#checkToken(token, ev);
      if (this.#signal?.aborted) return failed('interrupted before GitHub answered', ev);
      const ct = ev.checkToken!;
      if (ct.outcome === 'invalid') {
        notes.push('check-token answered 404 (GitHub no longer knows the token): GET /user not called, to avoid a failed login');
        return done();
      }
      if (ct.outcome === 'app-credentials-rejected') {
        notes.push(`check-token rejected the app credentials (${ct.status ?? '?'}): GET /user not called after a ${ct.status ?? 'rejected'} answer`);
        if (notes.length) ev.notes = notes;
        return failed('GitHub rejected the app client id/secret for check-token, so the token was not checked — fix the credentials, or re-run with --no-check-token to probe GET /user once', ev);
      }
      if (ct.outcome === 'error' && ev.checkTokenHttp?.outcome === 'unreachable') return failed(notReachedWords(ev.apiUrl, ev.checkTokenHttp.message), ev);
      if (ct.outcome === 'error' && ev.checkTokenHttp && isUnavailable(ev.checkTokenHttp.outcome)) {
        notes.push('check-token got no proper answer (GitHub unavailable): GET /user not called');
        return done();
      }
    }

    // 2. GET /user, exactly once.
    const userRaw = await getWithToken(this.http, this.#url('/user'), token);
    if (userRaw.error?.kind === 'aborted') return failed('interrupted before GitHub answered', ev);
    const user: UpstreamEvidence['user'] = classifyAnswer(userRaw);
    if (user.outcome === 'ok') {
      // FastMCP's verifier parses the body and reads the user's id: a 200 it cannot read is a rejection.
      const problem = userBodyProblem(userRaw.body ?? '');
      if (problem) {
        user.outcome = 'unexpected';
        user.bodyProblem = problem;
        user.body = oneLineText((userRaw.body ?? '').slice(0, 200));
      } else {
        const body = JSON.parse(userRaw.body ?? '{}') as { login?: unknown; id?: unknown };
        if (typeof body.login === 'string') user.login = body.login;
        if (typeof body.id === 'number') user.id = body.id;
      }
    }
    ev.user = user;
    if (user.outcome === 'unreachable') return failed(notReachedWords(ev.apiUrl, user.message), ev);
    if (user.outcome !== 'ok') return done();

    // 3. GET /user/repos, only for X-OAuth-Scopes, and only if the rate limit allows another call.
    if (user.headers.rateLimit?.remaining === 0) {
      notes.push('GET /user/repos not called: x-ratelimit-remaining is 0');
      if (ev.checkToken?.outcome === 'valid' && ev.checkToken.scopes) ev.effectiveScopes = ev.checkToken.scopes.length ? ev.checkToken.scopes : ['user'];
      return done();
    }
    const reposRaw = await getWithToken(this.http, this.#url('/user/repos'), token);
    if (reposRaw.error?.kind === 'aborted') return failed('interrupted before GitHub answered', ev);
    const repos = classifyAnswer(reposRaw);
    ev.repos = repos;
    // FastMCP reads the header only from a 200; anything else → ["user"].
    ev.effectiveScopes = repos.outcome === 'ok' ? effectiveScopes(repos.headers.oauthScopes) : ['user'];
    return done();
  }

  async #checkToken(token: string, ev: UpstreamEvidence): Promise<void> {
    const clientId = this.target.clientId!;
    const basic = Buffer.from(`${clientId}:${this.target.clientSecret!.reveal()}`, 'utf8').toString('base64');
    const client = await this.#client();
    const started = performance.now();
    const url = this.#url(`/applications/${encodeURIComponent(clientId)}/token`);
    try {
      const res = await client.rest.apps.checkToken({
        client_id: clientId,
        access_token: token,
        headers: { authorization: `basic ${basic}` },
        request: this.#signal ? { signal: this.#signal } : {},
      });
      const d = res.data as unknown as {
        expires_at?: string | null;
        scopes?: string[] | null;
        app?: { name?: string; client_id?: string };
        user?: { login?: string } | null;
      };
      ev.checkToken = { status: res.status, outcome: 'valid', expiresAt: d.expires_at ?? null };
      if (d.app?.name) ev.checkToken.appName = d.app.name;
      if (d.app?.client_id) ev.checkToken.appClientId = d.app.client_id;
      if (d.user?.login) ev.checkToken.userLogin = d.user.login;
      if (Array.isArray(d.scopes)) ev.checkToken.scopes = d.scopes;
      ev.checkTokenHttp = { url, status: res.status, outcome: 'ok', ms: Math.round(performance.now() - started), headers: probeHeaders(lower(res.headers as Record<string, unknown>)) };
    } catch (e) {
      const ms = Math.round(performance.now() - started);
      const status = (e as { status?: number }).status;
      const response = (e as { response?: { data?: unknown; headers?: Record<string, unknown> } }).response;
      if (!response) {
        // Transport failure (Octokit reports it as status 500 without a response) or interrupt.
        const err = classifyNetError((e as { cause?: unknown }).cause ?? e, { interrupted: this.#signal?.aborted === true, timedOut: false, timeoutMs: this.target.http.timeoutMs });
        const http: GithubHttpProbe = { url, outcome: err.kind === 'timeout' ? 'timeout' : notReached(err.kind) ? 'unreachable' : 'network-error', message: err.message, ms, headers: {} };
        ev.checkTokenHttp = http;
        ev.checkToken = { outcome: 'error', message: err.message };
        return;
      }
      const data = response.data;
      const message = typeof data === 'object' && data && typeof (data as { message?: unknown }).message === 'string' ? oneLineText((data as { message: string }).message) : undefined;
      const headers = probeHeaders(lower(response.headers ?? {}));
      const http: GithubHttpProbe = { url, outcome: outcomeOf(status ?? 0, message, headers), ms, headers };
      if (status !== undefined) http.status = status;
      if (message !== undefined) http.message = message;
      if (typeof data === 'string' && data) http.body = data.slice(0, 200);
      ev.checkTokenHttp = http;
      ev.checkToken = { outcome: status === 404 ? 'invalid' : status === 401 || status === 403 ? 'app-credentials-rejected' : 'error' };
      if (status !== undefined) ev.checkToken.status = status;
      if (message !== undefined) ev.checkToken.message = message;
      // A 403 from a rate limit is not about the credentials.
      if (status === 403 && (http.outcome === 'rate-limited' || http.outcome === 'secondary-rate-limit')) ev.checkToken.outcome = 'error';
    }
  }
}

function lower(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
  return out;
}

/** The upstream tier's "could not collect" reason when the request never reached GitHub. */
function notReachedWords(apiUrl: string, message: string | undefined): string {
  return `GitHub could not be reached from here (${apiUrl}: ${message ?? 'no connection'}) — check this machine's network, DNS and proxy settings (HTTPS_PROXY); this is not a GitHub outage, and says nothing about the token`;
}

/** Why a 200 answer to GET /user is not a GitHub user FastMCP's verifier can read (undefined: it is one). */
export function userBodyProblem(body: string): string | undefined {
  if (Buffer.byteLength(body, 'utf8') >= USER_BODY_CAP) return `a body of ${USER_BODY_CAP} bytes or more, far larger than a GitHub user object`;
  const text = body.trim();
  if (text === '') return 'an empty body';
  if (text.startsWith('<')) return 'an HTML page, not JSON';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.startsWith('{') || text.startsWith('[') ? 'JSON that is cut off or malformed' : 'a body that is not JSON';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'JSON that is not an object';
  const id = (parsed as { id?: unknown }).id;
  if (typeof id !== 'number' && typeof id !== 'string') return 'a JSON object that is not a GitHub user (no id)';
  return undefined;
}
