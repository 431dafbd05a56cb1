/** The client tier: MCP clients' own token caches (see scan.ts). */
export * from './types.js';
export { clientEnvFromRecord } from './env.js';
export { scanClients } from './scan.js';
export { matchSession, normalizeServerUrl, sessionsForServer } from './match.js';
export { DEFAULT_LIMITS } from './safe-fs.js';
export { mcpRemoteHash } from './formats/mcp-remote.js';
export { claudeKeychainService } from './formats/claude-code.js';
