/**
 * The only place that knows which environment variables move the clients' caches. Pure: it takes
 * an env record (the entry point passes `process.env`; `--client-home` runs may pass `{}`).
 */
import type { ClientEnv } from './types.js';

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

export function clientEnvFromRecord(env: Readonly<Record<string, string | undefined>>): ClientEnv {
  const out: ClientEnv = {};
  const set = <K extends keyof ClientEnv>(k: K, v: ClientEnv[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  // mcp-remote: `process.env.MCP_REMOTE_CONFIG_DIR || ~/.mcp-auth` (empty = unset).
  set('mcpRemoteConfigDir', nonEmpty(env.MCP_REMOTE_CONFIG_DIR));
  // Claude Code: `CLAUDE_CONFIG_DIR ?? ~/.claude` (an empty value is a value there; treat it as unset).
  set('claudeConfigDir', nonEmpty(env.CLAUDE_CONFIG_DIR));
  // CLAUDE_SECURESTORAGE_CONFIG_DIR: defined-but-empty means `~/.claude`, so keep ''.
  set('claudeSecureStorageDir', env.CLAUDE_SECURESTORAGE_CONFIG_DIR);
  set('geminiCliHome', nonEmpty(env.GEMINI_CLI_HOME));
  // Gemini CLI compares the string with 'true' exactly.
  if (env.GEMINI_FORCE_ENCRYPTED_FILE_STORAGE !== undefined) out.geminiForceEncryptedFileStorage = env.GEMINI_FORCE_ENCRYPTED_FILE_STORAGE === 'true';
  set('copilotHome', nonEmpty(env.COPILOT_HOME));
  set('xdgDataHome', nonEmpty(env.XDG_DATA_HOME));
  set('xdgConfigHome', nonEmpty(env.XDG_CONFIG_HOME));
  set('appData', nonEmpty(env.APPDATA));
  set('user', nonEmpty(env.USER) ?? nonEmpty(env.USERNAME));
  return out;
}
