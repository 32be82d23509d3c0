/**
 * The current user's shell history files and shell profiles: where a pasted `export KEY=…` or a
 * `curl -H "Authorization: …"` stays on disk, and where an exported key reaches every process's
 * environment. Discovery only (see ../shared/formats.md §2.6 for the formats).
 *
 * Paths come from the `env` passed in (HOME, HISTFILE, ZDOTDIR, XDG_DATA_HOME, XDG_CONFIG_HOME,
 * APPDATA), never from os.homedir(), so tests can point HOME at a temp folder.
 *
 * Example:
 *   shellFiles({ HOME: '/home/u' }, { cwd: '/home/u/app' })
 *   // [{ abs: '/home/u/.bash_history', kind: 'bash-history' }, { abs: '/home/u/.bashrc', kind: 'profile' }, …]
 */
import fs from 'node:fs';
import path from 'node:path';
import { realOrSelf } from '../real-path.js';
import { homeOf, xdgDir } from './agent-stores.js';

export type ShellFileKind = 'bash-history' | 'zsh-history' | 'fish-history' | 'powershell-history' | 'profile';

export interface ShellFile {
  abs: string;
  kind: ShellFileKind;
}

export interface ShellFilesOptions {
  /** Where the `.envrc` walk starts; default process.cwd(). */
  cwd?: string;
  platform?: NodeJS.Platform;
}

/**
 * The history files and profiles that exist, histories first, each file once (by real path: a
 * dotfile manager's symlinks don't list one file twice). `.envrc` files are looked for in the cwd
 * and each ancestor up to HOME inclusive; when the cwd is not under HOME, up to the filesystem root.
 */
export function shellFiles(env: NodeJS.ProcessEnv, options: ShellFilesOptions = {}): ShellFile[] {
  const platform = options.platform ?? process.platform;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const home = homeOf(env, platform);
  const zdotdir = env.ZDOTDIR ? path.resolve(env.ZDOTDIR) : home;
  const dataHome = xdgDir(env.XDG_DATA_HOME, home, path.join('.local', 'share'));
  const configHome = xdgDir(env.XDG_CONFIG_HOME, home, '.config');

  const candidates: ShellFile[] = [];
  const add = (kind: ShellFileKind, ...dirAndName: Array<string | null>) => {
    if (dirAndName.some((p) => p === null)) return;
    candidates.push({ abs: path.join(...(dirAndName as string[])), kind });
  };

  if (env.HISTFILE) candidates.push({ abs: expandHistfile(env.HISTFILE, home, cwd), kind: histfileKind(env.HISTFILE, env.SHELL) });
  add('bash-history', home, '.bash_history');
  for (const dir of unique([home, zdotdir])) {
    add('zsh-history', dir, '.zsh_history');
    add('zsh-history', dir, '.zhistory'); // prezto's default
    add('zsh-history', dir, '.histfile'); // zsh-newuser-install's default
  }
  // fish keeps one file per session name (`fish_history` unless $fish_history says otherwise).
  if (dataHome) for (const name of filesMatching(path.join(dataHome, 'fish'), /^.+_history$/)) add('fish-history', dataHome, 'fish', name);
  // PSReadLine: one file per host (`ConsoleHost_history.txt` for the console).
  const psDir = platform === 'win32'
    ? (env.APPDATA ? path.join(env.APPDATA, 'Microsoft', 'Windows', 'PowerShell', 'PSReadLine') : null)
    : dataHome && path.join(dataHome, 'powershell', 'PSReadLine');
  if (psDir) for (const name of filesMatching(psDir, /_history\.txt$/)) add('powershell-history', psDir, name);

  for (const name of ['.bashrc', '.bash_profile', '.bash_login', '.profile']) add('profile', home, name);
  for (const dir of unique([home, zdotdir])) for (const name of ['.zshenv', '.zprofile', '.zshrc', '.zlogin']) add('profile', dir, name);
  add('profile', configHome, 'fish', 'config.fish');
  for (const dir of envrcDirs(cwd, home)) add('profile', dir, '.envrc');

  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (!isFile(c.abs)) return false;
    const real = realOrSelf(c.abs);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/** HISTFILE as a shell would take it: `~/` expanded, a relative path from the cwd. */
function expandHistfile(value: string, home: string | null, cwd: string): string {
  if (home && (value === '~' || value.startsWith('~/'))) return path.join(home, value.slice(1));
  return path.resolve(cwd, value);
}

/** Which history a HISTFILE holds: by its name first, else by the login shell. */
export function histfileKind(histfile: string, shell: string | undefined): ShellFileKind {
  const name = path.basename(histfile).toLowerCase();
  if (name.includes('fish')) return 'fish-history';
  if (name.includes('zsh') || name === '.zhistory' || name === '.histfile') return 'zsh-history';
  if (name.includes('bash')) return 'bash-history';
  return shell && path.basename(shell) === 'zsh' ? 'zsh-history' : 'bash-history';
}

/** The cwd and its ancestors, up to HOME when the cwd is inside it, else up to the root. */
export function envrcDirs(cwd: string, home: string | null): string[] {
  const dirs: string[] = [];
  const stopAtHome = home !== null && (cwd === home || cwd.startsWith(home + path.sep));
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if ((stopAtHome && dir === home) || path.dirname(dir) === dir) break;
  }
  return dirs;
}

function filesMatching(dir: string, name: RegExp): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => name.test(n)).sort();
  } catch {
    return [];
  }
}

function unique(dirs: Array<string | null>): Array<string | null> {
  return [...new Set(dirs)];
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

