/**
 * Reading operator inputs: secrets from files, stdin (`-`) or env — never only argv — and `.env` files.
 */
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from './errors.js';
import { Secret, fingerprint, looksLikeSecret, revealingSecrets, showPath } from './secrets.js';

export interface InputSources {
  env: NodeJS.ProcessEnv;
  /** Reads all of stdin once. A second consumer is a usage error. */
  readStdin: () => Promise<string>;
}

/** Create a stdin reader that can be used once. */
export function stdinOnce(stream: NodeJS.ReadableStream = process.stdin): () => Promise<string> {
  let used: string | undefined;
  return async () => {
    if (used) throw new UsageError(`stdin ("-") was already used for ${used}`, 'only one input can come from stdin; use files for the others');
    used = 'another input';
    if ((stream as NodeJS.ReadStream).isTTY) {
      throw new UsageError('"-" means read from stdin, but stdin is a terminal', 'pipe the value in, e.g. `pbpaste | mcp-auth-doctor verify-token -`');
    }
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  };
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (looksLikeSecret(path) && !revealingSecrets()) {
      throw new UsageError(`the ${what} file given looks like a token or secret, not a path (not shown; ${fingerprint(path.trim())})`, 'put the value in a file and give its path, or give - and pipe it in');
    }
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'error'})`;
    throw new InputError(`${what} file ${showPath(path)} ${why}`, 'check the path');
  }
}

/** Trim one trailing newline (and surrounding whitespace): secrets pasted into files usually end in '\n'. */
export function cleanSecretText(text: string): string {
  return text.replace(/^\uFEFF/, '').trim();
}

export interface SecretSpec {
  /** Value of the `--…-file` flag: a path or "-". */
  file?: string;
  /** Env vars to try, in order. */
  env?: string[];
  /** Human label, e.g. "upstream client secret". */
  label: string;
}

/** Resolve one secret from its flag (file or stdin) or env. Returns undefined when none is given. */
export async function readSecret(spec: SecretSpec, src: InputSources): Promise<Secret | undefined> {
  if (spec.file !== undefined) {
    const text = spec.file === '-' ? await src.readStdin() : readTextFile(spec.file, spec.label);
    const v = cleanSecretText(text);
    if (!v) throw new InputError(`the ${spec.label} ${spec.file === '-' ? 'from stdin' : `in ${spec.file}`} is empty`, 'put the value in the file (one line)');
    if (/[\r\n]/.test(v)) {
      const lines = v.split(/\r?\n|\r/).filter((l) => l.trim()).length;
      throw new InputError(`the ${spec.label} ${spec.file === '-' ? 'from stdin' : `in ${spec.file}`} has ${lines} non-empty lines; a secret is one line`, 'put only the value in the file (no comments, no KEY=, one line)');
    }
    return new Secret(v, spec.file === '-' ? `${spec.label} (stdin)` : `${spec.label} (file ${spec.file})`);
  }
  for (const name of spec.env ?? []) {
    const v = src.env[name];
    if (v !== undefined && v.trim() !== '') return new Secret(cleanSecretText(v), `${spec.label} (env ${name})`);
  }
  return undefined;
}

/**
 * Parse a `.env` file (KEY=value, optional `export`, quotes, # comments). Values are not expanded.
 * Variables already set in the environment win, as with dotenv.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
      const quoted = v[0];
      v = v.slice(1, -1);
      if (quoted === '"') v = v.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      v = v.replace(/\s+#.*$/, '');
    }
    out[m[1]!] = v;
  }
  return out;
}

export function loadEnvFile(path: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const parsed = parseEnvFile(readTextFile(path, '--env-file'));
  return { ...parsed, ...env };
}
