/**
 * Which client a location belongs to, and which client a key belongs to. A location is a file (by
 * its path under the config's folder, or by its repository's remotes) or, for a transcript, the
 * folder the agent session ran in. Keys are known by fingerprint only.
 */
import path from 'node:path';
import { hereFromRoots, type OutloopConfig } from '../config/load.js';
import { globMatcher } from '../globs.js';
import { ConfigError } from '../model/errors.js';
import { remotesOf } from './remotes.js';

export interface KeyOwner {
  tenant: string;
  /** The binding's name: the key's alias is outloop://TENANT/NAME. */
  name: string;
}

export class Tenancy {
  readonly names: string[];
  private readonly dir: string;
  private readonly roots: string[];
  private readonly file: string;
  private readonly byPath: Array<{ name: string; match: (rel: string) => boolean }>;
  private readonly byRemote: Array<{ name: string; match: (url: string) => boolean }>;
  private readonly owners = new Map<string, KeyOwner>();
  private readonly memo = new Map<string, string | null>();

  constructor(config: OutloopConfig) {
    this.dir = config.dir;
    this.roots = config.roots;
    this.file = config.file ?? 'outloop.config.json';
    const tenants = Object.entries(config.tenants);
    this.names = tenants.map(([name]) => name).sort();
    this.byPath = tenants.filter(([, t]) => t.paths.length).map(([name, t]) => ({ name, match: globMatcher(t.paths) }));
    this.byRemote = tenants.filter(([, t]) => t.remotes.length).map(([name, t]) => ({ name, match: globMatcher(t.remotes.map((r) => r.toLowerCase())) }));
    for (const [name, t] of tenants) {
      t.keys.forEach((k, i) => {
        const other = this.owners.get(k.fingerprint);
        if (other && other.tenant !== name) {
          throw new ConfigError(this.file, `tenants.${name}.keys[${i}].fingerprint`, `the same key is already bound to tenant "${other.tenant}"; a key has one owner`);
        }
        this.owners.set(k.fingerprint, { tenant: name, name: k.name });
      });
    }
  }

  get active(): boolean {
    return this.names.length > 0;
  }

  ownerOf(fingerprint: string): KeyOwner | null {
    return this.owners.get(fingerprint) ?? null;
  }

  /**
   * The tenant of an absolute location; `folder` when it is a folder (a session's cwd) rather than
   * a file. Two tenants claiming one location is a configuration error, reported with both names.
   */
  tenantOf(abs: string, folder = false): string | null {
    const key = `${folder ? 'd' : 'f'}:${abs}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const rel = path.relative(this.dir, this.rebase(abs)).split(path.sep).join('/');
    let tenant: string | null = null;
    if (!rel.startsWith('../') && rel !== '..') {
      // A folder belongs to a tenant whose globs take the folder or what is inside it.
      const candidates = folder ? [rel, `${rel}/_`] : [rel];
      const claims = this.byPath.filter((t) => candidates.some((c) => c !== '' && t.match(c))).map((t) => t.name);
      if (claims.length > 1) {
        throw new ConfigError(this.file, `tenants`, `"${claims[0]}" and "${claims[1]}" both claim ${rel || '.'}; give each location to one client (narrow their paths)`);
      }
      tenant = claims[0] ?? null;
    }
    if (tenant === null && this.byRemote.length) {
      // A session recorded on a teammate's machine is looked up where its folder is here.
      const here = this.rebase(abs);
      tenant = this.tenantByRemote(folder ? here : path.dirname(here));
    }
    this.memo.set(key, tenant);
    return tenant;
  }

  /** A location under one of the config's other roots, as if it were under the config's folder. */
  private rebase(abs: string): string {
    return hereFromRoots({ dir: this.dir, roots: this.roots }, abs);
  }

  private tenantByRemote(dir: string): string | null {
    const urls = remotesOf(dir);
    if (!urls.length) return null;
    const claims = this.byRemote.filter((t) => urls.some((u) => t.match(u))).map((t) => t.name);
    if (claims.length > 1) {
      throw new ConfigError(this.file, 'tenants', `"${claims[0]}" and "${claims[1]}" both claim the repository at ${dir} by its remotes`);
    }
    return claims[0] ?? null;
  }
}
