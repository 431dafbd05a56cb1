/**
 * The early start of the run's PBKDF2 derivations (src/commands/resolve/early-keys.ts): it guesses,
 * from argv and the environment, exactly the key strings `readKeyInputs` will derive with PBKDF2, and
 * the command's derivation then reuses the job already under way instead of starting a second one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Count the PBKDF2 jobs node:crypto is asked for (the real function runs).
const calls = vi.hoisted(() => ({ pbkdf2: [] as { password: string; iterations: number }[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:crypto')>();
  const pbkdf2 = ((password: Buffer, salt: Buffer, iterations: number, keylen: number, digest: string, cb: (e: Error | null, k: Buffer) => void) => {
    calls.pbkdf2.push({ password: password.toString('utf8'), iterations });
    return orig.pbkdf2(password, salt, iterations, keylen, digest, cb);
  }) as typeof orig.pbkdf2;
  return { ...orig, default: { ...orig, pbkdf2 }, pbkdf2 };
});

const { earlyPbkdf2Materials, startEarlyKeyDerivations } = await import('../../src/commands/resolve/early-keys.js');
const { KeyBundle, readKeyInputs } = await import('../../src/commands/resolve/keys.js');
const { KDF_ITERATIONS } = await import('../../src/fastmcp/keys.js');

const dir = mkdtempSync(join(tmpdir(), 'mad-early-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const signing = file('signing', '\uFEFF  an-early-signing-key \n');
const raw = file('raw', '0x6869');
const candidates = file('candidates', 'old-key-1\n\nold-key-2\r\n');
const envFile = file('env', 'FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY="key-from-env-file"\n');

/** What readKeyInputs derives with PBKDF2 for the same options and environment, in its order. */
async function pbkdf2Inputs(opts: Record<string, unknown>, env: Record<string, string>): Promise<string[]> {
  const k = await readKeyInputs(opts, { env, readStdin: async () => '' });
  return [...new Set(k.inputs.filter((i) => i.kind === 'jwt-signing-key' || i.kind === 'unknown').map((i) => i.secret!.reveal()))];
}

describe('early key derivation: the guess matches what the command derives', () => {
  const cases: { name: string; args: string[]; opts: Record<string, unknown>; env?: Record<string, string> }[] = [
    { name: 'a signing-key file (BOM, spaces and newline cleaned as readSecret does)', args: ['diagnose', '--jwt-signing-key-file', signing], opts: { jwtSigningKeyFile: signing } },
    { name: '--flag=value form', args: ['verify-token', `--jwt-signing-key-file=${signing}`], opts: { jwtSigningKeyFile: signing } },
    { name: 'the env variable', args: ['check', '--server', 'https://x.example/mcp'], opts: {}, env: { FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY: ' env-key ' } },
    { name: 'the file wins over the env', args: ['diagnose', '--jwt-signing-key-file', signing], opts: { jwtSigningKeyFile: signing }, env: { FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY: 'env-key' } },
    { name: 'a raw key takes precedence (nothing to derive with PBKDF2)', args: ['diagnose', '--jwt-raw-key-file', raw, '--jwt-signing-key-file', signing], opts: { jwtRawKeyFile: raw, jwtSigningKeyFile: signing } },
    { name: 'candidates from a file and the env', args: ['inspect-cache', '--jwt-signing-key-file', signing, '--candidate-secret-file', candidates], opts: { jwtSigningKeyFile: signing, candidateSecretFile: [candidates] }, env: { MCP_AUTH_DOCTOR_CANDIDATE_SECRETS: 'old-key-3\nold-key-1' } },
    { name: 'a client secret alone (HKDF, not PBKDF2)', args: ['diagnose', '--upstream-client-secret-file', signing], opts: { upstreamClientSecretFile: signing } },
  ];
  it.each(cases)('$name', async (c) => {
    expect(earlyPbkdf2Materials(c.args, c.env ?? {})).toEqual(await pbkdf2Inputs(c.opts, c.env ?? {}));
  });

  it('reads a --env-file under the environment, as the command does', async () => {
    expect(earlyPbkdf2Materials(['diagnose', '--env-file', envFile], {})).toEqual(['key-from-env-file']);
    expect(earlyPbkdf2Materials(['diagnose', '--env-file', envFile], { FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY: 'env-wins' })).toEqual(['env-wins']);
  });

  it('leaves stdin, pipes, missing files, help and keyless commands to the command', () => {
    expect(earlyPbkdf2Materials(['diagnose', '--jwt-signing-key-file', '-'], {})).toEqual([]);
    expect(earlyPbkdf2Materials(['diagnose', '--jwt-signing-key-file', '/dev/null'], {})).toEqual([]);
    expect(earlyPbkdf2Materials(['diagnose', '--jwt-signing-key-file', join(dir, 'missing')], { FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY: 'env-key' })).toEqual([]);
    expect(earlyPbkdf2Materials(['diagnose', '--help', '--jwt-signing-key-file', signing], {})).toEqual([]);
    expect(earlyPbkdf2Materials(['demo'], { FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY: 'env-key' })).toEqual([]);
    expect(earlyPbkdf2Materials(['diagnose', '--', '--jwt-signing-key-file', signing], {})).toEqual([]);
    expect(() => startEarlyKeyDerivations(['diagnose', '--env-file', join(dir, 'missing')], {})).not.toThrow();
  });
});

describe('early key derivation: the command reuses the job under way', () => {
  it('one PBKDF2 job for the signing key, started early and picked up by the key bundle', async () => {
    const key = file('reuse', 'a-key-derived-only-once\n');
    calls.pbkdf2.length = 0;
    startEarlyKeyDerivations(['diagnose', '--jwt-signing-key-file', key], {});
    expect(calls.pbkdf2).toEqual([{ password: 'a-key-derived-only-once', iterations: KDF_ITERATIONS }]);
    const bundle = new KeyBundle(await readKeyInputs({ jwtSigningKeyFile: key }, { env: {}, readStdin: async () => '' }));
    const [derived] = await bundle.derive({});
    expect(calls.pbkdf2).toHaveLength(1);
    expect(derived!.derivation).toBe('pbkdf2');
    // The derivation's own time, not 0 (it was this run's first use of the job).
    expect(derived!.ms).toBeGreaterThan(0);
  });
});
