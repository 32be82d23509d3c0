/**
 * `outloop init`: makes every commit in a project run `outloop scan --staged`, through husky v9 (the
 * hook manager most Node projects already know): husky in devDependencies, `"prepare": "husky"`,
 * our line in `.husky/pre-commit`, and a starter `outloop.config.json`. With `--claude` or
 * `--gemini`, that agent's project settings also get outloop's agent hooks (init-agents.ts).
 *
 * It plans first (pure edits of the files' text) and writes after, so `--dry-run` prints exactly
 * what a real run would do, and a second run finds nothing to change. It never replaces what a
 * user wrote: hook lines are kept and ours appended once, package.json keeps its key order and
 * indentation, an existing config is left alone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../model/errors.js';
import type { Io } from './run.js';
import { writeFileWhole } from '../write-file.js';
import { AGENT_SETTINGS, editAgentSettings, userAgentSettings } from './init-agents.js';
import { parseJsonObject, stringifyLike } from './json-text.js';
import { isJsonObject } from '../json-object.js';

export const HUSKY_RANGE = '^9.1.7';
/** `--no-install`: the hook runs the project's own outloop, never one fetched at commit time. */
// husky puts node_modules/.bin on PATH for hooks, so the project's own copy runs directly: npx
// would add a few hundred milliseconds to every commit. Not installed → "not found", exit 127,
// and the commit is blocked (never silently let through).
export const HOOK_COMMAND = 'outloop scan --staged';
/**
 * The scan never goes online, so the hook empties NODE_EXTRA_CA_CERTS (proxy setups set it): Node
 * would otherwise load every certificate it names at each start, some 40 ms per commit on a small VM.
 */
export const HOOK_BLOCK = [
  '# outloop: blocks a commit that stages a secret (exit 1); if outloop cannot run (exit 2) it blocks too.',
  "# (NODE_EXTRA_CA_CERTS emptied: the scan never goes online, and Node would load those certificates first.)",
  `NODE_EXTRA_CA_CERTS= ${HOOK_COMMAND}`,
  '',
].join('\n');
/** Nothing raw goes in a config: `allow` takes fingerprints, which outloop prints with each finding. */
export const STARTER_CONFIG = '{\n  "ignore": [],\n  "allow": []\n}\n';
const HOOK_FILE = '.husky/pre-commit';
const CONFIG_FILE = 'outloop.config.json';
/** What husky's prepare script sets; seeing it means the hooks already run. */
const HUSKY_HOOKS_PATH = '.husky/_';

/** One file's outcome: new text to write (null: leave the file alone) and what to tell the user. */
export interface FileEdit {
  content: string | null;
  notes: string[];
  warnings: string[];
}

export interface PlannedFile extends FileEdit {
  file: string;
  exists: boolean;
  /** Permission bits for a file we create, or the existing file's (a rename would reset them). */
  mode: number;
}

export async function runInit(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: { 'dry-run': { type: 'boolean' }, claude: { type: 'boolean' }, gemini: { type: 'boolean' }, user: { type: 'boolean' } },
  });
  const dryRun = Boolean(values['dry-run']);
  if (values.user) return initUserHooks({ claude: Boolean(values.claude), gemini: Boolean(values.gemini), dryRun }, io);
  const root = findProjectRoot(process.cwd());
  const plan = planInit(root, { claude: Boolean(values.claude), gemini: Boolean(values.gemini) });
  if (!dryRun) for (const file of plan) applyFile(root, file);
  io.stdout.write(formatReport(root, plan, { dryRun, hooksActive: hooksActive(root), installCommand: installCommand(root) }));
  for (const file of plan) for (const warning of file.warnings) io.stderr.write(`outloop: warning: ${file.file}: ${warning}\n`);
  return EXIT.clean;
}

/** `init --user --claude|--gemini`: the agents' user-level hooks only (no project, no git hook). */
function initUserHooks(options: { claude: boolean; gemini: boolean; dryRun: boolean }, io: Io): number {
  const keys = (['claude', 'gemini'] as const).filter((k) => options[k]);
  if (!keys.length) throw new UsageError('--user sets up agent hooks for every session of this user: add --claude, --gemini or both');
  const entry = fs.realpathSync(process.argv[1] ?? '');
  const plan = keys.map((k) => {
    const settings = userAgentSettings(k, io.env, entry, process.execPath);
    return planFile('/', settings.file, 0o644, (text) => editAgentSettings(settings, text));
  });
  if (!options.dryRun) for (const file of plan) applyFile('/', file);
  const changes = plan.filter((f) => f.content !== null).length;
  const head = options.dryRun ? `outloop init --user --dry-run: ${changes ? `would change ${changes} file(s) (nothing written)` : 'nothing to change'}` : `outloop init --user: ${changes ? `${changes} file(s) changed` : 'already set up, nothing changed'}`;
  io.stdout.write([head, ...plan.map((f) => `  ${f.file}  ${f.notes.join('; ')}`), `The hooks run ${entry} with ${process.execPath}: after moving either, run this again.`].join('\n') + '\n');
  return EXIT.clean;
}

/** The folder must be a git repository's top (husky installs from where `.git` is) holding a package.json. */
export function findProjectRoot(cwd: string): string {
  const git = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' });
  if (git.error) throw new UsageError(`init needs git, which could not be started (${(git.error as NodeJS.ErrnoException).code ?? git.error.message})`);
  if (git.status !== 0) throw new UsageError(`${cwd} is not in a git repository: run "git init" first, then "outloop init"`);
  const top = fs.realpathSync(git.stdout.trim());
  if (top !== fs.realpathSync(cwd)) {
    throw new UsageError(`run "outloop init" at the repository's top folder, ${top}: husky installs hooks from the folder that holds .git`);
  }
  if (!fs.existsSync(path.join(top, 'package.json'))) {
    throw new UsageError(`no package.json in ${top}: run "npm init -y" first (husky, which runs the hook, installs through it)`);
  }
  return top;
}

export function planInit(root: string, options: { claude?: boolean; gemini?: boolean } = {}): PlannedFile[] {
  const agents = (['claude', 'gemini'] as const).filter((a) => options[a]).map((a) => AGENT_SETTINGS[a]);
  return [
    planFile(root, 'package.json', 0o644, (text) => editPackageJson(text ?? '')),
    planFile(root, HOOK_FILE, 0o755, editHook),
    planFile(root, CONFIG_FILE, 0o644, editConfig),
    // The agents' hooks: keys stopped at the prompt and before a tool call writes them anywhere.
    ...agents.map((a) => planFile(root, a.file, 0o644, (text) => editAgentSettings(a, text))),
  ];
}

function planFile(root: string, file: string, newMode: number, edit: (text: string | null) => FileEdit): PlannedFile {
  const abs = path.join(root, file);
  let text: string | null = null;
  let mode = newMode;
  try {
    text = fs.readFileSync(abs, 'utf8');
    mode = fs.statSync(abs).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { file, exists: text !== null, mode, ...edit(text) };
}

/**
 * Adds husky and the prepare script, keeping everything else as written: key order, indentation,
 * line endings and the final newline (the same things npm itself keeps when it edits the file).
 */
export function editPackageJson(text: string): FileEdit {
  const pkg = parseJsonObject('package.json', text);
  const edits: FileEdit = { content: null, notes: [], warnings: [] };
  // Scripts first: when both keys are new they land in npm's usual order (scripts, then devDependencies).
  addPrepareScript(pkg, edits);
  addHusky(pkg, edits);
  if (objectField(pkg, 'dependencies')?.outloop === undefined && objectField(pkg, 'devDependencies')?.outloop === undefined) {
    edits.warnings.push("outloop is not in dependencies or devDependencies; the hook runs the project's own copy (from node_modules/.bin), so install it: npm install --save-dev outloop");
  }
  if (edits.notes.length === 0) return { ...edits, notes: ['husky and its prepare script already there'] };
  return { ...edits, content: stringifyLike(text, pkg) };
}

/** `husky` as the prepare script is what installs the hooks on every `npm install`. */
function addPrepareScript(pkg: Record<string, unknown>, edits: FileEdit): void {
  const scripts = objectField(pkg, 'scripts') ?? {};
  const prepare = scripts.prepare;
  if (prepare === undefined) {
    pkg.scripts = { ...scripts, prepare: 'husky' };
    edits.notes.push('scripts.prepare "husky" added');
  } else if (typeof prepare !== 'string') {
    throw new UsageError('package.json: scripts.prepare is not a string');
  } else if (!/\bhusky\b/.test(prepare)) {
    // The project's own prepare step keeps running first; husky only needs to run too.
    pkg.scripts = { ...scripts, prepare: `${prepare} && husky` };
    edits.notes.push('"&& husky" appended to scripts.prepare');
  }
}

/** A husky the project already has (in either dependency list) is kept, whatever its version. */
function addHusky(pkg: Record<string, unknown>, edits: FileEdit): void {
  const devDeps = objectField(pkg, 'devDependencies');
  const existing = devDeps?.husky ?? objectField(pkg, 'dependencies')?.husky;
  if (existing === undefined) {
    pkg.devDependencies = withKeyInOrder(devDeps ?? {}, 'husky', HUSKY_RANGE);
    edits.notes.push(`devDependencies.husky "${HUSKY_RANGE}" added`);
    return;
  }
  const major = /^\D*(\d+)/.exec(String(existing))?.[1];
  if (major !== undefined && Number(major) < 9) {
    edits.warnings.push(`husky "${String(existing)}" is older than v9; the hook line outloop adds is written for husky v9 (${HUSKY_RANGE})`);
  }
}


function objectField(pkg: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = pkg[key];
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw new UsageError(`package.json: ${key} is not an object`);
  return value;
}


/** Inserts a key where an alphabetical list would have it (npm keeps dependencies sorted) without reordering the others. */
export function withKeyInOrder(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const entries = Object.entries(obj);
  const at = entries.findIndex(([k]) => k.localeCompare(key, 'en') > 0);
  entries.splice(at === -1 ? entries.length : at, 0, [key, value]);
  return Object.fromEntries(entries);
}

/** Keeps a user's hook as it is and appends our block once; a hook already running the staged scan is left alone. */
export function editHook(text: string | null): FileEdit {
  if (text === null) return { content: HOOK_BLOCK, notes: [`created: runs ${HOOK_COMMAND}`], warnings: [] };
  if (/^[^#\n]*\boutloop\s+scan\s+--staged\b/m.test(text)) return { content: null, notes: ['already runs outloop scan --staged'], warnings: [] };
  const warnings: string[] = [];
  // husky runs the file with `sh -e`: an exit or exec above our line would end the hook before it.
  if (/^\s*(exit|exec)\b/m.test(text)) warnings.push(`has an exit or exec line, so the appended "${HOOK_COMMAND}" may never run: move it above that line`);
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return { content: text + separator + HOOK_BLOCK, notes: [`"${HOOK_COMMAND}" appended (your lines kept)`], warnings };
}

export function editConfig(text: string | null): FileEdit {
  if (text !== null) return { content: null, notes: ['already there (kept as is)'], warnings: [] };
  return { content: STARTER_CONFIG, notes: ['created: { "ignore": [], "allow": [] }'], warnings: [] };
}

/** Temp file + rename, so an interrupted init never leaves half a package.json. */
function applyFile(root: string, planned: PlannedFile): void {
  if (planned.content === null) return;
  writeFileWhole(path.join(root, planned.file), planned.content, { mode: planned.mode, what: planned.file });
}

function hooksActive(root: string): boolean {
  const git = spawnSync('git', ['config', '--get', 'core.hooksPath'], { cwd: root, encoding: 'utf8' });
  return git.status === 0 && git.stdout.trim().replace(/\/$/, '') === HUSKY_HOOKS_PATH;
}

/** The project's own package manager installs husky (a second lockfile would be a new problem). */
function installCommand(root: string): string {
  const lockfiles: Array<[string, string]> = [
    ['pnpm-lock.yaml', 'pnpm install'],
    ['yarn.lock', 'yarn install'],
    ['bun.lock', 'bun install'],
    ['bun.lockb', 'bun install'],
  ];
  return lockfiles.find(([file]) => fs.existsSync(path.join(root, file)))?.[1] ?? 'npm install';
}

export function formatReport(root: string, plan: PlannedFile[], context: { dryRun: boolean; hooksActive: boolean; installCommand: string }): string {
  const changes = plan.filter((f) => f.content !== null).length;
  const head = context.dryRun
    ? `outloop init --dry-run in ${root}: ${changes === 0 ? 'nothing to change' : `would change ${changes} file${changes === 1 ? '' : 's'} (nothing written)`}`
    : `outloop init in ${root}: ${changes === 0 ? 'already set up, nothing changed' : `${changes} file${changes === 1 ? '' : 's'} changed`}`;
  const width = Math.max(...plan.map((f) => f.file.length)) + 2;
  const lines = plan.map((f) => `  ${f.file.padEnd(width)}${f.notes.join('; ')}`);
  const next = nextStep(changes, context);
  return [head, ...lines, next].join('\n') + '\n';
}

function nextStep(changes: number, context: { dryRun: boolean; hooksActive: boolean; installCommand: string }): string {
  if (context.dryRun && changes > 0) return 'Run "outloop init" without --dry-run to make these changes.';
  if (context.hooksActive) return `The hook is active (core.hooksPath ${HUSKY_HOOKS_PATH}): every commit's staged changes are scanned.`;
  return `Next: run "${context.installCommand}": it installs husky, whose prepare script points git at .husky (core.hooksPath), and from then on every commit's staged changes are scanned.`;
}
