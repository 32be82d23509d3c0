/**
 * What the broker did in the audited folders: the records of its log (exec/broker-log.ts) whose
 * workspace lies inside ROOT, since the last audit snapshot (or the last 30 days without one). An
 * audit shows the counts, and each refused attempt: someone ran a command wanting a client's key
 * in a workspace it isn't granted to.
 */
import fs from 'node:fs';
import { brokerLogFile, type BrokerRecord } from '../exec/broker-log.js';
import { GRANTED_BY, relativeInside } from '../exec/grants.js';

export interface BrokerActivity {
  file: string;
  /** ISO date the records are counted from. */
  since: string;
  resolved: number;
  missing: number;
  withheld: number;
  /** Every refused alias, oldest first. */
  denied: BrokerRecord[];
  /** Keys resolved under a config grant (another client's key, allowed with a reason): each alias and workspace once, with how often. */
  granted: Array<{ alias: string; workspace: string; why: string; times: number; last: string }>;
  /** Lines that aren't records (a torn write, a hand edit): counted, skipped. */
  unreadableLines: number;
}

/** A log past this size is read from its last this-many bytes: the recent part is what an audit wants. */
const MAX_LOG_BYTES = 64 * 1024 * 1024;
const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;

/** Null when the log doesn't exist or holds nothing about ROOT in the window. */
export function brokerActivity(root: string, env: NodeJS.ProcessEnv, since: string | null, now: Date): BrokerActivity | null {
  const file = brokerLogFile(env);
  const text = readTail(file);
  if (text === null) return null;
  const from = since ?? new Date(now.getTime() - DEFAULT_WINDOW_MS).toISOString();
  const activity: BrokerActivity = { file, since: from, resolved: 0, missing: 0, withheld: 0, denied: [], granted: [], unreadableLines: 0 };
  const granted = new Map<string, BrokerActivity['granted'][number]>();
  let seen = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const record = parseRecord(line);
    if (!record) {
      activity.unreadableLines++;
      continue;
    }
    if (record.time < from || relativeInside(root, record.workspace) === null) continue;
    seen++;
    if (record.outcome === 'denied') activity.denied.push(record);
    else activity[record.outcome]++;
    // Another client's key, used under a config grant (exec/grants.ts).
    if (record.outcome === 'resolved' && typeof record.why === 'string' && record.why.startsWith(GRANTED_BY)) {
      const key = `${record.alias}\0${record.workspace}`;
      const seen = granted.get(key);
      if (seen) {
        seen.times++;
        seen.last = record.time;
      } else granted.set(key, { alias: record.alias, workspace: record.workspace, why: record.why.slice(GRANTED_BY.length), times: 1, last: record.time });
    }
  }
  activity.granted = [...granted.values()];
  return seen || activity.unreadableLines ? activity : null;
}

function readTail(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null; // no log yet: exec never resolved anything on this machine
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - MAX_LOG_BYTES);
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    // Started mid-line: drop the partial first line.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    fs.closeSync(fd);
  }
}

const OUTCOMES = new Set(['resolved', 'denied', 'missing', 'withheld']);

function parseRecord(line: string): BrokerRecord | null {
  try {
    const r = JSON.parse(line) as Partial<BrokerRecord>;
    if (typeof r.time !== 'string' || typeof r.alias !== 'string' || typeof r.workspace !== 'string' || !OUTCOMES.has(r.outcome as string)) return null;
    return r as BrokerRecord;
  } catch {
    return null;
  }
}
