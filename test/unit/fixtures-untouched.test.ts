/**
 * The fixtures are inputs, never outputs: no test (and no command) may leave files beside them —
 * e.g. the -shm/-wal files SQLite creates next to a WAL database it opens in place.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../fixtures', import.meta.url));

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(relative(ROOT, p));
  }
  return out;
}

it('no SQLite side files (-wal, -shm, -journal) in fixtures/', () => {
  expect(walk(ROOT).filter((p) => /\.db-(wal|shm|journal)$/.test(p))).toEqual([]);
});
