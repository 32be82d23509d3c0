/**
 * Which paths a scan walks, in one place for the two that need to know: scan() itself, and the CLI
 * entry, which starts worker threads for a folder scan before it loads the scanner (cli/prefetch.ts).
 * Small on purpose (node:fs only): the entry holds it.
 */
import fs from 'node:fs';

/**
 * The paths given, else the current folder, unless only --transcripts, --shell or --env were asked
 * for: those alone scan no folder.
 */
export function pathsToWalk(paths: string[] | undefined, sources: { transcripts?: boolean | undefined; shell?: boolean | undefined; env?: boolean | undefined }): string[] {
  if (paths?.length) return paths;
  return sources.transcripts || sources.shell || sources.env ? [] : ['.'];
}

/** Whether `p` is a folder; false when it can't be told (the scan says what is wrong with the path). */
export function isFolder(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // ENOTDIR, EACCES, ELOOP...
  }
}
