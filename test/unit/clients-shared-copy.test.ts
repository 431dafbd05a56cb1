/**
 * fixtures/real-clients holds byte-for-byte copies of ../shared/real-clients (client homes,
 * server stores, scenario and settings). Skips cleanly without ../shared.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_FIXTURES } from '../support/client-bundles.js';

const SHARED = fileURLToPath(new URL('../../../shared/real-clients', import.meta.url));

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

describe.skipIf(!existsSync(SHARED))('fixtures/real-clients vs ../shared/real-clients', () => {
  const bundles = existsSync(SHARED) ? (JSON.parse(readFileSync(join(SHARED, 'index.json'), 'utf8')).bundles as { bundle: string }[]) : [];
  it.each(bundles.map((b) => b.bundle))('%s: client home, store, scenario and settings are identical', (id) => {
    for (const part of ['client-home', 'server', 'scenario.json', 'settings.json', 'fake_github_state.json']) {
      const src = join(SHARED, id, part);
      const list = statSync(src).isDirectory() ? files(src) : [src];
      for (const f of list) {
        const rel = relative(SHARED, f);
        expect(readFileSync(join(CLIENT_FIXTURES, rel)).equals(readFileSync(f)), rel).toBe(true);
      }
    }
  });
});
