/**
 * VS Code keeps MCP OAuth tokens and dynamic client registrations in its secret storage (the OS
 * keychain / libsecret / Credential Manager): nothing on disk to read. The doctor says so and how
 * to clear them (Command Palette → "Authentication: Remove Dynamic Authentication Providers").
 */
import { join } from 'node:path';
import { homeLocation, locate, type ScanContext } from '../context.js';

export function noteVsCode(ctx: ScanContext, explicit: boolean): void {
  const dirs: (string | null)[] = [];
  const found = (p: string | null) => p !== null && dirs.push(p);
  if (ctx.platform === 'darwin') found(homeLocation(ctx, 'vscode', 'Library', 'Application Support', 'Code')?.dir ?? null);
  else if (ctx.platform === 'win32') found(ctx.env.appData ? (locate(ctx, 'vscode', join(ctx.env.appData, 'Code'), null)?.dir ?? null) : null);
  else found(ctx.env.xdgConfigHome ? (locate(ctx, 'vscode', join(ctx.env.xdgConfigHome, 'Code'), null)?.dir ?? null) : (homeLocation(ctx, 'vscode', '.config', 'Code')?.dir ?? null));
  found(homeLocation(ctx, 'vscode', '.vscode-server')?.dir ?? null);
  if (dirs.length === 0 && !explicit) return;
  ctx.notes.push({
    client: 'vscode',
    kind: 'secret-storage',
    message: 'VS Code keeps MCP OAuth tokens and client registrations in the OS secret storage; they cannot be read here',
    hint: 'to clear them: Command Palette → "Authentication: Remove Dynamic Authentication Providers", select the MCP server, then restart the server in VS Code and sign in again',
    ...(dirs[0] ? { path: dirs[0] } : {}),
  });
}
