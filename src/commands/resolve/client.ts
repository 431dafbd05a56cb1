/**
 * The client-tier flags (`--client`, `--client-home`, `--client-cache`, `--server-url`) → a scan
 * target. Checked once here (exit 2 with one line); the adapter (src/clients) never sees options.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { clientEnvFromRecord, CLIENT_NAMES, type ClientName, type ScanOptions } from '../../clients/index.js';
import { UsageError } from '../../errors.js';
import { DIAGNOSABLE_CLIENTS, type DiagnosableClient } from '../../model/index.js';

export interface ClientFlags {
  client?: string;
  clientHome?: string;
  clientCache?: string[];
  serverUrl?: string;
}

function dirFlag(path: string, flag: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${flag} ${path} does not exist`, `give the directory that holds the client's files (for ${flag === '--client-home' ? 'example the home directory the client ran under' : 'example ~/.mcp-auth'})`);
  }
  if (!st.isDirectory()) throw new UsageError(`${flag} ${path} is not a directory`, 'give a directory');
  return resolve(path);
}

/** `--client NAME` for diagnose: one of the clients whose sessions can be judged. */
export function diagnosableClient(name: string): DiagnosableClient {
  const n = name.trim().toLowerCase();
  if ((DIAGNOSABLE_CLIENTS as readonly string[]).includes(n)) return n as DiagnosableClient;
  if (n === 'vscode') throw new UsageError('VS Code keeps MCP tokens in the OS secret storage, which the doctor does not read', 'see the README section "Your MCP client\'s tokens" for how to clear them; diagnose a session with --token-file instead');
  throw new UsageError(`--client ${JSON.stringify(name)} is not a client the doctor knows`, `use one of ${DIAGNOSABLE_CLIENTS.join(', ')}`);
}

/** `--client NAME` for the clients list: any known client, vscode included. */
export function listedClient(name: string): ClientName {
  const n = name.trim().toLowerCase();
  if ((CLIENT_NAMES as readonly string[]).includes(n)) return n as ClientName;
  throw new UsageError(`--client ${JSON.stringify(name)} is not a client the doctor knows`, `use one of ${CLIENT_NAMES.join(', ')}`);
}

/**
 * Where to look: `--client-home DIR` (the clients' default locations under it, no environment
 * redirection), else the user's home with the clients' own environment variables (MCP_REMOTE_CONFIG_DIR,
 * CLAUDE_CONFIG_DIR, GEMINI_CLI_HOME, …); plus every `--client-cache DIR`.
 */
export function resolveClientScan(flags: ClientFlags, env: NodeJS.ProcessEnv, clients?: readonly ClientName[]): ScanOptions {
  const given = flags.clientHome !== undefined;
  const home = given ? dirFlag(flags.clientHome!, '--client-home') : env.HOME && env.HOME.trim() !== '' ? env.HOME : homedir();
  const extraDirs = (flags.clientCache ?? []).map((d) => dirFlag(d, '--client-cache'));
  const out: ScanOptions = { home, env: given ? {} : clientEnvFromRecord(env), extraDirs };
  if (clients) out.clients = clients;
  return out;
}

/** `--server-url`: an http(s) URL (the MCP endpoint the client is configured with). */
export function serverUrlFlag(text: string): string {
  try {
    const u = new URL(text.trim());
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
  } catch {
    // fall through
  }
  throw new UsageError(`--server-url ${JSON.stringify(text)} is not an http(s) URL`, 'use the MCP URL the client is configured with, e.g. --server-url https://mcp.example.com/mcp');
}
