/**
 * How git children are started (src/sources/git/run.ts): the environment they get, with real git.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGit, withHugePageMalloc } from '../../src/sources/git/run.js';
import { tempDir } from '../helpers.js';

/** The environment a git child sees: a shell alias runs `env` under git itself. */
async function gitChildEnv(): Promise<Map<string, string>> {
  const out = (await runGit(['-c', 'alias.show-env=!env', 'show-env'], tempDir())).toString('utf8');
  return new Map(out.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('git children', () => {
  it("ask glibc's malloc for huge pages, keeping a user's own tunables", async () => {
    const saved = process.env.GLIBC_TUNABLES;
    try {
      delete process.env.GLIBC_TUNABLES;
      assert.equal((await gitChildEnv()).get('GLIBC_TUNABLES'), 'glibc.malloc.hugetlb=1');
      process.env.GLIBC_TUNABLES = 'glibc.malloc.arena_max=2';
      assert.equal((await gitChildEnv()).get('GLIBC_TUNABLES'), 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    } finally {
      if (saved === undefined) delete process.env.GLIBC_TUNABLES;
      else process.env.GLIBC_TUNABLES = saved;
    }
  });

  it("leave a user's own choice of huge pages alone", () => {
    assert.equal(withHugePageMalloc(undefined), 'glibc.malloc.hugetlb=1');
    assert.equal(withHugePageMalloc(''), 'glibc.malloc.hugetlb=1');
    assert.equal(withHugePageMalloc('glibc.malloc.hugetlb=0'), 'glibc.malloc.hugetlb=0');
    assert.equal(withHugePageMalloc('glibc.malloc.arena_max=1:glibc.malloc.hugetlb=2'), 'glibc.malloc.arena_max=1:glibc.malloc.hugetlb=2');
    // A tunable whose name merely ends the same way is another one.
    assert.equal(withHugePageMalloc('x.glibc.malloc.hugetlb=0'), 'x.glibc.malloc.hugetlb=0:glibc.malloc.hugetlb=1');
  });

  it('still never take optional locks nor wait for a prompt', async () => {
    const env = await gitChildEnv();
    assert.equal(env.get('GIT_OPTIONAL_LOCKS'), '0');
    assert.equal(env.get('GIT_TERMINAL_PROMPT'), '0');
  });
});
