/**
 * Build step: validates every rule file under rules/ (schema, regexes, bounded quantifiers) and writes
 * them as one JSON bundle, so a scan starts without parsing YAML or loading the schema library; and
 * the rule cache (keyword automata, path globs as regexes) so it starts without building either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Detector } from '../src/detect/engine.js';
import { writeRuleCache, type PathRegexes } from '../src/rules/cache.js';
import { globsToRegexSource } from '../src/globs.js';
import { compilePacks } from '../src/rules/compile.js';
import { BUNDLE_PATH, EXAMPLES_PATH, parsePack, type LoadedPack, type RuleExamples } from '../src/rules/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(repo, 'rules');
const packs: LoadedPack[] = [];
try {
  for (const name of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = `rules/${name}`;
    packs.push({ file, pack: await parsePack(file, fs.readFileSync(path.join(dir, name), 'utf8')) });
  }
  const set = compilePacks(packs);
  // Examples apart: a scan never reads them (see EXAMPLES_PATH).
  const examples: RuleExamples = {};
  const bare = packs.map(({ file, pack }) => ({
    file,
    pack: {
      ...pack,
      rules: pack.rules.map((r) => {
        examples[r.id] = r.examples;
        return { ...r, examples: { positive: [], negative: [] } };
      }),
    },
  }));
  fs.writeFileSync(BUNDLE_PATH, asciiJson(bare));
  fs.writeFileSync(EXAMPLES_PATH, asciiJson(examples));
  // The cache: both keyword automata and every path glob as a regular expression.
  const pathRegexes: PathRegexes = {};
  for (const { pack } of packs) {
    for (const r of pack.rules) {
      if (!r.paths && !r.excludePaths) continue;
      pathRegexes[r.id] = {
        ...(r.paths ? { include: globsToRegexSource(r.paths) } : {}),
        ...(r.excludePaths ? { exclude: globsToRegexSource(r.excludePaths) } : {}),
      };
    }
  }
  writeRuleCache({ prebuilt: new Detector(set).toPrebuilt(), pathRegexes });
  console.log(`bundled ${set.rules.length} rules from ${packs.length} files into ${path.relative(repo, BUNDLE_PATH)}`);
} catch (err) {
  console.error(`rules: ${(err as Error).message}`);
  process.exitCode = 2;
}

/**
 * JSON with every non-ASCII character escaped (`\u2026`): the same values, but Node reads ASCII
 * into a one-byte string without decoding UTF-8, and V8 keeps and parses it at half the size (the
 * bundle is read on every pre-commit run; two characters in rule descriptions made it two-byte).
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
