/**
 * FastMCP key derivation (`derive_jwt_key`), shared by inspect-cache, verify-token, diagnose and check.
 *
 * - high-entropy material (client secret, and the JWT key text for the storage key):
 *   HKDF-SHA256(ikm = UTF-8 material, salt = UTF-8 salt, info = "Fernet", 32 bytes)
 * - low-entropy material (a jwt_signing_key string): PBKDF2-HMAC-SHA256, 1,000,000 iterations
 *   (10 in FastMCP's test mode, 3.2+)
 * - output: URL-safe base64 WITH padding of the 32 bytes → the 44-character key text.
 * The HS256 key is that TEXT (its ASCII bytes); raw `bytes` keys are used as-is.
 * The default store's Fernet key is HKDF over the JWT key text with salt "fastmcp-storage-encryption-key";
 * 3.x+ keeps that store in the directory named by sha256(Fernet key text)[:12].
 */
import { hkdfSync, pbkdf2 } from 'node:crypto';
import { toUrlsafeBase64Padded } from '../crypto/fernet.js';
import { Secret, sha256Hex } from '../secrets.js';

export const JWT_KEY_SALT = 'fastmcp-jwt-signing-key';
export const STORAGE_KEY_SALT = 'fastmcp-storage-encryption-key';
export const KDF_ITERATIONS = 1_000_000;
export const KDF_ITERATIONS_TEST = 10;

export function hkdfKeyText(material: string | Uint8Array, salt: string): string {
  const out = hkdfSync('sha256', typeof material === 'string' ? Buffer.from(material, 'utf8') : material, Buffer.from(salt, 'utf8'), Buffer.from('Fernet'), 32);
  return toUrlsafeBase64Padded(new Uint8Array(out));
}

/** Runs on libuv's thread pool, so several candidates derive in parallel off the main thread. */
export async function pbkdf2KeyText(password: string, salt: string, iterations: number): Promise<string> {
  return (await startPbkdf2(password, salt, iterations)).text;
}

/** A PBKDF2 derivation under way (or done): the key text and the derivation's own wall time. */
export interface Pbkdf2Job {
  text: string;
  ms: number;
}

const pbkdf2Jobs = new Map<string, Promise<Pbkdf2Job>>();

/**
 * PBKDF2 jobs on libuv's thread pool at once: two of its four threads (libuv's default), so that two
 * stay free. The pool also reads files and loads modules; with every thread deriving, a file read —
 * or, after Ctrl-C, loading the module that writes the partial report's evidence — would wait for the
 * derivations queued ahead of it. Further jobs wait here, in order, and a process that exits (an
 * interrupt) never starts them. (Two at once keep both cores of a two-core machine busy; a running
 * job cannot be cancelled, and the process cannot exit before it ends.)
 */
const PBKDF2_AT_ONCE = 2;
let pbkdf2Running = 0;
const pbkdf2Waiting: (() => void)[] = [];

function runPbkdf2(password: string, salt: string, iterations: number): Promise<Pbkdf2Job> {
  return new Promise<Pbkdf2Job>((resolve, reject) => {
    const start = () => {
      pbkdf2Running += 1;
      const t0 = performance.now();
      pbkdf2(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, 32, 'sha256', (err, key) => {
        pbkdf2Running -= 1;
        pbkdf2Waiting.shift()?.();
        if (err) reject(err);
        else resolve({ text: toUrlsafeBase64Padded(key), ms: performance.now() - t0 });
      });
    };
    if (pbkdf2Running < PBKDF2_AT_ONCE) start();
    else pbkdf2Waiting.push(start);
  });
}

/**
 * Start PBKDF2 for (material, salt, iterations) on the thread pool — once per process: a later call
 * with the same three gets the same promise. The entry point starts the run's derivations before it
 * loads the commands (src/commands/resolve/early-keys.ts), and `deriveKeys` picks them up here.
 * `ms` is the derivation's own time, from its start, whoever waits for it.
 */
export function startPbkdf2(password: string, salt: string, iterations: number): Promise<Pbkdf2Job> {
  const id = `${iterations}\u0000${salt}\u0000${password}`;
  let job = pbkdf2Jobs.get(id);
  if (!job) {
    job = runPbkdf2(password, salt, iterations);
    // Nobody may be waiting yet (an early start): a failure is reported to whoever asks, not as an unhandled rejection.
    job.catch(() => undefined);
    pbkdf2Jobs.set(id, job);
  }
  return job;
}

export function storageKeyText(jwtKeyMaterial: string): string {
  return hkdfKeyText(jwtKeyMaterial, STORAGE_KEY_SALT);
}

export function storeFingerprint(storageKey: string): string {
  return sha256Hex(Buffer.from(storageKey, 'ascii')).slice(0, 12);
}

/** What a secret given to the doctor is. `unknown` (a candidate) is tried both as a client secret and as a signing-key string. */
export type SecretKind = 'client-secret' | 'jwt-signing-key' | 'raw-key' | 'unknown';
export type Derivation = 'hkdf' | 'pbkdf2' | 'pbkdf2-test-mode' | 'raw';

export interface KeyInput {
  kind: SecretKind;
  /** For raw keys: the key bytes as latin1/hex-decoded text is not meaningful; pass `raw` instead. */
  secret?: Secret;
  raw?: Uint8Array;
  /** e.g. "upstream client secret (env FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET)" — never the value. */
  label: string;
  role: 'current' | 'candidate';
}

export interface DerivedKey {
  label: string;
  role: 'current' | 'candidate';
  derivation: Derivation;
  /** The HMAC key bytes FastMCP signs with. */
  hs256Key: Uint8Array;
  /** The 44-character key text (absent for raw keys). Secret. */
  hs256KeyText?: Secret;
  /** The default store's Fernet key (absent when the raw key is not UTF-8). Secret. */
  storageKey?: Secret;
  /** 3.x+ default-store directory name. Not secret (a hash prefix). */
  fingerprint?: string;
  /** Wall time of the derivation, for the benchmark and the note; 0 when reused from this run's cache. */
  ms: number;
}

export interface DeriveOptions {
  /** Also derive signing-key strings with FastMCP's test-mode iteration count. */
  testMode?: boolean;
  iterations?: number;
}

/**
 * Derive every key once per run. Identical (derivation, material) pairs are computed once;
 * PBKDF2 jobs run concurrently on the thread pool.
 */
export async function deriveKeys(inputs: KeyInput[], opts: DeriveOptions = {}): Promise<DerivedKey[]> {
  const cache = new Map<string, Promise<{ text: string; ms: number }>>();
  const iterations = opts.iterations ?? KDF_ITERATIONS;

  const once = (id: string, fn: () => Promise<Pbkdf2Job> | string) => {
    let p = cache.get(id);
    const fresh = !p;
    if (!p) {
      p = (async () => {
        const t0 = performance.now();
        const r = await fn();
        return typeof r === 'string' ? { text: r, ms: performance.now() - t0 } : r;
      })();
      cache.set(id, p);
    }
    return p.then((r) => ({ text: r.text, ms: fresh ? r.ms : 0 }));
  };

  const jobs: Promise<DerivedKey>[] = [];
  for (const input of inputs) {
    if (input.kind === 'raw-key') {
      if (!input.raw) continue;
      jobs.push(Promise.resolve(fromRaw(input)));
      continue;
    }
    const secret = input.secret;
    if (!secret) continue;
    const material = secret.reveal();
    const modes: Derivation[] = [];
    if (input.kind === 'client-secret' || input.kind === 'unknown') modes.push('hkdf');
    if (input.kind === 'jwt-signing-key' || input.kind === 'unknown') {
      modes.push('pbkdf2');
      if (opts.testMode) modes.push('pbkdf2-test-mode');
    }
    for (const mode of modes) {
      const label = input.kind === 'unknown' ? `${input.label} as ${mode === 'hkdf' ? 'a client secret' : 'a jwt_signing_key string'}${mode === 'pbkdf2-test-mode' ? ' (test mode)' : ''}` : mode === 'pbkdf2-test-mode' ? `${input.label} (test mode)` : input.label;
      const id = `${mode}\u0000${material}`;
      const p = once(id, () =>
        mode === 'hkdf'
          ? hkdfKeyText(material, JWT_KEY_SALT)
          : startPbkdf2(material, JWT_KEY_SALT, mode === 'pbkdf2' ? iterations : KDF_ITERATIONS_TEST),
      ).then(({ text, ms }) => fromText(text, { label, role: input.role, derivation: mode, ms }));
      jobs.push(p);
    }
  }
  return Promise.all(jobs);
}

function fromText(text: string, meta: { label: string; role: 'current' | 'candidate'; derivation: Derivation; ms: number }): DerivedKey {
  const storage = storageKeyText(text);
  return {
    ...meta,
    hs256Key: Buffer.from(text, 'ascii'),
    hs256KeyText: new Secret(text, `${meta.label}: derived HS256 key`),
    storageKey: new Secret(storage, `${meta.label}: derived default-store key`),
    fingerprint: storeFingerprint(storage),
  };
}

function fromRaw(input: KeyInput): DerivedKey {
  const raw = input.raw as Uint8Array;
  let utf8: string | undefined;
  try {
    utf8 = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    utf8 = undefined;
  }
  const storage = utf8 === undefined ? undefined : storageKeyText(utf8);
  return {
    label: input.label,
    role: input.role,
    derivation: 'raw',
    hs256Key: raw,
    storageKey: storage ? new Secret(storage, `${input.label}: derived default-store key`) : undefined,
    fingerprint: storage ? storeFingerprint(storage) : undefined,
    ms: 0,
  };
}

/** Parse a raw key file: hex, standard/URL-safe base64, or the bytes themselves. */
export function parseRawKey(text: string): Uint8Array {
  const t = text.trim();
  if (/^(0x)?[0-9a-fA-F]+$/.test(t) && t.replace(/^0x/, '').length % 2 === 0) return Buffer.from(t.replace(/^0x/, ''), 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t) && t.length % 4 === 0) return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return Buffer.from(t, 'utf8');
}
