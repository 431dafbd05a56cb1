import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package's root directory: the nearest directory above this module that holds a package.json.
 * The module runs from src/commands/ (tests), dist/commands/ (tsc's output) or a chunk in
 * dist/bundle/ (what bin/ runs), so no fixed relative path fits all three.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) return (root = join(start, '..', '..'));
  }
}
