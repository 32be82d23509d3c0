/**
 * Where raw keys go when they leave a workspace: a vault backend keyed by broker alias
 * (`outloop://<tenant>/<name>`). The rewriter escrows a key before it replaces it, `outloop undo`
 * takes it back, and `outloop exec` resolves aliases at run time. Nothing else ever holds a raw key.
 */
export type BackendName = 'file' | 'secret-service' | 'keychain' | '1password';

export interface VaultBackend {
  readonly name: BackendName;
  /** Whether this backend can run here (its CLI installed, a keyring reachable, a passphrase given). */
  available(): Promise<boolean>;
  /** Stores or replaces the secret under the alias. */
  put(alias: string, secret: string): Promise<void>;
  /** The secret under the alias, or null when there is none. */
  get(alias: string): Promise<string | null>;
  delete(alias: string): Promise<void>;
  /** Every alias this backend holds (for `outloop vault list`), never the secrets. */
  list(): Promise<string[]>;
}

/** `outloop://acme/stripe` → { tenant: 'acme', name: 'stripe' }; null for anything else. */
export function parseAlias(alias: string): { tenant: string; name: string } | null {
  const m = /^outloop:\/\/([a-z0-9][a-z0-9._-]{0,63})\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/.exec(alias);
  return m ? { tenant: m[1]!, name: m[2]! } : null;
}

export function aliasFor(tenant: string, name: string): string {
  return `outloop://${tenant}/${name}`;
}
