/**
 * `outloop audit ROOT`: the periodic look at an agency's client folders. Scans ROOT with its config,
 * plus every agent transcript on this machine whose session ran inside ROOT, in one result; compares
 * it with the last saved snapshot (new, fixed, still open) and, when asked, saves a new one.
 */
import { brokerActivity, type BrokerActivity } from './broker-activity.js';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { UsageError } from '../model/errors.js';
import type { ScanWarning } from '../model/finding.js';
import { scan, type ScanOptions, type ScanResult } from '../scan.js';
import { AUDITS_DIR, compareSnapshots, latestSnapshot, saveSnapshot, snapshotOf, type AuditDiff } from './snapshot.js';
import { transcriptsRunIn } from './session-cwd.js';

export interface AuditOptions extends Pick<ScanOptions, 'configFile' | 'environment' | 'workers' | 'onProgress' | 'exclude'> {
  root: string;
  /** Also scan the transcripts of sessions run inside ROOT (default true). */
  transcripts?: boolean;
  /** Keep a redacted snapshot under ROOT/.outloop/audits/. */
  save?: boolean;
  /** The audit's time (for the snapshot's name and date). */
  now?: Date;
}

export interface AuditResult extends ScanResult {
  /** Against the last saved snapshot; null when there is none. */
  diff: AuditDiff | null;
  /** The snapshot this audit saved (relative to ROOT), or null. */
  saved: string | null;
  /** Transcripts found on this machine whose sessions ran inside ROOT. */
  transcripts: number;
  /** What `outloop exec` resolved and refused in ROOT's workspaces since the last audit; null when nothing. */
  broker: BrokerActivity | null;
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const root = path.resolve(options.root);
  if (!isDir(root)) throw new UsageError(`cannot audit ${options.root}: not a folder`);
  const env = options.environment ?? process.env;
  const config = await loadConfig({ file: options.configFile, startDir: root });
  const warnings: ScanWarning[] = [];
  const transcripts = options.transcripts === false ? [] : await transcriptsRunIn(root, env, config, warnings);
  const result = await scan({
    paths: [root],
    root,
    configFile: config.file ?? undefined,
    environment: env,
    workers: options.workers,
    onProgress: options.onProgress,
    exclude: [`${AUDITS_DIR}/**`, ...(options.exclude ?? [])],
    extraFiles: transcripts.map((abs) => ({ abs, source: 'transcript' as const })),
  });
  result.warnings.push(...warnings);
  const date = (options.now ?? new Date()).toISOString();
  const current = snapshotOf(result.findings, date);
  const previous = latestSnapshot(root);
  const diff = previous ? compareSnapshots(previous, current) : null;
  const saved = options.save ? saveSnapshot(root, current) : null;
  const broker = brokerActivity(root, env, diff?.since.date ?? null, options.now ?? new Date());
  return { ...result, diff, saved, transcripts: transcripts.length, broker };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
