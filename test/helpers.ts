/** Shared test fixtures: temp folders, the real CLI as a child process, generated fake keys. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplate, seededRng } from '../src/rules/template.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'dist/src/cli/main.js');

export function tempDir(name = 'outloop-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), name));
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/** A git identity and no user or system config, so tests run the same on every machine. */
export const GIT_TEST_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: undefined, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** One fake key from a template like 'sk-ant-api03-{{urlsafe:93}}AA'. */
export function fakeKey(template: string, seed: string): string {
  return expandTemplate(template, seededRng(seed)).text;
}

export const ANTHROPIC = (seed: string) => fakeKey('sk-ant-api03-{{urlsafe:93}}AA', seed);

/**
 * The secret a scan fingerprints for a planted value: what is left after undoing the JSON escapes
 * and percent-encoding it was written with (a PEM written with `\n` escapes in a JSON string is
 * fingerprinted with real line breaks, like the same key in a .pem file).
 */
export function decodedSecret(value: string): string {
  let v = value;
  for (let depth = 0; depth < 3 && /\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(v); depth++) v = JSON.parse(`"${v}"`) as string;
  if (/%[0-9a-fA-F]{2}/.test(v)) v = decodeURIComponent(v);
  return v;
}
