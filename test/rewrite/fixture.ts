/** A small workspace with a key in every format the rewriter handles, and checks that each file still parses. */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parse as babelParse } from '@babel/parser';
import { ANTHROPIC, fakeKey, writeFiles } from '../helpers.js';
import { runRewrite } from '../../src/cli/rewrite-command.js';
import { runUndo } from '../../src/cli/undo-command.js';
import type { VaultBackend } from '../../src/vault/vault.js';

export interface World {
  keys: string[];
  files: string[];
}

const HOUR_AGO = new Date(Date.now() - 3600_000);

export function plantWorld(root: string, seed = 'w'): World {
  const k = (i: number) => ANTHROPIC(`${seed}-${i}`);
  const stripe = fakeKey('sk_live_51{{alnum:97}}', `${seed}-stripe`);
  const keys = [...Array.from({ length: 16 }, (_, i) => k(i)), stripe];
  const claude = (content: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 'user', sessionId: 'sess-1', uuid: 'u-1', cwd: root, timestamp: '2026-01-01T00:00:00Z', message: { role: 'user', content }, ...extra });
  const files: Record<string, string | Buffer> = {
    '.env': `\uFEFFA=${k(0)}\r\nB="${k(1)}"\r\nC='${k(2)}'\r\n`,
    'app/config.json': JSON.stringify({ anthropic: k(3), nested: { cmd: `export X="${k(4)}"\n` } }, null, 2) + '\n',
    'sessions/claude.jsonl': [
      claude(`my key is ${k(5)}`),
      JSON.stringify({ type: 'assistant', sessionId: 'sess-1', uuid: 'u-2', cwd: root, message: { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: `curl -H "x-api-key: ${k(6)}" https://api.anthropic.com` } }] } }),
      // The same key written with \u002d escapes: found through the json layer.
      claude('placeholder').replace('placeholder', `escaped ${k(7).replace(/-/g, '\\u002d')}`),
      '',
    ].join('\n'),
    'deploy/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ndata:\n  token: ${Buffer.from(k(8)).toString('base64')}\n`,
    'deploy/values.yaml': `anthropic:\n  key: ${k(9)}\n  quoted: "${k(10)}"\nstripe: '${stripe}'\n`,
    'src/client.ts': `const key: string = "${k(11)}";\nexport const auth = \`Bearer ${k(11)}\`;\n`,
    'src/a.js': `module.exports = { key: '${k(12)}' };`,
    'settings.toml': `[api]\nkey = "${k(13)}"\n`,
    'creds.ini': `[default]\napi_key = ${k(14)}\n`,
    'NOTES.md': `# Setup\n\n\`\`\`sh\nexport ANTHROPIC_API_KEY=${k(15)}\n\`\`\`\n`,
    'run.sh': `#!/bin/sh\nexport ANTHROPIC_API_KEY=${k(0)}\n`,
    'nb.ipynb': JSON.stringify({ cells: [{ cell_type: 'code', source: [`client = Anthropic(api_key="${k(3)}")\n`], metadata: {}, outputs: [] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1) + '\n',
    'app.py': `import anthropic\nclient = anthropic.Anthropic(api_key='${k(1)}')\n`,
  };
  writeFiles(root, files);
  fs.chmodSync(path.join(root, 'run.sh'), 0o755);
  fs.utimesSync(path.join(root, 'sessions/claude.jsonl'), HOUR_AGO, HOUR_AGO);
  return { keys, files: Object.keys(files) };
}

/** Whether a file parses in its own format (tiny checks for TOML, INI and .env). */
export function parsesAsItsFormat(rel: string, text: string): boolean {
  const t = text.replace(/^\uFEFF/, '');
  try {
    if (rel.endsWith('.json') || rel.endsWith('.ipynb')) return JSON.parse(t) !== undefined;
    if (rel.endsWith('.jsonl')) return t.split('\n').every((l) => l === '' || JSON.parse(l) !== undefined);
    if (rel.endsWith('.yaml')) return YAML.parseAllDocuments(t).every((d) => !('errors' in d) || d.errors.length === 0);
    if (rel.endsWith('.ts')) return Boolean(babelParse(t, { sourceType: 'module', plugins: ['typescript'] }));
    if (rel.endsWith('.js')) return Boolean(babelParse(t, { sourceType: 'unambiguous' }));
    if (rel.endsWith('.toml')) return t.split(/\r?\n/).every((l) => l === '' || /^\[[\w.-]+\]$/.test(l) || /^[\w.-]+ = ("[^"\\]*"|'[^']*'|\d+|true|false)$/.test(l));
    if (rel.endsWith('.ini')) return t.split(/\r?\n/).every((l) => l === '' || /^\[[\w .-]+\]$/.test(l) || /^[\w.-]+ ?= ?\S*$/.test(l) || /^[#;]/.test(l));
    if (rel.endsWith('.env')) return t.split(/\r?\n/).every((l) => l === '' || /^[A-Z_][A-Z0-9_]*=("[^"]*"|'[^']*'|[^\s'"#]*)$/.test(l));
    return true;
  } catch {
    return false;
  }
}

export interface Captured {
  code: number;
  out: string;
}

export async function cli(command: 'rewrite' | 'undo', args: string[], cwd: string, vault: VaultBackend | null, extra: Record<string, unknown> = {}): Promise<Captured> {
  let out = '';
  const sink = { write: (s: string | Uint8Array) => ((out += String(s)), true) } as unknown as NodeJS.WritableStream;
  const io = { stdout: sink, stderr: sink, readStdin: async () => Buffer.alloc(0), env: { ...process.env, OUTLOOP_VAULT_PASSPHRASE: undefined }, vault, cwd, ...extra };
  try {
    const code = await (command === 'undo' ? runUndo(args, io) : runRewrite(args, io));
    return { code, out };
  } catch (err) {
    return { code: -2, out: out + String((err as Error).message) };
  }
}

/** Every file under root as bytes (relative path → bytes), with .outloop/ left out. */
export function snapshot(root: string): Map<string, { bytes: Buffer; mode: number }> {
  const out = new Map<string, { bytes: Buffer; mode: number }>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p).split(path.sep).join('/');
      if (rel === '.outloop' || rel === '.git') continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, { bytes: fs.readFileSync(p), mode: fs.statSync(p).mode & 0o7777 });
    }
  };
  walk(root);
  return out;
}

/** All text outloop wrote besides the rewritten files: journals and config. */
export function outloopState(root: string): string {
  let s = '';
  const dir = path.join(root, '.outloop');
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else s += fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  const config = path.join(root, 'outloop.config.json');
  if (fs.existsSync(config)) s += fs.readFileSync(config, 'utf8');
  return s;
}

/** True when text holds a key in any form the rewriter may have handled (raw, \u002d-escaped, base64). */
export function leaks(text: string, keys: string[]): number[] {
  return keys.flatMap((k, i) => text.includes(k) || text.includes(k.replace(/-/g, '\\u002d')) || text.includes(Buffer.from(k).toString('base64').slice(0, 40)) ? [i] : []);
}
