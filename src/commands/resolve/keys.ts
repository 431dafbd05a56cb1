/**
 * The deployment's key material: read once per run (files, stdin, env — never only argv), derived at
 * most once (PBKDF2 on the thread pool), and passed down as one bundle to every step that needs it.
 */
import { InputError } from '../../errors.js';
import { deriveKeys, parseRawKey, type DerivedKey, type KeyInput } from '../../fastmcp/keys.js';
import { cleanSecretText, readSecret, readTextFile, type InputSources } from '../../inputs.js';
import type { Io, KeyEvidence } from '../../model/index.js';
import { Secret } from '../../secrets.js';
import { ENV } from './env.js';

/** The key flags (see src/cli.ts `keyOptions`). */
export interface KeyOptions {
  upstreamClientSecretFile?: string;
  jwtSigningKeyFile?: string;
  jwtRawKeyFile?: string;
  candidateSecretFile?: string[];
  fastmcpTestMode?: boolean;
  storageEncryptionKeyFile?: string;
}

/** Every key input of the run, read, nothing derived yet. */
export interface KeyInputs {
  inputs: KeyInput[];
  keySource?: 'client-secret' | 'jwt-signing-key' | 'raw-key';
  signingKeyLength?: number;
  candidateCount: number;
  /** The upstream client secret, when given (also used for GitHub's check-token API). */
  clientSecret?: Secret;
  /** Explicit storage (Fernet) key of a user store. */
  storageKey?: Secret;
  /** Also derive with FastMCP's test-mode PBKDF2 (10 iterations). */
  testMode: boolean;
}

/** Was any key material given (flags or env)? */
export function keysGiven(opts: KeyOptions, env: NodeJS.ProcessEnv): boolean {
  if (opts.upstreamClientSecretFile || opts.jwtSigningKeyFile || opts.jwtRawKeyFile || opts.storageEncryptionKeyFile || opts.candidateSecretFile?.length) return true;
  return [...ENV.clientSecret, ...ENV.jwtSigningKey, ...ENV.jwtRawKey, ...ENV.storageKey].some((n) => Boolean(env[n]?.trim()));
}

/** Read the deployment's key material, the candidates and the storage key — once per run. */
export async function readKeyInputs(opts: KeyOptions, src: InputSources): Promise<KeyInputs> {
  const clientSecret = await readSecret({ file: opts.upstreamClientSecretFile, env: [...ENV.clientSecret], label: 'upstream client secret' }, src);
  const signingKey = await readSecret({ file: opts.jwtSigningKeyFile, env: [...ENV.jwtSigningKey], label: 'jwt_signing_key' }, src);
  const rawKey = await readSecret({ file: opts.jwtRawKeyFile, env: [...ENV.jwtRawKey], label: 'raw JWT key' }, src);

  const inputs: KeyInput[] = [];
  let keySource: KeyInputs['keySource'];
  if (rawKey) {
    inputs.push({ kind: 'raw-key', raw: parseRawKey(rawKey.reveal()), label: rawKey.source, role: 'current' });
    keySource = 'raw-key';
  } else if (signingKey) {
    inputs.push({ kind: 'jwt-signing-key', secret: signingKey, label: signingKey.source, role: 'current' });
    keySource = 'jwt-signing-key';
  } else if (clientSecret) {
    inputs.push({ kind: 'client-secret', secret: clientSecret, label: clientSecret.source, role: 'current' });
    keySource = 'client-secret';
  }
  // With an explicit key, the client secret is not the key source — but it is the usual suspect
  // when "the supplied key seems ignored" (fastmcp#2867): try it as a candidate.
  if (clientSecret && keySource !== 'client-secret') {
    inputs.push({ kind: 'client-secret', secret: clientSecret, label: `${clientSecret.source}, not the key source while an explicit key is set`, role: 'candidate' });
  }

  const candidates: Secret[] = [];
  for (const [i, file] of (opts.candidateSecretFile ?? []).entries()) {
    const text = file === '-' ? await src.readStdin() : readTextFile(file, 'candidate secret');
    const lines = text.split(/\r?\n/).map(cleanSecretText).filter(Boolean);
    if (!lines.length) throw new InputError(`candidate secret file ${file} is empty`, 'put one secret per line');
    lines.forEach((l, j) => candidates.push(new Secret(l, `candidate ${i + 1}${lines.length > 1 ? `.${j + 1}` : ''} (${file === '-' ? 'stdin' : `file ${file}`})`)));
  }
  for (const name of ENV.candidates) {
    const v = src.env[name];
    if (v) v.split(/\r?\n/).map(cleanSecretText).filter(Boolean).forEach((l, j) => candidates.push(new Secret(l, `candidate ${j + 1} (env ${name})`)));
  }
  for (const c of candidates) inputs.push({ kind: 'unknown', secret: c, label: c.source, role: 'candidate' });

  const storageKey = await readSecret({ file: opts.storageEncryptionKeyFile, env: [...ENV.storageKey], label: 'storage encryption key' }, src);

  const out: KeyInputs = { inputs, candidateCount: candidates.length, testMode: Boolean(opts.fastmcpTestMode) };
  if (keySource) out.keySource = keySource;
  if (signingKey && keySource === 'jwt-signing-key') out.signingKeyLength = signingKey.length;
  if (clientSecret) out.clientSecret = clientSecret;
  if (storageKey) out.storageKey = storageKey;
  return out;
}

/**
 * The run's one key bundle: the inputs, read once, and the keys, derived at most once whoever asks
 * first (the JWT check, the store, the upstream chain).
 */
export class KeyBundle {
  #derived: Promise<DerivedKey[]> | undefined;

  constructor(readonly inputs: KeyInputs) {}

  get storageKey(): Secret | undefined {
    return this.inputs.storageKey;
  }

  /**
   * Derive every key once, with a spinner line. On SIGINT it stops waiting at once and returns no keys
   * (a running PBKDF2 job cannot be cancelled; the process exits without it): the command then
   * reports what it has, marked partial.
   */
  derive(io: Io): Promise<DerivedKey[]> {
    this.#derived ??= deriveWithProgress(this.inputs, io);
    return this.#derived;
  }
}

async function deriveWithProgress(k: KeyInputs, io: Io): Promise<DerivedKey[]> {
  const slow = k.inputs.filter((i) => i.kind === 'jwt-signing-key' || i.kind === 'unknown').length;
  if (slow) io.progress?.update(`deriving ${slow} signing key${slow > 1 ? 's' : ''} (PBKDF2-SHA256, 1,000,000 iterations)…`);
  const signal = io.signal;
  if (signal?.aborted) return [];
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<DerivedKey[]>((resolve) => {
    onAbort = () => resolve([]);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([deriveKeys(k.inputs, { testMode: k.testMode }), interrupted]);
  } finally {
    signal?.removeEventListener('abort', onAbort!);
  }
}

export function keyEvidence(keys: DerivedKey[], explicitStorageKey?: Secret): KeyEvidence {
  const ev: KeyEvidence = {
    keys: keys.map((k) => {
      const e: KeyEvidence['keys'][number] = { label: k.label, role: k.role, derivation: k.derivation, ms: Math.round(k.ms) };
      if (k.fingerprint) e.fingerprint = k.fingerprint;
      if (k.hs256KeyText) e.hs256Key = k.hs256KeyText;
      if (k.storageKey) e.storageKey = k.storageKey;
      return e;
    }),
  };
  if (explicitStorageKey) ev.explicitStorageKey = { label: explicitStorageKey.source, key: explicitStorageKey };
  return ev;
}
