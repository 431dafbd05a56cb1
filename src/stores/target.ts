/**
 * What the store adapters are given: the store's location and everything needed to open it, resolved
 * once at the command boundary (flags, env, PEM files, the password). No CLI shapes, no environment.
 */
import type { Secret } from '../secrets.js';

/** A Redis server or cluster seed node, as the URL names it. */
export interface RedisEndpoint {
  host: string;
  port: number;
  tls: boolean;
  db: number;
  username?: string;
}

export interface RedisLocation {
  kind: 'redis';
  /** The URL as given, for messages only through redactUrl (it may carry a password). */
  url: string;
  endpoint: RedisEndpoint;
  /** --redis-password-file / REDIS_PASSWORD, else the URL's own password. */
  password?: Secret;
  /** TLS material (PEM text), read at the boundary; rediss:// only. */
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
  /** Key prefix in front of "<collection>::<key>" ('' for none). */
  keyPrefix: string;
  /** Read as a Redis Cluster from the start (else detected). */
  cluster: boolean;
}

export type StoreLocation =
  /** --store <path>: cache.db, FASTMCP_HOME, an oauth-proxy or fingerprint folder, a FileTree folder (absolute). */
  | { kind: 'path'; path: string }
  | RedisLocation
  /** No --store: FastMCP's default homes, in order (FASTMCP_HOME, else the platform data dir). */
  | { kind: 'default'; homes: string[] };

export interface StoreTarget {
  location: StoreLocation;
  /** --limit / --sample: applied by the inventory (never to point lookups). */
  limits: { limit?: number; sample?: number };
  /** Threads for a full read of a large store (MCP_AUTH_DOCTOR_THREADS; absent: one per core for diskcache, see stores/inventory.ts). */
  threads?: number;
  /** Never read a `cache.db` in place: always through a private copy (readStore's retry sets it). */
  privateCopy?: boolean;
}
