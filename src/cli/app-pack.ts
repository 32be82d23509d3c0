/**
 * The built CLI's app bundle together with V8's compiled code for it, so a run doesn't parse and
 * compile ~300 KB of JavaScript first. Node 20 has no compile cache of its own (module
 * .enableCompileCache is Node 22), and on the pre-commit hook compiling the bundle, then each
 * function the scan calls, was the largest piece of our start-up.
 *
 * dist/src/cli/app.cjs    the app bundle (CommonJS, scripts/bundle-cli.ts)
 * dist/src/cli/app.pack   a header, the exact text of app.cjs, and V8's code cache for it made at
 *                         build time after a representative `scan --staged` (so the functions that
 *                         run holds are compiled too, not only the top level)
 *
 * The pack carries the text it was made from, so the code and the cache can never disagree; the
 * entry (bundled at the same build) knows the id of the app it was built with, so a pack from
 * another build is ignored. V8 itself refuses a cache made by another V8 version or with other
 * flags (NODE_OPTIONS=--max-old-space-size=..., say): the pack's source is then compiled as usual.
 * Any other problem (no pack, a truncated or foreign file) falls back to app.cjs. Falling back only
 * costs time. V8 doesn't checksum the cached code in release builds, so the pack, like app.cjs, is
 * trusted as part of the installed program; it is written once, at build time, to a temporary file
 * renamed into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const MAGIC = 'outloop-app-pack-1\n';

/**
 * What a pack is for: the bundle (its id, a hash of its text) and the V8 that compiled it. A pack
 * made by another V8 is skipped without asking V8, and one made here goes to the user's cache.
 */
export function packKey(bundleId: string): string {
  return `${bundleId} v8-${process.versions.v8} ${process.arch}`;
}

/**
 * Where a pack made on this machine lives when the package's own is for another V8 (the package was
 * built with another Node version): the user's cache folder, one file per bundle and V8.
 */
export function userPackFile(name: string, key: string, env: NodeJS.ProcessEnv = process.env, home = env.HOME ?? env.USERPROFILE ?? ''): string | null {
  const base =
    env.XDG_CACHE_HOME ||
    (process.platform === 'win32' ? env.LOCALAPPDATA : process.platform === 'darwin' && home ? path.join(home, 'Library', 'Caches') : home ? path.join(home, '.cache') : undefined);
  if (!base || !path.isAbsolute(base)) return null;
  return path.join(base, 'outloop', `${name}-${key.replace(/[^\w.-]+/g, '-')}.pack`);
}

export interface Pack {
  /** The app bundle's text in its CommonJS wrapper (wrapCommonJs), exactly as V8 compiled it for the cache. */
  script: string;
  cachedData: Buffer;
}

/** Header: MAGIC, then three little-endian u32: id length, script length, cache length; then id, script, cache. */
export function encodePack(id: string, script: string, cachedData: Buffer): Buffer {
  const head = Buffer.alloc(MAGIC.length + 12);
  head.write(MAGIC, 0, 'latin1');
  const src = Buffer.from(script, 'latin1');
  if (src.toString('latin1') !== script) throw new Error('the app bundle must be 8-bit text');
  head.writeUInt32LE(id.length, MAGIC.length);
  head.writeUInt32LE(src.length, MAGIC.length + 4);
  head.writeUInt32LE(cachedData.length, MAGIC.length + 8);
  return Buffer.concat([head, Buffer.from(id, 'latin1'), src, cachedData]);
}

/** The pack in `file` if it is whole and made for the app `id`; null otherwise (missing, truncated, foreign, stale). */
export function readPack(file: string, id: string): Pack | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return null;
  }
  const at = MAGIC.length + 12;
  if (buf.length < at || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const idLength = buf.readUInt32LE(MAGIC.length);
  const sourceLength = buf.readUInt32LE(MAGIC.length + 4);
  const dataLength = buf.readUInt32LE(MAGIC.length + 8);
  if (buf.length !== at + idLength + sourceLength + dataLength) return null;
  if (buf.toString('latin1', at, at + idLength) !== id) return null;
  const sourceAt = at + idLength;
  return { script: buf.toString('latin1', sourceAt, sourceAt + sourceLength), cachedData: buf.subarray(sourceAt + sourceLength) };
}

/** Writes a pack atomically (a reader sees the old file or the new one, never half of one). */
export function writePack(file: string, pack: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, pack);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export interface LoadedModule<T> {
  exports: T;
  /** The compiled script: createCachedData() after a run gives the cache for the next pack. */
  script: vm.Script;
  /** True when a cache was given and V8 refused it (so the source was compiled instead). */
  rejected: boolean;
}

/**
 * A CommonJS module's text as the function V8 compiles. The wrapper's line comes before the
 * source's first line and runCommonJs's lineOffset takes it back out, so stack traces and the source
 * map see the bundle's own lines and columns. A pack stores this text, not the bare source: one
 * string for V8 to compile instead of the source and then its wrapped copy (two young-generation
 * objects of the bundle's size, which on the pre-commit hook cost a garbage collection).
 *
 * The bundle's own `import()` calls (yaml, ink, react, ...) arrive as `__outloopImport(...)`
 * (scripts/bundle-cli.ts): an import() compiled by vm.Script needs its experimental
 * importModuleDynamically option, which prints a warning and, in Node 20, is lost when the script
 * comes from a code cache. runCommonJs's module is an ordinary one, beside the bundles, so its
 * import() resolves the same names the same way.
 */
export function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname, __outloopImport) {\n${source}\n})`;
}

/**
 * Runs `script` (wrapCommonJs of a CommonJS bundle) as the module `filename`, as Node's loader
 * would, but through a vm.Script, which (unlike Node 20's loader) accepts a code cache.
 */
export function runCommonJs<T>(script: string, filename: string, dirname: string, require: NodeJS.Require, cachedData?: Buffer): LoadedModule<T> {
  const compiled = new vm.Script(script, {
    filename,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  const importModule = (specifier: string) => import(specifier);
  (compiled.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, filename, dirname, importModule);
  return { exports: module.exports, script: compiled, rejected: Boolean(cachedData) && compiled.cachedDataRejected === true };
}
