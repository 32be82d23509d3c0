/**
 * Parses argv and runs one command. Returns the exit code (0 clean, 1 findings, 2 error) and never
 * exits itself, so tests call it directly.
 */
import { ConfigError, EXIT, UsageError } from '../model/errors.js';
import { tuneEngineForScanning } from '../engine-flags.js';
import { workersStarted } from '../worker-start.js';
import { HELP, VERSION } from './help.js';
import { writeFileWhole } from '../write-file.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  readStdin: () => Promise<Buffer>;
  env: NodeJS.ProcessEnv;
}

/** Commands that may scan folders: V8 is tuned for that first (see engine-flags.ts). */
const SCANS_FOLDERS = new Set(['scan', 'audit', 'rewrite', 'bind']);

export async function run(argv: string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    // Threads are certain when the entry started them for a folder scan (prefetch.ts).
    if (command !== undefined && SCANS_FOLDERS.has(command) && !rest.includes('--staged')) await tuneEngineForScanning({ threaded: workersStarted() > 0 });
    switch (command) {
      // Commands load on demand: `--version` and `help` shouldn't pay for the scanner.
      case 'scan':
        return await (await import('./scan-command.js')).runScan(rest, io);
      case 'rules':
        return await (await import('./rules-command.js')).runRules(rest, io);
      case 'init':
        return await (await import('./init-command.js')).runInit(rest, io);
      case 'bind':
        return await (await import('./bind-command.js')).runBind(rest, io);
      case 'audit':
        return await (await import('./audit-command.js')).runAudit(rest, io);
      case 'rewrite':
        return await (await import('./rewrite-command.js')).runRewrite(rest, io);
      case 'undo':
        return await (await import('./undo-command.js')).runUndo(rest, io);
      case 'exec':
        return await (await import('./exec-command.js')).runExec(rest, io);
      case 'hook':
        return await (await import('./hook-command.js')).runHook(rest, io);
      case '--version':
      case '-v':
      case 'version':
        io.stdout.write(VERSION + '\n');
        return EXIT.clean;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return EXIT.clean;
      default:
        throw new UsageError(`unknown command "${command}" (try "outloop help")`);
    }
  } catch (err) {
    // Expected failures (bad input, a git repository git itself refuses) are one line and exit 2.
    if (err instanceof UsageError || err instanceof ConfigError || (err instanceof Error && err.name === 'GitError')) {
      io.stderr.write(`outloop: ${err.message}\n`);
      return EXIT.error;
    }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`outloop: ${err.message} (try "outloop help")\n`);
      return EXIT.error;
    }
    // A shell can sit in a folder another process deleted: every path relative to it fails.
    if (err instanceof Error && 'syscall' in err && err.syscall === 'uv_cwd') {
      io.stderr.write('outloop: the current folder no longer exists (cd to one that does)\n');
      return EXIT.error;
    }
    throw err;
  }
}

/** Writes a report to --output (atomically enough for a report: temp file + rename) or stdout. */
export function emit(text: string, output: string | undefined, io: Io): void {
  if (!output) {
    io.stdout.write(text);
    return;
  }
  writeFileWhole(output, text);
}
