/**
 * Evidence from the MCP clients' own token caches (the client tier). Observations only: what a
 * client holds, where, and what could not be read — never a verdict (the diagnosis core judges).
 *
 * Imports only `../secrets.js` (the model layer); the adapter in src/clients/ fills these in.
 */
import type { Secret } from '../secrets.js';

/** The clients whose caches the doctor knows. `vscode` is a note only (OS secret storage). */
export type ClientName = 'mcp-remote' | 'fastmcp' | 'gemini-cli' | 'claude-code' | 'copilot-cli' | 'opencode' | 'vscode';

export const CLIENT_NAMES: readonly ClientName[] = ['mcp-remote', 'fastmcp', 'gemini-cli', 'claude-code', 'copilot-cli', 'opencode', 'vscode'];

/**
 * Locations that the clients take from their environment, as plain data (the adapter never reads
 * `process.env`; `clientEnvFromRecord` builds this from an env record).
 */
export interface ClientEnv {
  /** `MCP_REMOTE_CONFIG_DIR` (mcp-remote's base dir; default `~/.mcp-auth`). */
  mcpRemoteConfigDir?: string;
  /** `CLAUDE_CONFIG_DIR` (default `~/.claude`). */
  claudeConfigDir?: string;
  /** `CLAUDE_SECURESTORAGE_CONFIG_DIR` (overrides where `.credentials.json` lives; '' = `~/.claude`). */
  claudeSecureStorageDir?: string;
  /** `GEMINI_CLI_HOME` (replaces the home directory for `~/.gemini`). */
  geminiCliHome?: string;
  /** `GEMINI_FORCE_ENCRYPTED_FILE_STORAGE=true`: Gemini CLI keeps MCP tokens in the keychain / encrypted file. */
  geminiForceEncryptedFileStorage?: boolean;
  /** `COPILOT_HOME` (replaces `~/.copilot`). */
  copilotHome?: string;
  /** `XDG_DATA_HOME` (opencode: `$XDG_DATA_HOME/opencode`, default `~/.local/share/opencode`). */
  xdgDataHome?: string;
  /** `XDG_CONFIG_HOME` (VS Code on Linux: `$XDG_CONFIG_HOME/Code`). */
  xdgConfigHome?: string;
  /** `APPDATA` (VS Code on Windows). */
  appData?: string;
  /** `USER` / `USERNAME`: the account name of Claude Code's macOS Keychain item. */
  user?: string;
}

/** Bounds on what one scan reads (hostile homes: deep trees, huge files, many entries). */
export interface ScanLimits {
  /** Largest cache file read, in bytes. Larger files become a `too-large` problem. */
  maxFileBytes: number;
  /** How deep below the home (or a `--client-cache` dir) FileTree collections are searched. */
  maxDepth: number;
  /** Directory entries looked at in one scan, in total; the search stops (with a note) past it. */
  maxEntries: number;
  /** Sessions returned per cache file (a JSON file with more entries is cut, with a problem). */
  maxSessionsPerFile: number;
}

export interface ScanOptions {
  /** The client home (`os.homedir()` by default at the call site; `--client-home DIR`). */
  home: string;
  env?: ClientEnv;
  /** Extra directories to search for any known cache format (`--client-cache DIR`). */
  extraDirs?: readonly string[];
  /** Only these clients (`--client NAME`). */
  clients?: readonly ClientName[];
  /** Read Claude Code's macOS Keychain item (`security find-generic-password`): only with the user's consent. */
  allowKeychain?: boolean;
  /** The platform the home belongs to (default `process.platform`). */
  platform?: NodeJS.Platform;
  limits?: Partial<ScanLimits>;
  /** Reads a generic password from the macOS Keychain (tests inject one; default runs `security`). */
  keychainReader?: (service: string, account: string) => Promise<string | null>;
}

/** One file the scan read (or tried to). */
export interface CacheFile {
  path: string;
  /** Permission bits (`mode & 0o777`); null when the file could not be stat'ed. */
  mode: number | null;
  /** Group or others may read it (mode & 0o044). */
  readableByOthers: boolean;
  size: number | null;
  mtimeMs: number | null;
}

export type ProblemKind =
  | 'unparseable' // not JSON / not the expected structure
  | 'missing-field' // a field the client always writes is absent
  | 'wrong-type' // a field has the wrong JSON type
  | 'too-large' // over ScanLimits.maxFileBytes
  | 'symlink-outside' // a symlink that leaves the scanned directory (not followed)
  | 'not-a-file' // FIFO, socket, device, directory where a file was expected
  | 'unreadable' // permission denied / I/O error
  | 'encrypted' // the value is encrypted (e.g. py-key-value Fernet wrapper); cannot be read here
  | 'truncated' // more entries than ScanLimits.maxSessionsPerFile
  | 'orphan'; // half of a pair (tokens without registration or the reverse)

export interface EntryProblem {
  kind: ProblemKind;
  /** One line: what is wrong, naming the field; never a value from the file. */
  message: string;
  path?: string;
}

/** Claims of a JWT-shaped token, decoded WITHOUT verification (for display and joining only). */
export interface TokenPeek {
  kind: 'jwt' | 'opaque';
  iss?: string;
  aud?: string | string[];
  sub?: string;
  jti?: string;
  clientId?: string;
  tokenUse?: string;
  exp?: number;
  iat?: number;
}

/** Where the client keeps its dynamic client registration (what "clear the cached registration" means). */
export interface RegistrationLocation {
  /** The file holding it. */
  file: string;
  /** The entry inside that file (JSON key path / FileTree key), when the file holds more than one thing. */
  entry?: string;
  /** How to clear it, in one line (a command or a file to delete). */
  howToClear: string;
}

/** How the session's server URL is known. */
export type ServerUrlSource =
  | 'cache' // the client stored the URL in the entry
  | 'key-hash' // a candidate URL reproduces the client's key / file-name hash
  | 'token-audience' // not stored: the access token's `aud` claim (unverified)
  | 'issuer'; // not stored: the cached issuer (the authorization server, not the MCP URL)

export type ExpiresAtSource =
  | 'ms' // stored in milliseconds (mcp-remote, Gemini CLI, Claude Code)
  | 's' // stored in seconds (FastMCP token_expiry, opencode)
  | 'auto' // unit not documented (Copilot CLI): >1e11 read as milliseconds, else seconds
  | 'created+expires_in'; // no absolute expiry stored: entry creation time + expires_in

/** One MCP OAuth session a client holds for one server. */
export interface ClientSession {
  client: ClientName;
  /** The server URL as the client keyed it (null when the cache does not hold it and nothing reproduced its hash). */
  serverUrl: string | null;
  serverUrlSource: ServerUrlSource | null;
  /** The client's own name for the server (Gemini, Claude Code, opencode). */
  serverName?: string;
  /** The client's key for the entry (mcp-remote hash, FileTree file stem, Claude `name|hash`). */
  key: string;
  issuer: string | null;
  clientId: string | null;
  clientSecret: Secret | null;
  accessToken: Secret | null;
  refreshToken: Secret | null;
  accessTokenPeek: TokenPeek | null;
  refreshTokenPeek: TokenPeek | null;
  tokenType: string | null;
  scope: string | null;
  /** Access-token expiry, epoch SECONDS (normalised; see expiresAtSource). */
  expiresAt: number | null;
  expiresAtSource: ExpiresAtSource | null;
  /** Where the registration (client_id) is cached, for the "clear the cached registration" fix. */
  registration: RegistrationLocation | null;
  /** The file the tokens came from (or, without tokens, the registration file). */
  cache: CacheFile;
  /** Every file this session was assembled from. */
  files: CacheFile[];
  problems: EntryProblem[];
}

export type NoteKind =
  | 'secret-storage' // tokens are in OS secret storage (VS Code; Gemini keychain mode; Claude Code on macOS)
  | 'keychain-read' // Claude Code's Keychain item was read with consent
  | 'keychain-not-applicable' // allowKeychain on a platform without the macOS Keychain
  | 'encrypted-file' // a client's encrypted token file exists but cannot be read here
  | 'skipped' // something was deliberately not read (symlink out, non-UTF-8 name, limits)
  | 'unreadable'; // a location could not be listed or read

/** An observation about a client or location that is not one session. */
export interface ClientNote {
  client: ClientName;
  kind: NoteKind;
  message: string;
  /** What the user can do (how to export or clear), one line. */
  hint?: string;
  path?: string;
}

export interface ClientScan {
  home: string;
  sessions: ClientSession[];
  notes: ClientNote[];
  /** Locations looked at per client (existing or not), in order. */
  searched: { client: ClientName; path: string; present: boolean }[];
}

/** How a session was tied to a server URL by `sessionsForServer`. */
export type MatchReason = 'url' | 'key-hash' | 'token-audience' | 'issuer-origin';

export interface SessionMatch {
  session: ClientSession;
  matchedBy: MatchReason;
}

// ---------------------------------------------------------------------------------------------
// The client tier's evidence in a diagnosis (`diagnose --client`)

/** The clients `diagnose --client` can judge a session of (those whose caches hold a session the server issued). */
export const DIAGNOSABLE_CLIENTS = ['mcp-remote', 'fastmcp', 'gemini-cli', 'claude-code', 'copilot-cli', 'opencode'] as const;
export type DiagnosableClient = (typeof DIAGNOSABLE_CLIENTS)[number];

/**
 * What one client holds for one server, as `diagnose --client` found it: the session (tokens as
 * Secrets, rendered as fingerprints), how it was tied to the server, and what else the client holds.
 */
export interface ClientEvidence {
  client: ClientName;
  /** The client home read (`--client-home`, else the user's home). */
  home: string;
  /** The MCP server URL the session was selected for (`--server-url`, else base URL + MCP path). */
  serverUrl: string;
  /** The session for that server; absent when the client holds none. */
  session?: ClientSession;
  matchedBy?: MatchReason;
  /** Server URLs of the client's other sessions (for "it holds sessions for … instead"). */
  otherServers: string[];
  /** Several sessions matched: this is session `index` (1-based) of `of`. */
  index?: number;
  of?: number;
  notes: ClientNote[];
  searched: { client: ClientName; path: string; present: boolean }[];
}

// ---------------------------------------------------------------------------------------------
// `mcp-auth-doctor clients`: every session every known client holds

/** One session as the `clients` command lists it (tokens as Secrets: fingerprints in every output). */
export interface ClientListEntry {
  client: ClientName;
  serverUrl: string | null;
  serverUrlSource: ServerUrlSource | null;
  serverName?: string;
  /** Fingerprint of the cached client_id (a CIMD URL for some clients), null when none is cached. */
  clientId: string | null;
  accessToken: Secret | null;
  /** 'fastmcp-jwt': a JWT with FastMCP's claims (jti, client_id); 'jwt': another JWT; 'opaque'. */
  accessKind: 'fastmcp-jwt' | 'jwt' | 'opaque' | null;
  /** Fingerprint of the access JWT's jti. */
  jti?: string;
  iss?: string;
  aud?: string | string[];
  /** Access-token expiry, unix seconds. */
  expiresAt: number | null;
  expired: boolean | null;
  refreshToken: boolean;
  cacheFile: string;
  mode: number | null;
  readableByOthers: boolean;
  problems: string[];
  /** With the server's store and keys: the session's status in one word (see README). */
  status?: string;
  /** With a status: the session report's one sentence. */
  statusSummary?: string;
}

export interface ClientInventory {
  home: string;
  sessions: ClientListEntry[];
  notes: ClientNote[];
  searched: { client: ClientName; path: string; present: boolean }[];
  /** Per server URL: sessions held and how many have a live (unexpired) access token, across clients. */
  perServer: { serverUrl: string; sessions: number; live: number; clients: ClientName[] }[];
}
