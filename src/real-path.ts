import fs from 'node:fs';

/** A path with its symbolic links resolved, or the path itself when it can't be (gone, a loop). */
export function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
