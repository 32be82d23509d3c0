/**
 * Picking the vault: an explicit backend, else OUTLOOP_VAULT, else the first one usable here: the
 * file vault when OUTLOOP_VAULT_PASSPHRASE is set, the desktop keyring (secret-service), the macOS
 * keychain, 1Password. Null when none is usable: the rewriter then leaves keys in place ("not
 * rewritten: no vault").
 */
import { UsageError } from '../model/errors.js';
import { FileVault, PASSPHRASE_ENV } from './file.js';
import { KeychainVault } from './keychain.js';
import { OnePasswordVault } from './onepassword.js';
import { SecretServiceVault } from './secret-service.js';
import type { BackendName, VaultBackend } from './vault.js';

export const VAULT_ENV = 'OUTLOOP_VAULT';
export const BACKEND_NAMES: readonly BackendName[] = ['file', 'secret-service', 'keychain', '1password'];

export interface OpenVaultOptions {
  backend?: BackendName;
  env?: NodeJS.ProcessEnv;
  /** The file vault's path (default OUTLOOP_VAULT_FILE, else the XDG data folder). */
  file?: string;
}

export function createVault(backend: BackendName, options: Omit<OpenVaultOptions, 'backend'> = {}): VaultBackend {
  const env = options.env ?? process.env;
  switch (backend) {
    case 'file':
      return new FileVault({ env, ...(options.file ? { file: options.file } : {}) });
    case 'secret-service':
      return new SecretServiceVault({ env });
    case 'keychain':
      return new KeychainVault({ env });
    case '1password':
      return new OnePasswordVault({ env });
  }
}

export async function openVault(options: OpenVaultOptions = {}): Promise<VaultBackend | null> {
  const env = options.env ?? process.env;
  const named = options.backend ?? (env[VAULT_ENV] ? env[VAULT_ENV] : undefined);
  if (named !== undefined) {
    if (!BACKEND_NAMES.includes(named as BackendName)) {
      throw new UsageError(`unknown vault backend "${named}" in ${options.backend ? 'the options' : VAULT_ENV}; use one of ${BACKEND_NAMES.join(', ')}`);
    }
    const vault = createVault(named as BackendName, { env, ...(options.file ? { file: options.file } : {}) });
    return (await vault.available()) ? vault : null;
  }
  const candidates: Array<() => VaultBackend> = [];
  const file = options.file ? { file: options.file } : {};
  if (env[PASSPHRASE_ENV]) candidates.push(() => createVault('file', { env, ...file }));
  candidates.push(() => createVault('secret-service', { env }));
  if (process.platform === 'darwin') candidates.push(() => createVault('keychain', { env }));
  candidates.push(() => createVault('1password', { env }));
  for (const make of candidates) {
    try {
      const vault = make();
      if (await vault.available()) return vault;
    } catch {
      // A backend that cannot even say whether it is usable (a bad vault name, say) is not usable.
    }
  }
  return null;
}
