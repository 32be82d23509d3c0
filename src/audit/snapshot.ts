/**
 * Audit snapshots: what an audit found, redacted, kept under ROOT/.outloop/audits/ so the next audit
 * can say what is new, what was fixed and what is still open. A snapshot holds fingerprints,
 * redacted hints and locations, never a key.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../model/finding.js';
import { writeFileWhole } from '../write-file.js';

export const AUDITS_DIR = '.outloop/audits';

export interface SnapshotEntry {
  ruleId: string;
  path: string;
  line: number;
  fingerprint: string;
  redacted: string;
  severity: string;
  tenant: string | null;
  owner: string | null;
  wrongClient: boolean;
}

export interface Snapshot {
  schemaVersion: 1;
  date: string;
  findings: SnapshotEntry[];
}

export interface AuditDiff {
  /** The snapshot compared with: its file (relative to ROOT) and date. */
  since: { file: string; date: string };
  new: SnapshotEntry[];
  fixed: SnapshotEntry[];
  open: number;
}

export function snapshotOf(findings: Finding[], date: string): Snapshot {
  return {
    schemaVersion: 1,
    date,
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      path: f.path,
      line: f.line,
      fingerprint: f.fingerprint,
      redacted: f.redacted,
      severity: f.severity,
      tenant: f.tenant,
      owner: f.owner,
      wrongClient: f.wrongClient === true,
    })),
  };
}

/** The newest snapshot under ROOT, or null (none yet, or unreadable: then it says so). */
export function latestSnapshot(root: string): { file: string; snapshot: Snapshot } | null {
  const dir = path.join(root, AUDITS_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return null;
  }
  for (const name of names.reverse()) {
    try {
      const snapshot = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Snapshot;
      if (snapshot.schemaVersion === 1 && Array.isArray(snapshot.findings)) return { file: path.posix.join(AUDITS_DIR, name), snapshot };
    } catch {
      // a damaged snapshot is passed over; the one before it still tells what changed
    }
  }
  return null;
}

/** Saves the snapshot as ROOT/.outloop/audits/<date>.json; returns its path relative to ROOT. */
export function saveSnapshot(root: string, snapshot: Snapshot): string {
  const name = `${snapshot.date.replace(/[:.]/g, '-')}.json`;
  const file = path.join(root, AUDITS_DIR, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileWhole(file, JSON.stringify(snapshot, null, 1) + '\n', { what: 'audit snapshot' });
  return path.posix.join(AUDITS_DIR, name);
}

/**
 * Matched by rule, path and fingerprint (not line: moving lines is not fixing anything), each entry
 * of the previous snapshot covering one finding of this one.
 */
export function compareSnapshots(previous: { file: string; snapshot: Snapshot }, current: Snapshot): AuditDiff {
  const key = (e: SnapshotEntry) => `${e.ruleId}\0${e.path}\0${e.fingerprint}`;
  const before = new Map<string, SnapshotEntry[]>();
  for (const e of previous.snapshot.findings) before.set(key(e), [...(before.get(key(e)) ?? []), e]);
  const added: SnapshotEntry[] = [];
  let open = 0;
  for (const e of current.findings) {
    const left = before.get(key(e));
    if (left?.length) {
      left.pop();
      open++;
    } else added.push(e);
  }
  const fixed = [...before.values()].flat();
  return { since: { file: previous.file, date: previous.snapshot.date }, new: added, fixed, open };
}
