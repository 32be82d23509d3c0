/**
 * Which files a workspace scan reads. Gitignored files are included on purpose (an agent reads the
 * `.env` git ignores); `.git/` internals and `node_modules/` are not (the latter on request).
 * Symlinked files are read once through their real path; symlinked folders are followed only when
 * they lead outside the folders already walked, so a link loop is walked at most once.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { realOrSelf } from '../real-path.js';
import { UsageError } from '../model/errors.js';
import type { ScanWarning, SourceKind } from '../model/finding.js';

export interface WorkspaceFile {
  abs: string;
  /** Relative to the scan root, `/`-separated. */
  rel: string;
  /** Known only when the file was stat'ed anyway (a symlink or an explicit target); else -1. */
  size: number;
  /** Where the file was listed from, when not the workspace: an agent store, the shell's files. */
  source?: SourceKind;
}

export interface WorkspaceOptions {
  root: string;
  /** Files or folders to scan, absolute; default: the root. */
  targets?: string[];
  include?: string[];
  exclude?: string[];
  includeNodeModules?: boolean;
  /** The config's `ignore` globs (relative to the config's folder, so checked on absolute paths). */
  isIgnored?: (abs: string) => boolean;
  /** Single files listed elsewhere (agent stores, shell history), scanned after the targets. */
  extraFiles?: Array<{ abs: string; source: SourceKind }>;
}

/**
 * fast-glob, loaded on first use: only --include, --exclude and .outloopignore need it, and loading
 * it cost a folder scan some 40 ms of start-up, before the first file was read.
 */
const fastGlob = (): typeof import('fast-glob') => createRequire(import.meta.url)('fast-glob') as typeof import('fast-glob');

export const ALWAYS_IGNORED = ['**/.git/**', '**/.git'];
export const IGNORED_UNLESS_ASKED = ['**/node_modules/**'];

/**
 * Files as the walk finds them, so scanning starts before listing ends. Problems (loops, dangling
 * links) are pushed to `warnings`. Synchronous, like the reads it feeds: an async generator cost a
 * promise and a microtask turn per file, and V8 some 100 ms of optimising its machinery per scan.
 */
export function* walkWorkspace(options: WorkspaceOptions, warnings: ScanWarning[]): Generator<WorkspaceFile> {
  const root = options.root;
  const isIgnored = options.isIgnored;
  const builtinIgnores = [...ALWAYS_IGNORED, ...(options.includeNodeModules ? [] : IGNORED_UNLESS_ASKED)];
  const ignore = [...builtinIgnores, ...(options.exclude ?? []), ...readIgnoreFile(root)];
  const seenReal = new Set<string>();
  const walkedDirs: string[] = [];
  const linkedDirs: Array<{ abs: string; rel: string }> = [];

  // `real` is the file's path with symlinked folders resolved: the key for reading each file once.
  const firstTime = (real: string) => {
    if (seenReal.has(real)) return false;
    seenReal.add(real);
    return true;
  };

  // A symlink is stat'ed: a file is scanned (once), a folder is walked later if it is new.
  const resolveLink = (abs: string, rel: string): WorkspaceFile | null => {
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') warnings.push({ path: rel, kind: 'symlink-loop', message: 'symbolic link loop not followed' });
      else warnings.push({ path: rel, kind: 'skipped', message: `dangling symbolic link (${code})` });
      return null;
    }
    if (st.isFile()) return firstTime(realOrSelf(abs)) ? { abs, rel, size: st.size } : null;
    if (st.isDirectory()) linkedDirs.push({ abs, rel });
    return null;
  };

  // No stat per file: the directory entries already say what is a file, and sizes aren't needed
  // to scan (a file is read to its end, whatever its size was when listed).
  // A plain function, not a generator: one fewer object per listed file.
  const entry = (dirAbs: string, realDir: string, relPrefix: string, e: { path: string; dirent: { isFile(): boolean; isSymbolicLink(): boolean } }): WorkspaceFile | null => {
    const abs = under(dirAbs, e.path);
    const rel = relPrefix + e.path;
    if (isIgnored?.(abs)) return null;
    if (e.dirent.isFile()) return firstTime(under(realDir, e.path)) ? { abs, rel, size: -1 } : null;
    if (e.dirent.isSymbolicLink()) return resolveLink(abs, rel);
    return null;
  };

  // With only the built-in ignores (.git, node_modules), folders are read here, one at a time,
  // breadth first as fast-glob does: files reach the worker threads while the rest is still being
  // listed, and a 10,000-file tree lists in a third of fast-glob's time (its per-entry glob filters
  // are most of its cost). Globs from --include, --exclude or .outloopignore go to fast-glob.
  const plain = !options.include?.length && ignore.length === builtinIgnores.length;
  function* walkPlain(dirAbs: string, relPrefix: string): Generator<WorkspaceFile> {
    const realDir = realOrSelf(dirAbs);
    walkedDirs.push(realDir);
    const queue: string[] = ['']; // folders still to read, relative to dirAbs, '' for dirAbs itself
    for (let q = 0; q < queue.length; q++) {
      const sub = queue[q]!;
      let dirents: fs.Dirent[];
      try {
        dirents = fs.readdirSync(sub === '' ? dirAbs : under(dirAbs, sub), { withFileTypes: true });
      } catch (err) {
        // A folder that can't be read is said so, as for an unreadable file; one that vanished isn't.
        const code = (err as NodeJS.ErrnoException).code;
        if (sub !== '' && (code === 'EACCES' || code === 'EPERM')) warnings.push({ path: relPrefix + sub, kind: 'unreadable', message: 'folder could not be read (permission denied)' });
        continue;
      }
      for (const dirent of dirents) {
        const name = dirent.name;
        if (name === '.git') continue;
        const rel = sub === '' ? name : sub + '/' + name;
        if (dirent.isDirectory()) {
          if (name !== 'node_modules' || options.includeNodeModules) queue.push(rel);
        } else {
          const file = entry(dirAbs, realDir, relPrefix, { path: rel, dirent });
          if (file) yield file;
        }
      }
    }
  }

  // fast-glob's synchronous walk is the fastest of its three APIs (against 200 ms streamed for a
  // 10,000-file tree); the scan starts its worker threads meanwhile.
  function* walkGlobs(dirAbs: string, relPrefix: string): Generator<WorkspaceFile> {
    const realDir = realOrSelf(dirAbs);
    walkedDirs.push(realDir);
    const entries = fastGlob().sync(options.include?.length ? options.include : ['**'], {
      cwd: dirAbs,
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      objectMode: true,
      ignore,
      suppressErrors: true,
    });
    for (const e of entries) {
      if (e.dirent.isDirectory()) {
        // The walk skips a folder it can't open without a word; say so, as for an unreadable file.
        const abs = path.join(dirAbs, e.path);
        if (!isIgnored?.(abs) && !canList(abs)) warnings.push({ path: relPrefix + e.path, kind: 'unreadable', message: 'folder could not be read (permission denied)' });
      } else {
        const file = entry(dirAbs, realDir, relPrefix, e);
        if (file) yield file;
      }
    }
  }
  const walk = plain ? walkPlain : walkGlobs;

  for (const target of options.targets ?? [root]) {
    let st: fs.Stats;
    try {
      st = fs.statSync(target);
    } catch (err) {
      throw new UsageError(`cannot scan ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const rel = toRel(root, target);
    if (st.isDirectory()) yield* walk(target, rel === '' ? '' : rel + '/');
    else if (firstTime(realOrSelf(target))) yield { abs: target, rel, size: st.size };
  }
  for (const extra of options.extraFiles ?? []) {
    if (!firstTime(realOrSelf(extra.abs))) continue;
    yield { abs: extra.abs, rel: toRel(root, extra.abs), size: -1, source: extra.source };
  }
  // Symlinked folders last, each only if it leads somewhere not walked yet (this is what stops loops).
  while (linkedDirs.length) {
    const { abs, rel } = linkedDirs.shift()!;
    const real = realOrSelf(abs);
    // A link to a folder that contains a walked one is a loop (reported); a link into a walked
    // folder only repeats files already scanned (skipped quietly, as Debian's doc links do).
    if (walkedDirs.some((d) => real === d || d.startsWith(real + path.sep))) {
      warnings.push({ path: rel, kind: 'symlink-loop', message: 'symbolic link loop (leads back to a folder being scanned); not followed' });
      continue;
    }
    if (walkedDirs.some((d) => real.startsWith(d + path.sep))) continue;
    yield* walk(abs, rel + '/');
  }
}

/**
 * `rel` (`/`-separated, no `.` or `..` parts, as both walks list them) inside the normalised folder
 * `dir`: what path.join would give, without re-normalising the whole path once per file (a tenth
 * of the walk's time on a 10,000-file tree).
 */
function under(dir: string, rel: string): string {
  const native = path.sep === '/' ? rel : rel.split('/').join(path.sep);
  return dir.endsWith(path.sep) ? dir + native : dir + path.sep + native;
}

function canList(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}


export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/**
 * `.outloopignore` at the root: gitignore-style lines. A pattern without a slash matches at any
 * depth; a leading slash anchors it to the root; anything matched also ignores what is inside it.
 */
export function readIgnoreFile(root: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, '.outloopignore'), 'utf8');
  } catch {
    return [];
  }
  return parseIgnoreLines(text, path.join(root, '.outloopignore'));
}

export function parseIgnoreLines(text: string, file: string): string[] {
  const globs: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('!')) throw new UsageError(`${file}:${i + 1}: negated patterns ("!") are not supported`);
    let p = line.replace(/\/+$/, '');
    if (p.startsWith('/')) p = p.slice(1);
    else if (!p.includes('/')) p = '**/' + p;
    globs.push(p, p + '/**');
  });
  return globs;
}
