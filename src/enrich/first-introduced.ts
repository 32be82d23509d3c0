/**
 * History findings, once per secret and file: a key committed once stays in history forever, so
 * what matters is where it first appeared, not every later commit that touched its line.
 *
 * The rule: findings are keyed by path + fingerprint. The first commit that carries a key (in the
 * order the findings arrive, which must be the fragments' order: historyFragments yields the oldest
 * commit first, parents always before their children) keeps all its findings for that key (a key
 * pasted twice in one commit is two findings); the same key in the same file in any later commit
 * (the line edited elsewhere, the file rewritten, the key removed and added back, a cherry-pick on
 * another branch, a merge resolution) is dropped. A key in another file is another finding: a copy
 * is a new place to clean. Call it before sorting findings for the report.
 *
 * Findings from other sources (no `commit`) pass through untouched.
 */
import type { Finding } from '../model/finding.js';

export function firstIntroductions(findings: Finding[]): Finding[] {
  const firstCommit = new Map<string, string>();
  return findings.filter((f) => {
    if (f.commit === undefined) return true;
    const key = `${f.path}\0${f.fingerprint}`;
    const first = firstCommit.get(key);
    if (first === undefined) {
      firstCommit.set(key, f.commit);
      return true;
    }
    return first === f.commit;
  });
}
