/**
 * A stand-in GitHub REST API on 127.0.0.1 (a real HTTP server on a free port) for tests.
 *
 * Statuses, headers and bodies follow ../shared/spec/github.md §3–§6. It records every request so
 * tests can assert probe discipline ("never twice", "never retried after a 401", "Basic header sent").
 *
 * API (keep it small; others depend on it):
 *
 *   const gh = await startFakeGithub({ tokens: { 'gho_x': { kind: 'ok', login: 'alice', scopes: 'repo, user' } },
 *                                      apps: { 'Ov23liEXAMPLE': { secret: 's3cret', name: 'My MCP' } } });
 *   gh.apiUrl                   // http://127.0.0.1:PORT — give it to --github-api-url / GITHUB_API_URL
 *   gh.requests                 // RecordedRequest[] (method, path, query, auth kind, token fingerprint…)
 *   gh.requestsFor(token)       // the requests that carried this token (bearer/token header or check-token body)
 *   gh.setToken(token, b)       // add or change a token's behaviour
 *   gh.setNow(unixSeconds)      // the clock for `expiresAt` (the fake never reads the wall clock)
 *   await gh.close()            // also drops hung connections
 *
 *   const gh = await fakeGithubFromBundle(bundle, { now })  // the real bundles' stand-in GitHub at capture
 *
 * Token behaviours (`TokenBehaviour.kind`): ok | bad-credentials | rate-limited | secondary-rate-limit |
 * sso-required | locked-out | forbidden | not-found | server-error (500/502/503, GitHub's HTML "Unicorn!"
 * page) | hang (never answers). Unknown tokens get 401 Bad credentials. `/user` and `/user/repos` honour
 * the behaviour; `POST /applications/{client_id}/token` checks HTTP Basic against `apps` (401 on a wrong
 * pair) and answers 200 with an authorization object for live tokens of that app, 404 otherwise.
 * Audit log: `GET /orgs/{org}/audit-log` and `GET /enterprises/{slug}/audit-log` serve `auditLog.events`
 * newest first, filtered by `phrase` (`action:x` / `action:x.y`), paged by `per_page` with an `after`
 * cursor in the `Link: <…>; rel="next"` header (`auditLog.maxPerPage` caps per_page); auth must be
 * `auditLog.token` (401 otherwise), an org or enterprise not listed gets 404, `auditLog.forbidden` makes it 403.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { githubStateAtCapture, type Bundle } from './bundles.js';

export type TokenBehaviour =
  | {
      kind: 'ok';
      login?: string;
      id?: number;
      /** X-OAuth-Scopes value; '' (the default) = header present but empty, null = header absent. */
      scopes?: string | null;
      /** The app that minted the token: check-token answers 404 for any other app. Also sent as X-OAuth-Client-Id. */
      clientId?: string;
      /** false = do not send X-OAuth-Client-Id even though clientId is set. */
      clientIdHeader?: boolean;
      /** GitHub-Authentication-Token-Expiration header value, e.g. "2026-11-22 06:18:45 UTC". */
      expirationHeader?: string;
      /** Unix seconds; at or after `now` the token answers 401 like a dead one. */
      expiresAt?: number | null;
      /** x-ratelimit-remaining on the answers (default 4999). */
      remaining?: number;
      /** check-token `scopes` (default: the scopes header split, [] when empty). */
      checkScopes?: string[];
    }
  | { kind: 'bad-credentials' }
  | { kind: 'rate-limited'; reset?: number; limit?: number }
  | { kind: 'secondary-rate-limit'; retryAfter?: number }
  | { kind: 'sso-required'; url?: string }
  | { kind: 'locked-out' }
  | { kind: 'forbidden'; message?: string }
  | { kind: 'not-found' }
  | { kind: 'server-error'; status?: 500 | 502 | 503 }
  | { kind: 'hang' };

export interface FakeApp {
  secret: string;
  name: string;
  id?: number;
}

export interface FakeGithubOptions {
  tokens?: Record<string, TokenBehaviour>;
  /** client_id → app, for check-token. */
  apps?: Record<string, FakeApp>;
  /** Unix seconds, for `expiresAt` (default 0: nothing expires unless told). */
  now?: number;
  /** Behaviour of tokens not listed (default bad-credentials). */
  unknownToken?: TokenBehaviour;
  auditLog?: {
    /** The only token accepted (bearer or token scheme). */
    token: string;
    orgs?: string[];
    enterprises?: string[];
    /** Raw audit-log events (as the API returns them), any order; served newest first. */
    events: Record<string, unknown>[];
    /** 403 "Must have admin rights…" for any valid token (plan or role missing). */
    forbidden?: boolean;
    /** Cap on per_page (GitHub's is 100), so tests get several pages from few events. */
    maxPerPage?: number;
    /** x-ratelimit-remaining on audit-log answers (default 1749). */
    remaining?: number;
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Kind of Authorization header. */
  auth: 'bearer' | 'token' | 'basic' | 'none' | 'other';
  /** sha256 hex (first 12) of the token in the Authorization header (bearer/token) or the check-token body. */
  tokenFingerprint?: string;
  /** Client id from a Basic header. */
  basicClientId?: string;
  userAgent?: string;
}

export interface FakeGithub {
  /** http://127.0.0.1:PORT (the REST API base: routes live at the root, as on api.github.com). */
  apiUrl: string;
  port: number;
  requests: RecordedRequest[];
  requestsFor(token: string): RecordedRequest[];
  setToken(token: string, behaviour: TokenBehaviour): void;
  setNow(now: number): void;
  close(): Promise<void>;
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

const BAD_CREDENTIALS = JSON.stringify({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });

/** GitHub's 5xx page (abridged; the real one is a larger HTML document). */
export const UNICORN_PAGE =
  '<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n    <meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:; connect-src \'self\'">\n    <title>Unicorn! &middot; GitHub</title>\n  </head>\n  <body>\n    <p><strong>We couldn\'t respond to your request in time.</strong></p>\n    <p>Sorry about that. Please try refreshing and contact us if the problem persists.</p>\n  </body>\n</html>\n';

export async function startFakeGithub(opts: FakeGithubOptions = {}): Promise<FakeGithub> {
  const tokens = new Map<string, TokenBehaviour>(Object.entries(opts.tokens ?? {}));
  const apps = opts.apps ?? {};
  let now = opts.now ?? 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let requestSeq = 0;

  const behaviourOf = (token: string | undefined): TokenBehaviour => {
    if (token === undefined) return { kind: 'bad-credentials' };
    const b = tokens.get(token) ?? opts.unknownToken ?? { kind: 'bad-credentials' };
    if (b.kind === 'ok' && typeof b.expiresAt === 'number' && b.expiresAt <= now) return { kind: 'bad-credentials' };
    return b;
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function baseHeaders(extra: Record<string, string> = {}): Record<string, string> {
    requestSeq += 1;
    const id = `FAKE:${requestSeq.toString(16).toUpperCase().padStart(4, '0')}:0000:0000:00000000`;
    return { 'x-github-request-id': id, 'x-github-media-type': 'github.v3; format=json', ...extra };
  }

  function rateHeaders(remaining = 4999, limit = 5000, reset = Math.floor(now) + 3600): Record<string, string> {
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-used': String(limit - remaining),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-resource': 'core',
    };
  }

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...baseHeaders(headers) });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** Answer a token-authenticated API call per the token's behaviour. Returns true when handled (non-ok). */
  function answerFailure(res: ServerResponse, b: TokenBehaviour): boolean {
    switch (b.kind) {
      case 'ok':
        return false;
      case 'bad-credentials':
        json(res, 401, BAD_CREDENTIALS, rateHeaders(59, 60));
        return true;
      case 'rate-limited': {
        const limit = b.limit ?? 5000;
        json(
          res,
          403,
          { message: `API rate limit exceeded for user ID 1.`, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
          rateHeaders(0, limit, b.reset ?? Math.floor(now) + 1800),
        );
        return true;
      }
      case 'secondary-rate-limit':
        json(
          res,
          403,
          { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
          { ...rateHeaders(4990), 'retry-after': String(b.retryAfter ?? 60) },
        );
        return true;
      case 'sso-required':
        json(
          res,
          403,
          { message: 'Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.', documentation_url: 'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/' },
          { ...rateHeaders(), 'x-github-sso': `required; url=${b.url ?? 'https://github.com/orgs/example-org/sso?authorization_request=EXAMPLE'}` },
        );
        return true;
      case 'locked-out':
        json(res, 403, { message: 'Maximum number of login attempts exceeded. Please try again later.', documentation_url: 'https://docs.github.com/rest' });
        return true;
      case 'forbidden':
        json(res, 403, { message: b.message ?? 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' }, rateHeaders());
        return true;
      case 'not-found':
        json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        return true;
      case 'server-error':
        res.writeHead(b.status ?? 503, { 'content-type': 'text/html; charset=utf-8', ...baseHeaders() });
        res.end(UNICORN_PAGE);
        return true;
      case 'hang':
        // Never answer; the socket is destroyed on close().
        return true;
    }
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authHeader = req.headers.authorization ?? '';
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), auth: 'none' };
    if (req.headers['user-agent']) rec.userAgent = String(req.headers['user-agent']);
    let bearer: string | undefined;
    let basic: { id: string; secret: string } | undefined;
    const m = /^(\w+)\s+(.+)$/.exec(authHeader);
    if (m) {
      const scheme = m[1]!.toLowerCase();
      if (scheme === 'bearer' || scheme === 'token') {
        rec.auth = scheme;
        bearer = m[2]!.trim();
        rec.tokenFingerprint = tokenFingerprint(bearer);
      } else if (scheme === 'basic') {
        rec.auth = 'basic';
        const dec = Buffer.from(m[2]!.trim(), 'base64').toString('utf8');
        const i = dec.indexOf(':');
        basic = { id: dec.slice(0, i), secret: dec.slice(i + 1) };
        rec.basicClientId = basic.id;
      } else rec.auth = 'other';
    }
    const body = req.method === 'POST' ? await readBody(req) : '';
    requests.push(rec);

    // --- /user and /user/repos -----------------------------------------------------------------
    if (req.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/repos')) {
      if (!bearer) return json(res, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
      const b = behaviourOf(bearer);
      if (answerFailure(res, b)) return;
      if (b.kind !== 'ok') return;
      const headers: Record<string, string> = { ...rateHeaders(b.remaining ?? 4999) };
      if (b.scopes !== null) headers['x-oauth-scopes'] = b.scopes ?? '';
      headers['x-accepted-oauth-scopes'] = url.pathname === '/user' ? '' : 'repo';
      if (b.clientId && b.clientIdHeader !== false) headers['x-oauth-client-id'] = b.clientId;
      if (b.expirationHeader) headers['github-authentication-token-expiration'] = b.expirationHeader;
      if (url.pathname === '/user') return json(res, 200, { login: b.login ?? 'user-example', id: b.id ?? 1, type: 'User', name: null }, headers);
      return json(res, 200, [], headers);
    }

    // --- check-token ---------------------------------------------------------------------------
    const ct = /^\/applications\/([^/]+)\/token$/.exec(url.pathname);
    if (ct && req.method === 'POST') {
      const clientId = decodeURIComponent(ct[1]!);
      const app = apps[clientId];
      if (!basic || !app || basic.id !== clientId || basic.secret !== app.secret) {
        return json(res, 401, BAD_CREDENTIALS);
      }
      let token: string | undefined;
      try {
        token = (JSON.parse(body) as { access_token?: string }).access_token;
      } catch {
        return json(res, 400, { message: 'Problems parsing JSON' });
      }
      if (!token) return json(res, 422, { message: 'Validation Failed', errors: [{ field: 'access_token', code: 'missing_field' }] });
      rec.tokenFingerprint = tokenFingerprint(token);
      const b = behaviourOf(token);
      if (b.kind === 'hang') return;
      if (b.kind === 'server-error') {
        res.writeHead(b.status ?? 503, { 'content-type': 'text/html; charset=utf-8', ...baseHeaders() });
        return void res.end(UNICORN_PAGE);
      }
      // Per-user limits, SSO and lockout do not apply to the app's check: the token is alive.
      const alive = b.kind !== 'bad-credentials' && b.kind !== 'not-found';
      const okb = b.kind === 'ok' ? b : undefined;
      if (!alive || (okb?.clientId !== undefined && okb.clientId !== clientId)) return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/oauth-applications#check-a-token' });
      const scopes = okb?.checkScopes ?? (okb?.scopes ? okb.scopes.split(',').map((s) => s.trim()).filter(Boolean) : []);
      const expiresAt = okb?.expiresAt ? new Date(okb.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
      return json(
        res,
        200,
        {
          id: 1,
          url: `${fake.apiUrl}/authorizations/1`,
          scopes,
          token,
          token_last_eight: token.slice(-8),
          hashed_token: createHash('sha256').update(token).digest('hex'),
          app: { url: 'https://example.com', name: app.name, client_id: clientId },
          note: null,
          note_url: null,
          updated_at: '2026-11-21T00:00:00Z',
          created_at: '2026-11-21T00:00:00Z',
          fingerprint: null,
          expires_at: expiresAt,
          user: { login: okb?.login ?? 'user-example', id: okb?.id ?? 1, type: 'User' },
        },
        { ...rateHeaders(4999) },
      );
    }

    // --- audit log -----------------------------------------------------------------------------
    const al = /^\/(orgs|enterprises)\/([^/]+)\/audit-log$/.exec(url.pathname);
    if (al && req.method === 'GET') {
      const cfg = opts.auditLog;
      if (!cfg || !bearer || bearer !== cfg.token) return json(res, 401, BAD_CREDENTIALS);
      const names = al[1] === 'orgs' ? cfg.orgs ?? [] : cfg.enterprises ?? [];
      if (!names.includes(decodeURIComponent(al[2]!))) return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      if (cfg.forbidden) return json(res, 403, { message: 'Must have admin rights to Audit Log.', documentation_url: 'https://docs.github.com/rest' });
      const phrase = url.searchParams.get('phrase') ?? '';
      const actions = [...phrase.matchAll(/(?:^|[\s+])action:(\S+)/g)].map((x) => x[1]!);
      const events = cfg.events
        .filter((e) => !actions.length || actions.some((a) => String(e.action) === a || String(e.action).startsWith(`${a}.`)))
        .sort((a, b) => Number(b['@timestamp'] ?? b.created_at ?? 0) - Number(a['@timestamp'] ?? a.created_at ?? 0));
      const perPage = Math.min(cfg.maxPerPage ?? 100, Number(url.searchParams.get('per_page') ?? 30) || 30);
      const after = url.searchParams.get('after');
      const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) : 0;
      const page = events.slice(start, start + perPage);
      const headers: Record<string, string> = { ...rateHeaders(cfg.remaining ?? 1749, 1750) };
      if (start + perPage < events.length) {
        const next = new URL(`${fake.apiUrl}${url.pathname}`);
        for (const [k, v] of url.searchParams) if (k !== 'after') next.searchParams.set(k, v);
        next.searchParams.set('after', Buffer.from(String(start + perPage)).toString('base64url'));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      return json(res, 200, page, headers);
    }

    json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeGithub = {
    apiUrl: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsFor: (token) => requests.filter((r) => r.tokenFingerprint === tokenFingerprint(token)),
    setToken: (token, b) => void tokens.set(token, b),
    setNow: (n) => {
      now = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/**
 * The real bundles' stand-in GitHub at capture time (bundle README: replay the event log up to
 * captured_at + 1): access tokens valid and unexpired at `now` answer 200 as the bundle's user
 * (octo-fake, id 424242) with an empty X-OAuth-Scopes, like a GitHub App; revoked or expired ones 401.
 */
export async function fakeGithubFromBundle(bundle: Bundle, opts: { now?: number; apps?: Record<string, FakeApp> } = {}): Promise<FakeGithub> {
  const now = opts.now ?? bundle.scenario.captured_at;
  const { tokens } = githubStateAtCapture(bundle);
  const behaviours: Record<string, TokenBehaviour> = {};
  for (const t of tokens.values()) {
    if (t.kind !== 'access') continue;
    const alive = !t.revoked && (t.expiresAt === null || t.expiresAt > now);
    behaviours[t.token] = alive ? { kind: 'ok', login: 'octo-fake', id: 424242, scopes: '', expiresAt: t.expiresAt, clientId: bundle.current['upstream_client_id (GitHub app client_id)'], clientIdHeader: false } : { kind: 'bad-credentials' };
  }
  const apps = opts.apps ?? {
    [bundle.current['upstream_client_id (GitHub app client_id)']]: { secret: bundle.current['upstream_client_secret (GitHub app client_secret)'], name: 'FastMCP stand-in app' },
  };
  return startFakeGithub({ tokens: behaviours, apps, now });
}
