/**
 * The environment variables the doctor reads, by purpose — only at the command boundary (src/commands),
 * from the command's environment (`--env-file` merged under the process's). Adapters never read env.
 */
export const ENV = {
  clientId: ['FASTMCP_SERVER_AUTH_GITHUB_CLIENT_ID'],
  clientSecret: ['FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET'],
  jwtSigningKey: ['FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY'],
  jwtRawKey: ['MCP_AUTH_DOCTOR_JWT_RAW_KEY'],
  candidates: ['MCP_AUTH_DOCTOR_CANDIDATE_SECRETS'],
  storageKey: ['STORAGE_ENCRYPTION_KEY', 'MCP_AUTH_DOCTOR_STORAGE_ENCRYPTION_KEY'],
  requiredScopes: ['FASTMCP_SERVER_AUTH_GITHUB_REQUIRED_SCOPES'],
  baseUrl: ['FASTMCP_SERVER_AUTH_GITHUB_BASE_URL'],
  issuerUrl: ['FASTMCP_SERVER_AUTH_GITHUB_ISSUER_URL'],
  githubApiUrl: ['GITHUB_API_URL'],
  upstreamToken: ['GITHUB_UPSTREAM_TOKEN'],
  auditToken: ['GITHUB_TOKEN'],
  redisPassword: ['REDIS_PASSWORD'],
  threads: ['MCP_AUTH_DOCTOR_THREADS'],
  fastmcpHome: ['FASTMCP_HOME'],
} as const;

/** The first of these variables that is set and not blank, trimmed. */
export function firstEnv(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}
