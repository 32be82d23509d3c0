/**
 * A client's account ids (Stripe `acct_`, Google Ads customer ids, Meta `act_`, Airtable bases, shop
 * domains) are not secrets, but one found in another client's folder means that client's
 * configuration was copied over. They become rules built from the config at scan time, riding in
 * the same one-pass prefilter as every key; the tenancy stage keeps only the foreign ones.
 */
import type { OutloopConfig } from '../config/load.js';
import type { LoadedPack } from '../rules/load.js';
import type { RuleSpec } from '../rules/schema.js';

export const FOREIGN_ACCOUNT = 'foreign-account';
const ID_PREFIX = `${FOREIGN_ACCOUNT}-`;

export interface AccountOwner {
  tenant: string;
  service: string;
}

/** The rules for every tenant's accounts, and whose account each rule finds; null when none. */
export function accountPack(config: OutloopConfig): { pack: LoadedPack; owners: Map<string, AccountOwner> } | null {
  const rules: RuleSpec[] = [];
  const owners = new Map<string, AccountOwner>();
  for (const [tenant, spec] of Object.entries(config.tenants)) {
    for (const account of spec.accounts) {
      const id = `${ID_PREFIX}${rules.length}`;
      const service = serviceOf(account);
      owners.set(id, { tenant, service });
      rules.push(accountRule(id, tenant, account, service));
    }
  }
  if (!rules.length) return null;
  return { pack: { file: config.file ?? 'outloop.config.json', pack: { service: 'Account', rules, globalAllowlist: [] } }, owners };
}

export function isAccountRule(ruleId: string): boolean {
  return ruleId.startsWith(ID_PREFIX);
}

function accountRule(id: string, tenant: string, account: string, service: string): RuleSpec {
  // Google Ads customer ids are written with or without their dashes.
  const dashed = /^\d{3}-\d{3}-\d{4}$/.test(account);
  const body = dashed ? account.split('-').map(escape).join('-?') : escape(account);
  const keywords = dashed ? [account, account.replace(/-/g, '')] : [account];
  return {
    id,
    service,
    description: `Account of client "${tenant}"`,
    severity: 'high',
    confidence: 'high',
    keywords: keywords.map((k) => k.toLowerCase()),
    keywordBoundary: false,
    pattern: `(?<![A-Za-z0-9_])(${body})(?![A-Za-z0-9_])`,
    // Domains and ids are matched as written; shop domains in any case.
    flags: /\.myshopify\.com$/i.test(account) ? 'i' : '',
    window: { before: 8, after: account.length + 8 },
    priority: -20,
    allowlist: [],
    examples: { positive: [], negative: [] },
  };
}

function serviceOf(account: string): string {
  if (/^acct_/.test(account)) return 'Stripe account';
  if (/^act_\d+$/.test(account)) return 'Meta ad account';
  if (/^\d{3}-?\d{3}-?\d{4}$/.test(account)) return 'Google Ads customer';
  if (/^app[A-Za-z0-9]{14}$/.test(account)) return 'Airtable base';
  if (/\.myshopify\.com$/i.test(account)) return 'Shopify shop';
  return 'Account';
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
