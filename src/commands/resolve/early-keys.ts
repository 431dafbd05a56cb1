/**
 * Start the run's PBKDF2 derivations before anything heavy is loaded (bin/ calls this first).
 *
 * A signing-key string costs PBKDF2-SHA256 × 1,000,000 (~200–300 ms on libuv's thread pool);
 * loading commander, the command and the renderer costs about as much on the main thread. Started
 * here, the two overlap. Nothing is decided here: this only guesses, from argv and the environment,
 * which material `readKeyInputs` will derive, reads it the same way (regular files only — a pipe or
 * stdin is left for the command to read), and starts the derivation; `deriveKeys` then finds the job
 * under way (fastmcp/keys.ts `startPbkdf2`, keyed by material, salt and iterations). A wrong guess
 * costs a wasted derivation, never a different result; nothing here throws or prints.
 */
import { readFileSync, statSync } from 'node:fs';
import { JWT_KEY_SALT, KDF_ITERATIONS, startPbkdf2 } from '../../fastmcp/keys.js';
import { cleanSecretText, parseEnvFile } from '../../inputs.js';
import type { CommandName } from '../../model/index.js';
import { ENV, firstEnv } from './env.js';

/** The commands that take key material (src/cli.ts `keyOptions`). */
const KEYED: readonly CommandName[] = ['inspect-cache', 'verify-token', 'probe-github', 'github-audit', 'diagnose', 'check'];

/** The last value of each long option (every value of a repeatable one), up to `--`. */
function scan(args: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = eq > 0 ? a.slice(eq + 1) : args[i + 1];
    if (value === undefined) continue;
    found.set(name, [...(found.get(name) ?? []), value]);
  }
  return found;
}

/** A regular file's text, else undefined (stdin, pipes, devices and errors are left to the command). */
function regularFile(path: string | undefined): string | undefined {
  if (path === undefined || path === '-' || path === '') return undefined;
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 1024 * 1024) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The key strings `readKeyInputs` will derive with PBKDF2, in its order: the current signing key
 * (unless a raw key takes precedence), then the candidates.
 */
export function earlyPbkdf2Materials(args: string[], processEnv: Record<string, string | undefined>): string[] {
  if (!KEYED.includes(args[0] as CommandName)) return [];
  if (args.includes('-h') || args.includes('--help')) return [];
  const opts = scan(args);
  const last = (name: string) => opts.get(name)?.at(-1);
  let env = processEnv;
  const envFile = last('--env-file');
  if (envFile !== undefined) {
    const text = regularFile(envFile);
    if (text === undefined) return [];
    env = { ...parseEnvFile(text), ...processEnv };
  }
  const out: string[] = [];
  const rawGiven = last('--jwt-raw-key-file') !== undefined || firstEnv(env, ENV.jwtRawKey) !== undefined;
  if (!rawGiven) {
    const file = last('--jwt-signing-key-file');
    const text = file !== undefined ? regularFile(file) : firstEnv(env, ENV.jwtSigningKey);
    const key = text === undefined ? '' : cleanSecretText(text);
    if (key) out.push(key);
  }
  for (const file of opts.get('--candidate-secret-file') ?? []) {
    const text = regularFile(file);
    if (text === undefined) break;
    out.push(...text.split(/\r?\n/).map(cleanSecretText).filter(Boolean));
  }
  for (const name of ENV.candidates) {
    const v = env[name];
    if (v) out.push(...v.split(/\r?\n/).map(cleanSecretText).filter(Boolean));
  }
  return [...new Set(out)];
}

/** Start the derivations the run will need (see above). Never throws. */
export function startEarlyKeyDerivations(args: string[], env: Record<string, string | undefined> = process.env): void {
  try {
    for (const material of earlyPbkdf2Materials(args, env)) startPbkdf2(material, JWT_KEY_SALT, KDF_ITERATIONS);
  } catch {
    // A guess that failed: the command derives as it always does.
  }
}
