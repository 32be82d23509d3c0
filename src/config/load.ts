/**
 * Finds and reads outloop.config.json: `--config FILE`, else the first one in the scanned folder or
 * its ancestors. Errors name the file and the field, and never echo a value (it might be a key).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, UsageError } from '../model/errors.js';
import type { AllowEntry, ConfigSpec, GrantEntry, TenantSpec } from './schema.js';
import { globMatcher } from '../globs.js';

export const CONFIG_NAME = 'outloop.config.json';

export interface OutloopConfig {
  /** The file it came from, or null when there is none (defaults). */
  file: string | null;
  /** Paths in the config are relative to this folder. */
  dir: string;
  ignore: string[];
  allow: AllowEntry[];
  /** Clients, by name: the folders and remotes that are theirs, their keys' fingerprints, their accounts. */
  tenants: Record<string, TenantSpec>;
  /** Absolute folders that stand for `dir` on other machines (see the schema). */
  roots: string[];
  /** Workspaces where `outloop exec` may resolve another client's aliases. */
  grants: GrantEntry[];
  /** True when `abs` is covered by an `ignore` glob. */
  isIgnored(abs: string): boolean;
}

export function findConfigFile(startDir: string): string | null {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, CONFIG_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export async function loadConfig(options: { file?: string; startDir: string }): Promise<OutloopConfig> {
  const file = options.file ? path.resolve(options.file) : findConfigFile(options.startDir);
  if (!file) return makeConfig(null, path.resolve(options.startDir), { ignore: [], allow: [], tenants: {}, roots: [], grants: [] });
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '(file)', `not valid JSON: ${(err as Error).message}`);
  }
  const { configSchema } = await import('./schema.js');
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
    const message = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new ConfigError(file, field, message);
  }
  for (const [i, glob] of result.data.ignore.entries()) checkGlob(file, `ignore[${i}]`, glob);
  result.data.grants.forEach((g, i) => g.paths.forEach((glob, j) => checkGlob(file, `grants[${i}].paths[${j}]`, glob)));
  for (const [name, tenant] of Object.entries(result.data.tenants)) {
    tenant.paths.forEach((glob, i) => checkGlob(file, `tenants.${name}.paths[${i}]`, glob));
    tenant.remotes.forEach((glob, i) => checkGlob(file, `tenants.${name}.remotes[${i}]`, glob, true));
    const names = new Set<string>();
    tenant.keys.forEach((k, i) => {
      if (names.has(k.name)) throw new ConfigError(file, `tenants.${name}.keys[${i}].name`, `"${k.name}" is bound twice in this tenant`);
      names.add(k.name);
    });
  }
  return makeConfig(file, path.dirname(file), result.data);
}

/** A glob must be relative (to the config's folder) and well formed: balanced brackets and braces. */
function checkGlob(file: string, field: string, glob: string, remote = false): void {
  if (!remote && (path.isAbsolute(glob) || /^[A-Za-z]:[\\/]/.test(glob) || glob.split('/').includes('..'))) {
    throw new ConfigError(file, field, "must be relative to the config's folder, without ..");
  }
  let depth = 0;
  let bracket = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (bracket) bracket = c !== ']';
    else if (c === '[') bracket = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth < 0) break;
  }
  if (bracket || depth !== 0) throw new ConfigError(file, field, 'invalid glob: unbalanced [ ] or { }');
}

function makeConfig(file: string | null, dir: string, spec: Pick<ConfigSpec, 'ignore' | 'allow' | 'tenants' | 'roots' | 'grants'>): OutloopConfig {
  const matcher = spec.ignore.length ? globMatcher(spec.ignore) : null;
  return {
    file,
    dir,
    ignore: spec.ignore,
    allow: spec.allow,
    tenants: spec.tenants,
    roots: spec.roots,
    grants: spec.grants,
    isIgnored: (abs) => {
      if (!matcher) return false;
      const rel = path.relative(dir, abs).split(path.sep).join('/');
      return !rel.startsWith('../') && matcher(rel);
    },
  };
}

/**
 * Where an absolute path recorded on another machine lies here: under one of the config's `roots`
 * it is mapped onto the config's folder; any other path is itself.
 */
export function hereFromRoots(config: Pick<OutloopConfig, 'dir' | 'roots'>, abs: string): string {
  for (const r of config.roots) {
    const root = path.resolve(r);
    if (abs === root || abs.startsWith(root + path.sep)) return path.join(config.dir, path.relative(root, abs));
  }
  return abs;
}
