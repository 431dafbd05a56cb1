/**
 * The layering of src/ (docs/architecture.md, .dependency-cruiser.cjs): no import runs from a lower
 * layer to a higher one (model → adapters → core → render → main), the core reaches no I/O module,
 * and there is no cycle. dependency-cruiser checks the real tree; a copy with planted violations
 * proves that the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function depcruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('architecture: the dependency graph of src/', () => {
  it('has no import from a lower layer to a higher one, no I/O reachable from the core, and no cycle', () => {
    const r = depcruise(ROOT);
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  });

  it('fails on a planted upward import, an impure core and a cycle', () => {
    const copy = mkdtempSync(join(tmpdir(), 'mad-arch-'));
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(ROOT, '.dependency-cruiser.cjs'), join(copy, '.dependency-cruiser.cjs'));
    cpSync(join(ROOT, 'tsconfig.json'), join(copy, 'tsconfig.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // An adapter importing the core, the core reaching the HTTP edge, and model ↔ model.
    appendFileSync(join(copy, 'src/stores/select.ts'), "\nimport '../diagnosis/engine.js';\n");
    appendFileSync(join(copy, 'src/diagnosis/facts.ts'), "\nimport '../http/edge.js';\n");
    appendFileSync(join(copy, 'src/model/tiers.ts'), "\nimport './report.js';\n");
    const r = depcruise(copy);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/adapters-not-up: src\/stores\/select\.ts → src\/diagnosis\/engine\.ts/);
    expect(r.out).toMatch(/core-is-pure: src\/diagnosis\/facts\.ts → node_modules\/undici\//);
    expect(r.out).toMatch(/no-cycle: src\/model\//);
  });
});
