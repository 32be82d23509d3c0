/**
 * Entry for the crash tests: `node child.js VAULT_DIR CWD rewrite|undo ARGS...` runs the command
 * with a DirVault, so OUTLOOP_TEST_KILL_AT can kill it at any step.
 */
import { runRewrite } from '../../src/cli/rewrite-command.js';
import { runUndo } from '../../src/cli/undo-command.js';
import { DirVault } from './dir-vault.js';

const [vaultDir, cwd, command, ...args] = process.argv.slice(2);
// `node --test` runs every file under test/: without arguments this is not a child run, do nothing.
if (vaultDir && cwd && command) main();

function main(): void {
const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: async () => Buffer.alloc(0),
  env: process.env,
  vault: new DirVault(vaultDir!),
  cwd: cwd!,
};
(command === 'undo' ? runUndo(args, io) : runRewrite(args, io)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`outloop: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
}
