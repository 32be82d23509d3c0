/**
 * Which aliases `outloop exec` may resolve in a workspace. A client's key is for that client's
 * workspaces: `outloop://acme/…` resolves where the folder `outloop exec` runs in belongs to the
 * client "acme" (its `tenants.acme.paths` or remotes), and `outloop://default/…` (keys found outside
 * every client) where the folder belongs to no client. Anything else needs a grant in the config:
 *
 *   "grants": [{ "alias": "outloop://agency/uptime" | "outloop://acme/*", "paths": ["clients/**"], "reason": "…" }]
 *
 * `paths` are globs relative to the config's folder, matched against the workspace folder. Without
 * any client in the config there is nothing to tell workspaces apart by: every alias resolves (and
 * is still logged).
 */
import path from 'node:path';
import type { OutloopConfig } from '../config/load.js';
import { globMatcher } from '../globs.js';
import type { Tenancy } from '../tenancy/tenancy.js';
import { parseAlias } from '../vault/vault.js';

/** How a decision made by a config grant begins (the broker log's `why`; the audit counts these). */
export const GRANTED_BY = 'granted: ';

/** The tenant of aliases made for keys found outside every client (see rewrite's AliasBook). */
export const NO_CLIENT_TENANT = 'default';

export interface GrantDecision {
  alias: string;
  granted: boolean;
  /** Why, in a few words, for the message and the broker log. */
  why: string;
}

export class GrantPolicy {
  private readonly grants: Array<{ alias: string; reason: string; match: (rel: string) => boolean }>;

  constructor(
    private readonly config: OutloopConfig,
    private readonly tenancy: Tenancy | null,
  ) {
    this.grants = (config.grants ?? []).map((g) => ({ alias: g.alias, reason: g.reason, match: globMatcher(g.paths) }));
  }

  /** The client the workspace belongs to (null: none). */
  workspaceTenant(workspace: string): string | null {
    return this.tenancy?.tenantOf(path.resolve(workspace), true) ?? null;
  }

  decide(alias: string, workspace: string): GrantDecision {
    const owner = parseAlias(alias)?.tenant ?? null;
    if (!this.tenancy?.active && !this.grants.length) return { alias, granted: true, why: 'no clients configured' };
    const here = this.workspaceTenant(workspace);
    if (owner !== null && owner === (here ?? NO_CLIENT_TENANT)) return { alias, granted: true, why: here ? `client "${here}"'s own key` : 'a key of no client, in no client’s folder' };
    const rel = relativeInside(this.config.dir, workspace);
    if (rel !== null) {
      const grant = this.grants.find((g) => aliasMatches(g.alias, alias) && [rel || '.', `${rel}/_`].some((c) => g.match(c)));
      if (grant) return { alias, granted: true, why: GRANTED_BY + grant.reason };
    }
    const whose = owner === NO_CLIENT_TENANT ? 'a key of no client' : `client "${owner}"'s key`;
    const where = here ? `client "${here}"'s workspace` : 'a folder of no client';
    return { alias, granted: false, why: `${whose} in ${where}, and no grant covers it` };
  }
}

/** `abs` relative to `dir`, `/`-separated (`''` for dir itself); null when it lies outside dir. */
export function relativeInside(dir: string, abs: string): string | null {
  const rel = path.relative(dir, path.resolve(abs));
  if (path.isAbsolute(rel) || rel.split(path.sep)[0] === '..') return null;
  return rel.split(path.sep).join('/');
}

/** `outloop://acme/*` covers every alias of acme; anything else must be the alias itself. */
function aliasMatches(pattern: string, alias: string): boolean {
  return pattern.endsWith('/*') ? alias.startsWith(pattern.slice(0, -1)) : pattern === alias;
}
