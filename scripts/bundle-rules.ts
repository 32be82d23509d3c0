/**
 * Build step: validates every rule file under rules/ (schema, regexes, bounded quantifiers) and writes
 * them as one JSON bundle, so a scan starts without parsing YAML or loading the schema library.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePacks } from '../src/rules/compile.js';
import { BUNDLE_PATH, parsePack, type LoadedPack } from '../src/rules/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(repo, 'rules');
const packs: LoadedPack[] = [];
try {
  for (const name of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = `rules/${name}`;
    packs.push({ file, pack: await parsePack(file, fs.readFileSync(path.join(dir, name), 'utf8')) });
  }
  const set = compilePacks(packs);
  fs.writeFileSync(BUNDLE_PATH, JSON.stringify(packs));
  console.log(`bundled ${set.rules.length} rules from ${packs.length} files into ${path.relative(repo, BUNDLE_PATH)}`);
} catch (err) {
  console.error(`rules: ${(err as Error).message}`);
  process.exitCode = 2;
}
