// The corpus's encoded markers (scripts/expand-corpus.ts): a planted secret written the way a
// transcript, a terminal log or a Kubernetes secret writes it, while the manifest keeps the plain
// secret's fingerprint and the line and column where the encoded form starts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { expandCorpus, expandCorpusTemplate, metafy, resolveFingerprints, TEMPLATES } from '../scripts/expand-corpus.js';
import { fingerprint } from '../src/detect/redact.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { tempDir, writeFiles } from './helpers.js';

const expand = (template: string) => expandCorpusTemplate(template, seededRng('transforms'));
const only = (template: string) => {
  const { text, marks } = expand(template);
  assert.equal(marks.length, 1, 'one mark');
  return { text, mark: marks[0]! };
};

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

describe('corpus transforms', () => {
  it('expands a template without encodings exactly as expandTemplate does', () => {
    const t = 'a=«[github-pat]ghp_{{alnum:30}}{{crc32b62}}» b=«[decoy:uuid]{{uuid}}» «[x]«[y]{{hex:8}}»»';
    const a = expandTemplate(t, seededRng('same'));
    const b = expandCorpusTemplate(t, seededRng('same'));
    assert.equal(b.text, a.text);
    assert.deepEqual(b.marks, a.secrets);
  });

  it('takes the encoding path to the same result on every committed template (an empty ⟦⟧ forces it)', () => {
    for (const rel of listFiles(TEMPLATES)) {
      const t = fs.readFileSync(path.join(TEMPLATES, rel), 'utf8');
      if (/«\[[^\]]*\||⟦/.test(t)) continue;
      const a = expandTemplate(t, seededRng(rel));
      const b = expandCorpusTemplate(t + '⟦⟧', seededRng(rel));
      assert.equal(b.text, a.text, rel);
      assert.deepEqual(b.marks, a.secrets, rel);
    }
  });

  it('json-u writes every non-alphanumeric character as a \\u escape; json-u:CHARS only those', () => {
    const all = only('{"t":"key: «[anthropic-api-key|json-u]sk-ant-api03-{{urlsafe:93}}AA»"}');
    assert.match(all.mark.value, /^sk-ant-api03-[A-Za-z0-9_-]{93}AA$/);
    assert.equal(all.text.indexOf('sk\\u002dant\\u002dapi03\\u002d'), all.mark.start);
    assert.equal(JSON.parse(all.text).t, `key: ${all.mark.value}`);
    assert.doesNotMatch(all.text, /[-_]/);

    const dashes = only('"«[anthropic-api-key|json-u:-]sk-ant-api03-{{urlsafe:93}}AA»"');
    assert.equal(JSON.parse(dashes.text), dashes.mark.value);
    assert.equal(dashes.text.slice(dashes.mark.start, dashes.mark.start + 9), 'sk\\u002da');
    assert.ok(!dashes.text.includes('-'));
  });

  it('json-slash writes / as \\/ and the mark still covers the whole written value', () => {
    const { text, mark } = only('{"SecretAccessKey":"«[aws-secret-access-key|json-slash]{{b64:5}}/{{b64:34}}»"}');
    assert.equal(mark.value.length, 40);
    assert.equal(JSON.parse(text).SecretAccessKey, mark.value);
    assert.equal(text.slice(mark.start, mark.end), mark.value.replace(/\//g, '\\/'));
  });

  it('percent encodes like encodeURIComponent; percent-all every non-alphanumeric character', () => {
    const { text, mark } = only('?u=«[slack-webhook-url|percent]https://hooks.slack.com/services/T0{{upper32:8}}/B0{{upper32:9}}/{{alnum:24}}»&x=1');
    assert.equal(text.slice(mark.start, mark.end), encodeURIComponent(mark.value));
    assert.equal(decodeURIComponent(text.slice(mark.start, mark.end)), mark.value);
    const all = only('«[stripe-secret-key|percent-all]sk_live_{{alnum:40}}»');
    assert.match(all.text, /^sk%5Flive%5F[A-Za-z0-9]{40}$/);
    assert.equal(all.mark.value.slice(0, 8), 'sk_live_');
  });

  it('a base64 envelope records its inner secret at the start of the whole base64 run', () => {
    const { text, marks } = expand('\t\t\t"auth": "«[|base64]dev:«[github-pat]ghp_{{alnum:30}}{{crc32b62}}»»"\n  NODE_ENV: «[|base64]production»\n');
    assert.equal(marks.length, 1, 'an envelope has no mark of its own');
    const m = marks[0]!;
    const run = /"auth": "([A-Za-z0-9+/=]+)"/.exec(text)!;
    assert.equal(m.start, run.index + '"auth": "'.length);
    assert.equal(m.end, m.start + run[1]!.length);
    assert.equal(Buffer.from(run[1]!, 'base64').toString('utf8'), `dev:${m.value}`);
    assert.match(m.value, /^ghp_[A-Za-z0-9]{36}$/);
    assert.ok(text.includes(`NODE_ENV: ${Buffer.from('production').toString('base64')}\n`));
  });

  it('a json envelope writes a JSON string body and moves inner marks with their characters', () => {
    const { text, mark } = only('{"arguments":"«[|json]{"command":["bash","-lc","export K=«[firecrawl-api-key]fc-{{hex:32}}» && echo \\"ok\\""]}»"}');
    const args = JSON.parse(JSON.parse(text).arguments);
    assert.equal(args.command[2], `export K=${mark.value} && echo "ok"`);
    assert.equal(text.slice(mark.start, mark.end), mark.value);
  });

  it('⟦inserted⟧ text is written to the file but is no part of the secret', () => {
    const { text, mark } = only('[1.2, "o", "token: «[gitlab-pat]glpat-{{urlsafe:9}}⟦"]\n[0.0004, "o", "⟧{{urlsafe:11}}»\\r\\n"]\n');
    assert.match(mark.value, /^glpat-[A-Za-z0-9_-]{20}$/);
    assert.equal(text.indexOf('glpat-'), mark.start);
    assert.ok(!text.includes('⟦') && !text.includes('⟧'));
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as [number, string, string]);
    assert.equal(events.map((e) => e[2]).join(''), `token: ${mark.value}\r\n`);

    const typo = only('$ export T=«[gitlab-pat]glpat-{{urlsafe:4}}⟦q\b \b⟧{{urlsafe:16}}»\r\n');
    assert.equal(typo.text.slice(typo.mark.start, typo.mark.end), `${typo.mark.value.slice(0, 10)}q\b \b${typo.mark.value.slice(10)}`);
  });

  it('split-sgr puts a colour change in the middle of the written key', () => {
    const { text, mark } = only('KEY=«[openai-project-key|split-sgr]sk-proj-{{urlsafe:74}}T3BlbkFJ{{urlsafe:74}}»\n');
    const written = text.slice(mark.start, mark.end);
    assert.ok(written.includes('\x1b['));
    assert.equal(written.replace(/\x1b\[[0-9;]*m/g, ''), mark.value);
  });

  it('rejects unknown encodings and markers that start inside ⟦ ⟧', () => {
    assert.throws(() => expand('«[x|rot13]abc»'), /unknown encoding \|rot13/);
    assert.throws(() => expand('⟦a«[x]b⟧c»'), /inside ⟦ ⟧/);
    assert.throws(() => expand('a⟦b'), /⟦ without ⟧/);
    assert.throws(() => expand('a⟧b'), /⟧ without ⟦/);
  });

  it('metafies as zsh does: NUL and 0x83-0xA2 become 0x83, byte ^ 0x20', () => {
    assert.deepEqual([...metafy(Buffer.from('a→b', 'utf8'))], [0x61, 0xe2, 0x83, 0xa6, 0x83, 0xb2, 0x62]);
    assert.deepEqual([...metafy(Buffer.from([0x00, 0x82, 0x83, 0xa2, 0xa3]))], [0x83, 0x20, 0x82, 0x83, 0xa3, 0x83, 0x82, 0xa3]);
  });

  it('writes the manifest with the plain fingerprint and the encoded position, for files and modifiers', () => {
    const dir = tempDir('outloop-transforms-');
    writeFiles(dir, {
      'home/.zsh_history@zsh-meta': ': 1700000000:0;echo "→" && export K=«[github-pat]ghp_{{alnum:30}}{{crc32b62}}»\n',
      'home/t.jsonl': '{"a":1}\n{"t":"x\\n«[anthropic-api-key|json-u:-]sk-ant-api03-{{urlsafe:93}}AA»"}\n',
      'k8s/s.yaml': 'data:\n  TOKEN: «[|base64]«[github-pat]ghp_{{alnum:30}}{{crc32b62}}»»\n',
    });
    const out = tempDir('outloop-transforms-world-');
    const result = expandCorpus(out, dir);
    const byPath = new Map(result.expected.map((e) => [e.path, e]));

    const zsh = byPath.get('home/.zsh_history')!;
    const bytes = fs.readFileSync(path.join(out, 'home/.zsh_history'));
    assert.ok(bytes.includes(Buffer.from([0xe2, 0x83, 0xa6, 0x83, 0xb2])), 'metafied on disk');
    // The column counts the bytes on disk read as UTF-8, as the scanner does for every file: the
    // metafied → (E2 83 A6 83 B2) reads as three characters (one valid sequence, two stray bytes).
    const prefix = bytes.subarray(0, bytes.indexOf('ghp_'));
    assert.deepEqual([zsh.line, zsh.column], [1, prefix.toString('utf8').length + 1]);
    assert.equal(zsh.column, ': 1700000000:0;echo "→" && export K='.length + 3);

    const jsonl = byPath.get('home/t.jsonl')!;
    const line = fs.readFileSync(path.join(out, 'home/t.jsonl'), 'utf8').split('\n')[1]!;
    const value = (JSON.parse(line) as { t: string }).t.slice(2);
    assert.deepEqual([jsonl.line, jsonl.column], [2, line.indexOf('sk\\u002d') + 1]);
    assert.equal(jsonl.fingerprint, fingerprint(value));

    const k8s = byPath.get('k8s/s.yaml')!;
    const b64 = fs.readFileSync(path.join(out, 'k8s/s.yaml'), 'utf8').split('\n')[1]!.slice('  TOKEN: '.length);
    assert.deepEqual([k8s.line, k8s.column], [2, '  TOKEN: '.length + 1]);
    assert.equal(k8s.fingerprint, fingerprint(Buffer.from(b64, 'base64').toString('utf8')));
    // The plain secret is not in the file: only its escaped form is.
    assert.ok(!fs.readFileSync(path.join(out, 'home/t.jsonl'), 'utf8').includes(value));
  });
});

// Named secrets (the agency fixture): «[rule#NAME]» plants a secret called NAME, «[rule=NAME]» writes
// the same value again elsewhere, {{fingerprint:NAME}} writes its fingerprint (a config binding).
describe('corpus named secrets', () => {
  const GH = 'ghp_{{alnum:30}}{{crc32b62}}';
  const expandDir = (files: Record<string, string>, options = {}) => {
    const dir = tempDir('outloop-named-');
    writeFiles(dir, files);
    const out = tempDir('outloop-named-world-');
    return { out, result: expandCorpus(out, dir, options) };
  };
  const read = (out: string, rel: string) => fs.readFileSync(path.join(out, rel), 'utf8');

  it('a reference writes the named secret again, in another file, and both entries carry the name', () => {
    // b/.env refers to a name that a/.env (expanded before it) and c/.env (after it) could define.
    const { out, result } = expandDir({
      'a/.env': 'X=«[github-pat]' + GH + '»\n',
      'b/.env': 'COPY=«[github-pat=acme-gh]»\nOTHER=«[github-pat]' + GH + '»\n',
      'c/.env': 'TOKEN=«[github-pat#acme-gh]' + GH + '»\n',
    });
    const def = result.expected.find((e) => e.path === 'c/.env')!;
    const copy = result.expected.find((e) => e.path === 'b/.env' && e.line === 1)!;
    assert.equal(def.name, 'acme-gh');
    assert.equal(copy.name, 'acme-gh');
    assert.equal(copy.fingerprint, def.fingerprint);
    assert.equal(copy.column, 'COPY='.length + 1);
    const value = read(out, 'c/.env').slice('TOKEN='.length).trim();
    assert.equal(read(out, 'b/.env').split('\n')[0], `COPY=${value}`);
    assert.equal(def.fingerprint, fingerprint(value));
    // Unnamed secrets have no name, and differ from the named one.
    const other = result.expected.find((e) => e.path === 'b/.env' && e.line === 2)!;
    assert.equal(other.name, undefined);
    assert.notEqual(other.fingerprint, def.fingerprint);
    assert.ok(!('name' in result.expected.find((e) => e.path === 'a/.env')!));
  });

  it('a reference takes no randomness: the rest of its file expands as without it', () => {
    const t = (ref: string) => `A=«[github-pat]${GH}»\n${ref}B=«[decoy:uuid]{{uuid}}» C=«[github-pat]${GH}»\n`;
    const without = expandCorpusTemplate(t(''), seededRng('same'));
    const withRef = expandCorpusTemplate(t('R=«[github-pat=k]»\n'), seededRng('same'), (n) => (n === 'k' ? 'ghp_copied' : undefined));
    assert.equal(withRef.text, without.text.replace('\nB=', '\nR=ghp_copied\nB='));
    assert.deepEqual(withRef.marks.map((m) => m.value), [without.marks[0]!.value, 'ghp_copied', ...without.marks.slice(1).map((m) => m.value)]);
    assert.deepEqual(withRef.marks[1], { start: without.marks[0]!.end + 3, end: without.marks[0]!.end + 3 + 'ghp_copied'.length, value: 'ghp_copied', label: 'github-pat', name: 'k', reference: true });
  });

  it('a reference or a definition takes transforms; the manifest keeps the plain fingerprint', () => {
    const { out, result } = expandDir({
      'home/t.jsonl': '{"t":"«[anthropic-api-key=k|json-u:-]»"}\n',
      'x/.env': 'K=«[anthropic-api-key#k|percent-all]sk-ant-api03-{{urlsafe:93}}AA»\n',
    });
    const [copy, def] = [result.expected.find((e) => e.path === 'home/t.jsonl')!, result.expected.find((e) => e.path === 'x/.env')!];
    const value = (JSON.parse(read(out, 'home/t.jsonl')) as { t: string }).t;
    assert.match(value, /^sk-ant-api03-/);
    assert.ok(read(out, 'home/t.jsonl').includes('sk\\u002dant\\u002dapi03\\u002d'));
    assert.ok(read(out, 'x/.env').startsWith('K=sk%5Fant%5Fapi03%5F') || read(out, 'x/.env').startsWith('K=sk%2Dant%2Dapi03%2D'));
    assert.equal(copy.fingerprint, fingerprint(value));
    assert.equal(def.fingerprint, copy.fingerprint);
    assert.deepEqual([copy.name, def.name], ['k', 'k']);
  });

  it('a reference may come before its definition in the same file', () => {
    const { out, result } = expandDir({ 'a.md': 'first «[github-pat=k]»\nthen «[github-pat#k]' + GH + '»\n' });
    const [l1, l2] = read(out, 'a.md').split('\n');
    assert.equal(l1!.slice('first '.length), l2!.slice('then '.length));
    assert.deepEqual(result.expected.map((e) => [e.line, e.column, e.name]), [[1, 7, 'k'], [2, 6, 'k']]);
  });

  it('{{fingerprint:NAME}} writes the fingerprint, and marks after it on its line keep their columns', () => {
    const { out, result } = expandDir({
      'outloop.config.json': '{ "fingerprint": "{{fingerprint:k}}", "also": "«[github-pat]' + GH + '»" }\n',
      'z/.env': 'K=«[github-pat#k]' + GH + '»\n',
    });
    const def = result.expected.find((e) => e.path === 'z/.env')!;
    const text = read(out, 'outloop.config.json');
    const config = JSON.parse(text) as { fingerprint: string; also: string };
    assert.equal(config.fingerprint, def.fingerprint);
    assert.match(config.fingerprint, /^sha256:[0-9a-f]{64}$/);
    const also = result.expected.find((e) => e.path === 'outloop.config.json')!;
    assert.equal(also.column, text.indexOf(config.also) + 1);
    assert.equal(also.fingerprint, fingerprint(config.also));
  });

  it('resolveFingerprints moves the marks after each fingerprint', () => {
    const marks = [{ start: 0, end: 2, value: 'ab' }, { start: 25, end: 27, value: 'cd' }];
    const r = resolveFingerprints('ab {{fingerprint:k}} and cd', marks, (n) => (n === 'k' ? 'v' : undefined));
    assert.equal(r.text, `ab ${fingerprint('v')} and cd`);
    assert.deepEqual(r.marks.map((m) => r.text.slice(m.start, m.end)), ['ab', 'cd']);
  });

  it('errors: unknown names, names defined twice, references with text, bad names, nesting', () => {
    const fails = (files: Record<string, string>, re: RegExp) => assert.throws(() => expandDir(files), re);
    fails({ 'a.env': 'K=«[github-pat=nope]»\n' }, /a\.env: unknown secret name "nope"/);
    fails({ 'c.json': '{"f":"{{fingerprint:nope}}"}\n' }, /c\.json: unknown secret name "nope" in \{\{fingerprint:nope\}\}/);
    fails({ 'a.env': 'K=«[github-pat#k]' + GH + '»\n', 'b.env': 'K=«[github-pat#k]' + GH + '»\n' }, /b\.env: secret name "k" is already defined in a\.env/);
    fails({ 'a.env': 'K=«[github-pat#k]' + GH + '» «[github-pat=k]ghp_x»\n' }, /holds no text of its own/);
    fails({ 'a.env': 'K=«[github-pat#1k]' + GH + '»\n' }, /bad secret name "1k"/);
    fails({ 'a.env': 'K=«[github-pat#k]' + GH + '»\nJ=«[x]a{{fingerprint:k}}»\n' }, /inside a « » marker/);
    fails({ 'a.env': 'K=«[github-pat#k]' + GH + '»\nJ=«[|base64]x:{{fingerprint:k}}»\n' }, /inside an encoded/);
    fails({ 'a.env': 'K=«[github-pat#k]' + GH + '»\nJ=«[x#outer]«[github-pat=k]»!»\n' }, /the named secret "outer" holds a «\[rule=NAME\]» reference/);
  });

  it('writes a `_git` path segment as `.git` only when asked (the agency\'s nested repository)', () => {
    const files = { 'repo/_git/config': '[remote "origin"]\n\turl = git@github.com:o/r.git\n', 'repo/.env': 'K=«[github-pat]' + GH + '»\n' };
    const plain = expandDir(files);
    assert.ok(fs.existsSync(path.join(plain.out, 'repo/_git/config')));
    const agency = expandDir(files, { dotGit: true });
    assert.equal(read(agency.out, 'repo/.git/config'), files['repo/_git/config']);
    assert.ok(!fs.existsSync(path.join(agency.out, 'repo/_git')));
    assert.deepEqual(agency.result.expected.map((e) => e.path), ['repo/.env']);
  });
});
