/**
 * A raw key pasted into the config where an account id or a binding's name belongs would sit in a
 * file that is meant to be shared and committed. Refused with the field named and the value never
 * echoed; fingerprints are already held to their exact form by the schema.
 */
import type { OutloopConfig } from '../config/load.js';
import type { Detector } from '../detect/engine.js';
import { ConfigError } from '../model/errors.js';

export function refuseRawKeys(config: OutloopConfig, detector: Detector): void {
  const file = config.file ?? 'outloop.config.json';
  for (const [name, tenant] of Object.entries(config.tenants)) {
    const fields: Array<[string, string]> = [
      ...tenant.accounts.map((a, i): [string, string] => [`tenants.${name}.accounts[${i}]`, a]),
      ...tenant.keys.map((k, i): [string, string] => [`tenants.${name}.keys[${i}].name`, k.name]),
      ...tenant.remotes.map((r, i): [string, string] => [`tenants.${name}.remotes[${i}]`, r]),
    ];
    for (const [field, value] of fields) {
      // An account rule finds the account itself: only real key rules count here.
      const key = detector.detect(` ${value} `, null).find((m) => !m.rule.id.startsWith('foreign-account-'));
      if (key) {
        throw new ConfigError(file, field, `holds what looks like a raw ${key.rule.service} key (${key.rule.id}); the config holds fingerprints only: remove it, rotate the key, and bind it with \`outloop bind ${name} NAME\``);
      }
    }
  }
}
