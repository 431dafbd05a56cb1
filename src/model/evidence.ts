/**
 * Evidence: what the collectors (I/O at the edges) hand to the pure core. One file per tier under
 * src/model/; this one composes them.
 *
 * Every tier's evidence is wrapped in `Collected<T>` (collected.ts), so that "not looked at" and
 * "could not look" are never confused with "looked and found nothing wrong". Secrets only ever
 * appear as `Secret` objects (rendered as fingerprints).
 *
 * A new tier (e.g. the MCP client's token cache) adds `src/model/<tier>.ts` with its evidence type,
 * one optional `Collected<…>` member below, and its name to TIERS in report.ts.
 */
import type { Collected } from './collected.js';
import type { IdpEvidence, UpstreamEvidence } from './github.js';
import type { CommandName } from './command.js';
import type { DemoEvidence } from './demo.js';
import type { CanaryEvidence, DiscoveryEvidence, ReplicaEvidence } from './server.js';
import type { KeyEvidence, SettingsEvidence } from './settings.js';
import type { ChainEvidence, StoreEvidence } from './store.js';
import type { ClientEvidence, ClientInventory } from './client.js';
import type { TokenEvidence } from './token.js';

export interface Evidence {
  command: CommandName;
  /** Evaluation time, unix seconds (float). Rules never read the clock. */
  now: number;
  settings: SettingsEvidence;
  keys?: Collected<KeyEvidence>;
  token?: Collected<TokenEvidence>;
  store?: Collected<StoreEvidence>;
  chain?: Collected<ChainEvidence>;
  upstream?: Collected<UpstreamEvidence>;
  idp?: Collected<IdpEvidence>;
  discovery?: Collected<DiscoveryEvidence>;
  canary?: Collected<CanaryEvidence>;
  /** `diagnose --client`: the session the MCP client holds for the server (the client tier). */
  client?: Collected<ClientEvidence>;
  /**
   * `diagnose --client`: the refresh path of the same session — the cached refresh token at /token
   * (its JWT, its chain through the store, the upstream token behind it). The members above are
   * then the access path (the cached access token at /mcp).
   */
  refreshPath?: Pick<Evidence, 'token' | 'chain' | 'upstream'>;
  /** `clients`: every session the known clients hold. */
  clients?: Collected<ClientInventory>;
  /** check with several --server: the other replicas' outside-in evidence, in the order given (the first --server is `discovery`/`canary`). */
  replicas?: ReplicaEvidence[];
  /** `demo` only: the bundled sample's description and expected verdict. */
  demo?: DemoEvidence;
}
