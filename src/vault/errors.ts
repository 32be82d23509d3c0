/**
 * What a vault backend throws. A VaultError is a UsageError, so the CLI prints it as one plain line
 * and exits 2. Messages name the backend, the alias and the command, never a secret.
 */
import { UsageError } from '../model/errors.js';
import type { BackendName } from './vault.js';

export class VaultError extends UsageError {
  override name = 'VaultError';
  constructor(
    readonly backend: BackendName,
    message: string,
  ) {
    super(`vault ${backend}: ${message}`);
  }
}

/** The file vault's passphrase does not open it (AES-GCM authentication failed). Nothing was changed. */
export class WrongPassphraseError extends VaultError {
  override name = 'WrongPassphraseError';
}

/** The file vault is held by another writer for longer than we were willing to wait. */
export class VaultLockedError extends VaultError {
  override name = 'VaultLockedError';
}
