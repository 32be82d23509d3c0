/** Checks every backend makes before it touches an alias or a secret. */
import { VaultError } from './errors.js';
import { parseAlias, type BackendName } from './vault.js';

export function checkAlias(backend: BackendName, alias: string): { tenant: string; name: string } {
  const parts = parseAlias(alias);
  if (!parts) throw new VaultError(backend, `not an outloop alias: ${JSON.stringify(alias.slice(0, 100))} (expected outloop://TENANT/NAME)`);
  return parts;
}

export function checkSecret(backend: BackendName, alias: string, secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0) throw new VaultError(backend, `refusing to store an empty secret under ${alias}`);
  if (secret.includes('\0')) throw new VaultError(backend, `the secret for ${alias} holds a NUL byte, which no keyring CLI passes intact`);
}
