/**
 * Where coding agents keep what they were told and what they ran, and how to recognise one of their
 * files met elsewhere. Discovery only: nothing here reads a transcript beyond its first line (given
 * by the caller), and nothing here parses one.
 *
 * Locations follow ../shared/formats.md §2.1–2.3. Every path is derived from the `env` passed in
 * (HOME, XDG_*, CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME, APPDATA), never from os.homedir(),
 * so a test can point HOME at a temp folder and a user can scan another account's stores.
 *
 * Example:
 *   agentStores({ HOME: '/home/u' }, 'linux')[0]
 *   // { agent: 'claude-code', root: '/home/u/.claude', patterns: ['projects/**\/*.jsonl', 'history.jsonl'], format: 'jsonl' }
 */
import fs from 'node:fs';
import path from 'node:path';
import { realOrSelf } from '../real-path.js';
import fg from 'fast-glob';
import { globMatcher } from '../globs.js';
import type { ScanWarning } from '../model/finding.js';

import type { AgentName } from '../model/finding.js';
import { agentByName } from './transcript/recognize.js';

export { agentByContent, agentByName } from './transcript/recognize.js';

export type { AgentName };
export type StoreFormat = 'jsonl' | 'json' | 'markdown' | 'text' | 'sqlite';

export interface AgentStore {
  agent: AgentName;
  root: string;
  /** fast-glob patterns relative to root */
  patterns: string[];
  format: StoreFormat;
}

export interface AgentFile {
  abs: string;
  agent: AgentName;
  format: StoreFormat;
}

/** VS Code and its forks, by the folder name each gives its user data (Cline installs in all of them). */
const VSCODE_FAMILY = ['Code', 'Code - Insiders', 'VSCodium', 'Cursor', 'Windsurf'];
/** Remote-SSH servers keep extension storage on the remote machine, where agents often run. */
const VSCODE_SERVERS = ['.vscode-server', '.vscode-server-insiders', '.cursor-server', '.windsurf-server'];
const CLINE_ID = 'saoudrizwan.claude-dev';


/** The user's home from the environment only; null when it can't be known (then only explicit roots count). */
export function homeOf(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | null {
  const home = env.HOME || (platform === 'win32' ? env.USERPROFILE : undefined);
  return home ? path.resolve(home) : null;
}

/** Where desktop apps keep per-user data: `~/.config` (XDG) on Linux, Application Support on macOS, APPDATA on Windows. */
function appDataDirs(env: NodeJS.ProcessEnv, home: string | null, platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return home ? [path.join(home, 'Library', 'Application Support')] : [];
  if (platform === 'win32') {
    if (env.APPDATA) return [path.resolve(env.APPDATA)];
    return home ? [path.join(home, 'AppData', 'Roaming')] : [];
  }
  const xdg = xdgDir(env.XDG_CONFIG_HOME, home, '.config');
  return xdg ? [xdg] : [];
}

/** An XDG variable is used only when absolute (as the spec says); else its default under home. */
export function xdgDir(value: string | undefined, home: string | null, fallback: string): string | null {
  if (value && path.isAbsolute(value)) return path.resolve(value);
  return home ? path.join(home, fallback) : null;
}

/**
 * The default stores of every known agent, whether or not they exist. Several stores may share a
 * root when the formats under it differ (Gemini's `.jsonl` chats beside its `.json` logs).
 */
export function agentStores(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): AgentStore[] {
  const home = homeOf(env, platform);
  const under = (...parts: string[]) => (home ? [path.join(home, ...parts)] : []);
  const stores: AgentStore[] = [];
  const add = (agent: AgentName, roots: string[], format: StoreFormat, patterns: string[]) => {
    for (const root of roots) stores.push({ agent, root, patterns, format });
  };

  // Claude Code: CLAUDE_CONFIG_DIR moves every ~/.claude path; without it ccusage also finds
  // transcripts under $XDG_CONFIG_HOME/claude. Sub-agent files nest at varying depths: glob `**`.
  const claudeRoots = env.CLAUDE_CONFIG_DIR
    ? [path.resolve(env.CLAUDE_CONFIG_DIR)]
    : [...under('.claude'), ...[xdgDir(env.XDG_CONFIG_HOME, home, '.config')].filter((d): d is string => d !== null).map((d) => path.join(d, 'claude'))];
  add('claude-code', claudeRoots, 'jsonl', ['projects/**/*.jsonl', 'history.jsonl']);

  // Codex: rollouts by local date, archived ones flat, prompt history; its TUI log is plain text.
  // Newer builds keep a rollout zstd-compressed as `.jsonl.zst` (read decompressed, see zstd.ts);
  // when both forms exist Codex reads the plain one, and so do we (listAgentFiles).
  const codexRoots = env.CODEX_HOME ? [path.resolve(env.CODEX_HOME)] : under('.codex');
  add('codex', codexRoots, 'jsonl', ['sessions/**/rollout-*.jsonl', 'archived_sessions/*.jsonl', 'history.jsonl', 'sessions/**/rollout-*.jsonl.zst', 'archived_sessions/rollout-*.jsonl.zst']);
  add('codex', codexRoots, 'text', ['log/*.log']);

  // Gemini CLI: GEMINI_CLI_HOME replaces the home folder (state stays in its `.gemini`). Sub-agent
  // chats nest under the parent session's id; legacy whole-session `.json` files sit flat.
  const geminiHome = env.GEMINI_CLI_HOME ? path.resolve(env.GEMINI_CLI_HOME) : home;
  const geminiRoots = geminiHome ? [path.join(geminiHome, '.gemini', 'tmp')] : [];
  add('gemini-cli', geminiRoots, 'jsonl', ['*/chats/**/*.jsonl']);
  add('gemini-cli', geminiRoots, 'json', ['*/chats/*.json', '*/logs.json', '*/checkpoint-*.json']);

  const appData = appDataDirs(env, home, platform);
  const globalStorages = [
    ...appData.flatMap((d) => VSCODE_FAMILY.map((app) => path.join(d, app, 'User', 'globalStorage'))),
    ...VSCODE_SERVERS.flatMap((s) => under(s, 'data', 'User', 'globalStorage')),
  ];
  add('cline', globalStorages.map((g) => path.join(g, CLINE_ID)), 'json', ['tasks/*/*.json', 'state/taskHistory.json']);

  // Cursor keeps chats in SQLite key/value tables; listed so the bytes can be scanned as text.
  add('cursor', appData.map((d) => path.join(d, 'Cursor', 'User')), 'sqlite', ['globalStorage/state.vscdb', 'workspaceStorage/*/state.vscdb']);
  return stores;
}

/** The store a file belongs to by where it lies (it must match one of the store's patterns). */
export function storeForPath(absPath: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): AgentStore | null {
  const abs = path.resolve(absPath);
  for (const store of agentStores(env, platform)) {
    const rel = path.relative(store.root, abs);
    if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) continue;
    if (globMatcher(store.patterns)(rel.split(path.sep).join('/'))) return store;
  }
  return null;
}

/** Which agent wrote a file, by its location, or by its name for Aider's files (which live in workspaces). */
export function agentForPath(absPath: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): AgentName | null {
  return storeForPath(absPath, env, platform)?.agent ?? agentByName(path.basename(absPath));
}

export interface ListAgentFilesOptions {
  /** Only files inside this folder (absolute, or relative to the cwd). */
  within?: string;
  platform?: NodeJS.Platform;
}

/**
 * Every file in the agents' stores that exists now. Missing stores are silent; a folder that can't
 * be read (permission denied) becomes a warning with its absolute path, and the listing goes on.
 * Symbolic links are not followed inside stores (a link loop can't hang the walk); a store whose
 * root is itself a link is read through it. A file reached through two roots (one linked to the
 * other) is listed once.
 */
export async function listAgentFiles(
  env: NodeJS.ProcessEnv,
  options: ListAgentFilesOptions = {},
): Promise<{ files: AgentFile[]; warnings: ScanWarning[] }> {
  const within = options.within === undefined ? null : path.resolve(options.within);
  const inside = (p: string) => within === null || p === within || p.startsWith(within + path.sep);
  // A store root above `within` still has to be walked, but only its files inside `within` count.
  const relevant = (root: string) => within === null || inside(root) || within.startsWith(root + path.sep);

  const files: AgentFile[] = [];
  const warnings: ScanWarning[] = [];
  const warned = new Set<string>();
  const seen = new Set<string>();
  const denied = (p: string, err: NodeJS.ErrnoException | null) => {
    if (!err || (err.code !== 'EACCES' && err.code !== 'EPERM') || warned.has(p)) return;
    warned.add(p);
    warnings.push({ path: p, kind: 'unreadable', message: `folder could not be read (${err.code})` });
  };

  for (const store of agentStores(env, options.platform)) {
    if (!relevant(store.root)) continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(store.root);
    } catch (err) {
      denied(store.root, err as NodeJS.ErrnoException);
      continue;
    }
    if (!st.isDirectory()) continue;
    try {
      fs.accessSync(store.root, fs.constants.R_OK | fs.constants.X_OK);
    } catch (err) {
      denied(store.root, err as NodeJS.ErrnoException);
      continue;
    }
    const realRoot = realOrSelf(store.root);
    const entries = await fg(store.patterns, {
      cwd: store.root,
      absolute: false,
      dot: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      suppressErrors: true,
      fs: { readdir: watchedReaddir(store.root, denied) },
    });
    const listed = new Set(entries);
    for (const rel of entries.sort()) {
      const abs = path.join(store.root, rel);
      if (!inside(abs)) continue;
      // A compressed rollout beside its plain form is the same session: the plain one is read.
      if (rel.endsWith('.jsonl.zst') && listed.has(rel.slice(0, -'.zst'.length))) continue;
      const key = path.join(realRoot, rel);
      if (seen.has(key)) continue;
      seen.add(key);
      files.push({ abs, agent: store.agent, format: store.format });
    }
  }
  return { files, warnings };
}

/** fs.readdir as fast-glob calls it, noting folders it may not open (fast-glob itself swallows that). */
function watchedReaddir(root: string, denied: (p: string, err: NodeJS.ErrnoException | null) => void): typeof fs.readdir {
  const readdir = (dir: string, ...rest: unknown[]) => {
    const callback = rest.pop() as (err: NodeJS.ErrnoException | null, ...result: unknown[]) => void;
    const call = fs.readdir as unknown as (...args: unknown[]) => void;
    call(dir, ...rest, (err: NodeJS.ErrnoException | null, ...result: unknown[]) => {
      denied(path.resolve(root, dir), err);
      callback(err, ...result);
    });
  };
  return readdir as unknown as typeof fs.readdir;
}

