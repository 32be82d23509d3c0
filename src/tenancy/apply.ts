/**
 * The tenancy stage: every finding learns the tenant of the place it was found (`tenant`) and the
 * tenant its key is bound to (`owner`). A key of one client in another client's place is the worst
 * finding there is (`wrongClient`, critical); an unbound key seen in several clients' places is
 * `sharedWith` them; a client's account id in another client's place is a `foreign-account` finding.
 */
import path from 'node:path';
import type { Finding } from '../model/finding.js';
import { FOREIGN_ACCOUNT, isAccountRule, type AccountOwner } from './accounts.js';
import type { Tenancy } from './tenancy.js';
import { aliasFor } from '../vault/vault.js';

export function applyTenancy(findings: Finding[], tenancy: Tenancy, root: string, accounts: Map<string, AccountOwner> | null): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    f.tenant = locationTenant(f, tenancy, root);
    if (isAccountRule(f.ruleId)) {
      const account = accounts?.get(f.ruleId);
      // An account in its own client's place (or in no client's) is just configuration.
      if (!account || f.tenant === null || f.tenant === account.tenant) continue;
      f.ruleId = FOREIGN_ACCOUNT;
      f.owner = account.tenant;
      f.description = `${account.service} of client "${account.tenant}" in client "${f.tenant}"'s files`;
      out.push(f);
      continue;
    }
    const bound = tenancy.ownerOf(f.fingerprint);
    f.owner = bound?.tenant ?? null;
    if (bound) f.alias = aliasFor(bound.tenant, bound.name);
    if (f.tenant !== null && f.owner !== null && f.tenant !== f.owner) {
      f.wrongClient = true;
      f.severity = 'critical';
    }
    out.push(f);
  }
  markShared(out);
  return out;
}

/** A transcript's place is the folder its session ran in; the environment belongs to no client. */
export function locationTenant(f: Finding, tenancy: Tenancy, root: string): string | null {
  if (f.variable !== undefined || f.path.startsWith('env:')) return null;
  const cwd = f.transcript?.cwd;
  if (cwd && path.isAbsolute(cwd)) return tenancy.tenantOf(path.normalize(cwd), true);
  if (f.path === '-') return null;
  return tenancy.tenantOf(path.resolve(root, f.path));
}

function markShared(findings: Finding[]): void {
  const places = new Map<string, Set<string>>();
  for (const f of findings) {
    if (f.owner !== null || f.tenant === null || f.ruleId === FOREIGN_ACCOUNT) continue;
    const set = places.get(f.fingerprint) ?? new Set<string>();
    set.add(f.tenant);
    places.set(f.fingerprint, set);
  }
  for (const f of findings) {
    if (f.owner !== null || f.ruleId === FOREIGN_ACCOUNT) continue;
    const tenants = places.get(f.fingerprint);
    if (tenants && tenants.size >= 2) f.sharedWith = [...tenants].sort();
  }
}
