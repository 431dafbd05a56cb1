/** What the server adapters (discovery probe, canary) are given: resolved once, at the command boundary. */
import type { HttpTarget } from '../http/edge.js';
import type { SpecRevision } from '../model/index.js';

export interface ServerTarget {
  /** The MCP server URL clients are configured with, exactly as given. */
  url: string;
  /** The spec revision whose client behaviour the probe follows (and whose MUSTs the rules apply). */
  spec: SpecRevision;
  http: HttpTarget;
  /** Also register a loopback native client via DCR (creates a registration on the server). */
  probeRegistration?: boolean;
  /**
   * A replica reached at its own address (check with several --server): the origin of the first
   * --server. The replica advertises it (base_url); requests to it go to this replica's own origin
   * instead, so that every metadata document compared is this replica's.
   */
  publicOrigin?: string;
}
