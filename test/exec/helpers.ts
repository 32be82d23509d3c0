/** Shared by the exec tests. */
import type { VaultBackend } from '../../src/vault/vault.js';

/** A vault in memory; `gets` records the aliases asked for. */
export function memoryVault(entries: Record<string, string>, available = true): VaultBackend & { gets: string[] } {
  const map = new Map(Object.entries(entries));
  const gets: string[] = [];
  return {
    name: 'file',
    gets,
    available: async () => available,
    put: async (a, s) => void map.set(a, s),
    get: async (a) => {
      gets.push(a);
      return map.get(a) ?? null;
    },
    delete: async (a) => void map.delete(a),
    list: async () => [...map.keys()],
  };
}
