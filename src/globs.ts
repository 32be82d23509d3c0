/**
 * Globs, in picomatch's dialect (the one fast-glob speaks), with picomatch loaded on first use:
 * most scans match no glob at all (the built-in rules' globs come precompiled from the build), and
 * the pre-commit hook feels every millisecond of start-up.
 */
import { createRequire } from 'node:module';

type Picomatch = typeof import('picomatch');
const require = createRequire(import.meta.url);
const picomatch = (): Picomatch => require('picomatch') as Picomatch;

/** A matcher for relative, `/`-separated paths; dotfiles match like any file. */
export function globMatcher(globs: string | string[]): (path: string) => boolean {
  return picomatch()(globs, { dot: true });
}

/** A glob list as one regular-expression source, in picomatch's translation. */
export function globsToRegexSource(globs: string[]): string {
  return globs.map((g) => `(?:${picomatch().makeRe(g, { dot: true }).source})`).join('|');
}
