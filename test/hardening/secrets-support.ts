/**
 * Known secrets of the fixtures, and the leak check the hygiene tests share.
 *
 * Secrets of a real bundle: every client secret, jwt_signing_key string, HS256 key text and Fernet
 * key in settings.json (every server start), every FastMCP JWT in tokens.json, every upstream token
 * and code the stand-in GitHub issued (fake_github_state.json), and every secret field of every entry
 * of the decrypted store (tokens, codes, PKCE verifiers, CSRF/consent tokens, client secrets).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from '../../src/commands/context.js';
import { silentProgress } from '../../src/commands/context.js';
import { keyringFromTexts } from '../../src/stores/index.js';
import { decodeEntry } from '../../src/stores/decode.js';
import type { RawEntry } from '../../src/stores/types.js';
import type { Bundle, ServerSettings } from '../support/bundles.js';
import { openStoreFromFlags } from '../support/targets.js';

export interface KnownSecret {
  /** Where it comes from, for failure messages (never the value). */
  label: string;
  value: string;
}

/** Store fields that hold secrets (FastMCP's models, fastmcp-oauth-proxy.md §4.2). */
const SECRET_FIELDS = new Set(['access_token', 'refresh_token', 'id_token', 'client_secret', 'code', 'code_verifier', 'proxy_code_verifier', 'csrf_token', 'consent_token', 'client_state', 'token']);

function add(out: Map<string, KnownSecret>, label: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  // Short values (empty strings, "bearer") are not secrets worth a substring check.
  if (v.length < 16 || out.has(v)) return;
  out.set(v, { label, value: v });
}

function serverSecrets(out: Map<string, KnownSecret>, s: ServerSettings, who: string): void {
  add(out, `${who} client secret`, s['upstream_client_secret (GitHub app client_secret)']);
  add(out, `${who} jwt_signing_key`, s['jwt_signing_key (as passed to GitHubProvider)']);
  add(out, `${who} HS256 key text`, s.jwt_hs256_key_as_used);
  for (const [k, v] of Object.entries(s.storage ?? {})) if (/^fernet_key \(/.test(k)) add(out, `${who} ${k}`, v);
}

function walk(out: Map<string, KnownSecret>, where: string, v: unknown): void {
  if (Array.isArray(v)) return v.forEach((x) => walk(out, where, x));
  if (!v || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (SECRET_FIELDS.has(k) && typeof x === 'string') add(out, `${where} ${k}`, x);
    else walk(out, where, x);
  }
}

const ctx = (): CommandContext => ({ now: 0, nowFromFlag: true, version: 'test', progress: silentProgress, signal: new AbortController().signal, debug: false, env: {}, readStdin: async () => '' });

/** Every secret of a real bundle (see the module comment). */
export async function bundleSecrets(b: Bundle): Promise<KnownSecret[]> {
  const out = new Map<string, KnownSecret>();
  serverSecrets(out, b.issuing, 'issuing server');
  const servers = (b.settings.servers ?? []) as ServerSettings[];
  servers.forEach((s, i) => serverSecrets(out, s, `server ${i + 1}`));
  serverSecrets(out, b.current, 'current server');
  const tokens = JSON.parse(readFileSync(join(b.dir, 'tokens.json'), 'utf8')) as { label: string; token: string }[];
  for (const t of tokens) add(out, `tokens.json ${t.label}`, t.token);
  add(out, 'access_token.jwt', b.accessToken);
  add(out, 'refresh_token.txt', b.refreshToken);
  const gh = JSON.parse(readFileSync(join(b.dir, 'fake_github_state.json'), 'utf8')) as Record<string, Record<string, unknown> | unknown>;
  for (const table of ['access_tokens', 'refresh_tokens', 'codes']) {
    for (const [k, v] of Object.entries((gh[table] ?? {}) as Record<string, unknown>)) {
      add(out, `stand-in GitHub ${table}`, k);
      walk(out, `stand-in GitHub ${table}`, v);
    }
  }

  // The decrypted store, with every Fernet key the bundle's servers used.
  const fernetKeys = [...out.values()].filter((s) => /fernet_key/.test(s.label)).map((s) => s.value);
  const keyring = keyringFromTexts([...new Set(fernetKeys)].map((text, i) => ({ text, label: `key ${i}`, role: i === 0 ? 'explicit' : 'candidate' })));
  const decode = (raw: RawEntry) => {
    const d = decodeEntry(raw, keyring, 0, { decryptExpired: true });
    if (d.value) walk(out, `store ${raw.collection}`, d.value);
    // Plaintext stores (redis-plain) and anything the keys do not open: look at the document itself.
    if (raw.text) {
      try {
        walk(out, `store ${raw.collection} (document)`, JSON.parse(raw.text));
      } catch {
        // not JSON
      }
    }
  };
  if (b.redisDump) {
    for (const line of readFileSync(b.redisDump, 'utf8').split('\n').filter(Boolean)) {
      const rec = JSON.parse(line) as { key: string; value: string };
      const i = rec.key.indexOf('::');
      decode({ collection: rec.key.slice(0, i), key: rec.key.slice(i + 2), keyExact: true, text: rec.value });
    }
  } else {
    const store = await openStoreFromFlags({ store: b.storePath }, ctx());
    try {
      const sources = store.fingerprintDirs.length ? store.fingerprintDirs.map((d) => store.source(d.name)) : [store.source()];
      for (const source of sources) for await (const batch of source.scan()) batch.forEach(decode);
    } finally {
      await store.close();
    }
  }
  return [...out.values()];
}

/** Text that is not secret because the tool itself contains it (flag names, messages): the built program. */
let programText: string | undefined;
export function program(): string {
  if (programText === undefined) {
    const root = fileURLToPath(new URL('../../dist', import.meta.url));
    const parts: string[] = [];
    const read = (dir: string) => {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) read(p);
        else if (n.endsWith('.js')) parts.push(readFileSync(p, 'utf8'));
      }
    };
    read(root);
    programText = parts.join('\n');
  }
  return programText;
}

export interface Leak {
  secret: string;
  how: 'whole' | string;
}

export const WINDOW = 12;

/**
 * Every known secret found in `text`: whole, or any 12-character piece of it — except pieces that
 * are public anyway (`publicText`: the program's own text, the command line's paths and URLs), as a
 * secret like "fake-jwt-signing-key-ONE…" shares "jwt-signing-" with the flag --jwt-signing-key-file.
 */
export function leaks(text: string, secrets: KnownSecret[], publicText: string): Leak[] {
  const found: Leak[] = [];
  // Every 12-character piece of the output, once (a set lookup per piece of a secret, not a scan).
  const pieces = new Set<string>();
  for (let i = 0; i + WINDOW <= text.length; i++) pieces.add(text.slice(i, i + WINDOW));
  for (const s of secrets) {
    if (text.includes(s.value)) {
      found.push({ secret: s.label, how: 'whole' });
      continue;
    }
    for (let i = 0; i + WINDOW <= s.value.length; i++) {
      const piece = s.value.slice(i, i + WINDOW);
      if (pieces.has(piece) && !publicText.includes(piece)) {
        found.push({ secret: s.label, how: `piece "${piece.slice(0, 3)}…" at ${i}` });
        break;
      }
    }
  }
  return found;
}
