/**
 * Where rules come from: the built-in set (bundled as JSON at build time, already validated, so the
 * pre-commit path pays no YAML or schema cost) and a team's own rule folder (`--rules DIR`), parsed
 * and validated here with errors that name the file and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, UsageError } from '../model/errors.js';
import type { PackSpec } from './schema.js';

export interface LoadedPack {
  file: string;
  pack: PackSpec;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/src/rules → dist/rules.bundle.json */
export const BUNDLE_PATH = path.resolve(here, '../../rules.bundle.json');
/**
 * The built-in rules' examples, kept out of the bundle: only `outloop rules test` and the tests run
 * them, and a scan (the pre-commit hook's above all) needn't parse and keep half the bundle's text.
 */
export const EXAMPLES_PATH = path.resolve(here, '../../rules.examples.json');

export type RuleExamples = Record<string, PackSpec['rules'][number]['examples']>;

/** The built-in rules; `examples`: with each rule's own examples (else they are empty). */
export function loadBuiltinPacks(options: { examples?: boolean } = {}): LoadedPack[] {
  let text: string;
  let examples: RuleExamples | null = null;
  try {
    text = fs.readFileSync(BUNDLE_PATH, 'utf8');
    if (options.examples) examples = JSON.parse(fs.readFileSync(EXAMPLES_PATH, 'utf8')) as RuleExamples;
  } catch {
    throw new UsageError(`built-in rules are missing (${BUNDLE_PATH}); run "npm run build"`);
  }
  const packs = JSON.parse(text) as LoadedPack[];
  if (examples) for (const { pack } of packs) for (const rule of pack.rules) rule.examples = examples[rule.id] ?? rule.examples;
  return packs;
}

/** Reads and validates every .yaml/.yml/.json rule file in a folder (not recursive, sorted). */
export async function loadPackDir(dir: string): Promise<LoadedPack[]> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch (err) {
    throw new UsageError(`cannot read rules folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (names.length === 0) throw new UsageError(`rules folder ${dir} has no .yaml, .yml or .json files`);
  const packs: LoadedPack[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    packs.push({ file, pack: await parsePack(file, fs.readFileSync(file, 'utf8')) });
  }
  return packs;
}

export async function parsePack(file: string, text: string): Promise<PackSpec> {
  const [{ parse }, { packSchema }] = await Promise.all([import('yaml'), import('./schema.js')]);
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (err) {
    throw new ConfigError(file, '(file)', `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = packSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(file, describePath(issue.path, data), issue.message);
  }
  return result.data;
}

/** `rules.3.pattern` → `rules[3] (stripe-secret-key).pattern`: the id helps find the rule. */
function describePath(p: PropertyKey[], data: unknown): string {
  if (p.length === 0) return '(top level)';
  let out = '';
  let node: unknown = data;
  for (const key of p) {
    if (typeof key === 'number') {
      out += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const id = node && typeof node === 'object' && 'id' in node ? (node as { id: unknown }).id : undefined;
      if (typeof id === 'string') out += ` (${id})`;
    } else {
      out += (out ? '.' : '') + String(key);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
    }
  }
  return out;
}

