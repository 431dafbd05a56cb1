/** What the GitHub adapters are given: resolved once, at the command boundary (flags, env, key files). */
import type { HttpTarget } from '../http/edge.js';
import type { Secret } from '../secrets.js';

/** GitHub's REST API for the upstream probe (GET /user, /user/repos, the check-token API). */
export interface GithubTarget {
  /** REST API base, without trailing slash (https://api.github.com, https://HOST/api/v3). */
  apiUrl: string;
  http: HttpTarget;
  /** The scopes FastMCP requires (required_scopes). */
  requiredScopes: string[];
  /** The deployment's GitHub client id (also used for check-token). */
  clientId?: string;
  /** The app's client secret: enables check-token together with clientId. */
  clientSecret?: Secret;
  /** false = never use check-token (`--no-check-token`). */
  checkToken: boolean;
}

/** One organization or enterprise audit log (GET /orgs/{org}/audit-log, /enterprises/{slug}/audit-log). */
export interface AuditLogTarget {
  kind: 'org' | 'enterprise';
  name: string;
  /** A token with read:audit_log. */
  token: Secret;
  apiUrl: string;
  http: HttpTarget;
}
