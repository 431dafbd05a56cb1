/** Input files and unsigned JWTs for tests that feed the CLI hostile or hand-made inputs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A folder under the system temp dir and a writer of numbered files in it; returns both. */
export function tempFiles(prefix: string): { work: string; file: (content: string | Buffer) => string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  let seq = 0;
  return {
    work,
    file: (content) => {
      const p = join(work, `f${(seq += 1)}`);
      writeFileSync(p, content);
      return p;
    },
  };
}

export const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A JWT of any header and claims with a made-up signature (never valid). */
export const jwt = (header: unknown, claims: unknown, sig = 'c2ln') => `${b64(header)}.${b64(claims)}.${sig}`;
