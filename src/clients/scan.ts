/**
 * The client-tier adapter: every MCP OAuth session the known clients hold under one home (and in
 * `--client-cache` directories). Read-only, bounded, symlink-safe; observations only.
 */
import type { ScanContext } from './context.js';
import { scanClaudeDir, scanClaudeHome, scanClaudeKeychain, defaultKeychainReader } from './formats/claude-code.js';
import { scanCopilotDir, scanCopilotHome } from './formats/copilot-cli.js';
import { scanFastmcpTree } from './formats/fastmcp.js';
import { scanGeminiDir, scanGeminiHome } from './formats/gemini-cli.js';
import { scanMcpRemoteDir, scanMcpRemoteHome } from './formats/mcp-remote.js';
import { scanOpencodeDir, scanOpencodeHome } from './formats/opencode.js';
import { noteVsCode } from './formats/vscode.js';
import { DEFAULT_LIMITS, SafeFs } from './safe-fs.js';
import { CLIENT_NAMES, type ClientName, type ClientScan, type ScanOptions } from './types.js';

export async function scanClients(opts: ScanOptions): Promise<ClientScan> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const notes: ClientScan['notes'] = [];
  const fs = new SafeFs(limits, notes);
  const ctx: ScanContext = {
    fs,
    home: opts.home,
    homeReal: fs.real(opts.home),
    env: opts.env ?? {},
    platform: opts.platform ?? process.platform,
    allowKeychain: opts.allowKeychain ?? false,
    keychainReader: opts.keychainReader ?? defaultKeychainReader,
    limits,
    sessions: [],
    notes,
    searched: [],
    seen: new Set(),
  };
  const want = (c: ClientName) => !opts.clients || opts.clients.includes(c);

  scanHome(ctx, want);
  if (want('claude-code')) await scanClaudeKeychain(ctx);
  if (want('vscode')) noteVsCode(ctx, opts.clients?.includes('vscode') ?? false);

  for (const dir of opts.extraDirs ?? []) {
    // An extra directory is read both as a cache directory itself and as a home holding the
    // clients' usual sub-directories; the env redirections do not apply inside it.
    const real = fs.real(dir);
    const resolved = real ? fs.resolveDir(dir, real) : null;
    if (typeof resolved !== 'string') {
      for (const c of CLIENT_NAMES) if (want(c) && c !== 'vscode') ctx.searched.push({ client: c, path: dir, present: false });
      ctx.notes.push({ client: opts.clients?.[0] ?? 'fastmcp', kind: 'unreadable', message: 'the --client-cache directory does not exist or is not a directory', path: dir });
      continue;
    }
    const loc = { dir: resolved, boundary: resolved };
    const sub: ScanContext = { ...ctx, home: dir, homeReal: real, env: {} };
    if (want('mcp-remote')) scanMcpRemoteDir(sub, loc);
    if (want('gemini-cli')) scanGeminiDir(sub, loc);
    if (want('claude-code')) scanClaudeDir(sub, loc);
    if (want('opencode')) scanOpencodeDir(sub, loc);
    scanHome(sub, (c) => want(c) && c !== 'fastmcp');
    if (want('copilot-cli')) scanCopilotDir(sub, loc);
    if (want('fastmcp')) scanFastmcpTree(sub, loc);
  }
  return { home: opts.home, sessions: ctx.sessions, notes, searched: ctx.searched };
}

function scanHome(ctx: ScanContext, want: (c: ClientName) => boolean): void {
  if (want('mcp-remote')) scanMcpRemoteHome(ctx);
  if (want('gemini-cli')) scanGeminiHome(ctx);
  if (want('claude-code')) scanClaudeHome(ctx);
  if (want('opencode')) scanOpencodeHome(ctx);
  if (want('copilot-cli')) scanCopilotHome(ctx);
  if (want('fastmcp') && ctx.homeReal) scanFastmcpTree(ctx, { dir: ctx.homeReal, boundary: ctx.homeReal });
}
