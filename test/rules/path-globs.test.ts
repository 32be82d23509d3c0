import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { globsTest } from '../../src/rules/compile.js';
import { seededRng } from '../../src/rules/template.js';
import { loadRules } from '../../src/scan.js';
import { tempDir, writeFiles } from '../helpers.js';

/** Paths that probe the name-only shortcut: dot folders, dot segments, repeated names, deep trees. */
const PATHS = [
  '.env', 'app/.env', 'a/b/c/.env.local', '.env.example', 'deploy/prod.env', 'deploy/prod.env.example',
  'config.json', 'src/config.json', 'src/config.json', 'x/package-lock.json', 'api.examples.json',
  '.github/workflows/ci.yml', 'k8s/secret.yaml', 'k8s/secret.yaml.bak', 'infra/main.tfvars', '.npmrc',
  'home/.aws/credentials', 'credentials.txt', 'src/index.ts', 'README.md', 'json', '.json',
  './config.json', '../other/config.json', 'a/./b.json', 'a/../.env', '..', 'a/..json', 'deep/'.repeat(40) + 'z.toml',
  'settings.ini', 'app.cfg', 'nginx.conf', 'app.properties', 'notes.env', 'config/app.yml', 'config/sub/app.yml',
  '.env.', 'x/.env.', 'a.json.json', 'ajson', 'deep/', '.envrc', 'x.env.example.env', 'credentials', 'x/credentialscredentials',
];

/** Each rule's path test must answer exactly as picomatch does on the whole path. */
function checkRules(rules: Array<{ id: string; paths?: string[]; excludePaths?: string[]; pathMatcher?: (p: string) => boolean }>): number {
  let checked = 0;
  for (const rule of rules) {
    if (!rule.pathMatcher) continue;
    const include = rule.paths ? picomatch(rule.paths, { dot: true }) : () => true;
    const exclude = rule.excludePaths ? picomatch(rule.excludePaths, { dot: true }) : () => false;
    // Twice: the second pass answers from the per-name memory.
    for (const p of [...PATHS, ...PATHS]) {
      assert.equal(rule.pathMatcher(p), include(p) && !exclude(p), `${rule.id} on ${p}`);
      checked++;
    }
  }
  return checked;
}

describe('path-scoped rules', () => {
  it('match as their globs say, for the built-in rules (precompiled globs)', async () => {
    const { rules } = await loadRules();
    assert.ok(checkRules(rules) > 0, 'no built-in rule is path-scoped');
  });

  it('match as their globs say, for a team rule with name-only and folder globs', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'team.yaml': `service: Acme
rules:
  - id: acme-scoped
    description: scoped
    severity: high
    keywords: [acme_]
    pattern: '(acme_[a-z]{8})'
    paths: ['**/*.json', '**/.env*', 'config/**/*.yml']
    excludePaths: ['**/*.examples.json']
    examples:
      positive: ['x «acme_abcdefgh»']
      negative: ['acme_']
  - id: acme-names
    description: names only
    severity: high
    keywords: [acme2_]
    pattern: '(acme2_[a-z]{8})'
    paths: ['**/*.toml', '**/credentials', '**/*.env']
    examples:
      positive: ['x «acme2_abcdefgh»']
      negative: ['acme2_']
`,
    });
    const { rules } = await loadRules({ rulesDirs: [dir], builtinRules: false });
    assert.equal(checkRules(rules), 2 * 2 * PATHS.length);
  });
});

describe('file-name globs tested without regular expressions', () => {
  it('answer as picomatch does, for 3,000 random globs of names and stars on random paths', () => {
    const rng = seededRng('star-name-globs');
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
    // Few letters, so stars, dots and repeats line up often; '/' and dot segments make folders.
    const nameOf = (pieces: readonly string[], max: number, min = 0) => Array.from({ length: min + Math.floor(rng() * (max - min)) }, () => pick(pieces)).join('');
    let agreed = 0;
    for (let n = 0; n < 3000; n++) {
      const globs = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => '**/' + nameOf(['*', '.', 'e', 'n', 'v', 'ab'], 6));
      const test = globsTest(globs);
      const truth = picomatch(globs, { dot: true });
      for (let k = 0; k < 12; k++) {
        // A file's path is never empty; everything else goes.
        const path = nameOf(['', 'd/', '.d/', './', '../'], 3) + nameOf(['.', 'e', 'n', 'v', 'ab', 'b'], 7, 1);
        assert.equal(test(path), truth(path), `${JSON.stringify(globs)} on ${JSON.stringify(path)}`);
        agreed++;
      }
    }
    assert.equal(agreed, 36000);
  });
});
