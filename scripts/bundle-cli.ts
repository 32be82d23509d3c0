/**
 * Build step: the `outloop` command as a few files instead of tsc's ~60 small ES modules, which on
 * the pre-commit path cost Node more to find, read, compile and link than to run. esbuild rebuilds
 * the command from the TypeScript sources:
 *
 *   dist/src/cli/outloop.cjs  the entry (package.json "bin", from src/cli/main.ts): small CommonJS,
 *                             so Node doesn't set up its ES module loader, and the pre-commit hook's
 *                             git diff starts before the rest is even read (src/cli/prefetch.ts)
 *   dist/src/cli/app.cjs      everything else: src/cli/run.ts and all it loads, CommonJS
 *   dist/src/cli/scan.cjs     the same for `outloop scan` alone (the pre-commit hook's command)
 *   dist/src/cli/*.pack       each with V8's code cache for it (src/cli/app-pack.ts), made by
 *                             running a `scan --staged` (scripts/train-app-pack.ts)
 *   dist/src/cli/main.js      replaces tsc's copy of main.ts with one line that runs outloop.cjs,
 *                             for whatever starts `node dist/src/cli/main.js` (tests, the action)
 *   dist/src/cli/worker.cjs   the scan worker the CLI's worker pool starts: CommonJS too, so each
 *                             worker thread boots without Node's ES module loader (some 15 ms each)
 *
 * All sit where tsc's files sit, two folders under dist/, so every path the code derives from
 * import.meta.url (dist/rules.*, package.json) is the same. The library (dist/src/index.js) and the
 * tests keep using tsc's modules; a plain `tsc` leaves tsc's main.js, which works the same, slower.
 *
 * What stays lazy: a module the code imports with `await import()` is initialised only when reached,
 * and so are the packages and Node built-ins it imports (CommonJS output requires them where the
 * importing module initialises).
 *
 *   node dist/scripts/bundle-cli.js
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(repo, 'dist/src/cli');

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
  platform: 'node',
  target: 'node20',
  tsconfig: path.join(repo, 'tsconfig.json'),
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

/**
 * CommonJS has no import.meta: the sources' `import.meta.url` becomes this file's URL, made from
 * __filename. "use strict" comes first: ES modules are strict, and esbuild's own "use strict" would
 * follow the banner, where it is no directive.
 */
const commonJs = {
  ...common,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  packages: 'external',
  // The worker file beside the bundles (src/worker-start.ts): tsc's is worker.js, an ES module.
  define: { 'import.meta.url': '__outloopImportMetaUrl', OUTLOOP_WORKER_FILE: JSON.stringify('./worker.cjs') },
  banner: { js: '"use strict";var __outloopImportMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
} satisfies BuildOptions;

/**
 * The app's `import()` of a package or built-in becomes `__outloopImport()`, which app-pack.ts's
 * runCommonJs passes in (an import() compiled by vm.Script doesn't work without an experimental
 * option). esbuild writes each such import() with a marked name, replaced in its output below, so
 * nothing else that merely looks like an import() is touched. Loaded by Node's own require instead,
 * the bundle falls back to import() itself (the banner's `??`).
 */
const IMPORT_MARK = '__outloop_import__:';
const importThroughLoader: Plugin = {
  name: 'import-through-loader',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: IMPORT_MARK + args.path, external: true } : undefined));
  },
};
/**
 * `import fs from 'node:fs'` compiles to `__toESM(require("node:fs"),1)`, which copies every
 * property of the module onto a new object as a getter, once per importing module: ~60 times
 * (over 100 properties each) on the pre-commit path. A built-in's namespace here is instead an
 * object whose prototype is the module: the same reads (`.default` is the module, any other name
 * is the module's own), for one allocation. The name has __toESM's length (source map columns).
 */
function lightBuiltinNamespaces(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const light = text.replace(/__toESM\(require\("(node:[a-z_/]+)"\),1\)/g, '__bltNS(require("$1"),1)');
  fs.writeFileSync(file, light.replace('"use strict";', '"use strict";var __bltNS=m=>({__proto__:m,default:m});'));
}

function routeImports(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  // Padded to the same length, so the source map's columns stay right.
  const call = `import("${IMPORT_MARK}`;
  const routed = text.split(call).join('__outloopImport('.padEnd(call.length - 1) + '"');
  if (routed.includes(IMPORT_MARK)) throw new Error(`${file}: an import of a package esbuild wrote differently than expected`);
  // import(variable) can't be routed by name: it would fail at run time, so it fails the build.
  const left = routed.match(/(?<![\w$])import\s*\(.{0,40}/g);
  if (left) throw new Error(`${file}: import() with a computed name (${left.join('; ')}): use a literal name`);
  fs.writeFileSync(file, routed.replace('"use strict";', '"use strict";var __outloopImport=__outloopImport??(s=>import(s));'));
}

/** The entry's `import('./run.js')` is tsc's path only (the bundle loads app.cjs): never bundled. */
const runStaysOut: Plugin = {
  name: 'run-stays-out',
  setup(b) {
    b.onResolve({ filter: /^\.\/run\.js$/ }, (args) => (args.importer === path.join(repo, 'src/cli/main.ts') ? { path: './run.js', external: true } : undefined));
  },
};

// esbuild leaves non-ASCII characters in regular-expression literals (rules/template.ts has `«`);
// one is enough to make V8 hold the whole source as two-byte text. `\uXXXX` means the same there.
function asciiOnly(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) fs.writeFileSync(file, ascii);
}

/**
 * The scan bundle: run.ts with every command but `scan` left out (they stay import()s of tsc's
 * modules beside it, never reached: the entry loads this bundle only for `outloop scan`). About
 * half of app.cjs, so the pre-commit hook reads and deserialises half as much.
 */
/** Every command module but scan's (a new command is left out without being listed here). */
const COMMAND_MODULE = /^\.\/[a-z-]+-command\.js$/;
const scanOnly: Plugin = {
  name: 'scan-only',
  setup(b) {
    b.onResolve({ filter: COMMAND_MODULE }, (args) =>
      args.importer === path.join(repo, 'src/cli/run.ts') && args.path !== './scan-command.js' ? { path: IMPORT_MARK + args.path, external: true } : undefined,
    );
  },
};

const bundles = ['scan', 'app'] as const;
// A pack from an earlier build must not outlive it (the entry would ignore it anyway: its id differs).
for (const name of bundles) fs.rmSync(path.join(outdir, `${name}.pack`), { force: true });
const apps = await Promise.all([
  build({ ...commonJs, entryPoints: { app: path.join(repo, 'src/cli/run.ts') }, plugins: [inlineVersion, importThroughLoader] }),
  build({ ...commonJs, entryPoints: { scan: path.join(repo, 'src/cli/run.ts') }, plugins: [inlineVersion, scanOnly, importThroughLoader] }),
  build({ ...commonJs, entryPoints: { worker: path.join(repo, 'src/worker.ts') }, plugins: [inlineVersion] }),
]);
for (const r of apps) for (const file of Object.keys(r.metafile.outputs).filter((f) => /\.c?js$/.test(f))) asciiOnly(path.resolve(file));

const ids: Record<string, string> = {};
for (const name of bundles) {
  const file = path.join(outdir, `${name}.cjs`);
  routeImports(file);
  lightBuiltinNamespaces(file);
  ids[name] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 32);
}
const entry = await build({
  ...commonJs,
  entryPoints: { outloop: path.join(repo, 'src/cli/main.ts') },
  define: { ...commonJs.define, OUTLOOP_APP_IDS: JSON.stringify(ids) },
  plugins: [runStaysOut],
});
const entryFile = path.join(outdir, 'outloop.cjs');
lightBuiltinNamespaces(entryFile);
lightBuiltinNamespaces(path.join(outdir, 'worker.cjs'));
// A worker.js from an earlier build (an ES module then) must not linger beside the bundles.
fs.rmSync(path.join(outdir, 'worker.js'), { force: true });
fs.rmSync(path.join(outdir, 'worker.js.map'), { force: true });
fs.chmodSync(entryFile, 0o755);
// `node dist/src/cli/main.js` (tests, the GitHub action, older hooks) runs the same entry.
fs.writeFileSync(path.join(outdir, 'main.js'), '// The built CLI is ./outloop.cjs (scripts/bundle-cli.ts); this runs it for `node dist/src/cli/main.js`.\nimport "./outloop.cjs";\n');
fs.rmSync(path.join(outdir, 'main.js.map'), { force: true });

// The code cache, made by a scan like the pre-commit hook's, in a fresh Node (no NODE_OPTIONS: V8
// refuses a cache made under other flags).
const env = { ...process.env };
delete env.NODE_OPTIONS;
for (const name of bundles) {
  const file = path.join(outdir, `${name}.cjs`);
  execFileSync(process.execPath, [path.join(repo, 'dist/scripts/train-app-pack.js'), file, ids[name]!, path.join(outdir, `${name}.pack`)], { env, stdio: 'inherit' });
}

const sizes = [...apps, entry]
  .flatMap((r) => Object.entries(r.metafile.outputs))
  .filter(([file]) => /\.c?js$/.test(file))
  .map(([file, o]) => `${path.relative(repo, path.resolve(file))} ${(o.bytes / 1024).toFixed(0)} KB`);
const packs = bundles.map((name) => `dist/src/cli/${name}.pack ${(fs.statSync(path.join(outdir, `${name}.pack`)).size / 1024).toFixed(0)} KB`);
console.log(`bundled the CLI: ${[...sizes, ...packs].join(', ')}`);
