/**
 * The canary: one authenticated `initialize` with a token issued before the deploy. 200 = accepted
 * (and nothing else is sent, except a DELETE of the MCP session when one was opened), 401 = rejected
 * (the challenge is kept), anything else = error. The token only ever goes into the Authorization
 * header; evidence and messages carry its fingerprint at most.
 */
import { createHttpEdge } from '../http/edge.js';
import { collected, failed, type CanaryEvidence, type Collected, type Io } from '../model/index.js';
import { redactUrl, type Secret } from '../secrets.js';
import { MCP_HEADERS, initializeBody } from './discovery.js';
import { parseJson } from './http.js';
import type { ServerTarget } from './target.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** protocolVersion offered in the canary's initialize (the server answers with its own). */
const CANARY_PROTOCOL_VERSION = '2025-11-25';

interface RpcMessage {
  jsonrpc?: string;
  id?: unknown;
  result?: { protocolVersion?: unknown; serverInfo?: { name?: unknown; version?: unknown } };
  error?: { code?: unknown; message?: unknown };
}

/** The JSON-RPC answer to id 1, from a JSON body or from the complete events of an SSE stream. */
export function rpcAnswer(text: string): RpcMessage | undefined {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    const j = parseJson(t);
    const list = Array.isArray(j) ? j : [j];
    return list.find((m): m is RpcMessage => typeof m === 'object' && m !== null && (m as RpcMessage).id === 1);
  }
  // SSE: events end with a blank line; an event's data lines are joined with "\n".
  const events = text.replace(/\r\n?/g, '\n').split('\n\n');
  events.pop(); // incomplete (or empty) tail
  for (const ev of events) {
    const data = ev
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data) continue;
    const j = parseJson(data) as RpcMessage | undefined;
    if (j && typeof j === 'object' && j.id === 1) return j;
  }
  return undefined;
}

export async function probeCanary(target: ServerTarget, token: Secret, io: Io = {}): Promise<Collected<CanaryEvidence>> {
  const serverUrl = target.url;
  const http = createHttpEdge(target.http, io);
  try {
    const auth = { authorization: `Bearer ${token.reveal()}` };
    const ans = await http.send({
      method: 'POST',
      url: serverUrl,
      headers: { ...MCP_HEADERS, ...auth },
      body: initializeBody(CANARY_PROTOCOL_VERSION),
      enough: (text) => rpcAnswer(text) !== undefined,
    });
    if (ans.error) {
      if (ans.error.kind === 'aborted') return failed('interrupted before the canary was answered');
      return failed(`the canary request to ${redactUrl(serverUrl)} failed: ${ans.error.message}`);
    }
    const status = ans.status!;
    const ev: CanaryEvidence = { status, outcome: 'error', url: serverUrl, ms: ans.ms };
    const ct = ans.headers['content-type'];
    if (ct) ev.contentType = ct;
    if (status === 401) {
      ev.outcome = 'rejected';
      if (ans.wwwAuthenticate.length) {
        ev.wwwAuthenticate = ans.wwwAuthenticate.join(', ');
        ev.challenges = parseWwwAuthenticate(ans.wwwAuthenticate);
      }
      return collected(ev);
    }
    if (status !== 200) {
      const j = parseJson(ans.text) as { error?: unknown; error_description?: unknown } | undefined;
      const err = j && typeof j === 'object' && typeof j.error === 'string' ? `${j.error}${typeof j.error_description === 'string' ? `: ${j.error_description}` : ''}` : undefined;
      ev.message = err ?? (ans.text ? ans.text.slice(0, 120).replace(/\s+/g, ' ') : `HTTP ${status}`);
      if (ans.wwwAuthenticate.length) {
        ev.wwwAuthenticate = ans.wwwAuthenticate.join(', ');
        ev.challenges = parseWwwAuthenticate(ans.wwwAuthenticate);
      }
      return collected(ev);
    }
    ev.outcome = 'accepted';
    const rpc = rpcAnswer(ans.text);
    const negotiated = typeof rpc?.result?.protocolVersion === 'string' ? rpc.result.protocolVersion : undefined;
    if (negotiated) ev.protocolVersion = negotiated;
    const si = rpc?.result?.serverInfo;
    if (si && typeof si === 'object') {
      ev.serverInfo = {};
      if (typeof si.name === 'string') ev.serverInfo.name = si.name;
      if (typeof si.version === 'string') ev.serverInfo.version = si.version;
    }
    if (rpc?.error) ev.message = `initialize answered with JSON-RPC error ${String(rpc.error.code)}: ${String(rpc.error.message)}`;
    else if (!rpc) ev.message = 'no JSON-RPC answer to initialize in the body';

    // Close the session we opened: nothing else is sent.
    const session = ans.headers['mcp-session-id'];
    if (session) {
      const headers: Record<string, string> = { ...auth, 'mcp-session-id': session, accept: MCP_HEADERS.accept };
      if (negotiated) headers['mcp-protocol-version'] = negotiated;
      const del = await http.send({ method: 'DELETE', url: serverUrl, headers });
      ev.sessionClosed = del.error ? { error: del.error.message } : { status: del.status! };
    }
    return collected(ev);
  } finally {
    await http.close();
  }
}
