/**
 * Adds the bindings of newly escrowed keys to outloop.config.json (fingerprints only), creating the
 * tenant (with no paths) or the config itself when missing. Other fields and their order are kept;
 * the write is atomic and keeps the file's mode.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_NAME } from '../config/load.js';
import { UsageError } from '../model/errors.js';
import { writeBindings } from '../tenancy/bind.js';
import { tempFor, writeAtomic } from './atomic.js';
import { step } from './faults.js';

export function addBindings(configFile: string | null, root: string, bindings: Array<{ tenant: string; name: string; fingerprint: string }>, runId: string): string | null {
  if (!bindings.length) return configFile;
  const file = configFile ?? path.join(root, CONFIG_NAME);
  void runId;
  const tmp = tempFor(file, 'config');
  fs.rmSync(tmp, { force: true });
  let data: Record<string, unknown> = {};
  let mode = 0o644;
  if (fs.existsSync(file)) {
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    mode = fs.statSync(file).mode & 0o7777;
  }
  const tenants = (data.tenants ??= {}) as Record<string, unknown>;
  const missing = [...new Set(bindings.map((b) => b.tenant))].filter((t) => !Object.hasOwn(tenants, t));
  if (missing.length || !fs.existsSync(file)) {
    for (const t of missing) tenants[t] = { keys: [] };
    writeAtomic(file, JSON.stringify(data, null, 2) + '\n', { mode, tmp, label: 'config' });
  }
  writeBindings(file, bindings);
  step('config bindings');
  return file;
}
