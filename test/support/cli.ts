/** Run the built CLI (dist/) as a user would, capturing stdout, stderr and the exit code. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportSchemaErrors } from './json-schema.js';

export const BIN = fileURLToPath(new URL('../../bin/mcp-auth-doctor.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  /** Send SIGINT after this many ms. */
  interruptAfterMs?: number;
  /**
   * Send SIGINT once the child has read this many bytes (Linux: `rchar` of /proc/<pid>/io, all its
   * threads): "mid-read" without guessing how fast this machine reads. Falls back to
   * `interruptAfterMs` where /proc is not there.
   */
  interruptAfterReadBytes?: number;
}

/** Bytes the process has read so far (every thread), or undefined where /proc/<pid>/io cannot be read. */
function bytesRead(pid: number): number | undefined {
  try {
    const m = /^rchar:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    // A clean, predictable environment: no colour, no ambient GitHub/FastMCP settings from the host.
    for (const [k, v] of Object.entries(process.env)) {
      if (v === undefined) continue;
      if (/^(FASTMCP_|GITHUB_|MCP_AUTH_DOCTOR_|STORAGE_ENCRYPTION_KEY|REDIS_PASSWORD|FORCE_COLOR$|COLUMNS$)/.test(k)) continue;
      env[k] = v;
    }
    env.NO_COLOR = '1';
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    const readLimit = opts.interruptAfterReadBytes;
    if (readLimit !== undefined && child.pid !== undefined && bytesRead(child.pid) !== undefined) {
      const pid = child.pid;
      const poll = setInterval(() => {
        const n = bytesRead(pid);
        if (n === undefined || n >= readLimit) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 10);
      child.on('close', () => clearInterval(poll));
    } else if (opts.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Every JSON report any e2e test gets is checked against the published schema.
      const problems = jsonSchemaProblems(args, stdout);
      if (problems.length) reject(new Error(`the JSON output of \`${args.join(' ')}\` does not match docs/report.schema.json:\n  ${problems.slice(0, 10).join('\n  ')}`));
      else resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** With --json / --format json and a JSON document on stdout: its differences from docs/report.schema.json. */
export function jsonSchemaProblems(args: string[], stdout: string): string[] {
  const json = args.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && args[i + 1] === 'json'));
  if (!json || !stdout.trim() || args.includes('--output')) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return [];
  }
  return reportSchemaErrors(doc);
}
