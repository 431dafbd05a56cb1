/**
 * Command-line wiring only: commander definitions; every command module is imported lazily
 * when it runs, so `--help` stays fast.
 */
import { Argument, Command, Option } from 'commander';
import type { CommandName } from './model/index.js';

export type Runner = (name: CommandName, opts: Record<string, unknown>, args: string[]) => Promise<void>;
/** Prints text that is not a report (the completion script) and exits 0. */
export type Printer = (text: string) => Promise<void>;

const EXIT_CODES = `
Exit codes:
  0    healthy (demo: the sample was diagnosed as it should be)
  1    problems found: a tier fails (the verdict names it)
  2    usage error or bad input (a flag, a file that is not what it should be)
  3    inconclusive: evidence could not be collected (unreachable, unreadable)
  130  interrupted (Ctrl-C): the report shows what was collected so far`;

/** Two examples per command, shown at the end of its --help (after the exit codes). */
const EXAMPLES: Record<CommandName | 'completion', [string, string]> = {
  'inspect-cache': ['mcp-auth-doctor inspect-cache --store ~/.local/share/fastmcp --jwt-signing-key-file key.txt', 'mcp-auth-doctor inspect-cache --store redis://localhost:6379/0 --show-entries --json'],
  'verify-token': ['mcp-auth-doctor verify-token --token-file token.jwt --jwt-signing-key-file key.txt --base-url https://mcp.example.com', 'pbpaste | mcp-auth-doctor verify-token - --upstream-client-secret-file secret.txt --store ./fastmcp-home'],
  'probe-github': ['mcp-auth-doctor probe-github --upstream-token-file gh-token.txt', 'mcp-auth-doctor probe-github --token-file token.jwt --store ./fastmcp-home --jwt-signing-key-file key.txt --upstream-client-id Iv1.abc --upstream-client-secret-file secret.txt'],
  'github-audit': ['mcp-auth-doctor github-audit --security-log export.json --app "My MCP Proxy"', 'mcp-auth-doctor github-audit --org my-org --audit-token-file audit-token.txt --since 2026-11-01'],
  diagnose: ['mcp-auth-doctor diagnose --token-file token.jwt --store ./fastmcp-home --jwt-signing-key-file key.txt --offline', 'mcp-auth-doctor diagnose --client mcp-remote --store ./fastmcp-home --jwt-signing-key-file key.txt --base-url https://mcp.example.com'],
  check: ['mcp-auth-doctor check --server https://mcp.example.com/mcp', 'mcp-auth-doctor check --server https://mcp.example.com/mcp --server http://10.0.0.12:8000/mcp --token-file canary.jwt --json --output report.json'],
  demo: ['mcp-auth-doctor demo', 'mcp-auth-doctor demo --quiet'],
  clients: ['mcp-auth-doctor clients', 'mcp-auth-doctor clients --client mcp-remote --store ./fastmcp-home --jwt-signing-key-file key.txt --base-url https://mcp.example.com'],
  completion: ['mcp-auth-doctor completion bash > ~/.local/share/bash-completion/completions/mcp-auth-doctor', 'mcp-auth-doctor completion fish > ~/.config/fish/completions/mcp-auth-doctor.fish'],
};

function epilog(name: CommandName | 'completion'): string {
  const codes = name === 'completion' ? '\nExit codes:\n  0    the script was printed\n  2    usage error (an unknown shell)' : EXIT_CODES;
  return `${codes}\n\nExamples:\n${EXAMPLES[name].map((e) => `  $ ${e}`).join('\n')}\n`;
}

/** The help text of the program or of one command, exactly as `--help` prints it (the epilog included). */
export function renderHelp(program: Command, name?: string): string {
  const cmd = name ? program.commands.find((c) => c.name() === name) : program;
  if (!cmd) throw new Error(`no command ${name}`);
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function common(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON document (same as --format json)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default(undefined))
    .option('--at <time>', 'evaluate expiry at this time (unix seconds or ISO 8601), e.g. a bundle\'s captured_at')
    .option('--env-file <path>', 'load variables from a .env file (the environment wins)')
    .option('--show-secrets', 'print secrets and tokens in full instead of fingerprints (never in CI logs)')
    .option('--debug', 'print stack traces for errors')
    .option('--quiet', 'text: only the verdict, the fix and one line per error finding')
    .option('--output <file>', 'write the report to this file instead of stdout (never over an input or a store)')
    .addOption(new Option('--color [when]', 'colours in text output: always, never, auto (default: a terminal, or FORCE_COLOR; not with NO_COLOR)').choices(['always', 'never', 'auto']))
    .option('--no-color', 'no colours (the same as --color never)');
}

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--store <path|url>', 'cache.db, FASTMCP_HOME, oauth-proxy or fingerprint folder, or redis[s]:// URL (default: FASTMCP_HOME or the platform data dir)')
    .option('--storage-encryption-key-file <path>', 'explicit Fernet key of a user store (env STORAGE_ENCRYPTION_KEY, MCP_AUTH_DOCTOR_STORAGE_ENCRYPTION_KEY)')
    .option('--redis-ca <path>', 'CA certificate (PEM) for rediss://')
    .option('--redis-cert <path>', 'client certificate (PEM) for rediss://')
    .option('--redis-key <path>', 'client key (PEM) for rediss://')
    .option('--redis-insecure', 'rediss:// without certificate verification')
    .option('--redis-password-file <path>', 'Redis password from a file or - (env REDIS_PASSWORD); overrides the URL\'s password')
    .option('--redis-key-prefix <prefix>', 'key prefix in front of "<collection>::<key>" (wrappers, shared Redis)')
    .option('--redis-cluster', 'treat the URL as a Redis Cluster seed node (auto-detected otherwise)')
    .option('--limit <n>', 'read at most n entries (huge stores)', (v) => parseIntArg(v, '--limit'))
    .option('--sample <n>', 'read a sample of about n entries spread over the store', (v) => parseIntArg(v, '--sample'));
}

function keyOptions(cmd: Command): Command {
  return cmd
    .option('--upstream-client-secret-file <path>', 'GitHub app client secret, file or - (env FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET)')
    .option('--jwt-signing-key-file <path>', 'jwt_signing_key string, file or - (env FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY)')
    .option('--jwt-raw-key-file <path>', 'raw jwt_signing_key bytes (hex or base64), file or - (env MCP_AUTH_DOCTOR_JWT_RAW_KEY)')
    .option('--candidate-secret-file <path>', 'a previous client secret or signing key to test (repeatable; env MCP_AUTH_DOCTOR_CANDIDATE_SECRETS, one per line)', collect)
    .option('--fastmcp-test-mode', 'also derive signing keys with FastMCP\'s test-mode PBKDF2 (10 iterations)');
}

function expectationOptions(cmd: Command): Command {
  return cmd
    .option('--base-url <url>', 'the server\'s base_url (expected iss and aud follow from it)')
    .option('--mcp-path <path>', 'MCP mount path', '/mcp')
    .option('--issuer <url>', 'expected iss when it differs from base_url (issuer_url, 4.x)')
    .option('--fastmcp-version <version>', 'FastMCP version of the server (else inferred)');
}

function githubOptions(cmd: Command): Command {
  return cmd
    .option('--github-api-url <url>', 'GitHub REST API base (GHES: https://HOST/api/v3; env GITHUB_API_URL)')
    .option('--upstream-client-id <id>', 'GitHub app client id (env FASTMCP_SERVER_AUTH_GITHUB_CLIENT_ID)')
    .option('--required-scopes <list>', 'scopes FastMCP requires, comma-separated (env FASTMCP_SERVER_AUTH_GITHUB_REQUIRED_SCOPES; default user)')
    .option('--github-timeout <ms>', 'timeout per GitHub request', (v) => parseTimeoutArg(v, '--github-timeout'))
    .option('--no-check-token', 'do not use the check-token API even when app credentials are given')
    .option('--offline', 'never contact GitHub')
    .option('--upstream-token-file <path>', 'probe this GitHub token itself, file or - (env GITHUB_UPSTREAM_TOKEN)');
}

function securityLogOptions(cmd: Command): Command {
  return cmd
    .option('--security-log <file>', 'personal security-log export (JSON, JSON lines or CSV; .gz accepted; repeatable)', collect)
    .option('--app <name|id|client-id>', 'the GitHub app to look at (default: --upstream-client-id)')
    .option('--since <time>', 'ignore events before this time');
}

function auditOptions(cmd: Command): Command {
  return securityLogOptions(cmd)
    .option('--org <org>', 'read the organization audit-log API (GHEC, read:audit_log)')
    .option('--enterprise <slug>', 'read the enterprise audit-log API (read:audit_log)')
    .option('--audit-token-file <path>', 'token for the audit-log API, file or - (env GITHUB_TOKEN)');
}

function tokenOptions(cmd: Command): Command {
  return cmd
    .option('--token-file <path>', 'the FastMCP JWT (access or refresh), file or -')
    .addOption(new Option('--presented-as <use>', 'where the client presented the token: access = bearer at /mcp, refresh = refresh grant at /token (default: by its token_use)').choices(['access', 'refresh']));
}

function parseIntArg(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} expects a whole number, got "${v}"`);
  return n;
}

/** The bounds of a per-request timeout (ms): beyond them Node's timers overflow, and no wait is unbounded. */
export const TIMEOUT_BOUNDS_MS = { min: 1, max: 600_000 } as const;

function parseTimeoutArg(v: string, name: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < TIMEOUT_BOUNDS_MS.min || n > TIMEOUT_BOUNDS_MS.max) {
    throw new Error(`${name} expects a whole number of milliseconds from ${TIMEOUT_BOUNDS_MS.min} to ${TIMEOUT_BOUNDS_MS.max} (10 min), got "${v}"`);
  }
  return n;
}

/**
 * `only`: define just this command (the entry point passes the command the arguments name, when they
 * name one): parsing, help and errors of a command depend on its own definition alone, and the other
 * six cost start-up time.
 */
export function buildProgram(version: string, run: Runner, only?: CommandName, print: Printer = async () => {}): Command {
  const program = new Command('mcp-auth-doctor')
    .description('Tells the operator of a FastMCP server why an OAuth token stopped working, and which tier failed.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortOptions: false });

  const add = (name: CommandName, describe: (c: Command) => Command) => {
    if (only && name !== only) return;
    const cmd = describe(program.command(name));
    common(cmd);
    // Usage errors inside a subcommand (missing/unknown option, bad choice) must reach the entry point
    // as exceptions, so it can exit 2 instead of commander's default 1.
    cmd.exitOverride();
    cmd.action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await run(name, command.opts(), command.args);
    });
    cmd.addHelpText('after', epilog(name));
  };

  add('inspect-cache', (c) =>
    keyOptions(storeOptions(c.description('Read a FastMCP OAuth store (diskcache, FileTree, Redis) read-only and report what is in it')))
      .option('--show-entries', 'list entries (tokens and secrets as fingerprints)')
      .option('--collection <name>', 'with --show-entries: only this collection', collect),
  );

  add('verify-token', (c) =>
    githubOptionsLite(expectationOptions(keyOptions(storeOptions(tokenOptions(c.description('Verify a FastMCP JWT as the deployment would, and follow its chain through the store').argument('[jwt]', 'the token, or - for stdin')))))),
  );

  add('probe-github', (c) =>
    githubOptions(keyOptions(storeOptions(tokenOptions(c.description('Ask GitHub (once) whether the upstream token behind a session still works'))))),
  );

  add('github-audit', (c) =>
    auditOptions(keyOptions(storeOptions(c.description('Read GitHub security/audit logs: which tokens of the app were created and destroyed (max_for_app and friends)')))).option(
      '--upstream-client-id <id>',
      'GitHub app client id (env FASTMCP_SERVER_AUTH_GITHUB_CLIENT_ID)',
    ).option('--github-api-url <url>', 'GitHub REST API base for --org/--enterprise (env GITHUB_API_URL)'),
  );

  add('diagnose', (c) =>
    securityLogOptions(githubOptions(expectationOptions(keyOptions(storeOptions(tokenOptions(c.description('Run every tier there are inputs for and name the failing one')))))))
      .option('--replicas <n>', 'number of server replicas (hazard checks)', (v) => parseIntArg(v, '--replicas'))
      .option('--store-shared', 'the FileTree store is on a volume every replica mounts (not a per-instance store)')
      .option('--mcp-clients <n>', 'number of MCP clients per user (hazard checks)', (v) => parseIntArg(v, '--mcp-clients'))
      .option('--client <name>', "take the tokens from this MCP client's cache: mcp-remote, fastmcp, gemini-cli, claude-code, copilot-cli, opencode (instead of --token-file)")
      .option('--client-home <dir>', "the home directory the client ran under (default: yours, with the clients' own env variables)")
      .option('--client-cache <dir>', 'also search this directory for client caches (repeatable; e.g. a FastMCP Client FileTree store)', collect)
      .option('--server-url <url>', 'the MCP URL the client is configured with (default: --base-url + --mcp-path)'),
  );

  add('clients', (c) =>
    keyOptions(storeOptions(expectationOptions(c.description("List the MCP OAuth sessions the MCP clients on this machine hold (tokens as fingerprints); with the server's store and keys, each session's status"))))
      .option('--client <name>', 'only this client: mcp-remote, fastmcp, gemini-cli, claude-code, copilot-cli, opencode, vscode')
      .option('--client-home <dir>', "the home directory to read (default: yours, with the clients' own env variables)")
      .option('--client-cache <dir>', 'also search this directory for client caches (repeatable)', collect)
      .option('--server-url <url>', 'only sessions for this MCP URL'),
  );

  add('check', (c) =>
    githubOptions(expectationOptions(keyOptions(storeOptions(tokenOptions(c.description('Post-deploy CI gate: check a running MCP server from outside (and inside, with secrets)'))))))
      .requiredOption('--server <url>', 'the MCP server URL clients are configured with, e.g. https://mcp.example.com/mcp; repeat it with each replica\'s own address to compare the replicas', collect)
      .addOption(new Option('--spec <revision>', 'MCP authorization spec revision whose MUSTs apply').choices(['2025-06-18', '2025-11-25', '2026-07-28']).default('2026-07-28'))
      .option('--probe-registration', 'also register a loopback native client via DCR (creates a registration)')
      .option('--replicas <n>', 'number of server replicas (hazard checks; default: the number of --server)', (v) => parseIntArg(v, '--replicas'))
      .option('--store-shared', 'the FileTree store is on a volume every replica mounts (not a per-instance store)')
      .option('--mcp-clients <n>', 'number of MCP clients per user (hazard checks)', (v) => parseIntArg(v, '--mcp-clients'))
      .option('--http-timeout <ms>', 'timeout per HTTP request to the server', (v) => parseTimeoutArg(v, '--http-timeout')),
  );

  add('demo', (c) =>
    c
      .description('Diagnose the bundled sample deployment (broken on purpose), offline; exits 0 when the diagnosis finds its problem (diagnose itself exits 1)')
      .option('--client', "the client-side sample instead: a real mcp-remote cache whose refresh token another process redeemed (diagnose --client)"),
  );

  if (only) return program;
  const completion = program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .exitOverride()
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      await print(completionScript(shell as 'bash' | 'zsh' | 'fish', program));
    });
  completion.addHelpText('after', epilog('completion'));
  program.addHelpText('after', `${EXIT_CODES}\n\nExamples:\n  $ mcp-auth-doctor demo\n  $ mcp-auth-doctor diagnose --token-file token.jwt --store ./fastmcp-home --jwt-signing-key-file key.txt\n\nRun "mcp-auth-doctor <command> --help" for a command's flags; "mcp-auth-doctor completion bash|zsh|fish" for shell completion.\n`);

  return program;
}

function githubOptionsLite(cmd: Command): Command {
  return cmd.option('--required-scopes <list>', 'scopes FastMCP requires (for the report only)');
}
