/** The HTTP edge's settings for a run: timeout, user agent, and the proxy variables of the command's environment. */
import type { HttpTarget, ProxySettings } from '../../http/edge.js';

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY (upper case first, then lower case), as undici's EnvHttpProxyAgent takes them. */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const httpProxy = pick('HTTP_PROXY', 'http_proxy');
  const httpsProxy = pick('HTTPS_PROXY', 'https_proxy');
  if (!httpProxy && !httpsProxy) return undefined;
  const out: ProxySettings = {};
  if (httpProxy) out.httpProxy = httpProxy;
  if (httpsProxy) out.httpsProxy = httpsProxy;
  const noProxy = pick('NO_PROXY', 'no_proxy');
  if (noProxy) out.noProxy = noProxy;
  return out;
}

export function httpTarget(timeoutMs: number, ctx: { env: NodeJS.ProcessEnv; version: string }): HttpTarget {
  const proxy = proxyFromEnv(ctx.env);
  return { timeoutMs, userAgent: `mcp-auth-doctor/${ctx.version}`, ...(proxy ? { proxy } : {}) };
}
