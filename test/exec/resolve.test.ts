import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/model/errors.js';
import { findAliases, hasMalformedAlias, mergeEnv, MissingAliasError, parseEnvFile, resolveEnv } from '../../src/exec/resolve.js';
import { ANTHROPIC, fakeKey } from '../helpers.js';
import { memoryVault } from './helpers.js';

const env = (text: string) => Object.fromEntries(parseEnvFile(text, '.env').map((e) => [e.key, e.value]));

describe('parseEnvFile', () => {
  it('reads plain, exported, quoted and commented lines', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'SPACED = some value   ',
      'export EXPORTED=outloop://acme/stripe',
      'DQ="a \\"quoted\\" \\n line" # trailing comment',
      "SQ='lit\\n $HOME'",
      'BT=`back tick`',
      'HASH=a#b',
      'COMMENTED=value # a comment',
      'EMPTY=',
      'EMPTYQ=""',
      'MULTI="line one',
      'line two"',
      'AFTER=1',
      'DOTTED.KEY-x=2',
      '   # indented comment',
      'DUP=first',
      'DUP=second',
    ].join('\r\n');
    assert.deepEqual(env(text), {
      PLAIN: 'value',
      SPACED: 'some value',
      EXPORTED: 'outloop://acme/stripe',
      DQ: 'a "quoted" \n line',
      SQ: 'lit\\n $HOME',
      BT: 'back tick',
      HASH: 'a#b',
      COMMENTED: 'value',
      EMPTY: '',
      EMPTYQ: '',
      MULTI: 'line one\nline two',
      AFTER: '1',
      'DOTTED.KEY-x': '2',
      DUP: 'second',
    });
    const lines = Object.fromEntries(parseEnvFile(text, '.env').map((e) => [e.key, e.line]));
    assert.equal(lines.MULTI, 13);
    assert.equal(lines.AFTER, 15);
  });

  it('names the file and line of a bad line, never its content', () => {
    const key = ANTHROPIC('bad-line');
    for (const [text, line] of [
      [`OK=1\n${key}\n`, 2],
      [`OK=1\nK="${key}\n`, 2],
      [`OK=1\n\nK="${key}" trailing\n`, 3],
      [`1BAD=${key}`, 1],
    ] as const) {
      assert.throws(
        () => parseEnvFile(text, 'proj/.env'),
        (err: Error) => err instanceof UsageError && err.message.startsWith(`proj/.env:${line}:`) && !err.message.includes(key.slice(13, 30)),
      );
    }
  });
});

describe('aliases in values', () => {
  it('finds whole and embedded aliases, greedily over the alias characters', () => {
    const spans = (v: string) => findAliases(v).map((a) => a.alias);
    assert.deepEqual(spans('outloop://acme/stripe'), ['outloop://acme/stripe']);
    assert.deepEqual(spans('postgres://u:outloop://acme/db@host:5432/app'), ['outloop://acme/db']);
    assert.deepEqual(spans('a=outloop://acme/one,b=outloop://beta.co/two_2'), ['outloop://acme/one', 'outloop://beta.co/two_2']);
    assert.deepEqual(spans('outloop://acme/db.prod'), ['outloop://acme/db.prod']);
    assert.deepEqual(spans('xoutloop://acme/a'), []);
    assert.deepEqual(spans('outloop://Acme/a'), []);
    assert.deepEqual(spans(`outloop://acme/${'n'.repeat(65)}`), []);
    assert.ok(hasMalformedAlias('outloop://Acme/a'));
    assert.ok(!hasMalformedAlias('postgres://u:outloop://acme/db@h'));
  });

  it('lets the environment win over files, and later files over earlier ones', () => {
    const a = { name: 'a.env', entries: parseEnvFile('X=a\nY=a\nZ=a\n', 'a.env') };
    const b = { name: 'b.env', entries: parseEnvFile('Y=b\nZ=b\n', 'b.env') };
    const merged = mergeEnv({ Z: 'env', U: undefined }, [a, b]);
    assert.deepEqual(merged.env, { X: 'a', Y: 'b', Z: 'env' });
    assert.equal(merged.origin.get('Y'), 'b.env:1');
    assert.equal(merged.origin.get('Z'), 'environment');
  });

  it('resolves aliases, whole and embedded, and returns the secrets to mask', async () => {
    const key = ANTHROPIC('resolve');
    const pw = fakeKey('{{alnum:24}}', 'resolve-pw');
    const vault = memoryVault({ 'outloop://acme/anthropic': key, 'outloop://acme/db': pw });
    const base = { A: 'outloop://acme/anthropic', DB: 'postgres://u:outloop://acme/db@h/app', B: 'outloop://acme/anthropic' };
    const r = await resolveEnv(mergeEnv(base, []), async () => vault);
    assert.equal(r.env.A, key);
    assert.equal(r.env.B, key);
    assert.equal(r.env.DB, `postgres://u:${pw}@h/app`);
    assert.deepEqual(new Set(r.secrets), new Set([key, pw]));
    assert.deepEqual(vault.gets.sort(), ['outloop://acme/anthropic', 'outloop://acme/db'], 'each alias asked once');
    assert.equal(base.A, 'outloop://acme/anthropic', 'the given environment is left as it was');
  });

  it('does not open the vault when there is no alias', async () => {
    const r = await resolveEnv(mergeEnv({ A: '1' }, []), async () => {
      throw new Error('opened');
    });
    assert.deepEqual(r.secrets, []);
  });

  it('names every missing alias and where it was, never a value', async () => {
    const key = ANTHROPIC('present');
    const vault = memoryVault({ 'outloop://acme/anthropic': key });
    const files = [{ name: '.env', entries: parseEnvFile('GONE=outloop://acme/gone\n', '.env') }];
    await assert.rejects(
      resolveEnv(mergeEnv({ A: 'outloop://acme/anthropic', B: 'x:outloop://beta/none' }, files), async () => vault),
      (err: Error) => {
        assert.ok(err instanceof MissingAliasError);
        assert.match(err.message, /outloop:\/\/acme\/gone \(in GONE from \.env:1\)/);
        assert.match(err.message, /outloop:\/\/beta\/none \(in B\)/);
        assert.ok(!err.message.includes(key));
        assert.ok(!err.message.includes('outloop://acme/anthropic'));
        return true;
      },
    );
  });

  it('refuses when the vault is not available', async () => {
    await assert.rejects(resolveEnv(mergeEnv({ A: 'outloop://acme/x' }, []), async () => memoryVault({}, false)), /not available/);
  });
});
