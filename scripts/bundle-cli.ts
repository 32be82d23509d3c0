/**
 * Build step: the `outloop` command as two files instead of tsc's ~60 small ES modules, which on
 * the pre-commit path cost Node more to find, read and link than to run. esbuild rebuilds the
 * command from the TypeScript sources:
 *
 *   dist/src/cli/main.js     the entry (package.json "bin"), replacing tsc's copy of src/cli/main.ts:
 *                            small, so the pre-commit hook's git diff starts before the rest is
 *                            even read (src/cli/prefetch.ts); it then imports ./app.js
 *   dist/src/cli/app.js      everything else: src/cli/run.ts and all it loads
 *   dist/src/cli/worker.js   the scan worker the CLI's worker pool starts (`./worker.js` beside it)
 *
 * All three sit where tsc's files sit, two folders under dist/, so every path the code derives from
 * import.meta.url (dist/rules.*, package.json) is the same. The library (dist/src/index.js) and the
 * tests keep using tsc's modules; a plain `tsc` leaves tsc's main.js, which works the same, slower.
 *
 * What stays lazy: modules the code imports with `await import()` are still initialised only when
 * reached. Packages (zod, yaml, simple-git, fast-glob, ...) are not bundled: a static import of one
 * becomes a `require()` made when the importing module is first initialised, because an ES import
 * of it would be hoisted to the top of the bundle and load zod and friends on every run. Node's
 * built-in modules stay ES imports (the hot path needs nearly all of them anyway).
 *
 *   node dist/scripts/bundle-cli.js
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(repo, 'dist/src/cli');

/** Package imports become `require()` calls made where the importing module initialises. */
const requireAtUse: Plugin = {
  name: 'require-at-use',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      // Node's own modules stay ES imports: the hot path needs nearly all of them anyway.
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      // Inside the shim below: the real package, left to Node.
      if (args.namespace === 'require-at-use' || args.kind === 'dynamic-import') return { path: args.path, external: true };
      return { path: args.path, namespace: 'require-at-use' };
    });
    b.onLoad({ filter: /.*/, namespace: 'require-at-use' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The version, read from package.json at build time: help.ts reads it at run time through
 * createRequire, which costs the hook a few ms of CommonJS loader set-up on every commit.
 */
const inlineVersion: Plugin = {
  name: 'inline-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]help\.ts$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      const read = "createRequire(import.meta.url)('../../../package.json')";
      if (!text.includes(read)) return { warnings: [{ text: `help.ts no longer reads the version with ${read}: left as it is` }] };
      const { version } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
      return { contents: text.replace(read, JSON.stringify({ version })), loader: 'ts' };
    });
  },
};

const common = {
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: path.join(repo, 'tsconfig.json'),
  // The bundle is ESM, where `require` doesn't exist: the shims above get Node's own, made on first use.
  banner: {
    js: [
      "import { createRequire as __outloopCreateRequire } from 'node:module';",
      'let __outloopRequire;',
      'function require(id) { return (__outloopRequire ??= __outloopCreateRequire(import.meta.url))(id); }',
    ].join('\n'),
  },
  // No comments or indentation: less to read and scan on every start (the source map has the lines).
  // It also keeps the text ASCII (comments hold `…` and `×`), which V8 stores and scans at half the size.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  sourcemap: 'linked',
  sourcesContent: false,
  allowOverwrite: true,
  logLevel: 'warning',
  metafile: true,
} satisfies BuildOptions;

/** The entry's `import('./run.js')` loads the other bundle. */
const runIsApp: Plugin = {
  name: 'run-is-app',
  setup(b) {
    b.onResolve({ filter: /^\.\/run\.js$/ }, (args) =>
      args.importer === path.join(repo, 'src/cli/main.ts') ? { path: './app.js', external: true } : undefined,
    );
  },
};

const results = await Promise.all([
  build({ ...common, entryPoints: { main: path.join(repo, 'src/cli/main.ts') }, plugins: [runIsApp, requireAtUse] }),
  build({ ...common, entryPoints: { app: path.join(repo, 'src/cli/run.ts'), worker: path.join(repo, 'src/worker.ts') }, plugins: [inlineVersion, requireAtUse] }),
]);
// esbuild leaves non-ASCII characters in regular-expression literals (rules/template.ts has `«`);
// one is enough to make V8 hold the whole source as two-byte text. `\uXXXX` means the same there.
for (const file of Object.keys(results[1]!.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const text = fs.readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) fs.writeFileSync(file, ascii);
}
const sizes = results
  .flatMap((r) => Object.entries(r.metafile.outputs))
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, o]) => `${path.relative(repo, file)} ${(o.bytes / 1024).toFixed(0)} KB`);
console.log(`bundled the CLI: ${sizes.join(', ')}`);
