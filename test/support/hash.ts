/** Content hashes of a file tree (path → sha256 + mode), to prove a command changed nothing. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${relative(root, p)}/`] = `dir ${st.mode.toString(8)}`;
        walk(p);
      } else {
        out[relative(root, p)] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mode.toString(8)} ${st.mtimeMs}`;
      }
    }
  };
  if (statSync(root).isDirectory()) walk(root);
  else out['.'] = createHash('sha256').update(readFileSync(root)).digest('hex');
  return out;
}
